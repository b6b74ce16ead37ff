"""An independent answer to "which COW alliances bind a state on a day?", for checking the reader.

Computed with pandas straight from the membership CSV, sharing no code with
tracker/exchange/cow.py, so a mistake in the reader cannot hide in both. A spell covers a day
if it has started and not yet ended: a start missing its day (or month) is the first day of the
month (or year), an end missing its day (or month) the last. A spell with no end counts only up
to 2012-12-31, where the data ends: after that nobody knows, so it is not counted.
"""

from __future__ import annotations

import calendar
from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd

MEMBERS = Path(__file__).resolve().parents[1] / "data/cow/alliance_v4.1_by_member.csv"
HORIZON = date(2012, 12, 31)


def _part(cell: str) -> int | None:
    """A date part; COW leaves it empty or writes -9 when it is unknown."""
    cell = cell.strip()
    return None if cell in ("", "-9") else int(cell)


def _first_day(year: str, month: str, day: str) -> date | None:
    y, m, d = _part(year), _part(month), _part(day)
    if y is None:
        return None
    return date(y, m or 1, d or 1)


def _last_day(year: str, month: str, day: str) -> date | None:
    y, m, d = _part(year), _part(month), _part(day)
    if y is None:
        return None
    m = m or 12
    return date(y, m, d or calendar.monthrange(y, m)[1])


@cache
def spells(path: Path = MEMBERS) -> pd.DataFrame:
    """One row a spell: version4id, ccode, and the first and last day it covers."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    return pd.DataFrame(
        {
            "version4id": raw["version4id"].astype(int),
            "ccode": raw["ccode"].astype(int),
            "first": [
                _first_day(*parts)
                for parts in zip(raw.mem_st_year, raw.mem_st_month, raw.mem_st_day, strict=True)
            ],
            "last": [
                _last_day(*parts) or HORIZON
                for parts in zip(raw.mem_end_year, raw.mem_end_month, raw.mem_end_day, strict=True)
            ],
        }
    )


def _covering(day: date, path: Path) -> pd.DataFrame:
    table = spells(path)
    started = table["first"].map(lambda first: first is not None and first <= day)
    return table[started & (table["last"] >= day)]


def alliances_in_force(ccode: int, day: date, *, path: Path = MEMBERS) -> set[int]:
    """The COW ids of the alliances of which CCODE is a member on DAY."""
    covering = _covering(day, path)
    return set(covering.loc[covering["ccode"] == ccode, "version4id"].tolist())


def members_on(cow_id: int, day: date, *, path: Path = MEMBERS) -> set[int]:
    """The COW codes of the members of alliance COW_ID on DAY."""
    covering = _covering(day, path)
    return set(covering.loc[covering["version4id"] == cow_id, "ccode"].tolist())
