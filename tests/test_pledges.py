"""Pledges: exact words, who to whom, and a dated, sourced status history."""

from __future__ import annotations

from datetime import date

import pytest
from database_rules import assert_accepted, assert_refused
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from tracker.kinds.pledges import Pledge, PledgeCreate, PledgeStatus
from tracker.kinds.treaties import find_treaty


def _pledge(title_start: str, session: Session) -> Pledge:
    return session.exec(select(Pledge).where(Pledge.title.startswith(title_start))).one()


def test_kims_pledge_of_12_august_keeps_its_words_and_its_treaty(seeded: Session) -> None:
    pledge = _pledge("Kim pledges", seeded)
    assert "always remain faithful to the spirit of the mutual defense treaty" in pledge.quote
    assert "fully support all measures taken by the Russian leadership" in pledge.quote
    assert (pledge.pledger_state_code, pledge.recipient_state_code) == ("PRK", "RUS")
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
            recipient_state_code="PRK",
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


def test_the_database_refuses_a_pledge_to_oneself_or_an_unknown_status(
    seeded_engine: Engine, seeded: Session
) -> None:
    row = {
        "title": "Test pledge",
        "pledger_state_code": "PRK",
        "recipient_state_code": "RUS",
        "kind": "economic",
        "conditionality": "unspecified",
        "made": date(2025, 1, 1),
        "made_precision": "year",
        "made_latest": date(2025, 12, 31),
    }
    assert_accepted(seeded_engine, Pledge, row)
    assert_refused(
        seeded_engine, Pledge, row | {"recipient_state_code": "PRK"}, "ck_pledge_to_another_state"
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
