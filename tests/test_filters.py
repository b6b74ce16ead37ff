"""The shared filters, applied in SQL to every kind of record."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session
from support.plans import plan_of

from tracker.activity import Period, activity_index, headlines
from tracker.filters import Filters
from tracker.kinds import RecordKind, kind_of
from tracker.kinds.estimates import Estimate


def titles(
    session: Session,
    kind: RecordKind,
    filters: Filters,
    *,
    spans: bool = False,
    kept_apart: bool = False,
) -> set[str]:
    conditions = filters.conditions(kind, spans=spans, kept_apart=kept_apart)
    names = kind_of(kind).reader_names().where(*conditions)
    return {name for _, name in session.exec(names)}


def test_no_filter_lets_everything_through(seeded: Session) -> None:
    assert len(titles(seeded, RecordKind.ENGAGEMENT, Filters())) == 8


def test_a_date_range_keeps_what_happened_in_it(seeded: Session) -> None:
    july = Filters(start=date(2025, 7, 1), end=date(2025, 7, 31))
    assert titles(seeded, RecordKind.ENGAGEMENT, july) == {
        "Lavrov visits North Korea and meets Kim"
    }


def test_an_imprecise_date_matches_when_it_may_fall_in_the_range(seeded: Session) -> None:
    # The calls to the BRICS leaders fell some day from 1 to 12 August.
    tenth = Filters(start=date(2025, 8, 10), end=date(2025, 8, 10))
    assert "Putin–Xi phone call" in titles(seeded, RecordKind.ENGAGEMENT, tenth)
    assert "Putin–Kim phone call" not in titles(seeded, RecordKind.ENGAGEMENT, tenth)


def test_treaties_in_force_span_the_range_when_asked(seeded: Session) -> None:
    last_year = Filters(start=date(2025, 1, 1), end=date(2025, 12, 31))
    assert titles(seeded, RecordKind.TREATY, last_year) == set()
    # Rapallo, the digest's analogy, is history: in no view of the present.
    assert titles(seeded, RecordKind.TREATY, last_year, spans=True) == {
        "Comprehensive Strategic Partnership Treaty"
    }


def test_one_state_keeps_the_records_that_involve_it(seeded: Session) -> None:
    china = Filters(states=("CHN",))
    assert titles(seeded, RecordKind.ENGAGEMENT, china) == {"Putin–Xi phone call"}
    assert titles(seeded, RecordKind.PLEDGE, china) == set()  # Mao's pledge is history


def test_history_and_retractions_are_kept_apart_unless_asked_for(seeded: Session) -> None:
    china = Filters(states=("CHN",))
    assert titles(seeded, RecordKind.PLEDGE, china, kept_apart=True) == {
        "Mao's support pledge to Stalin"
    }


@pytest.mark.parametrize("pair", [("PRK", "RUS"), ("RUS", "PRK")])
def test_a_pair_of_states_is_a_dyad_in_both_directions(
    seeded: Session, pair: tuple[str, str]
) -> None:
    dyad = Filters(states=pair)
    assert titles(seeded, RecordKind.ENGAGEMENT, dyad) == {
        "Putin–Kim phone call",
        "Lavrov visits North Korea and meets Kim",
        "Shoigu visits North Korea and meets Kim",
    }
    assert titles(seeded, RecordKind.TREATY, dyad) == {"Comprehensive Strategic Partnership Treaty"}
    assert len(titles(seeded, RecordKind.PLEDGE, dyad)) == 3  # Mao's is history
    assert (
        len(seeded.exec(sa.select(Estimate.id).where(*dyad.conditions(RecordKind.ESTIMATE))).all())
        == 4
    )


def test_kinds_left_out_match_nothing(seeded: Session) -> None:
    assert titles(seeded, RecordKind.TREATY, Filters(kinds=(RecordKind.ENGAGEMENT,))) == set()


def test_a_perspective_keeps_records_resting_on_such_a_source(seeded: Session) -> None:
    north_korean_state = Filters(perspectives=("North Korean state",))
    assert titles(seeded, RecordKind.ENGAGEMENT, north_korean_state) == {"Putin–Kim phone call"}


def test_minimum_reliability_keeps_records_with_a_source_that_reliable(seeded: Session) -> None:
    usually_reliable = Filters(min_reliability="B")
    assert usually_reliable.grades == ("A", "B")
    estimates = seeded.exec(
        sa.select(Estimate.low).where(*usually_reliable.conditions(RecordKind.ESTIMATE))
    ).scalars()
    assert sorted(estimates) == [15000, 25000]
    assert Filters().grades == ("A", "B", "C", "D", "E", "F")


@pytest.mark.parametrize(
    ("kind", "by_date"),
    [
        (RecordKind.ENGAGEMENT, "ix_engagement_occurred_latest"),
        (RecordKind.PLEDGE, "ix_pledge_made_latest"),
        (RecordKind.ESTIMATE, "ix_estimate_as_of_latest"),
    ],
)
def test_the_records_in_a_range_are_found_by_their_latest_day(
    seeded_engine: Engine, backend: str, kind: RecordKind, by_date: str
) -> None:
    # SQLite plans without statistics: it would read every record through the index on
    # retired_at (empty on nearly all of them), and every citation through the one on stance.
    if backend != "sqlite":
        pytest.skip("PostgreSQL plans from its statistics")
    recent = Filters(start=date(2025, 7, 1), end=date(2025, 12, 31))
    table = kind_of(kind).table
    in_view = sa.select(table.id).where(*recent.conditions(kind))
    plan = " | ".join(plan_of(seeded_engine, in_view))
    assert re.search(f"SEARCH {table.__tablename__} USING (COVERING )?INDEX {by_date} ", plan)
    assert "retired_at" not in plan


def test_a_range_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValidationError, match="ends"):
        Filters(start=date(2025, 8, 1), end=date(2025, 7, 1))


def test_a_member_is_in_a_treaty_only_while_it_is_a_member(nato: Session) -> None:
    def finland(start: date | None, end: date | None) -> set[str]:
        filters = Filters(states=("FIN",), start=start, end=end)
        return titles(nato, RecordKind.TREATY, filters, spans=True)

    assert "North Atlantic Treaty" not in finland(None, date(1999, 12, 31))
    assert "North Atlantic Treaty" in finland(date(2024, 1, 1), None)
    france_out = Filters(states=("FRA",), start=date(1970, 1, 1), end=date(2000, 12, 31))
    assert "North Atlantic Treaty" not in titles(nato, RecordKind.TREATY, france_out, spans=True)


def test_a_pair_of_members_is_allied_from_the_later_of_their_joins(nato: Session) -> None:
    index = activity_index(
        session=nato, filters=Filters(kinds=(RecordKind.TREATY,)), period=Period.YEAR, top=20
    )
    began = index[index["records"] > 0].groupby("dyad")["period"].min().dt.year.to_dict()
    assert began["GBR–USA"] == 1949
    assert began["FIN–USA"] == 2023  # not 1949, when the treaty came into force
    assert began["FIN–FRA"] == 2023
    # France's two spells: allied with the United States from 1949, and again from 2009.
    years = index[(index["dyad"] == "FRA–USA") & (index["records"] > 0)]["period"].dt.year
    assert sorted(years) == [1949, 2009]


def test_a_pair_of_states_is_a_dyad_only_while_both_are_members(nato: Session) -> None:
    """Finland joined in 2023 and France left in 1966: in the 1970s they were never in the
    treaty together, though each was a member at some time."""
    apart = Filters(states=("FIN", "FRA"), start=date(1960, 1, 1), end=date(2024, 12, 31))
    assert "North Atlantic Treaty" in titles(nato, RecordKind.TREATY, apart, spans=True)
    seventies = Filters(states=("FIN", "USA"), start=date(1970, 1, 1), end=date(1979, 12, 31))
    assert "North Atlantic Treaty" not in titles(nato, RecordKind.TREATY, seventies, spans=True)


def test_treaties_in_force_for_a_state_count_only_while_it_is_a_member(nato: Session) -> None:
    finland = Filters(states=("FIN",), end=date(2020, 1, 1))
    assert headlines(session=nato, filters=finland).treaties_in_force == 0
    assert (
        headlines(
            session=nato, filters=finland.model_copy(update={"end": date(2024, 1, 1)})
        ).treaties_in_force
        == 1
    )
