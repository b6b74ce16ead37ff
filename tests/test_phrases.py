"""Dates, figures and relays as sentences give them: each resolved against the day of
publication with the precision its words give, never inventing a day."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.figures import Qualifier
from tracker.phrases import dates_in, figures_in, number, relays_in

WEDNESDAY = date(2025, 8, 13)


@pytest.mark.parametrize(
    ("sentence", "period", "words"),
    [
        ("On Tuesday night, the Kremlin revealed the call.", "2025-08-12", "Tuesday night"),
        ("On Wednesday, Kim's regime gave details.", "2025-08-13", "Wednesday"),
        ("The summit will be held on Friday.", "2025-08-15", "Friday"),
        ("Last July, Lavrov visited Pyongyang.", "2025-07", "Last July"),
        ("Shoigu made another trip in June.", "2025-06", "June"),
        ("The treaty was signed in June 2024.", "2024-06", "June 2024"),
        ("On 12 Aug 2025, Kim told Putin.", "2025-08-12", "12 Aug 2025"),
        ("A new assessment earlier this summer.", "2025-06-01/2025-08-13", "earlier this summer"),
        ("The treaty signed last year.", "2024", "last year"),
        ("They met last week.", "2025-08-04/2025-08-10", "last week"),
        ("Kim will visit Moscow next month.", "2025-09", "next month"),
        ("They meet again next week.", "2025-08-18/2025-08-24", "next week"),
        ("A summit is planned next year.", "2026", "next year"),
        (
            "In the last week of October, 7,000 moved.",
            "2024-10-25/2024-10-31",
            "the last week of October",
        ),
    ],
)
def test_a_date_keeps_the_precision_its_words_give(sentence: str, period: str, words: str) -> None:
    published = date(2024, 11, 5) if "October" in sentence else WEDNESDAY
    found = dates_in(sentence, published)
    assert [(str(phrase.date), phrase.words) for phrase in found][:1] == [(period, words)]


def test_the_start_of_a_span_or_a_deadline_dates_nothing() -> None:
    since, by = dates_in("Deployed since autumn 2024, 10,000 by December.", WEDNESDAY)
    assert since.since and by.since


@pytest.mark.parametrize(
    ("sentence", "qualifier", "low", "high"),
    [
        ("deployed over 11,000 soldiers", Qualifier.OVER, 11000, None),
        ("roughly 15,000 North Korean troops", Qualifier.ROUGHLY, 15000, 15000),
        ("between 25,000 and 30,000 additional troops", Qualifier.BETWEEN, 25000, 30000),
        ("25,000-30,000 troops", Qualifier.BETWEEN, 25000, 30000),
        ("up to five thousand troops", Qualifier.UP_TO, None, 5000),
        ("several thousand workers", Qualifier.THOUSANDS, 2000, None),
        ("thousands of workers", Qualifier.THOUSANDS, 1000, None),
        ("about ten-thousand troops", Qualifier.ROUGHLY, 10000, 10000),
        ("10 to 12 thousand men", Qualifier.BETWEEN, 10000, 12000),
        ("at least 8,000 troops", Qualifier.AT_LEAST, 8000, None),
    ],
)
def test_a_figure_keeps_how_the_source_gives_it(
    sentence: str, qualifier: Qualifier, low: int | None, high: int | None
) -> None:
    [figure] = figures_in(sentence)
    assert (figure.qualifier, figure.low, figure.high) == (qualifier, low, high)


def test_years_and_days_of_the_month_are_not_figures() -> None:
    assert figures_in("On 12 Aug 2025, in 2024, they met.") == []


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("11,000", 11000),
        ("1.5 million", 1_500_000),
        ("27-hundred", 2700),
        ("four-thousand-100", 4100),
    ],
)
def test_numbers_in_digits_or_words(words: str, value: int) -> None:
    assert number(words) == value


@pytest.mark.parametrize(
    ("sentence", "chain"),
    [
        ("Yonhap reported, citing the NIS, that 3,000 more went.", ["Yonhap", "the NIS"]),
        ("Citing the NIS, Yonhap said 3,000 more went.", ["Yonhap", "the NIS"]),
        ("KCNA said the talks went well, according to Yonhap.", ["Yonhap", "KCNA"]),
        ("According to TASS, the talks went well.", ["TASS"]),
        ("The troops went, said the Kremlin.", ["the Kremlin"]),
        ("A lawmaker said 300 were killed.", ["A lawmaker"]),
        (
            "According to a new intelligence assessment from South Korea, more will go.",
            ["South Korea"],
        ),
        ("Kim expressed his gratitude to Putin and said that he would help.", []),
    ],
)
def test_who_told_it_from_the_reader_outward(sentence: str, chain: list[str]) -> None:
    assert [relay.who for relay in relays_in(sentence)] == chain
