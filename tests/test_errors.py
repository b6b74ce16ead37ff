"""Errors are told in words an analyst can act on."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import BaseModel, ValidationError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from tracker.errors import describe, message
from tracker.kinds.deployments import DeploymentCreate
from tracker.kinds.engagements import EngagementCreate
from tracker.kinds.estimates import EstimateCreate
from tracker.kinds.people import PersonCreate
from tracker.kinds.pledges import PledgeCreate
from tracker.kinds.sources import SourceCreate
from tracker.kinds.states import StateCreate
from tracker.kinds.treaties import TreatyCreate


def test_validation_errors_name_the_field() -> None:
    with pytest.raises(ValidationError) as error:
        EstimateCreate.model_validate(
            {
                "source_id": 1,
                "qualifier": "between",
                "low": 9,
                "high": 3,
                "measure": "cumulative_sent",
                "scope": "Russia",
                "as_of": "2025",
                "citations": [{"source_id": 1, "quote": "q"}],
            }
        )
    assert describe(error.value) == "low: low (9) is above high (3)"


def test_integrity_errors_say_what_rule_refused_the_write(engine: Engine) -> None:
    with engine.connect() as connection, pytest.raises(IntegrityError) as error:
        connection.execute(
            sa.text("INSERT INTO state (code, name, kind) VALUES ('RUS', 'Again', 'state')")
        )
    assert describe(error.value).startswith("refused by the database: such a record already exists")


def test_other_errors_keep_their_message() -> None:
    assert describe(ValueError("plain words")) == "plain words"


def test_a_validation_problem_reads_in_the_trackers_words_not_the_validators() -> None:
    with pytest.raises(ValidationError) as error:
        EngagementCreate.model_validate(
            {"kind": "visit", "occurred": "2025-07", "participants": [], "citations": []}
        )
    said = describe(error.value)
    assert "title: required" in said
    assert "participants: at least 1 needed, 0 given" in said
    assert "Field required" not in said and "List should" not in said


CITED = {"source_id": 1, "quote": "the passage"}

# For each kind of record: data with a problem in a field of its own (its name, title or
# scope left out) and one or more across fields, and what is said of each, by where it is.
BOTH_AT_ONCE = [
    (
        StateCreate,
        {"code": "PRK", "successor_code": "PRK"},
        {"name": "required", "successor_code": "a state cannot succeed itself"},
    ),
    (
        PersonCreate,
        {"state_code": "PRK", "office_from": "2020", "office_to": "2019", "citations": [CITED]},
        {"name": "required", "office_to": "office to (2019) is before office from (2020)"},
    ),
    (
        SourceCreate,
        {"outlet": "Kremlin", "type": "government_readout", "perspective_source_id": 1},
        {"title": "required", "perspective": "say which perspective the classification gives"},
    ),
    (
        TreatyCreate,
        {
            "signed": "2024-06",
            "ended": "2020",
            "parties": [{"state_code": "RUS"}, {"state_code": "RUS"}],
            "citations": [CITED],
        },
        {
            "name": "required",
            "ended": "ended (2020) is before signed (2024-06)",
            "parties": "a treaty needs two different states as parties; RUS's spells of "
            "membership overlap: one must end before the next begins",
        },
    ),
    (
        EngagementCreate,
        {
            "kind": "phone_call",
            "occurred": "2025-08-12",
            "participants": [{"state_code": "RUS"}],
            "citations": [CITED | {"stance": "corrects"}],
        },
        {"title": "required", "citations.0.stated": "say when the source corrected the record"},
    ),
    (
        DeploymentCreate,
        {
            "sending_state_code": "PRK",
            "receiving_state_code": "PRK",
            "personnel_kind": "combat_troops",
            "started": "2024-10",
            "ended": "2023",
            "citations": [CITED],
        },
        {
            "name": "required",
            "receiving_state_code": "a state cannot deploy to itself",
            "ended": "ended (2023) is before started (2024-10)",
        },
    ),
    (
        EstimateCreate,
        {
            "source_id": 1,
            "qualifier": "between",
            "low": 9,
            "high": 3,
            "measure": "killed",
            "as_of": "2025",
            "citations": [CITED],
        },
        {"scope": "required", "low": "low (9) is above high (3)"},
    ),
    (
        PledgeCreate,
        {
            "pledger_state_code": "RUS",
            "made": "2025-08",
            "kind": "military",
            "figure_of": "troops",
            "recipients": [{"state_code": "RUS"}],
            "citations": [CITED],
        },
        {
            "title": "required",
            "recipients": "a state cannot pledge to itself",
            "qualifier": "give the figure that the pledge counts",
        },
    ),
]


def said_of(model: type[BaseModel], data: dict[str, Any]) -> dict[str, str]:
    """What validating DATA as MODEL says, by where ("citations.0.stated"), in words."""
    with pytest.raises(ValidationError) as error:
        model.model_validate(data)
    said: dict[str, list[str]] = {}
    for problem in error.value.errors():
        said.setdefault(".".join(str(part) for part in problem["loc"]), []).append(message(problem))
    return {where: "; ".join(words) for where, words in said.items()}


@pytest.mark.parametrize(
    ("model", "data", "expected"), BOTH_AT_ONCE, ids=[model.__name__ for model, *_ in BOTH_AT_ONCE]
)
def test_a_record_missing_its_name_is_also_told_what_is_wrong_across_its_fields_at_once(
    model: type[BaseModel], data: dict[str, Any], expected: dict[str, str]
) -> None:
    assert said_of(model, data) == expected


def test_a_rule_that_reads_a_field_that_did_not_validate_stays_silent() -> None:
    # No pledger: whether it pledges to itself cannot be known, so nothing is said of it.
    said = said_of(
        PledgeCreate,
        {
            "made": "2025",
            "kind": "military",
            "recipients": [{"state_code": "RUS"}],
            "citations": [CITED],
        },
    )
    assert said == {"title": "required", "pledger_state_code": "required"}


def test_a_date_the_tracker_cannot_read_is_told_once_in_its_words_beside_every_other_problem() -> (
    None
):
    said = said_of(
        DeploymentCreate,
        {
            "name": "Troops",
            "sending_state_code": "PRK",
            "receiving_state_code": "PRK",
            "personnel_kind": "combat_troops",
            "started": "last autumn",
            "citations": [{"source_id": 1, "quote": "", "stance": "retracts"}],
        },
    )
    assert said == {
        "started": "'last autumn' is not a date: write 2025-08-12, 2025-08, 2025-Q3, 2025 or a "
        "range such as 2025-06-01/2025-08-13",
        "receiving_state_code": "a state cannot deploy to itself",
        "citations.0.quote": "required",
        "citations.0.stated": "say when the source retracted the record",
    }


def test_what_a_validator_would_say_in_its_own_words_is_said_in_the_trackers() -> None:
    said = describe_validation_of(
        EngagementCreate,
        {
            "title": 5,
            "kind": None,
            "occurred": "2025",
            "place_state_code": ["RUS"],
            "participants": "RUS",
            "citations": [5, CITED | {"credibility": "high"}],
        },
    )
    assert said == (
        "title: must be text; kind: required; place_state_code: must be text; "
        "participants: must be a list; citations.0: must be given as named fields; "
        "citations.1.credibility: must be a whole number"
    )
    for validator_words in ("Value error", "Field required", "List should", "Input should"):
        assert validator_words not in said


def describe_validation_of(model: type[BaseModel], data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as error:
        model.model_validate(data)
    return describe(error.value)
