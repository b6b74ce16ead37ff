"""Deployments and every source's estimate of them: ranges, qualifiers and ranks."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from database_rules import FOREIGN_KEY, assert_accepted, assert_refused
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from tracker.exchange.exports import export
from tracker.exchange.imports import import_data
from tracker.figures import figure_in_words
from tracker.kinds.deployments import Deployment, DeploymentCreate, list_estimates
from tracker.kinds.estimates import (
    Estimate,
    EstimateCreate,
    Measure,
    Qualifier,
    Rank,
    describe_figure,
)
from tracker.kinds.sources import Source
from tracker.records import as_record, save
from tracker.users import SYSTEM

TROOPS = "North Korean troops in Russia (Kursk)"


def _estimate(**fields: Any) -> dict[str, Any]:
    return {
        "source_id": 1,
        "qualifier": "between",
        "low": 25000,
        "high": 30000,
        "measure": "additional_planned",
        "scope": "Russia",
        "as_of": "2025-06-01/2025-08-13",
        "citations": [{"source_id": 1, "quote": "between 25,000 and 30,000"}],
    } | fields


def _problems(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return {".".join(map(str, problem["loc"])): problem["msg"] for problem in error.value.errors()}


def test_the_seeds_answer_which_sources_estimate_north_korean_troops_in_russia(
    seeded: Session,
) -> None:
    estimates = [
        row
        for row in list_estimates(
            session=seeded, sending_state_code="PRK", receiving_state_code="RUS"
        )
        if row.deployment == TROOPS
    ]
    said = {
        (row.source, row.qualifier, row.low, row.high, row.measure, row.scope) for row in estimates
    }
    assert said == {
        ("Unnamed news outlet", "over", 11000, None, "cumulative_sent", "Kursk region"),
        ("South Korean intelligence", "roughly", 15000, 15000, "cumulative_sent", "Russia"),
        ("South Korean intelligence", "between", 25000, 30000, "additional_planned", "Russia"),
    }
    for row in estimates:
        assert row.citations, f"{row.source}'s estimate has no quoted evidence"
        figure = f"{row.low:,}"
        assert any(figure in citation.quote for citation in row.citations)
    originators = {citation.originator for row in estimates for citation in row.citations}
    assert "South Korean intelligence" in originators


def test_estimates_of_the_same_measure_in_different_places_are_both_kept(seeded: Session) -> None:
    sent = {
        row.scope: row.low
        for row in list_estimates(session=seeded)
        if row.deployment == TROOPS and row.measure == "cumulative_sent"
    }
    assert sent == {"Kursk region": 11000, "Russia": 15000}


def test_an_estimate_says_where_its_figure_came_from_as_json(seeded: Session) -> None:
    [relayed] = [row for row in list_estimates(session=seeded) if row.low == 15000]
    assert {
        key: relayed.as_json()[key]
        for key in ("measure", "scope", "qualifier", "low", "high", "as_of", "rank")
    } == {
        "measure": "cumulative_sent",
        "scope": "Russia",
        "qualifier": "roughly",
        "low": 15000,
        "high": 15000,
        "as_of": "2025-08-12/2025-08-14",
        "rank": "normal",
    }
    assert relayed.as_json()["source"] == "South Korean intelligence"
    assert relayed.as_json()["relayed_via"] == ["Unnamed multi-perspective news digest"]
    assert relayed.as_json()["originator"] == "South Korean intelligence"


def test_a_scope_is_written_one_way(seeded: Session) -> None:
    assert EstimateCreate.model_validate(_estimate(scope="  Kursk   region ")).scope == (
        "Kursk region"
    )


def test_a_casualty_figure_is_its_own_measure(seeded: Session) -> None:
    deployment = seeded.exec(select(Deployment).where(Deployment.name == TROOPS)).one()
    save(
        session=seeded,
        actor=SYSTEM,
        kind="estimate",
        record=_estimate(
            deployment_id=deployment.id,
            qualifier="roughly",
            low=3000,
            high=3000,
            measure="killed_or_wounded",
            scope="Kursk region",
            as_of="2025-08",
        ),
    )
    [casualties] = [row for row in list_estimates(session=seeded) if row.low == 3000]
    assert Measure(casualties.measure).casualties
    assert not Measure("cumulative_sent").casualties


def test_vague_words_take_acled_floors(seeded: Session) -> None:
    workers = [row for row in list_estimates(session=seeded) if "workers" in row.deployment]
    assert [(row.qualifier, row.low, row.high) for row in workers] == [("thousands", 1000, None)]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"low": 30000, "high": 25000}, "low", "low (30,000) is above high (25,000)"),
        ({"low": -5}, "low", "greater than or equal to 0"),
        ({"qualifier": "between", "high": None}, "high", "'between' needs both"),
        ({"qualifier": "roughly", "low": 15000, "high": None}, "high", "one figure"),
        ({"qualifier": "over", "low": 11000, "high": 12000}, "low", "a low figure and no high"),
        ({"qualifier": "up_to", "low": 100, "high": 200}, "high", "a high figure and no low"),
        ({"qualifier": "approximately"}, "qualifier", "Input should be"),
        ({"as_of": "earlier this summer"}, "as_of", "not a date"),
        ({"citations": []}, "citations", "at least 1 item"),
    ],
)
def test_python_refuses_a_bad_estimate_at_its_field(fields: dict, field: str, message: str) -> None:
    with pytest.raises(ValidationError) as error:
        EstimateCreate.model_validate(_estimate(**fields))
    assert message in _problems(error)[field]


def test_a_vague_word_without_figures_gets_its_floor() -> None:
    estimate = EstimateCreate.model_validate(_estimate(qualifier="hundreds", low=None, high=None))
    assert (estimate.low, estimate.high) == (100, None)


def _stored_estimate(session: Session, **fields: Any) -> dict[str, Any]:
    deployment = session.exec(select(Deployment).where(Deployment.name == TROOPS)).one()
    source = session.exec(select(Source).where(Source.outlet == "Kremlin")).one()
    return {
        "deployment_id": deployment.id,
        "source_id": source.id,
        "low": 100,
        "high": 200,
        "qualifier": "between",
        "measure": "personnel_present",
        "scope": "Russia",
        "as_of": date(2025, 1, 1),
        "as_of_precision": "day",
        "as_of_latest": date(2025, 1, 1),
        "rank": "normal",
    } | fields


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"low": 300, "high": 200}, "ck_estimate_low_not_above_high"),
        ({"low": -1, "high": 200}, "ck_estimate_counts_not_negative"),
        ({"qualifier": "over", "low": 100, "high": 200}, "ck_estimate_lower_bound_only"),
        ({"qualifier": "roughly", "low": 100, "high": 200}, "ck_estimate_point_has_one_figure"),
        ({"qualifier": "between", "high": None}, "ck_estimate_between_has_both"),
        ({"qualifier": "approximately"}, "ck_estimate_qualifier"),
        ({"rank": "best"}, "ck_estimate_rank"),
        ({"as_of_latest": date(2024, 12, 31)}, "ck_estimate_as_of_in_order"),
        ({"as_of_precision": None}, "ck_estimate_as_of_|not[- ]null"),
        ({"source_id": 999_999}, FOREIGN_KEY),
    ],
)
def test_the_database_refuses_a_bad_estimate(
    seeded_engine: Engine, seeded: Session, fields: dict, constraint: str
) -> None:
    assert_accepted(seeded_engine, Estimate, _stored_estimate(seeded))
    assert_refused(seeded_engine, Estimate, _stored_estimate(seeded, **fields), constraint)


def test_the_database_refuses_an_unknown_state_code(seeded_engine: Engine) -> None:
    row = {
        "name": "Imaginary deployment",
        "personnel_kind": "advisers",
        "receiving_state_code": "RUS",
    }
    assert_accepted(seeded_engine, Deployment, row | {"sending_state_code": "PRK"})
    assert_refused(seeded_engine, Deployment, row | {"sending_state_code": "XXX"}, FOREIGN_KEY)
    assert_refused(
        seeded_engine, Deployment, row | {"sending_state_code": "RUS"}, "ck_deployment_two_states"
    )


def test_a_deployment_cannot_send_to_its_own_state() -> None:
    with pytest.raises(ValidationError, match="a state cannot deploy to itself"):
        DeploymentCreate(
            name="x",
            sending_state_code="RUS",
            receiving_state_code="RUS",
            personnel_kind="advisers",
            citations=[{"source_id": 1, "quote": "q"}],
        )


def test_an_estimate_is_deprecated_rather_than_deleted(seeded: Session) -> None:
    eleven_thousand = next(row for row in list_estimates(session=seeded) if row.low == 11000)
    stored = as_record(session=seeded, kind="estimate", record_id=eleven_thousand.id)
    save(
        session=seeded,
        actor=SYSTEM,
        kind="estimate",
        record=EstimateCreate.model_validate(stored | {"rank": "deprecated"}),
        record_id=eleven_thousand.id,
    )
    seeded.commit()
    ranks = {
        row.low: row.rank for row in list_estimates(session=seeded) if row.deployment == TROOPS
    }
    assert ranks == {11000: Rank.DEPRECATED, 15000: Rank.NORMAL, 25000: Rank.NORMAL}


@pytest.mark.parametrize(
    ("qualifier", "low", "high", "words"),
    [
        ("over", 11000, None, "over 11,000"),
        ("roughly", 15000, 15000, "roughly 15,000"),
        ("between", 25000, 30000, "25,000 to 30,000"),
        ("exactly", 12, 12, "12"),
        ("up_to", None, 500, "up to 500"),
        ("thousands", 1000, None, "thousands (at least 1,000)"),
    ],
)
def test_a_figure_reads_in_words_with_its_qualifier(
    qualifier: str, low: int, high: int, words: str, engine: Engine
) -> None:
    assert describe_figure(Qualifier(qualifier), low, high) == words
    # The same words where the database names an estimate (in history, lists and tables).
    said = sa.select(
        figure_in_words(
            sa.literal(qualifier, sa.String),
            sa.literal(low, sa.Integer),
            sa.literal(high, sa.Integer),
        )
    )
    with engine.connect() as connection:
        assert connection.execute(said).scalar() == words


def test_an_imported_deployment_with_no_name_and_an_end_before_its_start_is_told_both(
    seeded_engine: Engine, engine: Engine, tmp_path: Path
) -> None:
    """The rule the forms keep holds for a CSV import too, every problem of a line at once."""
    export(seeded_engine, tmp_path / "out")
    with (tmp_path / "out" / "deployment.csv").open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    rows[0] |= {"name": "", "ended": "2020-01-01", "ended_precision": "day"}
    rows[0]["ended_latest"] = "2020-01-01"
    with (tmp_path / "out" / "deployment.csv").open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    report = import_data(engine, tmp_path / "out")
    said = [str(problem) for problem in report.problems if "deployment.csv, line 2" in str(problem)]
    assert any("column name: required" in problem for problem in said), said
    assert any("column ended: ended (2020-01-01) is before started" in problem for problem in said)
    assert not report.written
