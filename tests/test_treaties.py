"""Treaties, their parties and their ATOP obligations."""

from __future__ import annotations

from datetime import date

import pytest
from database_rules import FOREIGN_KEY, assert_accepted, assert_refused
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from tracker.errors import NotFound
from tracker.kinds.treaties import Treaty, TreatyCreate, TreatyParty, find_treaty


def test_the_seed_treaty_is_a_mutual_defence_pact_signed_in_june_2024(seeded: Session) -> None:
    treaty = find_treaty(session=seeded, name="Comprehensive Strategic Partnership Treaty")
    assert str(treaty.fuzzy("signed")) == "2024-06"
    assert (treaty.defense, treaty.offense, treaty.nonaggression) == (True, False, False)
    parties = seeded.exec(select(TreatyParty.state_code).where(TreatyParty.treaty_id == treaty.id))
    assert sorted(parties) == ["PRK", "RUS"]


def test_an_unknown_treaty_is_refused_in_words(seeded: Session) -> None:
    with pytest.raises(NotFound, match="no treaty called"):
        find_treaty(session=seeded, name="Treaty of Nowhere")


def test_a_treaty_needs_two_distinct_parties() -> None:
    cited = {"citations": [{"source_id": 1, "quote": "q"}]}
    with pytest.raises(ValidationError, match="at least 2 items"):
        TreatyCreate(name="T", parties=[{"state_code": "RUS"}], **cited)
    with pytest.raises(ValidationError, match="listed as a party twice"):
        TreatyCreate(name="T", parties=[{"state_code": "RUS"}, {"state_code": "RUS"}], **cited)


def test_python_refuses_a_treaty_that_ends_before_it_is_signed() -> None:
    with pytest.raises(ValidationError, match=r"ended \(2023\) is before signed \(2024-06\)"):
        TreatyCreate(
            name="T",
            signed="2024-06",
            ended="2023",
            parties=[{"state_code": "RUS"}, {"state_code": "PRK"}],
            citations=[{"source_id": 1, "quote": "q"}],
        )


def test_the_database_refuses_a_treaty_that_ends_before_it_is_signed(engine: Engine) -> None:
    row = {
        "name": "Test treaty",
        "defense": False,
        "offense": False,
        "neutrality": False,
        "nonaggression": False,
        "consultation": False,
        "signed": date(2024, 6, 1),
        "signed_precision": "month",
        "signed_latest": date(2024, 6, 30),
        "ended_precision": "year",
    }
    assert_accepted(
        engine, Treaty, row | {"ended": date(2024, 1, 1), "ended_latest": date(2024, 12, 31)}
    )
    assert_refused(
        engine,
        Treaty,
        row | {"ended": date(2023, 1, 1), "ended_latest": date(2023, 12, 31)},
        "ck_treaty_ended_after_signed",
    )


def test_the_database_refuses_a_party_that_is_no_state(
    seeded_engine: Engine, seeded: Session
) -> None:
    treaty = find_treaty(session=seeded, name="Treaty of Rapallo")
    assert_refused(
        seeded_engine, TreatyParty, {"treaty_id": treaty.id, "state_code": "XXX"}, FOREIGN_KEY
    )
    assert_refused(
        seeded_engine, TreatyParty, {"treaty_id": treaty.id, "state_code": "DEU"}, "unique"
    )
