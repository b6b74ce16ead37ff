"""Headline figures, activity over time and the activity index, counted in SQL."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session
from support.plans import plans_of

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
from tracker.kinds.deployments import Deployment, list_estimates
from tracker.kinds.sources import Source
from tracker.records import save
from tracker.users import SYSTEM

SEED_WINDOW = Filters(start=date(2023, 8, 16), end=date(2025, 8, 15))


def test_records_are_counted_per_month_and_kind(seeded: Session) -> None:
    frame = activity_by_period(session=seeded, filters=SEED_WINDOW, period=Period.MONTH)
    august = frame[frame["period"] == "2025-08-01"].set_index("kind")["records"].to_dict()
    assert august == {"engagement": 6, "pledge": 1, "estimate": 2}
    assert frame["records"].sum() == 1 + 1 + 8 + 3 + 4  # treaty, dated deployment, engagements, ...
    assert (
        frame[frame["kind"] == "deployment"]["records"].sum() == 1
    )  # the undated one has no month


def test_long_ranges_are_counted_per_year(seeded: Session) -> None:
    assert Period.for_span(date(1922, 1, 1), date(2025, 8, 15)) is Period.YEAR
    frame = activity_by_period(session=seeded, filters=Filters(), period=Period.YEAR)
    # The 1922, 1950 and 1979 analogies are historical context: not activity.
    assert set(frame["period"].dt.year) == {2024, 2025}


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


def test_the_index_keeps_the_most_active_pairs_and_breaks_ties_by_name(seeded: Session) -> None:
    # In the seeds: PRK–RUS (35.1), RUS–USA (2.8), then four pairs at 1.0 each.
    frame = activity_index(session=seeded, filters=Filters(), period=Period.YEAR, top=3)
    assert set(frame["dyad"]) == {"PRK–RUS", "RUS–USA", "BRA–RUS"}
    # Every year of the range, for each pair kept: quiet ones as 0.
    assert len(frame) == 3 * frame["period"].nunique()


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
        3,  # Kim's two pledges and the workers; Mao's and NATO's are history, not open
    )
    assert top.treaties_status_not_recorded == 1
    on_the_day = headlines(session=seeded, filters=Filters(end=date(2025, 8, 12)))
    assert (on_the_day.treaties_in_force, on_the_day.treaties_status_not_recorded) == (1, 0)


def test_a_spread_compares_only_the_same_measure_in_the_same_place(seeded: Session) -> None:
    """ "Over 11,000" (the Kursk front) and "roughly 15,000" (Russia) are not one range."""
    spreads = {
        (spread.measure, spread.scope): (spread.low, spread.high, spread.sources, spread.figures)
        for spread in headlines(session=seeded, filters=SEED_WINDOW).estimates
        if spread.deployment == "North Korean troops in Russia (Kursk)"
    }
    assert spreads == {
        ("cumulative_sent", "Kursk region"): (11000, None, 1, "over 11,000"),
        ("cumulative_sent", "Russia"): (15000, 15000, 1, "roughly 15,000"),
        ("additional_planned", "Russia"): (25000, 30000, 1, "25,000 to 30,000"),
    }


def _add_estimate(session: Session, **fields: object) -> None:
    troops = session.exec(
        sa.select(Deployment).where(Deployment.name == "North Korean troops in Russia (Kursk)")
    ).scalar_one()
    kremlin = session.exec(sa.select(Source).where(Source.outlet == "Kremlin")).scalar_one()
    save(
        session=session,
        actor=SYSTEM,
        kind="estimate",
        record={
            "deployment_id": troops.id,
            "source_id": kremlin.id,
            "measure": "cumulative_sent",
            "scope": "Russia",
            "citations": [{"source_id": kremlin.id, "quote": "a figure"}],
        }
        | fields,
    )


def test_a_spread_says_which_estimates_it_compares_within_its_window(seeded: Session) -> None:
    _add_estimate(seeded, qualifier="exactly", low=12000, high=12000, as_of="2025-07")
    _add_estimate(seeded, qualifier="exactly", low=1500, high=1500, as_of="2024-12")  # too old
    [spread] = [
        spread
        for spread in headlines(session=seeded, filters=SEED_WINDOW).estimates
        if (spread.measure, spread.scope) == ("cumulative_sent", "Russia")
    ]
    assert (spread.low, spread.high, spread.sources, spread.figures) == (
        12000,
        15000,
        2,
        "12,000 to 15,000",
    )
    assert spread.since == date(2025, 5, 16)
    assert spread.compared == [
        "12,000 per Kremlin, as of 2025-07",
        "roughly 15,000 per South Korean intelligence, as of 2025-08-12/2025-08-14",
    ]


def test_a_retracted_or_corrected_estimate_leaves_the_spread_but_not_the_record(
    seeded: Session,
) -> None:
    digest = seeded.exec(
        sa.select(Source).where(Source.outlet == "Unnamed multi-perspective news digest")
    ).scalar_one()
    _add_estimate(
        seeded,
        qualifier="exactly",
        low=12000,
        high=12000,
        as_of="2025-07",
        citations=[
            {"source_id": digest.id, "quote": "12,000"},
            {
                "source_id": digest.id,
                "quote": "the figure was withdrawn",
                "stance": "retracts",
                "stated": "2025-08-01",
                "stated_words": "on 1 August",
            },
        ],
    )
    [spread] = [
        spread
        for spread in headlines(session=seeded, filters=SEED_WINDOW).estimates
        if (spread.measure, spread.scope) == ("cumulative_sent", "Russia")
    ]
    assert (spread.low, spread.high) == (15000, 15000)
    before = headlines(session=seeded, filters=Filters(end=date(2025, 7, 31))).estimates
    assert any(spread.low == 12000 for spread in before)  # not yet retracted then
    [kept] = [row for row in list_estimates(session=seeded) if row.low == 12000]
    assert kept.standing == "retracted by Unnamed multi-perspective news digest, 2025-08-01"


def test_the_spreads_read_the_estimates_in_view_and_their_corrections_from_indexes_alone(
    seeded_engine: Engine, backend: str
) -> None:
    """At a million events the spreads weigh tens of thousands of estimates: what they filter
    and group by, and which were corrected or retracted, come from two indexes, not from a row
    looked up for each."""
    if backend != "sqlite":
        pytest.skip("PostgreSQL plans from its statistics")

    def read() -> None:
        with Session(seeded_engine) as session:
            headlines(session=session, filters=SEED_WINDOW)

    [newest] = plans_of(seeded_engine, read, mentioning="WITH newest")
    estimates = [line for line in newest if line.startswith("SEARCH estimate ")]
    citations = [line for line in newest if line.startswith("SEARCH citation")]
    assert estimates == [
        "SEARCH estimate USING COVERING INDEX ix_estimate_as_of_latest (as_of_latest>?)"
    ]
    assert len(citations) == 2  # the corrections, and the retractions the filters leave out
    assert all("USING COVERING INDEX ix_citation_estimate_stance " in line for line in citations)


def test_casualties_are_their_own_spread(seeded: Session) -> None:
    _add_estimate(
        seeded,
        qualifier="roughly",
        low=3000,
        high=3000,
        measure="killed_or_wounded",
        scope="Kursk region",
        as_of="2025-08",
    )
    spreads = headlines(session=seeded, filters=SEED_WINDOW).estimates
    casualties = [spread for spread in spreads if spread.casualties]
    assert [(spread.low, spread.scope) for spread in casualties] == [(3000, "Kursk region")]
    assert all(spread.low != 3000 for spread in spreads if not spread.casualties)


def test_the_most_recent_spreads_are_listed_and_the_rest_counted(seeded: Session) -> None:
    """People sent and people lost are listed apart, each the most recently estimated first,
    so that neither crowds out the other."""
    for scope, as_of in (("Kursk region", "2025-08"), ("Belgorod region", "2025-06")):
        _add_estimate(
            seeded,
            qualifier="roughly",
            low=500,
            high=500,
            measure="killed",
            scope=scope,
            as_of=as_of,
        )
    every = headlines(session=seeded, filters=SEED_WINDOW, spreads=100)
    first = headlines(session=seeded, filters=SEED_WINDOW, spreads=1)
    for casualties in (False, True):
        listed = [spread for spread in every.estimates if spread.casualties == casualties]
        assert len(listed) > 1
        assert [spread.as_of for spread in listed] == sorted(
            (spread.as_of for spread in listed), reverse=True
        )
        assert [spread for spread in first.estimates if spread.casualties == casualties] == [
            listed[0]
        ]
    assert every.more_spreads == 0
    assert first.more_spreads == len(every.estimates) - 2


def test_headlines_respect_the_filters(seeded: Session) -> None:
    top = headlines(session=seeded, filters=Filters(states=("CHN",), end=date(2025, 8, 15)))
    assert (top.treaties_in_force, top.engagements_last_90_days, top.estimates) == (0, 1, [])


def test_the_record_span_runs_from_the_oldest_to_the_newest_record(seeded: Session) -> None:
    assert record_span(session=seeded) == (date(1922, 1, 1), date(2025, 8, 15))


def test_figures_given_only_as_upper_bounds_make_an_upper_bound(seeded: Session) -> None:
    """ "Under 3,000" and "up to 5,000" are not a range from 3,000 to 5,000."""
    for qualifier, high in (("under", 3000), ("up_to", 5000)):
        _add_estimate(
            seeded,
            qualifier=qualifier,
            high=high,
            measure="personnel_present",
            scope="Kursk region",
            as_of="2025-08",
        )
    [spread] = [
        spread
        for spread in headlines(session=seeded, filters=SEED_WINDOW).estimates
        if (spread.measure, spread.scope) == ("personnel_present", "Kursk region")
    ]
    assert (spread.low, spread.high, spread.figures) == (None, 5000, "up to 5,000")
