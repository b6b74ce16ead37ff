"""Export throughput and memory: `tracker export` against the sqlite3 shell's CSV output of the
same tables and against Datasette's streaming CSV (`?_stream=on`), the way an analyst would
otherwise get the data out. Run as a module, it is the probe that exports in its own process,
so the kernel can tell that process's peak memory."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks.timing import run_command
from tests.support.postgres import free_port
from tracker.database import create_engine
from tracker.exchange.exports import TABLES, export


def tracker_export(url: str, out: Path) -> dict[str, Any]:
    """Export every table (and the views) from URL to OUT in a process of its own."""
    shutil.rmtree(out, ignore_errors=True)
    seconds, output = run_command([sys.executable, "-m", "benchmarks.exports", url, str(out)])
    probe = json.loads(output)
    rows = sum(probe["rows"].values())
    return {
        "rows": rows,
        "seconds": probe["tables_seconds"],
        "rows_per_second": rows / probe["tables_seconds"],
        "with_views_seconds": probe["total_seconds"],
        "process_seconds": seconds,
        "peak_memory_mb": probe["peak_memory_kb"] / 1024,
    }


def sqlite_shell_export(database: Path, out: Path) -> dict[str, Any]:
    """The same tables written by the sqlite3 shell in CSV mode, one file each, in id order."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    script = ".headers on\n.mode csv\n" + "".join(
        f".once {out / name}.csv\nSELECT * FROM {name} ORDER BY id;\n" for name in TABLES
    )
    seconds, _ = run_command(["sqlite3", str(database)], stdin=script)
    rows = _rows(out)
    return {
        "rows": rows,
        "seconds": seconds,
        "rows_per_second": rows / seconds,
    }


def datasette_export(database: Path, out: Path) -> dict[str, Any]:
    """The same tables streamed as CSV by a Datasette server (`?_stream=on`), all rows."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "datasette",
            "serve",
            str(database),
            "-p",
            str(port),
            "--setting",
            "sql_time_limit_ms",
            "60000",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/-/versions.json", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        start = time.perf_counter()
        for name in TABLES:
            address = f"{base}/{database.stem}/{name}.csv?_stream=on&_size=max"
            with (
                urllib.request.urlopen(address) as response,
                (out / f"{name}.csv").open("wb") as file,
            ):
                shutil.copyfileobj(response, file, 1 << 20)
        seconds = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait()
    rows = _rows(out)
    return {"rows": rows, "seconds": seconds, "rows_per_second": rows / seconds}


def _rows(out: Path) -> int:
    """Data rows written (the synthetic data has no line breaks in cells)."""
    total = 0
    for name in TABLES:
        with (out / f"{name}.csv").open("rb") as handle:
            total += sum(1 for _ in handle) - 1
    return total


def _probe(url: str, out: str) -> None:
    engine = create_engine(url)
    start = time.perf_counter()
    finished: dict[str, float] = {}
    rows = export(
        engine,
        Path(out),
        progress=lambda name, count: finished.setdefault(name, time.perf_counter()),
    )
    total = time.perf_counter() - start
    # The kernel's high-water mark of this process's own memory. (The child's ru_maxrss would
    # not do: it keeps the size of the parent it was forked from, before exec.)
    status = Path("/proc/self/status").read_text().splitlines()
    peak = next(line for line in status if line.startswith("VmHWM:"))
    report = {
        "rows": rows,
        "tables_seconds": finished[TABLES[-1]] - start,
        "total_seconds": total,
        "peak_memory_kb": int(peak.split()[1]),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    _probe(*sys.argv[1:3])
