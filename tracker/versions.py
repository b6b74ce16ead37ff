"""A counter per table that moves on every change to its rows, so readers can cache an answer
until a table it was computed from changes.

Every ORM flush that adds, changes or deletes a record bumps its table's counter in the same
transaction; code that writes with SQL alone (bulk imports) calls `bump` itself. Reading the
counters is one tiny query, which makes them a cheap cache key for the dashboard, valid across
processes and servers; `tables_read` says which tables an answer was computed from, so a write
to one table leaves the answers that never read it cached.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, Session, SQLModel, select

from tracker.recount import refresh
from tracker.rollups import Rollup, RollupMark, ThinRecord
from tracker.schema import Table, utcnow


class TableVersion(Table, table=True):
    __tablename__ = "table_version"
    # Tables that hold no record an analyst reads (these counters, users, sign-ins) say so, so
    # that writing them leaves every cached answer valid.
    changes_data: ClassVar[bool] = False

    table_name: str = Field(max_length=64, unique=True, description="the table counted")
    version: int = Field(default=0, ge=0, description="how many writes have changed the table")


def bump(connection: sa.Connection, tables: Iterable[str]) -> None:
    """Mark TABLES as changed (call after writing with SQL alone), and count again the months
    of the rollups the writes made stale (tracker.rollups), in the same transaction."""
    names = set(tables)
    if not names:
        return
    if refresh(connection):
        names |= {Rollup.__tablename__, RollupMark.__tablename__, ThinRecord.__tablename__}
    # In name order, so that two writers lock the counters in the same order.
    names = sorted(names)
    counters = TableVersion.__table__
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    # A table's counter is created by its first write: no list of tables to keep up to date.
    statement = dialect.insert(counters).values(
        [{"table_name": name, "version": 1} for name in names]
    )
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[counters.c.table_name],
            set_={"version": counters.c.version + 1, "updated_at": utcnow()},
        )
    )


def table_versions(session: Session) -> dict[str, int]:
    """Each table's version; a table never written has none (version 0)."""
    return dict(session.exec(select(TableVersion.table_name, TableVersion.version)).all())


def data_version(session: Session) -> int:
    """A version of all the data: it moves whenever any table does."""
    return sum(table_versions(session).values())


@dataclass
class TablesRead:
    """The tables some statements read: their NAMES, and whether those are all (not when a
    statement names none of the tables)."""

    names: set[str] = field(default_factory=set)
    complete: bool = True


@contextmanager
def tables_read(session: Session) -> Iterator[TablesRead]:
    """The tables SESSION's statements read in the block, gathered as they run: each table
    named in the SQL sent to the database. A name that is only a word of the SQL (a column's,
    say) counts too, which at worst leaves an answer cached for one table fewer."""
    connection = session.connection()
    read = TablesRead()
    named = _table_names(tuple(sorted(SQLModel.metadata.tables)))

    def gather(_connection: Any, _cursor: Any, statement: str, *_arguments: Any) -> None:
        # The SQL text, not the statement's tree: walking a large query's tree took longer
        # than running it.
        tables = set(named.findall(statement))
        read.names |= tables
        read.complete = read.complete and bool(tables)

    sa.event.listen(connection, "before_cursor_execute", gather)
    try:
        yield read
    finally:
        sa.event.remove(connection, "before_cursor_execute", gather)


@cache
def _table_names(tables: tuple[str, ...]) -> re.Pattern[str]:
    """A pattern finding TABLES' names in SQL, each a whole word, quoted or not."""
    return re.compile(rf"\b({'|'.join(map(re.escape, tables))})\b")


@sa.event.listens_for(OrmSession, "after_flush")
def _bump_on_change(session: OrmSession, _context: Any) -> None:
    changed = (
        *session.new,
        *session.deleted,
        *(row for row in session.dirty if session.is_modified(row)),
    )
    bump(
        session.connection(),
        (type(row).__tablename__ for row in changed if getattr(row, "changes_data", True)),
    )
