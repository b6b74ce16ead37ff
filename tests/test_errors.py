"""Errors are told in words an analyst can act on."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from tracker.errors import describe
from tracker.kinds.engagements import EngagementCreate
from tracker.kinds.estimates import EstimateCreate


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
