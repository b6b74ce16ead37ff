"""Choosing, connecting to, initialising and backing up the database."""

from __future__ import annotations

import re
import sqlite3
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from tracker.database import (
    backup,
    bulk_writing,
    create_engine,
    database_url,
    engine_for,
    init_database,
    is_initialised,
)
from tracker.errors import TrackerError
from tracker.models import CameoEvent, State


def test_the_default_database_is_an_embedded_sqlite_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    assert database_url().render_as_string() == "sqlite:///tracker.db"


def test_the_environment_selects_another_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_DATABASE_URL", "sqlite:////tmp/elsewhere.db")
    assert database_url().database == "/tmp/elsewhere.db"


def test_postgresql_urls_use_psycopg_3() -> None:
    assert database_url("postgresql://u@host/db").drivername == "postgresql+psycopg"


def test_a_malformed_url_is_refused_in_words() -> None:
    with pytest.raises(TrackerError, match="not a database URL"):
        database_url("not a url")


@pytest.mark.parametrize(
    ("url", "refusal"),
    [
        ("nonsense://", "nonsense databases are not supported"),
        ("mysql://analyst@db.example.org/alliances", "mysql databases are not supported"),
        ("postgresql+asyncpg://db.example.org/a", "driver 'postgresql+asyncpg' is not installed"),
    ],
)
def test_an_unsupported_database_is_refused_in_words(url: str, refusal: str) -> None:
    with pytest.raises(TrackerError, match=re.escape(refusal)):
        create_engine(url)


def test_sqlite_enforces_foreign_keys_on_every_connection(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'fk.db'}")
    for _ in range(2):
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        engine.dispose()


def test_a_bulk_write_keeps_sqlite_temporary_files_in_memory_only_meanwhile(
    tmp_path: Path,
) -> None:
    """A statement firing triggers journals itself in a temporary file: in memory, a bulk
    write's rows are inserted nearly twice as fast (citations: 39 to 22 µs a row)."""
    engine = create_engine(f"sqlite:///{tmp_path / 'bulk.db'}")
    in_memory, default = 2, 0
    with bulk_writing(engine) as connection, Session(bind=connection) as session:
        session.exec(sa.text("CREATE TABLE written (id INTEGER)"))  # a transaction is open
        assert connection.exec_driver_sql("PRAGMA temp_store").scalar() == in_memory
    with engine.connect() as connection:  # the same connection, back in the pool
        assert connection.exec_driver_sql("PRAGMA temp_store").scalar() == default


def test_postgresql_runs_the_queries_without_compiling_them_first(
    engine: Engine, backend: str
) -> None:
    """JIT compilation cost a high-costed query far more than running it (375 of 415 ms)."""
    if backend != "postgresql":
        pytest.skip("SQLite has no JIT")
    with create_engine(engine.url).connect() as connection:
        assert connection.exec_driver_sql("SHOW jit").scalar() == "off"


def test_init_creates_the_schema_and_loads_reference_data(empty_engine: Engine) -> None:
    assert not is_initialised(empty_engine)
    loaded = init_database(empty_engine)
    assert is_initialised(empty_engine)
    with Session(empty_engine) as session:
        assert session.exec(select(func.count()).select_from(State)).one() == loaded["states"]
        assert (
            session.exec(select(func.count()).select_from(CameoEvent)).one()
            == loaded["cameo_events"]
        )


def test_init_twice_changes_nothing(engine: Engine) -> None:
    def counts() -> tuple[int, int, object]:
        with Session(engine) as session:
            return (
                session.exec(select(func.count()).select_from(State)).one(),
                session.exec(select(func.count()).select_from(CameoEvent)).one(),
                session.exec(select(func.max(State.updated_at))).one(),
            )

    before = counts()
    init_database(engine)
    assert counts() == before


def test_backup_writes_a_restorable_copy(
    seeded_engine: Engine, tmp_path: Path, backend: str
) -> None:
    path = backup(seeded_engine, tmp_path / "backup.dump")
    if backend == "sqlite":
        with sqlite3.connect(path) as copy:
            assert copy.execute("SELECT count(*) FROM engagement").fetchone()[0] == 8
    else:
        listing = subprocess.run(
            ["pg_restore", "--list", str(path)], capture_output=True, text=True, check=True
        )
        assert "TABLE DATA public engagement" in listing.stdout


def test_backup_never_overwrites_a_file(engine: Engine, tmp_path: Path) -> None:
    existing = tmp_path / "precious.db"
    existing.write_text("keep me")
    with pytest.raises(TrackerError, match="already exists"):
        backup(engine, existing)
    assert existing.read_text() == "keep me"


def test_every_table_of_records_has_timestamps(engine: Engine) -> None:
    inspector = sa.inspect(engine)
    # Alembic's own, and the rollups: counted from the records, and counted again, not edited.
    for table in set(inspector.get_table_names()) - {
        "alembic_version",
        "rollup",
        "rollup_dirty",
        "rollup_thin",
    }:
        columns = {column["name"] for column in inspector.get_columns(table)}
        assert {"id", "created_at", "updated_at"} <= columns, table


def test_the_shared_engine_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'first.db'}")
    first = engine_for()
    assert engine_for() is first
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'second.db'}")
    assert engine_for().url.database == str(tmp_path / "second.db")


def test_sqlite_enforces_foreign_keys_after_a_migration_too(tmp_path: Path) -> None:
    # A migration switches them off for its own connection, which must not go back to the pool.
    engine = create_engine(f"sqlite:///{tmp_path}/t.db")
    init_database(engine)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
