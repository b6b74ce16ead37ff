"""Dates as sources give them: a day, a month, a quarter, a year, or a range between two days.

"Last July" is July with month precision, never an invented 1 July. A `FuzzyDate` keeps the
first day of its period (`earliest`), its precision, and the last day it may fall on (`latest`,
given for a range, derived for the others). In the database each fuzzy date is three columns:
NAME (the earliest day), NAME_precision and NAME_latest, so SQL can compare periods exactly.

Text form, used by the CLI, seeds and CSV: ``2025-08-12``, ``2025-08``, ``2025-Q3``, ``2025``,
or an ISO 8601 interval of any two of those, ``2025-06/2025-08-13``.

Every date the tracker stores lies between `EARLIEST` and `LATEST`: wide enough for history,
and far enough from the calendar's end (9999-12-31) that arithmetic on dates never overflows.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

EARLIEST = date(1000, 1, 1)
LATEST = date(2999, 12, 31)


def outside_calendar(day: date) -> str | None:
    """Why DAY cannot be stored, in words, or None if it can."""
    if EARLIEST <= day <= LATEST:
        return None
    return f"{day.isoformat()} is outside the dates the tracker keeps ({EARLIEST} to {LATEST})"


class DatePrecision(StrEnum):
    DAY = "day"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    RANGE = "range"


_PATTERNS: dict[DatePrecision, re.Pattern[str]] = {
    DatePrecision.DAY: re.compile(r"(\d{4})-(\d{2})-(\d{2})"),
    DatePrecision.MONTH: re.compile(r"(\d{4})-(\d{2})"),
    DatePrecision.QUARTER: re.compile(r"(\d{4})-Q([1-4])", re.IGNORECASE),
    DatePrecision.YEAR: re.compile(r"(\d{4})"),
}


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True, slots=True)
class FuzzyDate:
    earliest: date
    precision: DatePrecision
    latest: date = None  # type: ignore[assignment]  # derived unless a range

    def __post_init__(self) -> None:
        object.__setattr__(self, "precision", DatePrecision(self.precision))
        for day in (self.earliest, self.latest):
            if day is not None and (problem := outside_calendar(day)):
                raise ValueError(problem)
        if self.earliest != self._period_start(self.earliest, self.precision):
            raise ValueError(
                f"{self.earliest} is not the first day of a {self.precision}: "
                "store the period's first day with its precision"
            )
        derived = self._period_end(self.earliest, self.precision)
        if self.latest is None:
            if derived is None:
                raise ValueError("a range needs its last day")
            object.__setattr__(self, "latest", derived)
        elif self.latest < self.earliest:
            raise ValueError(f"the range ends ({self.latest}) before it starts ({self.earliest})")
        elif derived is not None and self.latest != derived:
            raise ValueError(
                f"a {self.precision} starting {self.earliest} ends on {derived}, not {self.latest}"
            )

    @staticmethod
    def _period_start(day: date, precision: DatePrecision) -> date:
        match precision:
            case DatePrecision.MONTH:
                return day.replace(day=1)
            case DatePrecision.QUARTER:
                return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
            case DatePrecision.YEAR:
                return date(day.year, 1, 1)
            case _:
                return day

    @staticmethod
    def _period_end(start: date, precision: DatePrecision) -> date | None:
        match precision:
            case DatePrecision.MONTH:
                return _month_end(start.year, start.month)
            case DatePrecision.QUARTER:
                return _month_end(start.year, start.month + 2)
            case DatePrecision.YEAR:
                return date(start.year, 12, 31)
            case DatePrecision.DAY:
                return start
            case _:
                return None

    @classmethod
    def parse(cls, text: str) -> FuzzyDate:
        """Read the text form; raise ValueError with a sentence an analyst can act on."""
        text = text.strip()
        if "/" in text:
            start_text, _, end_text = text.partition("/")
            start, end = cls.parse(start_text), cls.parse(end_text)
            if start.precision is DatePrecision.RANGE or end.precision is DatePrecision.RANGE:
                raise ValueError(f"{text!r}: a range has exactly one '/'")
            return cls(start.earliest, DatePrecision.RANGE, end.latest)
        for precision, pattern in _PATTERNS.items():
            match = pattern.fullmatch(text)
            if not match:
                continue
            year, *rest = (int(part) for part in match.groups())
            try:
                match precision:
                    case DatePrecision.DAY:
                        first = date(year, rest[0], rest[1])
                    case DatePrecision.MONTH:
                        first = date(year, rest[0], 1)
                    case DatePrecision.QUARTER:
                        first = date(year, 3 * rest[0] - 2, 1)
                    case _:
                        first = date(year, 1, 1)
            except ValueError as error:
                raise ValueError(f"{text!r} is not a real date ({error})") from None
            return cls(first, precision)
        raise ValueError(
            f"{text!r} is not a date: write 2025-08-12, 2025-08, 2025-Q3, 2025 "
            "or a range such as 2025-06-01/2025-08-13"
        )

    @classmethod
    def from_columns(
        cls, earliest: date | None, precision: str | None, latest: date | None
    ) -> FuzzyDate | None:
        if earliest is None:
            if precision is not None or latest is not None:
                raise ValueError("a precision or last day was given without a date")
            return None
        if precision is None:
            raise ValueError("a date needs its precision: day, month, quarter, year or range")
        try:
            precision = DatePrecision(precision)
        except ValueError:
            raise ValueError(
                f"{precision!r} is not a precision: use day, month, quarter, year or range"
            ) from None
        return cls(earliest, precision, latest)

    def columns(self, name: str) -> dict[str, date | DatePrecision | None]:
        """The three column values that store this date under NAME."""
        return {
            name: self.earliest,
            f"{name}_precision": self.precision,
            f"{name}_latest": self.latest,
        }

    def __str__(self) -> str:
        match self.precision:
            case DatePrecision.RANGE:
                return f"{self.earliest.isoformat()}/{self.latest.isoformat()}"
            case DatePrecision.MONTH:
                return self.earliest.strftime("%Y-%m")
            case DatePrecision.QUARTER:
                return f"{self.earliest.year}-Q{(self.earliest.month + 2) // 3}"
            case DatePrecision.YEAR:
                return str(self.earliest.year)
            case _:
                return self.earliest.isoformat()


def fuzzy_columns(
    name: str, value: FuzzyDate | str | None
) -> dict[str, date | DatePrecision | None]:
    """Column values for NAME from a FuzzyDate, its text form, or None (all three NULL)."""
    if value is None:
        return {name: None, f"{name}_precision": None, f"{name}_latest": None}
    if isinstance(value, str):
        value = FuzzyDate.parse(value)
    return value.columns(name)
