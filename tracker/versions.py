"""A counter that moves on every change to the data, so readers can cache until it moves.

Every ORM flush that adds, changes or deletes a record bumps it in the same transaction; code
that writes with SQL alone (bulk imports) calls `bump` itself. Reading it is one tiny query,
which makes it a cheap cache key for the dashboard, valid across processes and servers.
"""

from __future__ import annotations

from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, Session, select

from tracker.schema import Table, utcnow


class DataVersion(Table, table=True):
    __tablename__ = "data_version"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)
    # Tables that hold no record an analyst reads (this counter, users, sign-ins) say so, so
    # that writing them leaves every cached answer valid.
    changes_data: ClassVar[bool] = False

    version: int = Field(default=0, ge=0)


def bump(connection: sa.Connection) -> None:
    """Mark the data as changed (call after writing with SQL alone)."""
    connection.execute(
        sa.update(DataVersion.__table__).values(
            version=DataVersion.version + 1, updated_at=utcnow()
        )
    )


def data_version(session: Session) -> int:
    """The current version of the data: it changes whenever anything is written."""
    return session.exec(select(DataVersion.version)).one_or_none() or 0


@sa.event.listens_for(OrmSession, "after_flush")
def _bump_on_change(session: OrmSession, _context: Any) -> None:
    changed = (
        *session.new,
        *session.deleted,
        *(row for row in session.dirty if session.is_modified(row)),
    )
    if any(getattr(row, "changes_data", True) for row in changed):
        bump(session.connection())
