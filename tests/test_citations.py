"""Citations link one record to one source, with the quoted passage and a credibility grade."""

from __future__ import annotations

import pytest
from database_rules import assert_accepted, assert_refused
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from tracker.citations import Citation, CitationCreate, citations_for, cite
from tracker.kinds.engagements import Engagement
from tracker.kinds.sources import Source


def _call(session: Session) -> Engagement:
    return session.exec(select(Engagement).where(Engagement.title == "Putin–Kim phone call")).one()


def _kremlin(session: Session) -> Source:
    return session.exec(select(Source).where(Source.outlet == "Kremlin")).one()


def test_credibility_runs_from_1_to_6() -> None:
    with pytest.raises(ValidationError, match="credibility"):
        CitationCreate(source_id=1, quote="q", credibility=7)


def test_a_source_cannot_relay_itself() -> None:
    with pytest.raises(ValidationError, match="a source cannot relay itself"):
        CitationCreate(source_id=1, relayed_source_id=1, quote="q")


def test_the_database_refuses_bad_citations(seeded_engine: Engine, seeded: Session) -> None:
    call, source = _call(seeded), _kremlin(seeded)
    good = {"source_id": source.id, "quote": "q", "credibility": 2, "engagement_id": call.id}
    assert_accepted(seeded_engine, Citation, good)
    assert_refused(
        seeded_engine, Citation, good | {"credibility": 7}, "ck_citation_credibility_range"
    )
    assert_refused(
        seeded_engine, Citation, good | {"engagement_id": None}, "ck_citation_exactly_one_record"
    )
    assert_refused(
        seeded_engine, Citation, good | {"treaty_id": 1}, "ck_citation_exactly_one_record"
    )
    assert_refused(
        seeded_engine,
        Citation,
        good | {"relayed_source_id": source.id},
        "ck_citation_relays_another_source",
    )
    assert_refused(seeded_engine, Citation, good | {"quote": ""}, "ck_citation_quote_not_empty")


def test_citing_twice_adds_nothing(seeded: Session) -> None:
    call, source = _call(seeded), _kremlin(seeded)
    citation = CitationCreate(source_id=source.id, quote="Putin had spoken with Kim", credibility=1)
    cite(session=seeded, record=call, citations=[citation])
    count = seeded.exec(select(func.count()).select_from(Citation)).one()
    cite(session=seeded, record=call, citations=[citation])
    assert seeded.exec(select(func.count()).select_from(Citation)).one() == count


def test_citations_name_the_source_and_what_it_relays(seeded: Session) -> None:
    call = _call(seeded)
    citations = citations_for(session=seeded, table="engagement", ids=[call.id])[call.id]
    assert {(c.source, c.relayed_source) for c in citations} == {
        ("Unnamed news outlet", "Kremlin"),
        ("Unnamed news outlet", "KCNA (Korean Central News Agency)"),
        ("Unnamed multi-perspective news digest", None),
    }
