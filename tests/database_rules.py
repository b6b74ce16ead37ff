"""Proof that the database itself, not only Python, refuses a bad row."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError, IntegrityError
from sqlmodel import SQLModel


def assert_refused(engine: Engine, model: type[SQLModel], row: dict[str, Any], match: str) -> None:
    """Insert ROW into MODEL's table with SQL alone, skipping every Python check, and assert the
    database refuses it with an error matching MATCH and that the table is unchanged."""
    table = _untyped(model, row)
    count = sa.select(sa.func.count()).select_from(table)
    with engine.connect() as connection:
        before = connection.execute(count).scalar_one()
        with pytest.raises((IntegrityError, DataError)) as refusal:
            connection.execute(sa.insert(table).values(**row))
            connection.commit()
        connection.rollback()
        assert connection.execute(count).scalar_one() == before
    assert re.search(match, str(refusal.value.orig), re.IGNORECASE), str(refusal.value.orig)


def assert_accepted(engine: Engine, model: type[SQLModel], row: dict[str, Any]) -> None:
    """The same insert succeeds: the refusals above are about the bad value, not the row."""
    with engine.connect() as connection:
        connection.execute(sa.insert(_untyped(model, row)).values(**row))
        connection.rollback()


def _untyped(model: type[SQLModel], row: dict[str, Any]) -> sa.TableClause:
    # A bare table clause: no SQLAlchemy type checks values on the way, only the database.
    return sa.table(model.__tablename__, *(sa.column(name) for name in row))


FOREIGN_KEY = r"foreign key"
