"""Sources and their Admiralty reliability grades."""

from __future__ import annotations

import pytest
from database_rules import FOREIGN_KEY, assert_accepted, assert_refused
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from tracker.kinds.sources import Reliability, Source, SourceCreate
from tracker.records import save
from tracker.users import SYSTEM

ROW = {"outlet": "Example Wire", "title": "A report", "type": "news_report", "reliability": "B"}


def test_reliability_runs_from_a_to_f_with_its_meaning() -> None:
    assert [grade.value for grade in Reliability] == list("ABCDEF")
    assert Reliability.F.meaning == "cannot be judged"


def test_python_refuses_grade_g() -> None:
    with pytest.raises(ValidationError, match="reliability"):
        SourceCreate.model_validate(ROW | {"reliability": "G"})


def test_the_database_refuses_grade_g(engine: Engine) -> None:
    assert_accepted(engine, Source, ROW)
    assert_refused(engine, Source, ROW | {"reliability": "G"}, "ck_source_reliability")


def test_the_database_refuses_an_unknown_source_type_or_state(engine: Engine) -> None:
    assert_refused(engine, Source, ROW | {"type": "rumour"}, "ck_source_type")
    assert_refused(engine, Source, ROW | {"state_code": "ZZZ"}, FOREIGN_KEY)


def test_a_url_must_be_a_web_address() -> None:
    with pytest.raises(ValidationError, match="url"):
        SourceCreate.model_validate(ROW | {"url": "not a link"})
    assert (
        SourceCreate.model_validate(ROW | {"url": "https://example.org/a"}).url
        == "https://example.org/a"
    )


def test_a_source_is_saved_once_per_outlet_and_title(session: Session) -> None:
    first = save(
        session=session, actor=SYSTEM, kind="source", record=SourceCreate.model_validate(ROW)
    )
    again = save(
        session=session,
        actor=SYSTEM,
        kind="source",
        record=SourceCreate.model_validate(ROW | {"reliability": "C"}),
    )
    assert first.id == again.id
    assert (
        session.exec(select(Source).where(Source.outlet == "Example Wire")).one().reliability == "C"
    )


def test_the_seeds_sort_outlets_by_perspective(seeded: Session) -> None:
    perspectives = {
        source.outlet: source.perspective
        for source in seeded.exec(select(Source).where(Source.perspective.is_not(None)))
    }
    assert perspectives["Yeni Şafak"] == "Pro-Kremlin or Russia-friendly"
    assert perspectives["The Guardian"] == "Mainstream Western"
    assert perspectives["Kyiv Post"] == "Ukrainian-aligned"
    assert perspectives["KCNA (Korean Central News Agency)"] == "North Korean state"
