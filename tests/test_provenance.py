"""Where the records in view come from, and which rest on too little."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from support.plans import statements_of

from tracker.citations import CitationCreate, cite
from tracker.filters import Filters
from tracker.kinds import RecordKind
from tracker.kinds.estimates import Estimate
from tracker.kinds.sources import Source
from tracker.provenance import (
    source_usage,
    sources_behind,
    sources_behind_each,
    thinly_sourced,
)


def test_the_sources_behind_a_view_are_named_most_used_first(seeded: Session) -> None:
    names, more = sources_behind(
        session=seeded, filters=Filters(states=("PRK", "RUS")), kinds=[RecordKind.ENGAGEMENT]
    )
    assert names[0] == "Unnamed news outlet"
    assert {"Kremlin", "KCNA (Korean Central News Agency)"} <= set(names)
    assert more == 0


def test_only_the_kinds_in_view_have_sources(seeded: Session) -> None:
    assert sources_behind(
        session=seeded, filters=Filters(kinds=(RecordKind.TREATY,)), kinds=[RecordKind.PLEDGE]
    ) == ([], 0)


def test_the_sources_behind_each_chart_of_a_page_are_counted_in_one_read(
    seeded_engine: Engine,
) -> None:
    """The Overview names the sources under two charts, of overlapping kinds: one read counts
    the records by outlet and kind, and each chart's line is what it would be alone."""
    everything = (RecordKind.ENGAGEMENT, RecordKind.PLEDGE, RecordKind.DEPLOYMENT)
    groups = (everything, (RecordKind.PLEDGE,), (RecordKind.TREATY,))
    in_view = Filters(kinds=everything)
    answers: list[tuple[list[str], int]] = []

    def read() -> None:
        with Session(seeded_engine) as session:
            answers.extend(
                sources_behind_each(session=session, filters=in_view, groups=groups, most=3)
            )

    assert len(statements_of(seeded_engine, read, mentioning="citation")) == 1
    with Session(seeded_engine) as session:
        alone = [
            sources_behind(session=session, filters=in_view, kinds=group, most=3)
            for group in groups
        ]
    assert answers == alone
    assert answers[0][1] > 0  # more sources than the three named
    assert answers[2] == ([], 0)  # treaties are not in view


def test_a_chart_over_time_names_only_the_sources_of_dated_records(seeded: Session) -> None:
    """The workers' deployment has no start date: in view whatever the dates (its day may fall
    in any range), but a chart over 1990–2012 does not draw it, nor should its line name
    Shoigu or the news outlet behind it."""
    before = Filters(start=date(1990, 1, 1), end=date(2012, 12, 31))
    kinds = [RecordKind.DEPLOYMENT]
    names, _ = sources_behind(session=seeded, filters=before, kinds=kinds)
    assert "Sergei Shoigu" in names  # the undated deployment is in view
    assert sources_behind(session=seeded, filters=before, kinds=kinds, dated=True) == ([], 0)
    # The troops' deployment, dated September 2024, keeps its sources; Shoigu is behind only
    # the workers.
    names, _ = sources_behind(session=seeded, filters=Filters(), kinds=kinds, dated=True)
    assert set(names) == {
        "South Korean intelligence",
        "Unnamed multi-perspective news digest",
        "Unnamed news outlet",
    }


def test_each_source_counts_the_records_resting_on_it(seeded: Session) -> None:
    usage = source_usage(session=seeded, filters=Filters()).sources.set_index("outlet")
    assert usage.loc["Kremlin", "records"] == 1
    assert (
        usage.loc["KCNA (Korean Central News Agency)", "records"] == 2
    )  # the call and Kim's pledge
    # The digest relays what Kyiv Post made of the call, and classifies it as Ukrainian-aligned.
    assert usage.loc["Kyiv Post", "records"] == 1
    assert usage.loc["Kyiv Post", "perspective"] == "Ukrainian-aligned"


@pytest.mark.parametrize(
    "filters", [Filters(), Filters(kinds=(RecordKind.ENGAGEMENT,))], ids=["all", "engagements"]
)
def test_a_page_reads_only_the_most_used_sources_and_how_many_there_are(
    seeded: Session, filters: Filters
) -> None:
    every = source_usage(session=seeded, filters=filters)
    first = source_usage(session=seeded, filters=filters, first=3)
    assert first.sources.to_dict("records") == every.sources.head(3).to_dict("records")
    used = every.sources[every.sources["records"] > 0]
    counts = (len(every.sources), len(used), used["outlet"].nunique())
    assert (first.in_all, first.used, first.outlets_used) == counts
    assert (every.in_all, every.used, every.outlets_used) == counts


def test_sources_are_counted_once_an_outlet_and_unused_ones_apart(seeded: Session) -> None:
    # One outlet has several documents in the seeds, each of them used.
    usage = source_usage(session=seeded, filters=Filters())
    assert 0 < usage.outlets_used < usage.used == usage.in_all
    # Some sources are behind no engagement.
    usage = source_usage(session=seeded, filters=Filters(kinds=(RecordKind.ENGAGEMENT,)))
    assert 0 < usage.used < usage.in_all


def test_records_resting_on_one_source_are_listed(seeded: Session) -> None:
    weak = thinly_sourced(session=seeded, filters=Filters()).records
    single = set(weak[weak["single_source"]]["record"])
    assert "Lavrov visits North Korea and meets Kim" in single
    assert "Putin–Kim phone call" not in single  # Kremlin, KCNA and the digest


def test_records_resting_only_on_the_involved_states_voices_are_listed(seeded: Session) -> None:
    weak = thinly_sourced(session=seeded, filters=Filters()).records
    # Shoigu's announcement is Russia's own voice, and the workers go from North Korea to Russia.
    own_voices = weak[weak["state_sources_only"]]
    assert list(own_voices["kind"]) == ["deployment", "estimate", "pledge"]
    assert own_voices["record"].str.contains("demining workers").all()
    assert set(own_voices["origins"]) == {"Sergei Shoigu"}
    kcna_only = thinly_sourced(
        session=seeded,
        filters=Filters(perspectives=("North Korean state",), kinds=(RecordKind.ENGAGEMENT,)),
    )
    # The call rests on the Kremlin and the digest as well.
    assert kcna_only.records.empty and kcna_only.single_source == 0


def test_a_page_reads_the_first_of_each_list_and_how_long_each_is(seeded: Session) -> None:
    every = thinly_sourced(session=seeded, filters=Filters())
    first = thinly_sourced(session=seeded, filters=Filters(), first=1)
    for on_list, total in (
        ("single_source", first.single_source),
        ("state_sources_only", first.state_sources_only),
    ):
        records = every.records[every.records[on_list]]
        assert total == len(records) > 1
        # The first of each kind on the list, by name.
        assert first.records[first.records[on_list]].groupby("kind").head(1).to_dict(
            "records"
        ) == records.groupby("kind").head(1).to_dict("records")
    assert (every.single_source, every.state_sources_only) == (
        first.single_source,
        first.state_sources_only,
    )
    assert len(first.records) < len(every.records)


def test_a_correction_is_no_second_source(seeded: Session) -> None:
    """A later source that corrects a figure does not confirm it."""
    eleven = seeded.exec(select(Estimate).where(Estimate.low == 11000)).one()
    guardian = seeded.exec(select(Source).where(Source.outlet == "The Guardian")).one()
    cite(
        session=seeded,
        record=eleven,
        citations=[
            CitationCreate(
                source_id=guardian.id,
                quote="the figure was revised",
                stance="corrects",
                stated="2025-09",
            )
        ],
    )
    weak = thinly_sourced(session=seeded, filters=Filters(kinds=(RecordKind.ESTIMATE,))).records
    [row] = weak[weak["record_id"] == eleven.id].to_dict("records")
    assert (row["sources"], row["origins"]) == (1, "Unnamed news outlet")
    western = Filters(perspectives=("Mainstream Western",), kinds=(RecordKind.ESTIMATE,))
    assert eleven.id not in set(
        thinly_sourced(session=seeded, filters=western).records["record_id"]
    )
