"""The benchmark results as Markdown tables for the README: `python -m benchmarks.report`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results.json"


def table(headers: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.2f}"


def report(results: dict[str, Any]) -> str:
    machine = results["machine"]
    largest = max((row["scale"] for row in results["pages"]), key=_events, default="1m")
    parts = [
        f"Measured {machine['when'][:10]} on {machine['cpu']}, {machine['cores']} cores, "
        f"{machine['memory_gb']} GiB; Python {machine['python']}, SQLite {machine['sqlite']}, "
        f"PostgreSQL {machine['postgresql'].rstrip(')')}.",
        "**Import** (rows per second, every row checked):",
        table(
            ["events", "database", "rows", "tracker", "bulk loader (no checks)", "ratio"],
            [
                [
                    row["scale"],
                    row["backend"],
                    f"{row['rows']:,}",
                    number(row["tracker_rows_per_s"]),
                    f"{number(row['loader_rows_per_s'])} ({row['loader']})",
                    share(row["ratio"]),
                ]
                for row in results["import"]
            ],
        ),
        "**Export** (rows per second, all tables; peak memory of the export process):",
        table(
            ["events", "rows", "tracker", "sqlite3 -csv", "ratio", "Datasette", "ratio", "memory"],
            [
                [
                    row["scale"],
                    f"{row['rows']:,}",
                    number(row["tracker_rows_per_s"]),
                    number(row["sqlite3_rows_per_s"]),
                    share(row["ratio_to_sqlite3"]),
                    number(row["datasette_rows_per_s"]),
                    f"{row['ratio_to_datasette']:.1f}",
                    f"{row['peak_memory_mb']:.0f} MB",
                ]
                for row in results["export"]
            ],
        ),
        "**Dashboard queries** (seconds, best of three; naive = read the tables into pandas, "
        "then filter and group; same: whether the two answers agreed):",
        table(
            ["events", "database", "page", "query", "seconds", "naive", "faster", "same"],
            [
                [
                    row["scale"],
                    row["backend"],
                    row["page"],
                    row["query"],
                    f"{row['seconds']:.3f}",
                    f"{row['naive_seconds']:.2f}" if "naive_seconds" in row else "",
                    f"{row['speedup']:.0f}×" if "speedup" in row else "",
                    ("yes" if row["same_answer"] else "**no**") if "same_answer" in row else "",
                ]
                for row in results["queries"]
                if row["scale"] == largest or "speedup" in row
            ],
        ),
        f"**Growth** of each query's time from 10k to {largest} events:",
        table(
            ["database", "page", "query", "10k", largest, "growth"],
            [
                [
                    row["backend"],
                    row["page"],
                    row["query"],
                    f"{row.get('10k_s', 0):.3f}",
                    f"{row.get(f'{largest}_s', 0):.3f}",
                    f"{row['growth']:.0f}×",
                ]
                for row in results.get("growth", [])
            ],
        ),
        "**Pages** under AppTest (seconds for the whole script, on a server already running: "
        "every page visited once first; cold: empty cache, as on the first visit after a write "
        "to every table the page reads; warm: the next visit):",
        table(
            ["events", "database", "page", "cold", "warm"],
            [
                [
                    row["scale"],
                    row["backend"],
                    row["page"],
                    f"{row['cold_seconds']:.2f}",
                    f"{row['warm_seconds']:.2f}",
                ]
                for row in results["pages"]
            ],
        ),
    ]
    return "\n\n".join(parts) + "\n"


def share(ratio: float) -> str:
    """A ratio with two significant figures once it falls below a tenth (0.017, not 0.02)."""
    return f"{ratio:.2f}" if ratio >= 0.1 else f"{ratio:.2g}"


def _events(scale: str) -> int:
    return int(scale.removesuffix("k").removesuffix("m")) * (1000 if scale.endswith("k") else 10**6)


if __name__ == "__main__":
    sys.stdout.write(report(json.loads(Path(sys.argv[1] if sys.argv[1:] else RESULTS).read_text())))
