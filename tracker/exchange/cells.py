"""The CSV cell: how a value is written to the tracker's CSV files, the same for exports, the
dashboard's downloads and the benchmarks' data, and read back by the import.

- Empty means missing: NULL is an empty cell, never 0 or "None".
- Dates are ISO 8601; true and false are words; lists and mappings are JSON.
- A text cell a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a
  carriage return) is neutralised with a leading apostrophe, as OWASP advises; the import takes
  it off again, so a round trip gives back exactly what was exported.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

# A cell starting with one of these (after any apostrophes) would run as a formula. As a
# character class ("-" last, so not a range) it serves Python, SQLite's GLOB and PostgreSQL.
_RISKY_FIRST = "[=+@\t\r-]"
_FORMULA = re.compile("^'*" + _RISKY_FIRST)
_NEUTRALISED = re.compile("^'+" + _RISKY_FIRST)
# What makes the csv module quote a cell (QUOTE_MINIMAL, rows ending "\r\n").
_NEEDS_QUOTES = ',"\r\n'


def neutralise(text: str) -> str:
    """TEXT made safe for a spreadsheet: a leading apostrophe stops it running as a formula."""
    return "'" + text if _FORMULA.match(text) else text


def restore_text(text: str) -> str:
    """The inverse of `neutralise`."""
    return text[1:] if text[:1] == "'" and _NEUTRALISED.match(text) else text


def cell(value: Any) -> str:
    """A value as a CSV cell."""
    match value:
        case None:
            return ""
        case bool():
            return "true" if value else "false"
        case Enum():
            return neutralise(str(value.value))
        case pd.Timestamp():
            return value.date().isoformat() if value == value.normalize() else value.isoformat()
        case datetime() | date():
            return value.isoformat()
        case dict() | list():
            return neutralise(json.dumps(value, ensure_ascii=False, sort_keys=True))
        case str():
            return neutralise(value)
        case float() if value.is_integer():
            return str(int(value))  # 15000, not 15000.0 (pandas' float for integers with gaps)
        case _:
            return str(value)


def cell_sql(column: sa.ColumnElement[Any], dialect: str) -> sa.ColumnElement[str]:
    """COLUMN selected as the text `cell` writes for it, NULL for missing, computed by the
    database: rows go from the database to the file without a Python step per value, which
    at a million rows would cost more than the query."""
    kind = _stored_type(column)
    raw = sa.type_coerce(column, sa.types.NullType())
    match kind:
        case sa.Enum() if _as_stored(kind):
            text = raw
        case sa.Boolean():
            text = sa.case((column.is_(None), sa.null()), (column, "true"), else_="false")
        case sa.String() if dialect == "sqlite":
            # GLOB copies nothing; it runs ltrim's copy only for text that starts with "'".
            glob = raw.op("GLOB")
            risky = sa.or_(
                glob(_RISKY_FIRST + "*"),
                sa.and_(glob("'*"), sa.func.ltrim(raw, "'").op("GLOB")(_RISKY_FIRST + "*")),
            )
            text = sa.case((risky, "'" + raw), else_=raw)
        case sa.String():
            text = sa.case((raw.op("~")(_FORMULA.pattern), "'" + raw), else_=raw)
        case sa.Integer():
            text = sa.cast(raw, sa.String)
        case sa.Float():
            # 15000, not 15000.0, as `cell` writes a float that holds a whole number.
            whole = sa.cast(raw, sa.BigInteger)
            text = sa.case((raw == whole, sa.cast(whole, sa.String)), else_=sa.cast(raw, sa.String))
        case sa.DateTime() if dialect == "sqlite":
            # Stored as "2025-08-12 09:30:00.000000": isoformat gives microseconds only if any.
            day = sa.func.substr(raw, 1, 10) + "T"
            text = sa.case(
                (sa.func.substr(raw, 21) == "000000", day + sa.func.substr(raw, 12, 8)),
                else_=day + sa.func.substr(raw, 12),
            )
        case sa.DateTime():
            # As isoformat writes the driver's datetime: in the session's time zone, with its
            # offset when the column keeps one.
            fraction = sa.func.to_char(raw, "US")
            text = (
                sa.func.to_char(raw, 'YYYY-MM-DD"T"HH24:MI:SS')
                + sa.case((fraction == "000000", ""), else_="." + fraction)
                + (sa.func.to_char(raw, "TZH:TZM") if kind.timezone else "")
            )
        case sa.Date() if dialect == "sqlite":
            text = raw  # stored as ISO text already
        case sa.Date():
            text = sa.func.to_char(raw, "YYYY-MM-DD")
        case _:
            # Failing here, in the export's tests, beats writing a new type's cells another way.
            raise TypeError(f"no CSV cell rule for {column} of type {kind!r}")
    return sa.type_coerce(text, sa.String())


def csv_line_sql(columns: Sequence[sa.ColumnElement[Any]], dialect: str) -> sa.ColumnElement[str]:
    """One row of COLUMNS as the CSV line, "\r\n" included, that Python's csv module would
    write for its cells (`cell_sql`), built by the database: the export's files stay byte for
    byte what they were when Python wrote them, and a batch of lines is written as it comes.
    The line is SQL text, to select from the columns' table."""
    # Both write a NULL as nothing and build the line in one piece; SQLite's format(), the
    # same function, came only in 3.38 (Ubuntu 22.04's Python has 3.37).
    template = ",".join("%s" for _ in columns) + "\r\n"
    build = "printf" if dialect == "sqlite" else "format"
    fields = ", ".join(_field_sql(column, dialect) for column in columns)
    return sa.literal_column(f"{build}('{template}', {fields})", sa.String())


_PLAIN = {
    "sqlite": sqlite.dialect(paramstyle="named"),
    "postgresql": postgresql.dialect(paramstyle="named"),
}


def sql_text(statement: sa.ClauseElement, dialect: str) -> str:
    """STATEMENT as the SQL text DIALECT runs, its values written in and a "%" left as it is:
    for ADBC, which runs the text it is given (a DBAPI dialect would double a "%" for its
    driver to undo)."""
    return str(statement.compile(dialect=_PLAIN[dialect], compile_kwargs={"literal_binds": True}))


_STAND_IN = "__cell__"
# Each cell's SQL for a column of a type (by its repr, which names what the rules read: the
# type, an enum's values, a time zone), written with _STAND_IN for the column. Building and
# compiling the rules column by column took 0.1 s an export, as long as a 10k export's queries.
_FIELDS: dict[tuple[str, str], str] = {}


def _field_sql(column: sa.ColumnElement[Any], dialect: str) -> str:
    """COLUMN's cell as SQL text: `cell_sql`, quoted as the csv module quotes it."""
    key = (repr(column.type), dialect)
    if (template := _FIELDS.get(key)) is None:
        stand_in = sa.literal_column(_STAND_IN, column.type)
        template = _FIELDS[key] = sql_text(_field(stand_in, dialect), dialect)
    return template.replace(_STAND_IN, sql_text(column, dialect))


def _field(column: sa.ColumnElement[Any], dialect: str) -> sa.ColumnElement[str]:
    text = cell_sql(column, dialect)
    kind = _stored_type(column)
    # Only text can hold what needs quoting, and neutralising adds nothing that does.
    if isinstance(kind, sa.String) and not _as_stored(kind):
        if dialect == "sqlite":
            found = (sa.func.instr(column, character) > 0 for character in _NEEDS_QUOTES)
            needs_quotes = sa.or_(*found)
        else:
            needs_quotes = column.op("~")(f"[{_NEEDS_QUOTES}]")
        text = sa.case((needs_quotes, '"' + sa.func.replace(text, '"', '""') + '"'), else_=text)
    return text


def _stored_type(column: sa.ColumnElement[Any]) -> sa.types.TypeEngine[Any]:
    kind = column.type
    if isinstance(kind, sa.types.TypeDecorator):  # SQLModel's AutoString: stored as its impl
        return kind.impl_instance
    return kind


def _as_stored(kind: sa.types.TypeEngine[Any]) -> bool:
    """Whether KIND is an enum whose every value is written as it is stored: then no row
    needs checking."""
    return isinstance(kind, sa.Enum) and all(
        neutralise(value) == value and not set(value) & set(_NEEDS_QUOTES) for value in kind.enums
    )


def frame_csv(frame: pd.DataFrame) -> str:
    """A table shown on the dashboard as CSV text, by the export's rules (empty for missing,
    ISO dates, formulas neutralised)."""
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow(frame.columns)
    for record in frame.itertuples(index=False):
        writer.writerow(cell(None if _missing(value) else value) for value in record)
    return output.getvalue()


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, list | dict | str) and bool(pd.isna(value)))
