"""The benchmarks' synthetic data: realistic enough to pass every rule of the import, whole.

The benchmarks themselves are not part of the test run (`python -m benchmarks`); this checks
that the data they are measured on is what the tracker accepts, at a small scale."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy.engine import Engine

from benchmarks.generate import Shape, generate
from benchmarks.queries import PAGES, measure
from tracker.database import init_database
from tracker.exchange.exports import export
from tracker.exchange.imports import import_data


def test_the_synthetic_data_imports_without_a_problem(empty_engine: Engine, tmp_path: Path) -> None:
    counts = generate(2_000, tmp_path / "data", seed=7)
    assert counts["engagement"] == Shape(2_000).engagements
    assert counts["estimate"] == Shape(2_000).estimates
    init_database(empty_engine)
    report = import_data(empty_engine, tmp_path / "data")
    assert report.problems == []
    assert dict(report.created) == counts


def test_the_same_seed_gives_the_same_files(tmp_path: Path) -> None:
    generate(500, tmp_path / "first", seed=3)
    generate(500, tmp_path / "second", seed=3)
    for path in (tmp_path / "first").glob("*.csv"):
        assert path.read_bytes() == (tmp_path / "second" / path.name).read_bytes()


def test_an_export_of_imported_synthetic_data_is_the_data(
    empty_engine: Engine, tmp_path: Path
) -> None:
    generate(500, tmp_path / "data", seed=5)
    init_database(empty_engine)
    assert import_data(empty_engine, tmp_path / "data").written
    export(empty_engine, tmp_path / "out")
    for path in (tmp_path / "data").glob("*.csv"):
        assert _cells(path) == _cells(tmp_path / "out" / path.name), path.name


def test_each_naive_way_gets_the_services_answer(empty_engine: Engine, tmp_path: Path) -> None:
    """The speed-ups the README reports compare like with like: each page's main query, done
    naively in pandas over whole tables, finds what the service finds."""
    generate(2_000, tmp_path / "data", seed=11)
    init_database(empty_engine)
    assert import_data(empty_engine, tmp_path / "data").written
    compared = [row for row in measure(empty_engine, repeat=1) if "same_answer" in row]
    assert len(compared) == len(PAGES)
    assert [row["query"] for row in compared if not row["same_answer"]] == []


def _cells(path: Path) -> list[dict[str, str]]:
    """A CSV file's rows, without the times rows were saved (PostgreSQL writes them with their
    UTC offset, SQLite without)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            {name: value for name, value in row.items() if name not in ("created_at", "updated_at")}
            for row in csv.DictReader(handle)
        ]
