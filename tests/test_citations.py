"""Citations link one record to one source, with the quoted passage and a credibility grade."""

from __future__ import annotations

import pytest
from database_rules import assert_accepted, assert_refused
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from tracker.citations import Citation, CitationCreate, citations_for, cite
from tracker.filters import Filters
from tracker.kinds.engagements import Engagement
from tracker.kinds.sources import Source
from tracker.records import as_record, save
from tracker.users import SYSTEM

# The outlets the digest sorts by perspective, each relayed by it on the call.
DIGEST_SORTS = {
    "Yeni Şafak",
    "South China Morning Post",
    "The Moscow Times",
    "NBC News",
    "The Guardian",
    "POLITICO",
    "Bloomberg",
    "Kyiv Post",
}


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
    assert {
        (c.source, c.relayed_source) for c in citations if c.relayed_source not in DIGEST_SORTS
    } == {
        ("Unnamed news outlet", "Kremlin"),
        ("Unnamed news outlet", "KCNA (Korean Central News Agency)"),
        ("Unnamed multi-perspective news digest", None),
    }


def _source(session: Session, outlet: str) -> Source:
    return save(
        session=session,
        actor=SYSTEM,
        kind="source",
        record={"outlet": outlet, "title": f"{outlet} report", "type": "news_report"},
    )


def test_a_citation_keeps_the_whole_chain_of_relays_down_to_the_originator(
    seeded: Session,
) -> None:
    """ "South Korea's intelligence service, via a lawmaker, via Yonhap, via the article"."""
    nis, lawmaker, yonhap, article = (
        _source(seeded, outlet) for outlet in ("NIS", "A lawmaker", "Yonhap", "The article")
    )
    call = _call(seeded)
    cite(
        session=seeded,
        record=call,
        citations=[
            CitationCreate(
                source_id=article.id,
                relayed_source_id=nis.id,
                relayed_via=[yonhap.id, lawmaker.id],
                quote="troops, lawmakers were told",
            )
        ],
    )
    [chained] = [
        citation
        for citation in citations_for(session=seeded, table="engagement", ids=[call.id])[call.id]
        if citation.source == "The article"
    ]
    assert (chained.originator, chained.chain) == ("NIS", ["The article", "Yonhap", "A lawmaker"])
    assert chained.provenance == "NIS, via A lawmaker, via Yonhap, via The article"
    stored = as_record(session=seeded, kind="engagement", record_id=call.id)
    [again] = [c for c in stored["citations"] if c["source_id"] == article.id]
    assert again["relayed_via"] == [yonhap.id, lawmaker.id]  # an edit starts from the whole chain


def test_a_chain_names_its_originator_and_each_source_once() -> None:
    with pytest.raises(ValidationError, match="name the originator"):
        CitationCreate(source_id=1, relayed_via=[2], quote="q")
    with pytest.raises(ValidationError, match="appears twice in the chain"):
        CitationCreate(source_id=1, relayed_source_id=3, relayed_via=[2, 3], quote="q")


def test_a_correction_is_dated(seeded: Session, seeded_engine: Engine) -> None:
    with pytest.raises(ValidationError, match="say when the source retracted the record"):
        CitationCreate(source_id=1, quote="q", stance="retracts")
    call, source = _call(seeded), _kremlin(seeded)
    row = {
        "source_id": source.id,
        "quote": "q",
        "credibility": 3,
        "engagement_id": call.id,
        "stance": "corrects",
    }
    assert_refused(seeded_engine, Citation, row, "ck_citation_correction_dated")
    assert_accepted(
        seeded_engine,
        Citation,
        row | {"stated": "2025-09-01", "stated_precision": "day", "stated_latest": "2025-09-01"},
    )


def test_a_retracted_record_is_kept_and_shown_but_never_counted(seeded: Session) -> None:
    call, source = _call(seeded), _kremlin(seeded)
    cite(
        session=seeded,
        record=call,
        citations=[
            CitationCreate(
                source_id=source.id, quote="no call took place", stance="retracts", stated="2025-09"
            )
        ],
    )
    counted = seeded.exec(
        select(func.count()).select_from(Engagement).where(*Filters().conditions("engagement"))
    ).one()
    kept = seeded.exec(
        select(func.count())
        .select_from(Engagement)
        .where(*Filters().conditions("engagement", kept_apart=True))
    ).one()
    assert kept == counted + 1
    assert seeded.get(Engagement, call.id) is not None
