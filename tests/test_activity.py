"""Headline figures, activity over time and the activity index, counted in SQL."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from tracker.activity import (
    Period,
    activity_by_period,
    activity_index,
    activity_weights,
    headlines,
    record_span,
)
from tracker.filters import Filters
from tracker.kinds import RecordKind

SEED_WINDOW = Filters(start=date(2023, 8, 16), end=date(2025, 8, 15))


def test_records_are_counted_per_month_and_kind(seeded: Session) -> None:
    frame = activity_by_period(session=seeded, filters=SEED_WINDOW, period=Period.MONTH)
    august = frame[frame["period"] == "2025-08-01"].set_index("kind")["records"].to_dict()
    assert august == {"engagement": 6, "pledge": 1, "estimate": 2}
    assert frame["records"].sum() == 1 + 1 + 8 + 2 + 4  # treaty, dated deployment, engagements, ...
    assert (
        frame[frame["kind"] == "deployment"]["records"].sum() == 1
    )  # the undated one has no month


def test_long_ranges_are_counted_per_year(seeded: Session) -> None:
    assert Period.for_span(date(1922, 1, 1), date(2025, 8, 15)) is Period.YEAR
    frame = activity_by_period(session=seeded, filters=Filters(), period=Period.YEAR)
    assert set(frame["period"].dt.year) == {1922, 1950, 1979, 2024, 2025}


def test_the_index_weights_each_record_by_its_goldstein_score(seeded: Session) -> None:
    frame = activity_index(session=seeded, filters=SEED_WINDOW, period=Period.MONTH)
    dyad = frame[frame["dyad"] == "PRK–RUS"].set_index("period")
    assert dyad.loc["2024-06-01", "index"] == 8.0  # the treaty signed
    assert dyad.loc["2024-09-01", "index"] == 7.4  # troops deployed
    assert dyad.loc["2025-07-01", "index"] == 1.9 + 4.5  # Lavrov's visit and Kim's political pledge
    assert dyad.loc["2025-08-01", "index"] == 1.0 + 5.2  # the call and Kim's military pledge
    assert dyad.loc["2025-01-01", "index"] == 0  # quiet months count as nothing, not as gaps


def test_the_index_is_the_same_whichever_way_a_pair_is_named(seeded: Session) -> None:
    frame = activity_index(
        session=seeded, filters=Filters(states=("RUS", "PRK")), period=Period.YEAR
    )
    assert set(frame["dyad"]) == {"PRK–RUS"}


def test_estimates_add_nothing_to_the_index(seeded: Session) -> None:
    only_estimates = Filters(kinds=(RecordKind.ESTIMATE,))
    assert activity_index(session=seeded, filters=only_estimates, period=Period.YEAR).empty


def test_every_weight_is_documented(seeded: Session) -> None:
    weights = activity_weights(session=seeded).set_index("record")["goldstein"].to_dict()
    assert weights["Engagement: phone call"] == 1.0
    assert weights["Treaty signed"] == 8.0
    assert weights["Pledge: military"] == 5.2
    assert weights["Deployment"] == 7.4


def test_headlines_as_of_the_end_of_the_range(seeded: Session) -> None:
    top = headlines(session=seeded, filters=SEED_WINDOW)
    assert (top.as_of, top.treaties_in_force, top.engagements_last_90_days, top.open_pledges) == (
        date(2025, 8, 15),
        0,  # the treaty was last said to be in force on 12 August; Rapallo's end is not recorded
        8,
        2,
    )
    assert top.treaties_status_not_recorded == 1
    on_the_day = headlines(session=seeded, filters=Filters(end=date(2025, 8, 12)))
    assert (on_the_day.treaties_in_force, on_the_day.treaties_status_not_recorded) == (1, 0)
    assert (top.deployed.low, top.deployed.high, top.deployed.sources) == (11000, 15000, 2)
    assert (top.planned.low, top.planned.high) == (25000, 30000)


def test_headlines_respect_the_filters(seeded: Session) -> None:
    top = headlines(session=seeded, filters=Filters(states=("CHN",), end=date(2025, 8, 15)))
    assert (top.treaties_in_force, top.engagements_last_90_days, top.deployed) == (0, 1, None)


def test_the_record_span_runs_from_the_oldest_to_the_newest_record(seeded: Session) -> None:
    assert record_span(session=seeded) == (date(1922, 1, 1), date(2025, 8, 15))
