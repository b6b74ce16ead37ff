"""The rollups (tracker.rollups) hold, after every write, what counting every month afresh
gives, and the views that read them answer exactly as they do reading every record."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from support.plans import plan_of, plans_of

import tracker.activity
import tracker.provenance
from tracker.activity import Period, activity_by_period, activity_index
from tracker.citations import Citation, CitationRelay, Stance
from tracker.exchange.exports import export
from tracker.exchange.imports import import_data
from tracker.filters import Filters
from tracker.kinds import DATED
from tracker.kinds.deployments import Deployment
from tracker.kinds.engagements import Engagement, EngagementParticipant
from tracker.kinds.estimates import Estimate
from tracker.kinds.pledges import Pledge
from tracker.kinds.sources import Source
from tracker.kinds.treaties import Treaty, TreatyParty
from tracker.provenance import (
    SourceUsage,
    ThinlySourced,
    source_usage,
    sources_behind,
    thinly_sourced,
)
from tracker.recount import refresh
from tracker.rollups import (
    Rollup,
    RollupMark,
    ThinRecord,
    latest_day,
    month_start,
    whole_months,
)


def stored(engine: Engine) -> list[tuple[Any, ...]]:
    """The counts as the writes left them."""
    with Session(engine) as session:
        return _counts(session.connection())


def recounted(engine: Engine) -> list[tuple[Any, ...]]:
    """The counts of every month counted afresh (in a transaction then rolled back)."""
    with engine.connect() as connection, connection.begin() as transaction:
        connection.execute(sa.delete(Rollup))
        connection.execute(sa.delete(ThinRecord))
        for kind in DATED:
            latest = latest_day(kind)
            connection.execute(
                sa.insert(RollupMark).from_select(
                    ["kind", "month"],
                    sa.select(sa.literal(kind.name), month_start(latest))
                    .where(latest.is_not(None))
                    .distinct(),
                )
            )
        refresh(connection)
        counts = _counts(connection)
        transaction.rollback()
    return counts


def _counts(connection: sa.Connection) -> list[tuple[Any, ...]]:
    """Every row of the rollups, counts and thinly sourced records, each with its table's
    name first."""
    rows = []
    for rollup in (Rollup, ThinRecord):
        table = rollup.__table__
        columns = [column for column in table.c if column.name != "id"]
        rows += [(table.name, *row) for row in connection.execute(sa.select(*columns))]
    return sorted(rows, key=lambda row: tuple(str(value) for value in row))


def marks(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(sa.select(sa.func.count()).select_from(RollupMark))


def test_the_seeds_are_counted(seeded_engine: Engine) -> None:
    counts = stored(seeded_engine)
    # The thinly sourced deployment is undated: read directly, never kept by month.
    assert {row[1] for row in counts if row[0] == "rollup_thin"} == {
        "engagement",
        "estimate",
        "pledge",
    }
    assert {row[1] for row in counts} == {
        "engagement",
        "estimate",
        "pledge",
        "deployment",
        "treaty",
    }
    assert counts == recounted(seeded_engine)
    assert marks(seeded_engine) == 0


def _record(session: Session, model: type, **where: Any) -> Any:
    return session.exec(select(model).where(*(getattr(model, k) == v for k, v in where.items())))


def move_an_engagement_to_another_month(session: Session) -> None:
    call = _record(session, Engagement, title="Putin–Kim phone call").one()
    call.occurred = call.occurred_latest = date(2024, 3, 5)


def retire_a_pledge(session: Session) -> None:
    pledge = session.exec(
        select(Pledge).where(sa.not_(Pledge.historical_context)).order_by(Pledge.id)
    ).first()
    pledge.retired_at = datetime.now(UTC)


def retract_an_estimate(session: Session) -> None:
    estimate = session.exec(select(Estimate).order_by(Estimate.id)).first()
    source = session.exec(select(Source).order_by(Source.id)).first()
    session.add(
        Citation(
            source_id=source.id,
            estimate_id=estimate.id,
            quote="The figure was withdrawn.",
            stance=Stance.RETRACTS,
            stated=date(2025, 9, 1),
            stated_precision="day",
            stated_latest=date(2025, 9, 1),
        )
    )


def cite_an_engagement_through_a_relay(session: Session) -> None:
    call = _record(session, Engagement, title="Putin–Kim phone call").one()
    wire = Source(outlet="A wire service", title="Report", type="news_report")
    session.add(wire)
    session.flush()
    citation = Citation(source_id=wire.id, engagement_id=call.id, quote="They spoke.")
    session.add(citation)
    session.flush()
    session.add(CitationRelay(citation_id=citation.id, source_id=wire.id, position=1))


def delete_a_citation(session: Session) -> None:
    call = _record(session, Engagement, title="Putin–Kim phone call").one()
    citations = _record(session, Citation, engagement_id=call.id).all()
    session.delete(citations[-1])


def rename_an_outlet(session: Session) -> None:
    source = _record(session, Source, outlet="KCNA (Korean Central News Agency)").one()
    source.outlet = "KCNA"


def add_a_participant(session: Session) -> None:
    call = _record(session, Engagement, title="Putin–Kim phone call").one()
    session.add(EngagementParticipant(engagement_id=call.id, state_code="CHN", role="guest"))


def make_an_outlet_a_states_voice(session: Session) -> None:
    """The engagements resting on it alone now rest only on a voice of a state they involve."""
    _record(session, Source, outlet="Unnamed news outlet").one().state_code = "RUS"


def send_a_deployment_elsewhere(session: Session) -> None:
    """South Korea's intelligence, whose estimates of it were independent, now speaks for a
    state it involves."""
    deployment = session.exec(select(Deployment).order_by(Deployment.id)).first()
    deployment.receiving_state_code = "KOR"


def make_a_treatys_sources_speak_for_a_new_member(session: Session) -> None:
    """The treaty rests on two outlets of a state it did not involve, and then does."""
    treaty = _record(session, Treaty, name="Comprehensive Strategic Partnership Treaty").one()
    for citation in _record(session, Citation, treaty_id=treaty.id):
        session.get(Source, citation.source_id).state_code = "KOR"
    session.commit()
    session.add(TreatyParty(treaty_id=treaty.id, state_code="KOR"))


@pytest.mark.parametrize(
    "write",
    [
        move_an_engagement_to_another_month,
        retire_a_pledge,
        retract_an_estimate,
        cite_an_engagement_through_a_relay,
        delete_a_citation,
        rename_an_outlet,
        add_a_participant,
        make_an_outlet_a_states_voice,
        send_a_deployment_elsewhere,
        make_a_treatys_sources_speak_for_a_new_member,
    ],
)
def test_every_write_leaves_the_counts_current(
    seeded_engine: Engine, write: Callable[[Session], None]
) -> None:
    before = stored(seeded_engine)
    with Session(seeded_engine) as session:
        write(session)
        session.commit()
    assert stored(seeded_engine) != before  # each write changes what is counted
    assert stored(seeded_engine) == recounted(seeded_engine)
    assert marks(seeded_engine) == 0


def test_a_write_that_fails_leaves_the_counts_as_they_were(seeded_engine: Engine) -> None:
    before = stored(seeded_engine)
    with Session(seeded_engine) as session:
        move_an_engagement_to_another_month(session)
        session.flush()
        session.rollback()
    assert stored(seeded_engine) == before
    assert marks(seeded_engine) == 0


def test_an_import_leaves_the_counts_current(
    seeded_engine: Engine, engine: Engine, tmp_path: Path
) -> None:
    export(seeded_engine, tmp_path / "out")
    report = import_data(engine, tmp_path / "out")
    assert report.problems == [] and report.written
    assert stored(engine) == recounted(engine) == stored(seeded_engine)
    assert marks(engine) == 0


def _usage(usage: SourceUsage) -> tuple[list[dict[str, Any]], tuple[int, int, int]]:
    return usage.sources.to_dict("records"), (usage.in_all, usage.used, usage.outlets_used)


def _thin(thin: ThinlySourced) -> tuple[list[dict[str, Any]], tuple[int, int]]:
    return thin.records.to_dict("records"), (thin.single_source, thin.state_sources_only)


VIEWS = {
    "activity by month": lambda session, filters: activity_by_period(
        session=session, filters=filters, period=Period.MONTH
    ).to_dict("records"),
    "activity by year": lambda session, filters: activity_by_period(
        session=session, filters=filters, period=Period.YEAR
    ).to_dict("records"),
    "activity index": lambda session, filters: activity_index(
        session=session, filters=filters, period=Period.MONTH, top=100
    ).to_dict("records"),
    "sources under a chart": lambda session, filters: sources_behind(
        session=session, filters=filters, kinds=filters.kinds, dated=True, most=100
    ),
    "records on each source": lambda session, filters: _usage(
        source_usage(session=session, filters=filters)
    ),
    "thinly sourced records": lambda session, filters: _thin(
        thinly_sourced(session=session, filters=filters)
    ),
}
RANGES = {
    "every date": Filters(),
    "whole months": Filters(start=date(2024, 1, 1), end=date(2025, 7, 31)),
    "part months at both ends": Filters(start=date(2024, 6, 15), end=date(2025, 8, 12)),
    "within one month": Filters(start=date(2025, 8, 2), end=date(2025, 8, 20)),
    "engagements and pledges": Filters(
        start=date(2024, 6, 15), end=date(2025, 8, 31), kinds=("engagement", "pledge")
    ),
}


@pytest.mark.parametrize("view", VIEWS)
def test_views_read_from_the_counts_answer_as_reading_every_record(
    seeded_engine: Engine, view: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A retraction after the ranges end: the record is in view in them, though never counted.
    with Session(seeded_engine) as session:
        retract_an_estimate(session)
        move_an_engagement_to_another_month(session)
        session.commit()
    with Session(seeded_engine) as session:
        # As the dashboard opens: up to the latest day a record may date from, mid-month.
        ranges = RANGES | {
            "to the latest record": Filters(start=date(2024, 6, 15), end=latest(session))
        }
        read = {name: VIEWS[view](session, filters) for name, filters in ranges.items()}
    for module in (tracker.activity, tracker.provenance):
        monkeypatch.setattr(module, "whole_months", lambda _session, _filters: None)
    with Session(seeded_engine) as session:
        every_record = {name: VIEWS[view](session, filters) for name, filters in ranges.items()}
    assert read == every_record
    assert any(read.values())


@pytest.mark.parametrize(
    ("view", "way"),
    [
        ("activity by month", "period"),
        ("activity index", "state_a"),
        ("sources under a chart", "outlet"),
        ("records on each source", "source_id"),
    ],
)
def test_a_view_reads_only_its_own_way_of_counting_by_its_index(
    seeded_engine: Engine, backend: str, view: str, way: str
) -> None:
    """Of a month's counts, most are by source: a chart over time reads none of them."""
    if backend != "sqlite":
        pytest.skip("PostgreSQL plans from its statistics")

    def read() -> None:
        with Session(seeded_engine) as session:
            VIEWS[view](session, RANGES["whole months"])

    plans = [
        line
        for plan in plans_of(seeded_engine, read, mentioning=" rollup")
        for line in plan
        if " rollup " in f"{line} "
    ]
    assert plans
    assert all(f"USING INDEX ix_rollup_{way} " in plan for plan in plans), plans


@pytest.mark.parametrize("kind", DATED, ids=lambda kind: kind.name)
def test_the_records_the_counts_do_not_hold_are_found_by_id(
    seeded_engine: Engine, backend: str, kind: Any
) -> None:
    """The part-months at either end of a range are a few records among many: found from the
    ids the date index gives, never by reading the range's records."""
    if backend != "sqlite":
        pytest.skip("PostgreSQL plans from its statistics")
    months = whole_months_of(seeded_engine, RANGES["part months at both ends"])
    table = kind.table
    plan = plan_of(seeded_engine, sa.select(table.id).where(*months.rest(kind)))
    assert f"SEARCH {table.__tablename__} USING INTEGER PRIMARY KEY (rowid=?)" in plan, plan


def whole_months_of(engine: Engine, filters: Filters) -> Any:
    with Session(engine) as session:
        months = whole_months(session, filters)
    assert months is not None
    return months


def latest(session: Session) -> date:
    return max(
        day for kind in DATED if (day := session.exec(select(sa.func.max(latest_day(kind)))).one())
    )


def test_a_range_reaching_the_latest_record_counts_its_last_month_whole(
    seeded_engine: Engine,
) -> None:
    """No record dates from after the range, so the month it ends in is read from the counts,
    though the range ends before that month does."""
    with Session(seeded_engine) as session:
        last = latest(session)
        assert last.day > 1 and last.month == (last + timedelta(days=1)).month  # mid-month
        to_the_latest = whole_months(session, Filters(start=date(2024, 6, 15), end=last))
        short_of_it = whole_months(
            session, Filters(start=date(2024, 6, 15), end=last - timedelta(days=1))
        )
    assert to_the_latest is not None and to_the_latest.after is None
    assert short_of_it is not None and short_of_it.after == last.replace(day=1)
