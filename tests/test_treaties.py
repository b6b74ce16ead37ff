"""Treaties, their parties and their ATOP obligations."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from database_rules import FOREIGN_KEY, assert_accepted, assert_refused
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from support.treaties import add_treaty

from tracker.errors import NotFound
from tracker.kinds.treaties import (
    Treaty,
    TreatyCreate,
    TreatyParty,
    find_treaty,
    in_force_on,
    organisation_members,
    status_on,
    treaties_in_force,
)
from tracker.records import save
from tracker.users import SYSTEM


def test_the_seed_treaty_is_a_mutual_defence_pact_signed_in_june_2024(seeded: Session) -> None:
    treaty = find_treaty(session=seeded, name="Comprehensive Strategic Partnership Treaty")
    assert str(treaty.fuzzy("signed")) == "2024-06"
    # The articles say nothing of offence or non-aggression: not recorded, which is not "no".
    assert (treaty.defense, treaty.offense, treaty.nonaggression) == (True, None, None)
    parties = seeded.exec(select(TreatyParty.state_code).where(TreatyParty.treaty_id == treaty.id))
    assert sorted(parties) == ["PRK", "RUS"]


def test_an_unknown_treaty_is_refused_in_words(seeded: Session) -> None:
    with pytest.raises(NotFound, match="no treaty called"):
        find_treaty(session=seeded, name="Treaty of Nowhere")


def test_a_treaty_needs_two_distinct_parties() -> None:
    cited = {"citations": [{"source_id": 1, "quote": "q"}]}
    with pytest.raises(ValidationError, match="at least 2 items"):
        TreatyCreate(name="T", parties=[{"state_code": "RUS"}], **cited)
    with pytest.raises(ValidationError, match="two different states"):
        TreatyCreate(name="T", parties=[{"state_code": "RUS"}, {"state_code": "RUS"}], **cited)


def test_a_member_may_leave_and_come_back_but_its_spells_may_not_overlap() -> None:
    cited = {"citations": [{"source_id": 1, "quote": "q"}]}
    france = [{"state_code": "FRA", "joined": "1949-04-04", "exited": "1966-07-01"}]
    TreatyCreate(
        name="NATO",
        parties=[*france, {"state_code": "FRA", "joined": "2009-04-04"}, {"state_code": "USA"}],
        **cited,
    )
    with pytest.raises(ValidationError, match="FRA's spells of membership overlap"):
        TreatyCreate(
            name="NATO",
            parties=[*france, {"state_code": "FRA", "joined": "1960"}, {"state_code": "USA"}],
            **cited,
        )


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
    # The same state joining on the same day is the same spell.
    spell = {"treaty_id": treaty.id, "state_code": "DEU", "joined": date(1922, 1, 1)}
    assert_refused(
        seeded_engine,
        TreatyParty,
        spell | {"joined_precision": "year", "joined_latest": date(1922, 12, 31)},
        "unique",
    )


DAY = date(2025, 6, 1)
STATUSES = [
    ("in force from its entry into force, no end recorded", {"in_force": "2024-12-04"}, "in force"),
    ("signed only: not known, not in force", {"signed": "1922"}, "not known"),
    ("ended", {"signed": "1950", "ended": "1980"}, "ended"),
    ("signed after the day", {"signed": "2026"}, "not yet in force"),
    (
        "known in force up to a day before",
        {"signed": "1949", "known_in_force_until": date(2012, 12, 31)},
        "in force on 2012-12-31; later status not recorded",
    ),
    (
        "an end recorded after its last evidence: in force until the end",
        {"in_force": "1949", "known_in_force_until": date(2012, 12, 31), "ended": "2030"},
        "in force",
    ),
    (
        "entered into force some day that month: not surely yet",
        {"in_force": "2025-06"},
        "not known",
    ),
    (
        "known in force up to a day after",
        {"signed": "2024-06", "known_in_force_until": date(2025, 8, 15)},
        "in force",
    ),
]


@pytest.mark.parametrize(
    ("case", "dates", "status"), STATUSES, ids=[case for case, _, _ in STATUSES]
)
def test_a_treaty_is_in_force_only_on_evidence_and_the_database_agrees(
    session: Session, case: str, dates: dict[str, object], status: str
) -> None:
    treaty = Treaty.model_validate({"name": case, **dates})
    assert status_on(treaty, DAY) == status
    session.add(treaty)
    session.flush()
    counted = session.scalar(
        sa.select(sa.func.count()).where(Treaty.id == treaty.id, in_force_on(DAY))
    )
    assert counted == (status == "in force")


def test_an_organisations_members_are_those_of_the_treaty_that_founded_it(
    seeded: Session,
) -> None:
    save(
        session=seeded,
        actor=SYSTEM,
        kind="state",
        record={
            "code": "NATO",
            "name": "North Atlantic Treaty Organization",
            "kind": "organisation",
        },
    )
    add_treaty(
        seeded,
        "North Atlantic Treaty",
        [
            {"state_code": "USA", "joined": "1949-08-24"},
            {"state_code": "FRA", "joined": "1949-08-24"},
            {"state_code": "FIN", "joined": "2023-04-04"},
        ],
        in_force="1949-08-24",
        founds_code="NATO",
    )

    def members(day: date) -> list[str]:
        return [
            state.code
            for state in organisation_members(session=seeded, organisation="NATO", on=day)
        ]

    assert members(date(2000, 1, 1)) == ["FRA", "USA"]
    assert members(date(2024, 1, 1)) == ["FIN", "FRA", "USA"]
    assert members(date(1940, 1, 1)) == []


def test_a_treaty_kept_as_historical_context_is_never_in_force(seeded: Session) -> None:
    """Even with its dates in force recorded, an analogy is history, not an alliance tracked."""
    add_treaty(
        seeded,
        "An old analogy",
        [{"state_code": "RUS"}, {"state_code": "DEU"}],
        signed="1922",
        in_force="1922",
        historical_context=True,
    )
    found = {
        treaty.name
        for treaty in treaties_in_force(session=seeded, state="RUS", on=date(1930, 1, 1))
    }
    assert "An old analogy" not in found
    analogy = find_treaty(session=seeded, name="An old analogy")
    assert status_on(analogy, date(1930, 1, 1)) == "historical context, not tracked"
