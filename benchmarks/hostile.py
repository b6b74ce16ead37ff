"""Hostile imports: files built to make `tracker import` run out of memory, and a large valid
one, each imported by `tracker import` in a process of its own into a fresh SQLite database,
with the process's peak memory and time: `python -m benchmarks.hostile [--case NAME]`.

The files are made once, under benchmarks/data/hostile/ (about 2 GB, with the 1m dataset the
valid file is cut from); each run's databases are deleted after it. Peak memory is the
kernel's high-water mark of the import process (VmHWM), read from /proc while it runs: the
children's ru_maxrss would count the parent's size from before the exec too.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Annotated

import typer

from benchmarks.generate import current, generate
from tracker.models import metadata

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "hostile"
TRACKER = Path(sys.executable).with_name("tracker")
MB = 2**20

BAD_LINES_IN_ZIP = 10_500_000
BAD_LINES_IN_CSV = 3_000_000
LONG_LINE_BYTES = 2**30
MANY_ENTRIES = 1_000_000
VALID_CSV_BYTES = 200 * MB
app = typer.Typer(add_completion=False)


def _state_header() -> bytes:
    return ",".join(column.name for column in metadata.tables["state"].columns).encode() + b"\r\n"


def _write_repeated(out: IO[bytes], piece: bytes, count: int) -> None:
    """COUNT copies of PIECE, a megabyte or so at a time."""
    per_write = max(1, MB // len(piece))
    for start in range(0, count, per_write):
        out.write(piece * min(per_write, count - start))


def _zip_of_state(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("state.csv", "w", force_zip64=True) as member,
    ):
        member.write(_state_header())
        write(member)


def _bad_lines(out: IO[bytes], count: int) -> None:
    """Rows of one cell where the header names nine: each a problem of its own."""
    _write_repeated(out, b"x\r\n", count)


def _long_line(out: IO[bytes]) -> None:
    """One line of a gigabyte, with no line break in it."""
    _write_repeated(out, b"a" * MB, LONG_LINE_BYTES // MB)
    out.write(b"\r\n")


def make_bad_lines_zip(path: Path) -> None:
    _zip_of_state(path, lambda member: _bad_lines(member, BAD_LINES_IN_ZIP))


def make_bad_lines_csv(path: Path) -> None:
    with path.open("wb") as out:
        out.write(_state_header())
        _bad_lines(out, BAD_LINES_IN_CSV)


def make_bad_rows_csv(path: Path) -> None:
    """Rows of the right width, each with its own keys, each failing the state's rules (a code
    that is not ISO): the import must check every one and remember its keys."""
    with path.open("wb") as out:
        out.write(_state_header())
        for start in range(0, BAD_LINES_IN_CSV, 10_000):
            out.write(
                b"".join(
                    b"%d,2026-11-01T12:00:00,2026-11-01T12:00:00,1,,Q%d,Nowhere %d,%d,state\r\n"
                    % (number, number, number, number)
                    for number in range(1000 + start, 1000 + start + 10_000)
                )
            )


def make_long_line_zip(path: Path) -> None:
    _zip_of_state(path, _long_line)


def make_long_line_csv(path: Path) -> None:
    with path.open("wb") as out:
        out.write(_state_header())
        _long_line(out)


def make_many_entries_zip(path: Path) -> None:
    """A zip listing a million empty files besides state.csv: Python lists them all, at about
    half a kilobyte each, as it opens the zip."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("state.csv", _state_header())
        for number in range(MANY_ENTRIES):
            archive.writestr(f"{number}", b"")


def _dataset() -> Path:
    """The benchmarks' synthetic dataset of a million events (made once)."""
    folder = DATA / "1m"
    if not current(folder):
        typer.echo("Generating the 1m dataset the valid file is cut from…")
        shutil.rmtree(folder, ignore_errors=True)
        generate(1_000_000, folder)
    return folder


def make_valid_csv(path: Path) -> None:
    """A valid source.csv of about VALID_CSV_BYTES: the 1m dataset's sources, copied over and
    over, each copy's ids, titles and addresses made its own. Sources rest on no other record
    (the forms ask no citation of them), so the file imports whole on its own."""
    with (_dataset() / "source.csv").open(newline="", encoding="utf-8") as source:
        header, *rows = list(csv.reader(source))
    id_at, title_at, url_at = (header.index(name) for name in ("id", "title", "url"))
    written, copy = 0, 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        while written < VALID_CSV_BYTES:
            for row in rows:
                row = list(row)
                row[id_at] = str(int(row[id_at]) + copy * len(rows))
                row[title_at] += f" (copy {copy})"
                if row[url_at]:
                    row[url_at] += f"?copy={copy}"
                writer.writerow(row)
            copy += 1
            written = out.tell()


@dataclass(frozen=True)
class Case:
    name: str
    path: str  # under DATA
    make: Callable[[Path], None]
    database: str  # cases naming the same database run together, in order, on one database


CASES = [
    Case("zip of 10.5M bad lines", "bad-lines.zip", make_bad_lines_zip, "bad-lines-zip"),
    Case("CSV of 3M bad lines", "bad-lines/state.csv", make_bad_lines_csv, "bad-lines-csv"),
    Case("CSV of 3M bad rows, own keys", "bad-rows/state.csv", make_bad_rows_csv, "bad-rows"),
    Case("zip of one 1 GiB line", "long-line.zip", make_long_line_zip, "long-line-zip"),
    Case("CSV of one 1 GiB line", "long-line/state.csv", make_long_line_csv, "long-line-csv"),
    Case("zip of 1M entries", "many-entries.zip", make_many_entries_zip, "many-entries"),
    Case("valid: 200 MB source.csv", "valid/source.csv", make_valid_csv, "valid"),
]


@dataclass(frozen=True)
class Run:
    exit_code: int
    peak_mb: float
    seconds: float
    last_line: str


def _peak_kb(pid: int) -> int | None:
    """The high-water mark of PID's resident memory, or None once it has exited."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = [line for line in status.splitlines() if line.startswith("VmHWM:")]
    return int(found[0].split()[1]) if found else None  # none for a zombie


def measure(command: list[str], log: Path) -> Run:
    """Run COMMAND, its output to LOG, sampling its peak memory every 10 ms until it exits."""
    peak = 0
    start = time.perf_counter()
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        while process.poll() is None:
            peak = max(peak, _peak_kb(process.pid) or 0)
            time.sleep(0.01)
    seconds = time.perf_counter() - start
    return Run(process.returncode, peak / 1024, seconds, _last_line(log))


def _last_line(log: Path) -> str:
    with log.open("rb") as handle:
        handle.seek(max(0, log.stat().st_size - 4096))
        lines = handle.read().decode(errors="replace").strip().splitlines()
    return lines[-1][:110] if lines else ""


def _tracker(database: Path, *arguments: str) -> list[str]:
    return [str(TRACKER), "--database-url", f"sqlite:///{database}", *arguments]


def _delete(database: Path) -> None:
    for suffix in ("", "-wal", "-shm"):  # SQLite's write-ahead log, if it outlived a run
        database.with_name(database.name + suffix).unlink(missing_ok=True)


def _made(case: Case) -> Path:
    path = DATA / case.path
    if not path.exists():
        typer.echo(f"Making {case.path}…")
        path.parent.mkdir(parents=True, exist_ok=True)
        case.make(path)
    return path


def _size(path: Path) -> int:
    files: Iterator[Path] = path.iterdir() if path.is_dir() else iter([path])
    return sum(file.stat().st_size for file in files)


@app.command()
def main(
    case: Annotated[
        list[str] | None,
        typer.Option(help="Only the cases whose name holds this, and those they build on."),
    ] = None,
) -> None:
    databases = {
        each.database for each in CASES if not case or any(part in each.name for part in case)
    }
    fresh: set[Path] = set()
    rows = []
    for each in (each for each in CASES if each.database in databases):
        path = _made(each)
        database = DATA / f"{each.database}.db"
        if database not in fresh:
            _delete(database)
            subprocess.run(_tracker(database, "init"), check=True, capture_output=True)
            fresh.add(database)
        typer.echo(f"Importing {each.name}…")
        log = DATA / f"{each.path.replace('/', '-')}.log"
        run = measure(_tracker(database, "import", str(path)), log)
        rows.append((each.name, _size(path) / MB, run))
    for database in fresh:
        _delete(database)
    typer.echo(f"\n{'file':<30} {'MB':>9} {'exit':>4} {'peak MB':>8} {'seconds':>8}  last line")
    for name, size, run in rows:
        typer.echo(
            f"{name:<30} {size:>9,.2f} {run.exit_code:>4} {run.peak_mb:>8,.0f} "
            f"{run.seconds:>8,.1f}  {run.last_line}"
        )


if __name__ == "__main__":
    app()
