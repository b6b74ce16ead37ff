"""Starting the dashboard: the database is made ready first."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from tracker.kinds.engagements import Engagement
from tracker.serve import prepare, streamlit_command


def test_prepare_migrates_and_seeds_an_empty_database_once(empty_engine: Engine) -> None:
    assert prepare(empty_engine) is True
    assert prepare(empty_engine) is False
    with Session(empty_engine) as session:
        assert session.exec(select(func.count()).select_from(Engagement)).one() == 8


def test_prepare_leaves_a_database_with_records_alone(seeded_engine: Engine) -> None:
    assert prepare(seeded_engine) is False


def test_the_command_runs_the_dashboard_app_headless_on_the_port() -> None:
    command = streamlit_command(port=8765)
    app = Path(command[command.index("run") + 1])
    assert app.name == "server.py" and app.parent.name == "dashboard"
    assert command[command.index("--server.port") + 1] == "8765"
    assert command[command.index("--server.headless") + 1] == "true"


TRACKER = str(Path(sys.executable).parent / "tracker")  # the command the project installs


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_stopping_tracker_dashboard_stops_its_server(
    seeded_engine: Engine, stop: signal.Signals
) -> None:
    """SIGTERM (a service manager) or Ctrl-C: nothing is left serving."""
    if seeded_engine.dialect.name != "sqlite":
        pytest.skip("the server is the same on either database")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = seeded_engine.url.render_as_string(hide_password=False)
    tracker = subprocess.Popen(
        [TRACKER, "--database-url", url, "dashboard", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    health = f"http://127.0.0.1:{port}/_stcore/health"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(health, timeout=2):
                break
        except OSError:
            assert tracker.poll() is None and time.monotonic() < deadline, "it never served"
            time.sleep(0.25)
    tracker.send_signal(stop)
    assert tracker.wait(timeout=30) == 0
    with pytest.raises(OSError):
        urllib.request.urlopen(health, timeout=2)
