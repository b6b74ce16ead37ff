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
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from typing import Any

import pandas as pd
import sqlalchemy as sa

# A cell starting with one of these (after any apostrophes) would run as a formula.
_RISKY_FIRST = ("=", "+", "-", "@", "\t", "\r")
_FORMULA = re.compile(r"^'*[=+\-@\t\r]")
_NEUTRALISED = re.compile(r"^'+[=+\-@\t\r]")


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


def cell_sql(column: sa.Column, dialect: str) -> tuple[Any, Callable[[Any], str] | None]:
    """COLUMN selected as the text `cell` writes for it, computed by the database where it can;
    otherwise selected as the driver gives it, with the function that finishes the text."""
    kind = column.type
    if isinstance(kind, sa.types.TypeDecorator):  # SQLModel's AutoString: stored as its impl
        kind = kind.impl_instance
    raw = sa.type_coerce(column, sa.types.NullType())
    match kind:
        case sa.Boolean():
            text = sa.case((column.is_(None), sa.null()), (column, "true"), else_="false")
        case sa.String():
            first = sa.func.substr(sa.func.ltrim(raw, "'"), 1, 1)
            text = sa.case((first.in_(_RISKY_FIRST), "'" + raw), else_=raw)
        case sa.Integer():
            return raw, None
        case sa.DateTime() if dialect == "sqlite":
            # Stored as "2025-08-12 09:30:00.000000": isoformat gives microseconds only if any.
            fraction = sa.func.substr(raw, 21, 6)
            text = (
                sa.func.substr(raw, 1, 10)
                + "T"
                + sa.func.substr(raw, 12, 8)
                + sa.case((sa.func.rtrim(fraction, "0") == "", ""), else_="." + fraction)
            )
        case sa.Date() if dialect == "sqlite":
            return raw, None  # stored as ISO text already
        case _:
            return raw, cell
    return sa.type_coerce(text, sa.types.NullType()), None


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
