"""Starting the Streamlit dashboard on a database that is ready to show."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from sqlalchemy.engine import Engine
from sqlmodel import select

from tracker.database import URL_VARIABLE, init_database, project_path, session_for
from tracker.exchange.imports import max_upload_bytes
from tracker.exchange.seeds import load_seeds
from tracker.models import Engagement
from tracker.users import SIGN_IN_VARIABLE


def prepare(engine: Engine) -> bool:
    """Bring the schema up to date and, if the database holds no records yet, load the seed
    data. Returns whether seeds were loaded."""
    init_database(engine)
    with session_for(engine) as session:
        if session.exec(select(Engagement.id).limit(1)).first() is not None:
            return False
        load_seeds(session=session)
        return True


def streamlit_command(*, port: int, address: str = "127.0.0.1") -> list[str]:
    """The command that runs the dashboard app, with the tracker's settings."""
    settings = {
        "server.port": port,
        "server.address": address,
        "server.headless": "true",
        # Streamlit refuses a larger upload itself, before it is held in memory.
        "server.maxUploadSize": max_upload_bytes() // 2**20,
        "browser.gatherUsageStats": "false",
        "client.toolbarMode": "viewer",
        "theme.base": "light",
        "theme.primaryColor": "#1f5f8b",
    }
    options = [part for name, value in settings.items() for part in (f"--{name}", str(value))]
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(project_path("dashboard") / "server.py"),
        *options,
    ]


def serve(
    engine: Engine, *, port: int, address: str = "127.0.0.1", require_sign_in: bool = False
) -> int:
    """Run the dashboard on ENGINE's database until it is stopped; returns Streamlit's exit code
    (0 when stopped by a signal). With REQUIRE_SIGN_IN, readers must sign in too.

    SIGTERM, SIGINT (Ctrl-C) and SIGHUP to this process stop the server too, rather than leave
    it serving without its parent."""
    environment = os.environ | {URL_VARIABLE: engine.url.render_as_string(hide_password=False)}
    if require_sign_in:
        environment[SIGN_IN_VARIABLE] = "1"
    server = subprocess.Popen(streamlit_command(port=port, address=address), env=environment)
    stopped = False

    def stop(_signal: int, _frame: object) -> None:
        nonlocal stopped
        stopped = True
        server.terminate()  # Streamlit shuts down cleanly on SIGTERM

    handled = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
    previous = {handled_signal: signal.signal(handled_signal, stop) for handled_signal in handled}
    try:
        code = server.wait()
    finally:
        for handled_signal, handler in previous.items():
            signal.signal(handled_signal, handler)
        if server.poll() is None:
            server.kill()
            server.wait()
    return 0 if stopped else code
