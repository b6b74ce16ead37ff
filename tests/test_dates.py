"""Fuzzy dates: a day, month, quarter, year or range, never an invented day."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.dates import EARLIEST, LATEST, DatePrecision, FuzzyDate, fuzzy_columns


@pytest.mark.parametrize(
    ("text", "earliest", "latest", "precision"),
    [
        ("2025-08-12", date(2025, 8, 12), date(2025, 8, 12), DatePrecision.DAY),
        ("2025-07", date(2025, 7, 1), date(2025, 7, 31), DatePrecision.MONTH),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), DatePrecision.MONTH),
        ("2025-Q3", date(2025, 7, 1), date(2025, 9, 30), DatePrecision.QUARTER),
        ("1922", date(1922, 1, 1), date(1922, 12, 31), DatePrecision.YEAR),
        ("2024-09-01/2024-11-30", date(2024, 9, 1), date(2024, 11, 30), DatePrecision.RANGE),
        ("2025-06/2025-08-13", date(2025, 6, 1), date(2025, 8, 13), DatePrecision.RANGE),
    ],
)
def test_each_text_form_reads_as_its_period(
    text: str, earliest: date, latest: date, precision: DatePrecision
) -> None:
    fuzzy = FuzzyDate.parse(text)
    assert (fuzzy.earliest, fuzzy.latest, fuzzy.precision) == (earliest, latest, precision)


def test_a_month_is_never_given_an_invented_day() -> None:
    with pytest.raises(ValueError, match="not the first day of a month"):
        FuzzyDate(date(2025, 7, 15), DatePrecision.MONTH)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2025-13", "not a real date"),
        ("2025-02-30", "not a real date"),
        ("last July", "not a date: write 2025-08-12"),
        ("2025-08/2025-07", "ends .* before it starts"),
        ("2025/2026/2027", "exactly one '/'"),
    ],
)
def test_bad_text_is_refused_with_a_reason(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        FuzzyDate.parse(text)


def test_stored_columns_must_agree_with_the_precision() -> None:
    with pytest.raises(ValueError, match="ends on 2025-07-31, not 2025-07-20"):
        FuzzyDate.from_columns(date(2025, 7, 1), "month", date(2025, 7, 20))
    with pytest.raises(ValueError, match="needs its precision"):
        FuzzyDate.from_columns(date(2025, 7, 1), None, None)
    with pytest.raises(ValueError, match="'fortnight' is not a precision"):
        FuzzyDate.from_columns(date(2025, 7, 1), "fortnight", None)


def test_missing_stays_missing() -> None:
    assert FuzzyDate.from_columns(None, None, None) is None
    assert fuzzy_columns("made", None) == {
        "made": None,
        "made_precision": None,
        "made_latest": None,
    }


def test_columns_hold_the_first_and_last_possible_day() -> None:
    assert fuzzy_columns("made", "2025-Q3") == {
        "made": date(2025, 7, 1),
        "made_precision": DatePrecision.QUARTER,
        "made_latest": date(2025, 9, 30),
    }


@st.composite
def fuzzy_dates(draw: st.DrawFn) -> FuzzyDate:
    day = draw(st.dates(min_value=EARLIEST, max_value=LATEST))
    precision = draw(st.sampled_from(DatePrecision))
    if precision is DatePrecision.RANGE:
        return FuzzyDate(day, precision, draw(st.dates(min_value=day, max_value=LATEST)))
    return FuzzyDate(FuzzyDate._period_start(day, precision), precision)


@given(fuzzy_dates())
def test_the_text_form_reads_back_as_the_same_date(fuzzy: FuzzyDate) -> None:
    assert FuzzyDate.parse(str(fuzzy)) == fuzzy
    assert FuzzyDate.from_columns(*fuzzy.columns("d").values()) == fuzzy


@pytest.mark.parametrize("text", ["9999-12-31", "0999", "3000-Q1", "2025-01-01/3001-01-01"])
def test_a_date_outside_the_calendar_the_tracker_keeps_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="outside the dates the tracker keeps"):
        FuzzyDate.parse(text)


def test_the_first_and_last_days_of_the_calendar_are_kept() -> None:
    assert FuzzyDate.parse(f"{EARLIEST}/{LATEST}").latest == LATEST
