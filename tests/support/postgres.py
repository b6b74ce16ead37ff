"""A throwaway PostgreSQL server, started from the installed binaries in a temporary folder and
removed afterwards: for the tests and the benchmarks, which need a real server and no setup."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import URL

from tracker.errors import TrackerError


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_bin() -> Path:
    """The folder of PostgreSQL's server programs (initdb, pg_ctl)."""
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise TrackerError(
        "PostgreSQL's server is not installed (no initdb): run scripts/test.sh, which installs it"
    )


def _as_postgres_user(command: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def postgres_server() -> Iterator[URL]:
    """The URL of the maintenance database of a new PostgreSQL server, stopped and deleted on
    exit. It runs without fsync: its data is thrown away, so durability buys nothing."""
    bin_dir = postgres_bin()
    root = Path(tempfile.mkdtemp(prefix="tracker-postgres-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    port = free_port()
    run = {"check": True, "capture_output": True}
    subprocess.run(
        _as_postgres_user(
            [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "tracker"]
        ),
        **run,
    )
    options = (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    )
    start = [str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log")]
    subprocess.run(_as_postgres_user([*start, "-w", "start"]), **run)
    try:
        yield URL.create(
            "postgresql+psycopg",
            username="tracker",
            host="127.0.0.1",
            port=port,
            database="postgres",
        )
    finally:
        subprocess.run(
            _as_postgres_user(
                [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]
            ),
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)
