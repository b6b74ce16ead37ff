"""The database: which one, how to connect, how to bring its schema up to date, how to back it up.

An embedded SQLite file is the default (nothing to install or start); any SQLAlchemy URL in
TRACKER_DATABASE_URL, or passed in, selects another, and PostgreSQL is the server for teams.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import URL, Engine, make_url
from sqlmodel import Session, select

from tracker.errors import TrackerError
from tracker.models import State
from tracker.reference import load_reference
from tracker.rollups import Rollup
from tracker.versions import bump

DEFAULT_URL = "sqlite:///tracker.db"
URL_VARIABLE = "TRACKER_DATABASE_URL"


def project_path(name: str) -> Path:
    """A folder or file shipped with the tracker (migrations, seeds, dashboard, alembic.ini):
    inside the installed package, or at the top of a source checkout."""
    package = Path(__file__).resolve().parent
    for candidate in (package / name, package.parent / name):
        if candidate.exists():
            return candidate
    raise TrackerError(f"the tracker's {name} are missing from {package}")


def database_url(url: str | None = None) -> URL:
    """URL, else $TRACKER_DATABASE_URL, else the embedded SQLite file; PostgreSQL URLs are
    given the psycopg 3 driver."""
    text = url or os.environ.get(URL_VARIABLE) or DEFAULT_URL
    try:
        parsed = make_url(text)
    except sa.exc.ArgumentError:
        raise TrackerError(f"{text!r} is not a database URL (try sqlite:///tracker.db)") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise TrackerError(
            f"{parsed.get_backend_name()} databases are not supported: "
            "use sqlite:///FILE or postgresql://..."
        )
    return parsed


# How long a SQLite write waits for another one (an import, say) to finish before giving up.
BUSY_TIMEOUT_SECONDS = 10.0


def _configure_sqlite(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # SQLite checks foreign keys only when each connection asks it to.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # Its default page cache (2 MB) is far smaller than the indexes of a large database, so
    # imports and the dashboard's queries would wait on the disk: 64 MB, taken as pages fill.
    cursor.execute("PRAGMA cache_size=-65536")
    # Read by mapping the file into memory rather than by a system call per page: a query
    # reading a hundred thousand rows spent a third of its time in those calls. Up to 2 GB
    # (SQLite's own ceiling): the pages are the system's file cache, shared by every connection.
    cursor.execute(f"PRAGMA mmap_size={2**31}")
    # Write-ahead logging lets readers go on reading while a long import writes (a rollback
    # journal locks them out for the whole import). The mode is kept in the file.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


@contextmanager
def bulk_writing(engine: Engine) -> Iterator[sa.Connection]:
    """A connection of ENGINE for a bulk write (an import), for a Session to be bound to.

    On SQLite it keeps temporary files in memory meanwhile. Each statement that fires a trigger
    (the rollups' marks fire on every record written) keeps a journal of its own, to undo it
    alone, and with temporary files on disk that costs about 15 µs a row, nearly doubling what
    inserting a citation costs. SQLite changes the setting only outside a transaction, and it
    is the connection's: it is put back after, so other work's sorts spill to disk as before."""
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA temp_store=MEMORY")
            connection.commit()
        try:
            yield connection
        finally:
            if sqlite:
                connection.rollback()
                connection.exec_driver_sql("PRAGMA temp_store=DEFAULT")
                connection.commit()


def create_engine(
    url: str | URL | None = None, *, busy_timeout: float = BUSY_TIMEOUT_SECONDS
) -> Engine:
    """A new engine for URL (see `database_url`), with SQLite's foreign keys enforced; a SQLite
    write waits up to BUSY_TIMEOUT seconds for another to finish."""
    parsed = database_url(
        url if url is None or isinstance(url, str) else url.render_as_string(hide_password=False)
    )
    sqlite = parsed.get_backend_name() == "sqlite"
    try:
        engine = sa.create_engine(
            parsed,
            pool_pre_ping=not sqlite,
            # PostgreSQL compiles a query it costs high to machine code first: at a million
            # events the dashboard's queries are costed high and run in a few milliseconds,
            # and compiling took 375 of the 415 ms of the deployments in view.
            connect_args={"timeout": busy_timeout} if sqlite else {"options": "-c jit=off"},
        )
    except (sa.exc.NoSuchModuleError, ImportError):
        raise TrackerError(
            f"the database driver {parsed.drivername!r} is not installed: "
            "use sqlite:///FILE or postgresql://..."
        ) from None
    if sqlite:
        sa.event.listen(engine, "connect", _configure_sqlite)
    return engine


def engine_for(url: str | None = None) -> Engine:
    """The engine for URL (resolved as `database_url` does), one per database, shared by
    everything in the process."""
    return _shared_engine(database_url(url).render_as_string(hide_password=False))


@cache
def _shared_engine(url: str) -> Engine:
    return create_engine(url)


@contextmanager
def session_for(engine: Engine, *, expire_on_commit: bool = True) -> Iterator[Session]:
    """A session that commits when the block ends and rolls back if it raises; without
    EXPIRE_ON_COMMIT, rows it returned stay readable after it closes."""
    with Session(engine, expire_on_commit=expire_on_commit) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config(str(project_path("alembic.ini")))
    config.set_main_option("script_location", str(project_path("migrations")))
    if engine is not None:
        config.attributes["connection"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to REVISION (the newest by default), and at the newest, count the
    rollups' months a migration left to count (tracker.rollups)."""
    command.upgrade(alembic_config(engine), revision)
    if revision == "head":
        with engine.begin() as connection:
            bump(connection, (Rollup.__tablename__,))


def downgrade(engine: Engine, revision: str, *, accept_data_loss: bool = False) -> None:
    """Take the schema back to REVISION. A step that would drop what was entered (users,
    history, records) refuses while there is any, unless ACCEPT_DATA_LOSS."""
    config = alembic_config(engine)
    config.attributes["accept_data_loss"] = accept_data_loss
    command.downgrade(config, revision)


def keep_rows(*tables: str, where: str | None = None) -> None:
    """For a downgrade step, before it drops TABLES or their columns: refuse in words while
    they hold rows (those matching WHERE, if given), unless the loss was accepted, with
    `downgrade(..., accept_data_loss=True)` or `alembic -x accept-data-loss=yes downgrade`."""
    from alembic import context, op

    accepted = context.config.attributes.get("accept_data_loss") or (
        context.get_x_argument(as_dictionary=True).get("accept-data-loss", "").lower()
        in ("yes", "true", "1")
    )
    if accepted:
        return
    connection = op.get_bind()
    condition = f" WHERE {where}" if where else ""
    held = {
        table: count
        for table in tables
        if (
            count := connection.exec_driver_sql(f"SELECT count(*) FROM {table}{condition}").scalar()
        )
    }
    if held:
        what = ", ".join(f"{count:,} rows of {table}" for table, count in held.items())
        raise TrackerError(
            f"this downgrade would lose {what}{' (' + where + ')' if where else ''}: back the "
            "database up first (tracker backup PATH), then run it again with "
            "-x accept-data-loss=yes"
        )


def init_database(engine: Engine) -> dict[str, int]:
    """Create or upgrade the schema and load the reference data (ISO countries, CAMEO codes).
    Safe to run again: nothing is duplicated. Returns how many reference rows were loaded."""
    migrate(engine)
    with session_for(engine) as session:
        return load_reference(session=session)


def is_initialised(engine: Engine) -> bool:
    """Whether the schema exists and holds the reference data."""
    if not sa.inspect(engine).has_table("state"):
        return False
    with Session(engine) as session:
        return session.exec(select(State.id).limit(1)).first() is not None


def backup(engine: Engine, path: Path) -> Path:
    """A consistent copy of the whole database at PATH: SQLite's online backup for a SQLite
    file, pg_dump's custom format (restore with pg_restore) for PostgreSQL."""
    path = Path(path)
    if path.exists():
        raise TrackerError(f"{path} already exists: choose a new file for the backup")
    path.parent.mkdir(parents=True, exist_ok=True)
    url = engine.url
    if engine.dialect.name == "sqlite":
        if not url.database or url.database == ":memory:":
            raise TrackerError("an in-memory database cannot be backed up")
        with sqlite3.connect(url.database) as source, sqlite3.connect(path) as target:
            source.backup(target)
        return path
    if engine.dialect.name == "postgresql":
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise TrackerError("pg_dump is not installed: install PostgreSQL's client tools")
        libpq_url = url.set(drivername="postgresql").render_as_string(hide_password=False)
        result = subprocess.run(
            [pg_dump, "--format=custom", f"--file={path}", f"--dbname={libpq_url}"],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            path.unlink(missing_ok=True)
            raise TrackerError(f"pg_dump failed: {result.stderr.strip().splitlines()[-1]}")
        return path
    raise TrackerError(f"backups of {engine.dialect.name} databases are not supported")
