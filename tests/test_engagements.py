"""Engagements: calls, visits and summits, with CAMEO codes and participants."""

from __future__ import annotations

from datetime import date

import pytest
from database_rules import FOREIGN_KEY, assert_accepted, assert_refused
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from tracker.kinds.engagements import Engagement, EngagementCreate, EngagementParticipant
from tracker.kinds.people import Person


def _engagement(title: str, session: Session) -> Engagement:
    return session.exec(select(Engagement).where(Engagement.title == title)).one()


def test_the_putin_kim_call_of_12_august_2025(seeded: Session) -> None:
    call = _engagement("Putin–Kim phone call", seeded)
    assert (call.kind, call.cameo_code, call.status) == ("phone_call", "041", "held")
    assert str(call.fuzzy("occurred")) == "2025-08-12"
    roles = seeded.exec(
        select(Person.name, EngagementParticipant.role)
        .join(Person, Person.id == EngagementParticipant.person_id)
        .where(EngagementParticipant.engagement_id == call.id)
    )
    assert set(roles) == {("Vladimir Putin", "initiator"), ("Kim Jong Un", "recipient")}


def test_the_anchorage_summit_is_planned(seeded: Session) -> None:
    summit = _engagement("Putin–Trump summit in Anchorage", seeded)
    assert (summit.status, summit.place, summit.place_state_code) == (
        "planned",
        "Anchorage, Alaska",
        "USA",
    )


def test_dates_keep_the_precision_the_articles_give(seeded: Session) -> None:
    assert (
        str(_engagement("Lavrov visits North Korea and meets Kim", seeded).fuzzy("occurred"))
        == "2025-07"
    )
    calls = _engagement("Putin–Xi phone call", seeded).fuzzy("occurred")
    assert (calls.precision, str(calls.latest)) == ("range", "2025-08-12")


def test_the_cameo_code_defaults_from_the_kind() -> None:
    fields = {
        "title": "t",
        "occurred": "2025",
        "participants": [{"state_code": "RUS"}],
        "citations": [{"source_id": 1, "quote": "q"}],
    }
    assert EngagementCreate(kind="visit", **fields).cameo_code == "042"
    assert EngagementCreate(kind="third_place_meeting", **fields).cameo_code == "044"
    assert EngagementCreate(kind="visit", cameo_code="043", **fields).cameo_code == "043"


def test_an_engagement_needs_a_date_and_a_participant() -> None:
    with pytest.raises(ValidationError) as error:
        EngagementCreate(
            kind="visit", title="t", participants=[], citations=[{"source_id": 1, "quote": "q"}]
        )
    fields = {problem["loc"][0] for problem in error.value.errors()}
    assert {"occurred", "participants"} <= fields


def test_the_database_refuses_unknown_codes_and_statuses(engine: Engine) -> None:
    row = {
        "title": "Test call",
        "kind": "phone_call",
        "cameo_code": "041",
        "status": "held",
        "occurred": date(2025, 1, 1),
        "occurred_precision": "day",
        "occurred_latest": date(2025, 1, 1),
    }
    assert_accepted(engine, Engagement, row)
    assert_refused(engine, Engagement, row | {"cameo_code": "999"}, FOREIGN_KEY)
    assert_refused(engine, Engagement, row | {"status": "rumoured"}, "ck_engagement_status")
    assert_refused(
        engine, Engagement, row | {"occurred_precision": "week"}, "ck_engagement_occurred_precision"
    )
