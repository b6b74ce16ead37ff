"""Run the benchmarks: `python -m benchmarks --scale 10k --scale 100k --scale 1m`.

For each scale: generate the synthetic data (once; kept in the data folder), import it into a
new SQLite database and a new PostgreSQL database, export it, time the dashboard's queries and
pages, and compare each with the tool an analyst would use instead. Prints a table per
measurement and writes every number, with the machine it ran on, to a JSON file.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa
import typer
from sqlalchemy.engine import URL

from benchmarks import exports, imports, pages, queries
from benchmarks.generate import current, generate
from tests.support.postgres import postgres_server
from tracker import __version__
from tracker.database import create_engine
from tracker.memory import freeze_loaded

SCALES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
HERE = Path(__file__).resolve().parent

app = typer.Typer(add_completion=False)


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        int(line.split()[1]) // 2**20
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    postgres = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": match.group(0) if (match := re.search(r"\d+\.\d+", postgres)) else None,
        "tracker": __version__,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def show(title: str, rows: list[dict[str, Any]]) -> None:
    """Print ROWS as an aligned table under TITLE."""
    if not rows:
        return
    columns = list(dict.fromkeys(key for row in rows for key in row))
    cells = [[_text(row.get(column)) for column in columns] for row in rows]
    widths = [max(len(column), *(len(row[i]) for row in cells)) for i, column in enumerate(columns)]
    typer.echo(f"\n{title}")
    typer.echo(
        "  ".join(column.ljust(width) for column, width in zip(columns, widths, strict=True))
    )
    for row in cells:
        typer.echo("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))


def _text(value: Any) -> str:
    match value:
        case None:
            return ""
        case bool():
            return "yes" if value else "NO"
        case float():
            return f"{value:,.3f}" if value < 100 else f"{value:,.0f}"
        case int():
            return f"{value:,}"
        case _:
            return str(value)


def _new_database(server: URL, name: str) -> URL:
    admin = create_engine(server)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.set(database=name)


def bench_scale(
    label: str,
    data: Path,
    postgres: URL | None,
    results: dict[str, Any],
    save: Callable[[], None],
) -> None:
    """Measure LABEL's scale on SQLite, then on POSTGRES if given, calling SAVE after each, so
    a run stopped on the way keeps what it measured."""
    folder = data / label
    csv_folder = folder / "csv"
    if not current(csv_folder):
        typer.echo(f"Generating {label} events…")
        shutil.rmtree(csv_folder, ignore_errors=True)
        generate(SCALES[label], csv_folder)
    database = folder / "tracker.db"
    database.unlink(missing_ok=True)
    sqlite_url = f"sqlite:///{database}"

    typer.echo(f"[{label}] import")
    loaded = imports.tracker_import(sa.make_url(sqlite_url), csv_folder)
    shell = imports.sqlite_shell_import(csv_folder, folder / "raw.db")
    row = {"scale": label, "backend": "sqlite", "rows": loaded["rows"]}
    row |= {
        "tracker_rows_per_s": loaded["rows_per_second"],
        "loader": "sqlite3 .import",
        "loader_rows_per_s": shell["rows_per_second"],
        "ratio": loaded["rows_per_second"] / shell["rows_per_second"],
    }
    results["import"].append(row)

    typer.echo(f"[{label}] export")
    ours = exports.tracker_export(sqlite_url, folder / "export-tracker")
    shell_out = exports.sqlite_shell_export(database, folder / "export-sqlite3")
    served = exports.datasette_export(database, folder / "export-datasette")
    results["export"].append(
        {
            "scale": label,
            "rows": ours["rows"],
            "tracker_rows_per_s": ours["rows_per_second"],
            "sqlite3_rows_per_s": shell_out["rows_per_second"],
            "ratio_to_sqlite3": ours["rows_per_second"] / shell_out["rows_per_second"],
            "datasette_rows_per_s": served["rows_per_second"],
            "ratio_to_datasette": ours["rows_per_second"] / served["rows_per_second"],
            "with_views_s": ours["with_views_seconds"],
            "peak_memory_mb": ours["peak_memory_mb"],
        }
    )
    for name in ("export-tracker", "export-sqlite3", "export-datasette"):
        shutil.rmtree(folder / name)

    typer.echo(f"[{label}] queries")
    engine = create_engine(sqlite_url)
    for row in queries.measure(engine, repeat=3):
        results["queries"].append({"scale": label, "backend": "sqlite", **row})
    engine.dispose()

    typer.echo(f"[{label}] pages")
    for row in pages.measure(sqlite_url):
        results["pages"].append({"scale": label, "backend": "sqlite", **row})
    save()

    if postgres is not None:
        typer.echo(f"[{label}] PostgreSQL")
        url = _new_database(postgres, f"bench_{label}")
        loaded = imports.tracker_import(url, csv_folder)
        copied = imports.psql_copy(_new_database(postgres, f"raw_{label}"), csv_folder)
        results["import"].append(
            {
                "scale": label,
                "backend": "postgresql",
                "rows": loaded["rows"],
                "tracker_rows_per_s": loaded["rows_per_second"],
                "loader": "psql \\copy",
                "loader_rows_per_s": copied["rows_per_second"],
                "ratio": loaded["rows_per_second"] / copied["rows_per_second"],
            }
        )
        engine = create_engine(url)
        with engine.connect() as connection:
            connection.execute(sa.text("ANALYZE"))
            connection.commit()
        for row in queries.measure(engine, repeat=3):
            results["queries"].append({"scale": label, "backend": "postgresql", **row})
        engine.dispose()
        for row in pages.measure(url.render_as_string(hide_password=False)):
            results["pages"].append({"scale": label, "backend": "postgresql", **row})
        save()


def growth(results: dict[str, Any]) -> list[dict[str, Any]]:
    """How each query's time grows from the smallest scale measured to the largest."""
    rows = []
    by_key: dict[tuple, dict[str, float]] = {}
    for row in results["queries"]:
        by_key.setdefault((row["backend"], row["page"], row["query"]), {})[row["scale"]] = row[
            "seconds"
        ]
    scales = [label for label in SCALES if any(label in times for times in by_key.values())]
    if len(scales) < 2:
        return rows
    first, last = scales[0], scales[-1]
    for (backend, page, query), times in by_key.items():
        if first in times and last in times:
            rows.append(
                {
                    "backend": backend,
                    "page": page,
                    "query": query,
                    f"{first}_s": times[first],
                    f"{last}_s": times[last],
                    "growth": times[last] / times[first],
                }
            )
    return rows


@app.command()
def main(
    scale: Annotated[
        list[str], typer.Option(help="Scales to run: 10k, 100k, 1m (repeat the option).")
    ] = ["10k", "100k", "1m"],  # noqa: B006 (Typer reads the default; it is never changed)
    postgresql: Annotated[bool, typer.Option(help="Measure PostgreSQL too.")] = True,
    data: Annotated[Path, typer.Option(help="Where the generated data lives.")] = HERE / "data",
    out: Annotated[Path, typer.Option(help="Where the results go, as JSON.")] = HERE
    / "results.json",
) -> None:
    """Measure the tracker at each scale beside the tools an analyst would use instead."""
    unknown = [label for label in scale if label not in SCALES]
    if unknown:
        raise typer.BadParameter(f"unknown scale {', '.join(unknown)}: use {', '.join(SCALES)}")
    results: dict[str, Any] = {
        "machine": machine(),
        "import": [],
        "export": [],
        "queries": [],
        "pages": [],
    }

    def save() -> None:
        results["growth"] = growth(results)
        out.write_text(json.dumps(results, indent=2) + "\n")

    freeze_loaded()  # as `tracker` and the dashboard do, whose work is timed here in-process
    with ExitStack() as stack:
        server = stack.enter_context(postgres_server()) if postgresql else None
        for label in sorted(scale, key=list(SCALES).index):
            bench_scale(label, data, server, results, save)
    show("Machine", [results["machine"]])
    show("Import (rows per second, with validation)", results["import"])
    show("Export (rows per second; peak memory of the export process)", results["export"])
    show("Dashboard queries (seconds; naive = pandas over whole tables)", results["queries"])
    show("Growth of each query's time", results["growth"])
    show("Dashboard pages under AppTest (seconds)", results["pages"])
    typer.echo(f"\nResults written to {out}")


if __name__ == "__main__":
    app()
