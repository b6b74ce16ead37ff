"""Import throughput: the tracker's import (every row checked by the forms' rules, references
and keys, history written) against the database's own bulk loaders given the same CSV files
and nothing to check: the sqlite3 shell's .import, and psql's \\copy for PostgreSQL, each into
tables of untyped text without constraints or indexes, which is a lower bound on the time."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL

from benchmarks.timing import run_command, timed
from tracker.database import create_engine, init_database
from tracker.exchange.exports import TABLES
from tracker.exchange.imports import import_data


def table_files(folder: Path) -> list[Path]:
    return [folder / f"{name}.csv" for name in TABLES if (folder / f"{name}.csv").exists()]


def tracker_import(url: URL, folder: Path) -> dict[str, Any]:
    """Import FOLDER into a new database at URL."""
    engine = create_engine(url)
    init_database(engine)
    seconds, report = timed(lambda: import_data(engine, folder))
    engine.dispose()
    if report.problems:
        raise RuntimeError(f"the synthetic data did not import: {report.problems[:3]}")
    rows = sum(report.created.values())
    return {"rows": rows, "seconds": seconds, "rows_per_second": rows / seconds}


def sqlite_shell_import(folder: Path, database: Path) -> dict[str, Any]:
    """Load FOLDER's files with the sqlite3 shell's .import, each into a new untyped table."""
    database.unlink(missing_ok=True)
    script = "".join(f".import --csv {path} raw_{path.stem}\n" for path in table_files(folder))
    seconds, _ = run_command(["sqlite3", str(database)], stdin=script)
    rows = _rows(folder)
    database.unlink()
    return {"rows": rows, "seconds": seconds, "rows_per_second": rows / seconds}


def psql_copy(url: URL, folder: Path) -> dict[str, Any]:
    """Load FOLDER's files with psql's \\copy into new untyped tables of the database at URL."""
    script = []
    for path in table_files(folder):
        with path.open(encoding="utf-8") as handle:
            header = next(csv.reader(handle))
        columns = ", ".join(f'"{name}" text' for name in header)
        script.append(f"CREATE TABLE raw_{path.stem} ({columns});")
        script.append(f"\\copy raw_{path.stem} FROM '{path}' WITH (FORMAT csv, HEADER true)")
    address = url.render_as_string(hide_password=False).replace("postgresql+psycopg", "postgresql")
    command = ["psql", address, "-q", "-v", "ON_ERROR_STOP=1"]
    seconds, _ = run_command(command, stdin="\n".join(script) + "\n")
    rows = _rows(folder)
    return {"rows": rows, "seconds": seconds, "rows_per_second": rows / seconds}


def _rows(folder: Path) -> int:
    """Data rows in FOLDER's table files (the synthetic data has no line breaks in cells)."""
    total = 0
    for path in table_files(folder):
        with path.open("rb") as handle:
            total += sum(1 for _ in handle) - 1
    return total
