"""Fixtures: a fresh database for each test, on SQLite and on a real PostgreSQL server.

Every test that takes `engine`, `session` or `seeded_engine` runs twice, once per backend.
PostgreSQL is a throwaway server started for the test run (or the one named by
$TRACKER_TEST_POSTGRES_URL). Each test gets its own database, copied from a template that was
migrated (and, for `seeded_engine`, seeded) once per run, so tests stay fast and independent.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url
from sqlmodel import Session
from support.postgres import postgres_server as throwaway_postgres_server
from support.treaties import add_treaty

from tracker.database import create_engine, init_database, session_for
from tracker.errors import TrackerError
from tracker.exchange.seeds import load_seeds

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[URL]:
    """The URL of the maintenance database of a PostgreSQL server for this test run."""
    if given := os.environ.get("TRACKER_TEST_POSTGRES_URL"):
        yield make_url(given).set(drivername="postgresql+psycopg")
        return
    with ExitStack() as stack:
        try:
            url = stack.enter_context(throwaway_postgres_server())
        except TrackerError as error:
            pytest.fail(f"{error}, or set TRACKER_TEST_POSTGRES_URL")
        yield url


class Databases:
    """Makes fresh databases on one backend: empty, or copied from a prepared template."""

    def __init__(self, backend: str, workdir: Path, server: URL | None) -> None:
        self.backend, self.workdir, self.server = backend, workdir, server
        self.templates: dict[str, URL] = {}

    def _admin(self, sql: str) -> None:
        assert self.server is not None
        admin = sa.create_engine(self.server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql(sql)
        admin.dispose()

    def empty(self, template: URL | None = None) -> URL:
        name = f"tracker_{uuid.uuid4().hex[:12]}"
        if self.backend == "sqlite":
            path = self.workdir / f"{name}.db"
            if template is not None:
                shutil.copyfile(template.database, path)
            return URL.create("sqlite", database=str(path))
        copy = f" TEMPLATE {template.database}" if template is not None else ""
        self._admin(f"CREATE DATABASE {name}{copy}")
        return self.server.set(database=name)

    def drop(self, url: URL) -> None:
        if self.backend == "postgresql":
            self._admin(f"DROP DATABASE IF EXISTS {url.database} WITH (FORCE)")
        else:
            Path(url.database).unlink(missing_ok=True)

    def prepared(self, *, seeded: bool) -> URL:
        """A fresh database holding the schema and reference data, and the seeds if SEEDED."""
        key = "seeded" if seeded else "migrated"
        if key not in self.templates:
            url = self.empty()
            engine = create_engine(url)
            init_database(engine)
            if seeded:
                with session_for(engine) as session:
                    load_seeds(session=session)
            engine.dispose()
            self.templates[key] = url
        return self.empty(template=self.templates[key])


@pytest.fixture(scope="session", params=BACKENDS)
def databases(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Databases:
    server = request.getfixturevalue("postgres_server") if request.param == "postgresql" else None
    return Databases(request.param, tmp_path_factory.mktemp(request.param), server)


@pytest.fixture
def backend(databases: Databases) -> str:
    return databases.backend


def _engine(databases: Databases, url: URL) -> Iterator[Engine]:
    engine = create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()
        databases.drop(url)


@pytest.fixture
def empty_engine(databases: Databases) -> Iterator[Engine]:
    """A database with nothing in it, not even a schema."""
    yield from _engine(databases, databases.empty())


@pytest.fixture
def engine(databases: Databases) -> Iterator[Engine]:
    """A database with the schema and reference data (ISO countries, CAMEO codes)."""
    yield from _engine(databases, databases.prepared(seeded=False))


@pytest.fixture
def seeded_engine(databases: Databases) -> Iterator[Engine]:
    """A database holding the seed data as well."""
    yield from _engine(databases, databases.prepared(seeded=True))


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@pytest.fixture
def seeded(seeded_engine: Engine) -> Iterator[Session]:
    """A session on a database holding the seed data."""
    with Session(seeded_engine) as session:
        yield session


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from test_browser import screenshot_folder

    folder = screenshot_folder()
    if folder.exists() and any(folder.rglob("*.png")):
        terminalreporter.write_sep("-", f"dashboard screenshots: {folder}")


@pytest.fixture
def nato(seeded: Session) -> Session:
    """A treaty of many members, each from its own accession: the United States and the United
    Kingdom from 1949, Finland from 2023, France out from 1966 and back in 2009."""
    add_treaty(
        seeded,
        "North Atlantic Treaty",
        [
            {"state_code": "USA", "joined": "1949-08-24"},
            {"state_code": "GBR", "joined": "1949-08-24"},
            {"state_code": "FRA", "joined": "1949-08-24", "exited": "1966-07-01"},
            {"state_code": "FRA", "joined": "2009-04-04"},
            {"state_code": "FIN", "joined": "2023-04-04"},
        ],
        in_force="1949-08-24",
        defense=True,
    )
    return seeded
