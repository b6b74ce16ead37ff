"""Starting the dashboard: the database is made ready first."""

from __future__ import annotations

from pathlib import Path

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
    assert app.name == "app.py" and app.parent.name == "dashboard"
    assert command[command.index("--server.port") + 1] == "8765"
    assert command[command.index("--server.headless") + 1] == "true"
