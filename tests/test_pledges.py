"""Pledges: exact words, who to whom, and a dated, sourced status history."""

from __future__ import annotations

from datetime import date

import pytest
from database_rules import assert_accepted, assert_refused
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from tracker.filters import Filters
from tracker.kinds.pledges import Pledge, PledgeCreate, PledgeRecipient, PledgeStatus
from tracker.kinds.sources import Source
from tracker.kinds.treaties import find_treaty
from tracker.records import as_record, save
from tracker.timelines import pledge_timeline
from tracker.users import SYSTEM


def _pledge(title_start: str, session: Session) -> Pledge:
    return session.exec(select(Pledge).where(Pledge.title.startswith(title_start))).one()


def test_kims_pledge_of_12_august_keeps_its_words_and_its_treaty(seeded: Session) -> None:
    pledge = _pledge("Kim pledges", seeded)
    assert "always remain faithful to the spirit of the mutual defense treaty" in pledge.quote
    assert "fully support all measures taken by the Russian leadership" in pledge.quote
    recipients = seeded.exec(
        select(PledgeRecipient.state_code).where(PledgeRecipient.pledge_id == pledge.id)
    )
    assert (pledge.pledger_state_code, list(recipients)) == ("PRK", ["RUS"])
    assert (
        pledge.treaty_id
        == find_treaty(session=seeded, name="Comprehensive Strategic Partnership Treaty").id
    )
    history = seeded.exec(select(PledgeStatus.status).where(PledgeStatus.pledge_id == pledge.id))
    assert list(history) == ["announced"]


def test_kims_july_pledge_is_unconditional(seeded: Session) -> None:
    pledge = _pledge("Kim assures Lavrov", seeded)
    assert (pledge.quote, pledge.conditionality, str(pledge.fuzzy("made"))) == (
        "unconditional support",
        "unconditional",
        "2025-07",
    )


def test_a_pledge_needs_a_citation() -> None:
    with pytest.raises(ValidationError) as error:
        PledgeCreate(
            title="t", pledger_state_code="PRK", made="2025", kind="military", citations=[]
        )
    assert {problem["loc"][0] for problem in error.value.errors()} == {"citations"}


def test_a_new_pledge_starts_announced_when_it_was_made() -> None:
    pledge = PledgeCreate(
        title="t",
        pledger_state_code="PRK",
        made="2025-07",
        kind="political",
        citations=[{"source_id": 1, "quote": "unconditional support"}],
    )
    assert [(step.status, str(step.fuzzy("changed"))) for step in pledge.statuses] == [
        ("announced", "2025-07")
    ]
    assert pledge.statuses[0].citations == pledge.citations


def test_a_state_cannot_pledge_to_itself() -> None:
    with pytest.raises(ValidationError, match="a state cannot pledge to itself"):
        PledgeCreate(
            title="t",
            pledger_state_code="PRK",
            recipients=[{"state_code": "PRK"}],
            made="2025",
            kind="military",
            statuses=[
                {
                    "status": "announced",
                    "changed": "2025",
                    "citations": [{"source_id": 1, "quote": "q"}],
                }
            ],
            citations=[{"source_id": 1, "quote": "q"}],
        )


def test_the_database_refuses_an_unknown_kind_or_status_or_a_misfit_figure(
    seeded_engine: Engine, seeded: Session
) -> None:
    row = {
        "title": "Test pledge",
        "pledger_state_code": "PRK",
        "kind": "economic",
        "conditionality": "unspecified",
        "made": date(2025, 1, 1),
        "made_precision": "year",
        "made_latest": date(2025, 12, 31),
    }
    assert_accepted(seeded_engine, Pledge, row)
    assert_refused(seeded_engine, Pledge, row | {"low": 5000}, "ck_pledge_figure_has_qualifier")
    assert_refused(
        seeded_engine,
        Pledge,
        row | {"qualifier": "roughly", "low": 5000, "high": 6000},
        "ck_pledge_point_has_one_figure",
    )
    assert_refused(seeded_engine, Pledge, row | {"kind": "spiritual"}, "ck_pledge_kind")
    pledge = _pledge("Kim pledges", seeded)
    status = {
        "pledge_id": pledge.id,
        "changed": date(2025, 9, 1),
        "changed_precision": "day",
        "changed_latest": date(2025, 9, 1),
    }
    assert_accepted(seeded_engine, PledgeStatus, status | {"status": "fulfilled"})
    assert_refused(
        seeded_engine, PledgeStatus, status | {"status": "forgotten"}, "ck_pledge_status_status"
    )


def test_a_pledge_may_carry_a_figure_and_go_to_several_states(seeded: Session) -> None:
    """ "A brigade of about 5,000", to Russia and Belarus."""
    kremlin = seeded.exec(select(Source).where(Source.outlet == "Kremlin")).one()
    pledge = save(
        session=seeded,
        actor=SYSTEM,
        kind="pledge",
        record={
            "title": "A brigade for two allies",
            "pledger_state_code": "PRK",
            "recipients": [{"state_code": "RUS"}, {"state_code": "BLR"}],
            "made": "2025-09",
            "made_words": "in September",
            "kind": "military",
            "qualifier": "roughly",
            "low": 5000,
            "high": 5000,
            "figure_of": "troops",
            "citations": [{"source_id": kremlin.id, "quote": "a brigade of about 5,000"}],
        },
    )
    pledges, _ = pledge_timeline(session=seeded, filters=Filters(states=("PRK", "BLR")))
    [row] = pledges[pledges["id"] == pledge.id].to_dict("records")
    assert (row["to"], row["figure"]) == ("Russia; Belarus", "roughly 5,000 troops")
    assert as_record(session=seeded, kind="pledge", record_id=pledge.id)["made_words"] == (
        "in September"
    )


def test_a_pledge_s_figure_follows_the_estimates_rules() -> None:
    with pytest.raises(ValidationError, match="'roughly' is one figure"):
        PledgeCreate(
            title="t",
            pledger_state_code="PRK",
            made="2025",
            kind="military",
            qualifier="roughly",
            low=5000,
            citations=[{"source_id": 1, "quote": "q"}],
        )
    with pytest.raises(ValidationError, match="say how the source gives the figure"):
        PledgeCreate(
            title="t",
            pledger_state_code="PRK",
            made="2025",
            kind="military",
            low=5000,
            citations=[{"source_id": 1, "quote": "q"}],
        )
