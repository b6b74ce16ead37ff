"""The statements a piece of code sends the database, and what SQLite plans for them (the
lines of EXPLAIN QUERY PLAN): for the tests that check a read is one statement, or is served
by the index meant for it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine


def statements_of(
    engine: Engine, run: Callable[[], Any], *, mentioning: str
) -> list[tuple[str, Any]]:
    """Each statement RUN sends ENGINE whose text has MENTIONING in it, with its parameters."""
    statements: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if mentioning in statement:
            statements.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", keep)
    try:
        run()
    finally:
        sa.event.remove(engine, "before_cursor_execute", keep)
    return statements


def plans_of(engine: Engine, run: Callable[[], Any], *, mentioning: str) -> list[list[str]]:
    """SQLite's plan of each statement RUN sends ENGINE whose text has MENTIONING in it."""
    statements = statements_of(engine, run, mentioning=mentioning)
    with engine.connect() as connection:
        return [_explained(connection, sql, values) for sql, values in statements]


def plan_of(engine: Engine, query: sa.Select) -> list[str]:
    """SQLite's plan of QUERY, with the values it binds."""
    compiled = query.compile(engine, compile_kwargs={"render_postcompile": True})
    values = tuple(compiled.params[name] for name in compiled.positiontup or ())
    with engine.connect() as connection:
        return _explained(connection, str(compiled), values)


def _explained(connection: sa.Connection, sql: str, values: Any) -> list[str]:
    return [row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", values)]
