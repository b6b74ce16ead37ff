"""Counting again the months of the rollups (tracker.rollups) that writes marked stale, with the
queries the views run, in the writing transaction: `tracker.versions.bump` calls `refresh` at
the end of every write."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa

from tracker.activity import Period, dyad_query, paired_by_own_date
from tracker.evidence import evidence_rows
from tracker.filters import Filters
from tracker.kinds import kind_of
from tracker.kinds.kind import Kind
from tracker.kinds.sources import Source
from tracker.provenance import thin_records
from tracker.rollups import (
    BY_OUTLET,
    BY_SOURCE,
    GROUPINGS,
    Rollup,
    RollupMark,
    ThinRecord,
    latest_day,
    month_start,
    next_month,
)


def _runs(months: Iterable[date]) -> list[tuple[date, date]]:
    """MONTHS as runs of consecutive months: each run's first day and the day after it."""
    runs: list[tuple[date, date]] = []
    for month in sorted(months):
        if runs and runs[-1][1] == month:
            runs[-1] = (runs[-1][0], next_month(month))
        else:
            runs.append((month, next_month(month)))
    return runs


def refresh(connection: sa.Connection) -> bool:
    """Count again every month marked stale, in the transaction of CONNECTION, and clear the
    marks. Whether there were any."""
    marked = connection.execute(sa.select(RollupMark.kind, RollupMark.month).distinct()).all()
    if not marked:
        return False
    months: dict[str, set[date]] = {}
    for name, month in marked:
        if month is not None:  # an undated record is always read directly
            months.setdefault(name, set()).add(month)
    for name, chosen in months.items():
        stale = sorted(chosen)
        # A way of counting at a time: each way's rows are indexed apart.
        for rows in GROUPINGS.values():
            connection.execute(
                sa.delete(Rollup).where(rows, Rollup.kind == name, Rollup.month.in_(stale))
            )
        connection.execute(
            sa.delete(ThinRecord).where(ThinRecord.kind == name, ThinRecord.month.in_(stale))
        )
        kind = kind_of(name)
        for columns, counted in _counts(kind, chosen):
            connection.execute(sa.insert(Rollup).from_select(columns, counted))
        connection.execute(
            sa.insert(ThinRecord).from_select(
                ["kind", "month", "record_id", "sources", "origins", "other_sources"],
                _thin(kind, chosen),
            )
        )
    connection.execute(sa.delete(RollupMark))
    return True


def _in_months(kind: Kind, months: set[date]) -> sa.ColumnElement[bool]:
    """Whether a record of KIND dates from MONTHS: read by the index on the latest day, a run
    of months at a time."""
    latest = latest_day(kind)
    return sa.or_(*(sa.and_(latest >= first, latest < after) for first, after in _runs(months)))


def _thin(kind: Kind, months: set[date]) -> sa.Select:
    """The rows of ThinRecord for KIND in MONTHS: the thinly sourced records every view shows
    whatever its dates, each with the month it is counted in."""
    thin = thin_records(kind, Filters(), within=lambda _kind: [_in_months(kind, months)]).subquery()
    return sa.select(
        sa.literal(kind.name),
        month_start(latest_day(kind)),
        thin.c.record_id,
        thin.c.sources,
        thin.c.origins,
        thin.c.other_sources,
    ).join(kind.table, kind.table.id == thin.c.record_id)


def _counts(kind: Kind, months: set[date]) -> list[tuple[list[str], sa.Select]]:
    """The rows of the rollup for KIND in MONTHS: the columns each query fills, and the query.
    What is counted is what every view shows whatever its dates (`Filters()`)."""
    everything = Filters()
    table, latest = kind.table, latest_day(kind)
    in_months = _in_months(kind, months)
    month, began = month_start(latest), month_start(getattr(table, kind.starts))
    counts = [
        (
            ["kind", "month", "period", "records"],
            sa.select(sa.literal(kind.name), month, began, sa.func.count())
            .where(*everything.conditions(kind), in_months)
            .group_by(month, began),
        )
    ]
    rows = evidence_rows([kind], everything, within=lambda _kind: [in_months])
    for key, counted in (BY_OUTLET, BY_SOURCE):
        used = (
            sa.select(rows.c.record_id, key.label("key"))
            .join(Source, Source.id == rows.c.source_id)
            .distinct()
            .subquery()
        )
        counts.append(
            (
                ["kind", "month", counted.key, "records"],
                sa.select(sa.literal(kind.name), month, used.c.key, sa.func.count())
                .join(table, table.id == used.c.record_id)
                .group_by(month, used.c.key),
            )
        )
    if kind.activity is not None and paired_by_own_date(kind):
        pairs = dyad_query(
            kind,
            everything,
            Period.MONTH,
            within=lambda _kind: [in_months],
            by=(month.label("month"),),
        ).subquery()
        counts.append(
            (
                ["kind", "month", "period", "state_a", "state_b", "records", "weight"],
                sa.select(
                    sa.literal(kind.name),
                    pairs.c.month,
                    pairs.c.period,
                    pairs.c.state_a,
                    pairs.c.state_b,
                    pairs.c.records,
                    pairs.c["index"],
                ),
            )
        )
    return counts
