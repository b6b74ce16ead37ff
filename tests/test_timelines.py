"""Records over time as the timeline pages show them."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from tracker.citations import CitationCreate, cite
from tracker.filters import Filters
from tracker.kinds.engagements import Engagement
from tracker.kinds.sources import Source
from tracker.timelines import (
    deployments_in_view,
    engagement_timeline,
    estimate_series,
    kept_apart,
    pledge_timeline,
    treaties_per_year,
    treaty_timeline,
)


def test_a_treaty_runs_only_as_far_as_it_is_known_in_force(seeded: Session) -> None:
    frame = treaty_timeline(session=seeded, filters=Filters(), today=date(2026, 1, 1)).set_index(
        "treaty"
    )
    pact = frame.loc["Comprehensive Strategic Partnership Treaty"]
    assert (pact["parties"], pact["members"], pact["signed"]) == (
        "North Korea, Russia",
        2,
        "2024-06",
    )
    assert pact["obligations"] == (
        "defense (not recorded: offense, neutrality, nonaggression, consultation)"
    )
    # Last said to be in force on 12 August 2025: the bar ends there, and after it the
    # status is not recorded.
    assert (pact["start"], pact["end"]) == (date(2024, 6, 1), date(2025, 8, 12))
    assert pact["evidence"] == "in force to its last evidence, then not recorded"
    assert pact["status"] == "in force on 2025-08-12; later status not recorded"
    # Rapallo is the digest's analogy, kept as historical context: not on the timeline.
    assert "Treaty of Rapallo" not in frame.index
    assert frame.index[0] == "Comprehensive Strategic Partnership Treaty"  # newest first


def test_a_treaty_last_known_in_force_before_the_range_is_not_shown(seeded: Session) -> None:
    later = Filters(start=date(2025, 9, 1))
    shown = treaty_timeline(session=seeded, filters=later, today=date(2026, 1, 1))
    assert list(shown["treaty"]) == []


def test_treaties_in_force_each_year_count_each_bar_once_a_year(seeded: Session) -> None:
    frame = treaty_timeline(session=seeded, filters=Filters(), today=date(2026, 1, 1))
    counted = treaties_per_year(frame, "obligation")
    assert [(row.year.year, row.obligation, row.treaties) for row in counted.itertuples()] == [
        (2024, "defense", 1),
        (2025, "defense", 1),
    ]


def test_a_state_filter_counts_a_treaty_in_the_years_the_state_was_a_member(
    nato: Session,
) -> None:
    finland = Filters(states=("FIN",), start=date(2015, 1, 1), end=date(2025, 12, 31))
    frame = treaty_timeline(session=nato, filters=finland, today=date(2026, 1, 1))
    counted = treaties_per_year(frame, "obligation", finland)
    years = sorted(row.year.year for row in counted.itertuples() if row.treaties)
    assert years == [2023, 2024, 2025]  # not from 2015, though the treaty was in force then


def test_engagements_come_one_row_per_participant(seeded: Session) -> None:
    frame = engagement_timeline(session=seeded, filters=Filters(states=("PRK", "RUS")))
    call = frame[frame["engagement"] == "Putin–Kim phone call"]
    assert set(zip(call["person"], call["role"], strict=True)) == {
        ("Vladimir Putin", "initiator"),
        ("Kim Jong Un", "recipient"),
    }
    assert call["when"].iloc[0] == "2025-08-12"
    assert frame["engagement"].nunique() == 3


def test_a_planned_summit_keeps_its_status_and_place(seeded: Session) -> None:
    frame = engagement_timeline(session=seeded, filters=Filters(states=("USA",)))
    assert set(frame["status"]) == {"planned"}
    assert set(frame["place"]) == {"Anchorage, Alaska"}


def test_pledges_come_with_their_words_parties_and_history(seeded: Session) -> None:
    pledges, history = pledge_timeline(session=seeded, filters=Filters(states=("PRK",)))
    kim = pledges.set_index("made").loc["2025-08-12"]
    assert kim["by"] == "Kim Jong Un (North Korea)"
    assert kim["to"] == "Vladimir Putin (Russia)"
    assert kim["treaty"] == "Comprehensive Strategic Partnership Treaty"
    assert kim["status"] == "announced"
    assert "fully support all measures" in kim["quote"]
    assert set(history["pledge"]) == set(pledges["pledge"])


def test_the_most_estimated_deployment_comes_first(seeded: Session) -> None:
    frame = deployments_in_view(session=seeded, filters=Filters())
    assert list(frame["deployment"]) == [
        "North Korean troops in Russia (Kursk)",
        "North Korean military construction and demining workers in Kursk",
    ]
    assert list(frame["estimates"]) == [3, 1]


def test_estimates_carry_their_figure_in_words_and_their_evidence(seeded: Session) -> None:
    troops = int(deployments_in_view(session=seeded, filters=Filters())["id"].iloc[0])
    frame = estimate_series(session=seeded, filters=Filters(), deployment_id=troops).set_index(
        "figure"
    )
    assert list(frame.index) == ["25,000 to 30,000", "roughly 15,000", "over 11,000"]
    assert frame.loc["roughly 15,000", ["measure", "scope"]].tolist() == [
        "cumulative sent",
        "Russia",
    ]
    assert "South Korean intelligence says roughly 15,000" in frame.loc["roughly 15,000", "quotes"]
    assert frame.loc["over 11,000", "perspective"] == "not assessed"
    assert "South Korean intelligence" in frame.loc["25,000 to 30,000", "outlets"]


def test_estimates_follow_the_filters(seeded: Session) -> None:
    troops = int(deployments_in_view(session=seeded, filters=Filters())["id"].iloc[0])
    frame = estimate_series(
        session=seeded, filters=Filters(min_reliability="B"), deployment_id=troops
    )
    assert set(frame["figure"]) == {"25,000 to 30,000", "roughly 15,000"}


def test_analogies_and_retractions_are_shown_apart_and_never_counted(seeded: Session) -> None:
    apart = kept_apart(session=seeded).records
    assert list(apart["record"]) == [
        "Treaty of Rapallo",
        "Mao's support pledge to Stalin",
        "NATO dual-track decision",
    ]
    assert list(apart["date"]) == ["1922", "1950", "1979"]
    # Beside the notation, the first and last day it may fall on: what a download carries.
    assert (apart["first_day"].iloc[0], apart["last_day"].iloc[0]) == (
        date(1922, 1, 1),
        date(1922, 12, 31),
    )
    assert set(apart["why"]) == {"historical context"}
    pledges, _ = pledge_timeline(session=seeded, filters=Filters())
    assert "Mao's support pledge to Stalin" not in set(pledges["pledge"])
    call = seeded.exec(
        select(Engagement).where(Engagement.title == "Lavrov visits North Korea and meets Kim")
    ).one()
    kremlin = seeded.exec(select(Source).where(Source.outlet == "Kremlin")).one()
    # Retracted twice: the first retraction is the one named.
    for stated, quote in (
        ("2025-10", "it never happened"),
        ("2025-09-01", "no such visit took place"),
    ):
        cite(
            session=seeded,
            record=call,
            citations=[
                CitationCreate(source_id=kremlin.id, quote=quote, stance="retracts", stated=stated)
            ],
        )
    apart = kept_apart(session=seeded)
    retracted = apart.records.set_index("record").loc["Lavrov visits North Korea and meets Kim"]
    assert retracted["why"] == "retracted by Kremlin, 2025-09-01: “no such visit took place”"
    assert retracted["words"] == "last July"
    assert apart.total == len(apart.records) == 4


def test_a_page_reads_the_oldest_records_kept_apart_and_how_many_there_are(
    seeded: Session,
) -> None:
    every = kept_apart(session=seeded)
    first = kept_apart(session=seeded, first=2)
    assert first.total == every.total == len(every.records) == 3
    assert first.records.to_dict("records") == every.records.head(2).to_dict("records")
