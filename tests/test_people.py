"""People who act for states, with their office."""

from __future__ import annotations

from datetime import date

import pytest
from database_rules import assert_accepted, assert_refused
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.errors import NotFound
from tracker.kinds.people import Person, PersonCreate, find_person


def test_the_seed_people_hold_their_offices(seeded: Session) -> None:
    lavrov = find_person(session=seeded, name="Sergei Lavrov")
    assert (lavrov.state_code, lavrov.office) == ("RUS", "Foreign Minister")
    assert find_person(session=seeded, name="kim jong un").state_code == "PRK"


def test_an_unknown_person_is_refused_in_words(seeded: Session) -> None:
    with pytest.raises(NotFound, match="no person called 'Nobody'"):
        find_person(session=seeded, name="Nobody")


def test_python_refuses_an_office_that_ends_before_it_starts() -> None:
    with pytest.raises(
        ValidationError, match=r"office to \(2019\) is before office from \(2020-05\)"
    ):
        PersonCreate(
            name="A",
            state_code="RUS",
            office_from="2020-05",
            office_to="2019",
            citations=[{"source_id": 1, "quote": "q"}],
        )


def test_a_person_must_be_cited() -> None:
    with pytest.raises(ValidationError, match="citations"):
        PersonCreate(name="A", state_code="RUS", citations=[])


def test_the_database_refuses_an_office_that_ends_before_it_starts(engine: Engine) -> None:
    row = {
        "name": "Someone",
        "state_code": "RUS",
        "office_from": date(2020, 5, 1),
        "office_from_precision": "month",
        "office_from_latest": date(2020, 5, 31),
    }
    ended = {"office_to_precision": "year"}
    assert_accepted(
        engine,
        Person,
        row | ended | {"office_to": date(2020, 1, 1), "office_to_latest": date(2020, 12, 31)},
    )
    assert_refused(
        engine,
        Person,
        row | ended | {"office_to": date(2019, 1, 1), "office_to_latest": date(2019, 12, 31)},
        "ck_person_office_to_after_office_from",
    )
    assert_refused(
        engine, Person, row | {"office_to": date(2021, 1, 1)}, "ck_person_office_to_has_"
    )
