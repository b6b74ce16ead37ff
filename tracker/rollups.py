"""Counts of the records in view kept ahead, by kind and month, so that a chart over years reads
a few thousand counted rows rather than every record and citation in the range.

What is counted: the records of each dated kind that every view shows whatever its dates (not
retired, never retracted, not kept as historical context: the conditions of `Filters()`),
grouped by the month their latest possible day falls in (`month`), and within it

- by the month they began (`period`): what the charts of activity over time draw;
- by each outlet they rest on (`outlet`): the sources named under every chart;
- by each source they rest on (`source_id`): what the Sources page counts;

and, apart (`ThinRecord`), each record resting on a single originating outlet or only on the
voices of the states it involves: the Sources page's lists of thinly sourced records, which no
count answers.

Kept current in the transaction of every write: triggers (migration 0011) mark, in
`rollup_dirty`, the months of the records each written row bears on (a record's own row, before
and after; its citations; their relays; every month an outlet counts in, when a source's outlet
changes), and `refresh`, which `tracker.versions.bump` runs at the end of each write, counts the
marked months again, with the queries the views run, and clears the marks.

Read by the views whose filters are dates and kinds only (states, perspectives and reliability
leave the records to be read directly): the counts answer for the whole months inside the date
range, and for the month it ends in when no record may date from after its end (as in the
opening view, which ends on the latest record); the rest is read directly, as before: the
part-months at either end, records retracted after some day (in view in a range that ends
before it), undated records, and any month still marked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlmodel import Field, Session, SQLModel

from tracker.filters import Filters, retracted_ids
from tracker.kinds import DATED
from tracker.kinds.kind import Kind
from tracker.kinds.sources import Reliability, Source


class Rollup(SQLModel, table=True):
    """How many records of KIND, whose latest possible day falls in MONTH, began in PERIOD (a
    month), rest on OUTLET, or rest on the source SOURCE_ID: one of the three. With PERIOD, a
    row may count only the records between the states STATE_A and STATE_B (in code order), with
    their summed activity WEIGHT."""

    __tablename__ = "rollup"
    __table_args__ = (
        sa.CheckConstraint(
            "CASE WHEN period IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN outlet IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN source_id IS NULL THEN 0 ELSE 1 END = 1",
            name="one_grouping",
        ),
        sa.CheckConstraint(
            "(state_a IS NULL) = (state_b IS NULL) AND (state_a IS NULL) = (weight IS NULL)"
            " AND (state_a IS NULL OR period IS NOT NULL)",
            name="pair_by_period",
        ),
        sa.CheckConstraint("records > 0", name="records_counted"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16, description="the kind of record counted")
    month: date = Field(description="the first day of the month of their latest possible day")
    period: date | None = Field(default=None, description="the first day of the month they began")
    outlet: str | None = Field(default=None, max_length=200, description="an outlet they rest on")
    source_id: int | None = Field(default=None, description="a source they rest on")
    state_a: str | None = Field(default=None, max_length=8, description="the first of a pair")
    state_b: str | None = Field(default=None, max_length=8, description="the second of a pair")
    records: int = Field(description="how many records")
    weight: float | None = Field(default=None, description="their summed Goldstein scores")


# The rows of each way the rollup counts (a row counts one way, by the checks above), by the
# column it is named after. Each way has its own index by kind and month, so that a view reads
# only its own way's rows of the months in range: most of a month's rows count by source.
GROUPINGS: dict[str, sa.ColumnElement[bool]] = {
    "period": sa.and_(Rollup.period.is_not(None), Rollup.state_a.is_(None)),
    "state_a": Rollup.state_a.is_not(None),  # by period, between a pair of states
    "outlet": Rollup.outlet.is_not(None),
    "source_id": Rollup.source_id.is_not(None),
}
for _name, _rows in GROUPINGS.items():
    sa.Index(
        f"ix_rollup_{_name}",
        Rollup.__table__.c.kind,
        Rollup.__table__.c.month,
        sqlite_where=_rows,
        postgresql_where=_rows,
    )

# What the counts by source are kept by: a column of Source, and the Rollup column counting by
# it. An outlet (its several documents are one voice), and each source.
BY_OUTLET = (Source.outlet, Rollup.outlet)
BY_SOURCE = (Source.id, Rollup.source_id)


class ThinRecord(SQLModel, table=True):
    """A record of KIND, whose latest possible day falls in MONTH, that rests on a single
    originating outlet, or only on the voices of the states it involves
    (`tracker.provenance.thinly_sourced`): how many originating outlets (SOURCES), which
    (ORIGINS, joined by "; ") and how many of them speak for no state it involves
    (OTHER_SOURCES)."""

    __tablename__ = "rollup_thin"
    __table_args__ = (sa.Index("ix_rollup_thin_kind_month", "kind", "month"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16, description="the kind of record")
    month: date = Field(description="the first day of the month of its latest possible day")
    record_id: int = Field(description="the record")
    sources: int = Field(description="how many outlets originate what it says")
    origins: str = Field(description='those outlets, joined by "; "')
    other_sources: int = Field(description="how many of them speak for no state it involves")


class RollupMark(SQLModel, table=True):
    """A month of a kind whose counts a write has made stale, until `refresh` counts it again."""

    __tablename__ = "rollup_dirty"
    __table_args__ = (sa.UniqueConstraint("kind", "month"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    month: date | None = Field(default=None, description="None for an undated record")


class _FoundFirst(sa.sql.expression.ColumnElement[bool]):
    """Whether COLUMN is among the values SUBQUERY selects, those found first: PostgreSQL
    otherwise reads every record of the range to match them against the few the subquery
    finds."""

    type = sa.Boolean()
    inherit_cache = True
    # A condition in itself: SQLite is not to be given "... = 1", which keeps it off the index.
    _is_implicitly_boolean = True

    def __init__(self, column: Any, subquery: Any) -> None:
        self.column, self.subquery = column, subquery

    _traverse_internals: ClassVar = [
        ("column", sa.sql.visitors.InternalTraversal.dp_clauseelement),
        ("subquery", sa.sql.visitors.InternalTraversal.dp_clauseelement),
    ]


@compiles(_FoundFirst, "postgresql")
def _postgresql_found_first(element: _FoundFirst, compiler: Any, **kw: Any) -> str:
    column, subquery = (compiler.process(part, **kw) for part in (element.column, element.subquery))
    return f"{column} = ANY(ARRAY{subquery})"


@compiles(_FoundFirst)
def _found_first(element: _FoundFirst, compiler: Any, **kw: Any) -> str:
    column, subquery = (compiler.process(part, **kw) for part in (element.column, element.subquery))
    return f"{column} IN {subquery}"


class _MonthStart(sa.sql.expression.FunctionElement):
    type = sa.Date()
    inherit_cache = True
    name = "month_start"


class _YearStart(sa.sql.expression.FunctionElement):
    type = sa.Date()
    inherit_cache = True
    name = "year_start"


@compiles(_MonthStart, "sqlite")
def _sqlite_month(element: _MonthStart, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


@compiles(_YearStart, "sqlite")
def _sqlite_year(element: _YearStart, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'start of year')"


@compiles(_MonthStart)
def _month(element: _MonthStart, compiler: Any, **kw: Any) -> str:
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(_YearStart)
def _year(element: _YearStart, compiler: Any, **kw: Any) -> str:
    return f"CAST(date_trunc('year', {compiler.process(element.clauses, **kw)}) AS DATE)"


def month_start(column: Any) -> sa.ColumnElement[date]:
    """The first day of the month COLUMN falls in, computed by the database (as the triggers
    of migration 0011 compute it)."""
    return _MonthStart(column)


def year_start(column: Any) -> sa.ColumnElement[date]:
    return _YearStart(column)


def next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def latest_day(kind: Kind) -> Any:
    """The latest day a record of KIND may have begun on: the day its month is counted by."""
    return getattr(kind.table, f"{kind.starts}_latest")


def _latest_recorded(session: Session) -> date:
    """The latest day any record, of any dated kind and in any state, may date from."""
    # Each kind alone in its query: then the latest day's index finds it without a scan.
    latest = session.execute(
        sa.select(
            sa.func.max(
                sa.union_all(
                    *(sa.select(sa.func.max(latest_day(kind)).label("day")) for kind in DATED)
                )
                .subquery()
                .c.day
            )
        )
    ).scalar()
    return latest or date.min


@dataclass(frozen=True)
class Months:
    """The whole months of a date range that the counts answer for: from FIRST up to AFTER
    (either open where the range is), less the STALE months (kind, first day) still marked.
    START and END are the range's own first and last days."""

    start: date | None
    end: date | None
    first: date | None
    after: date | None
    stale: tuple[tuple[str, date], ...]

    def counted(
        self, kinds: Iterable[str], rollup: type[Rollup | ThinRecord] = Rollup
    ) -> list[sa.ColumnElement[bool]]:
        """Conditions on ROLLUP (Rollup or ThinRecord): the rows of KINDS these months answer
        for."""
        return [
            rollup.kind.in_(list(kinds)),
            *([rollup.month >= self.first] if self.first else []),
            *([rollup.month < self.after] if self.after else []),
            *(
                sa.not_(sa.and_(rollup.kind == kind, rollup.month == month))
                for kind, month in self.stale
            ),
        ]

    def rest(self, kind: Kind) -> list[sa.ColumnElement[bool]]:
        """Conditions on KIND's table: the records in view that the counts do not hold, to be
        read directly. They are found by their ids, each part by an index, and the records of
        the whole months never read."""
        record = aliased(kind.table)  # its own: never correlated with the query's table
        latest = latest_day(kind).adapt_to_entity(sa.inspect(record))
        # Undated records, where a record may be undated.
        parts = [latest.is_(None)] if latest_day(kind).nullable else []
        if self.first:
            parts.append(
                sa.and_(latest >= self.start, latest < self.first)
                if self.start
                else latest < self.first
            )
        if self.after:
            parts.append(latest >= self.after)
        parts += [
            sa.and_(latest >= month, latest < next_month(month))
            for stale_kind, month in self.stale
            if stale_kind == kind.name
        ]
        return [
            _FoundFirst(
                kind.table.id,
                sa.union_all(
                    *(sa.select(record.id).where(part) for part in parts),
                    # Never counted, and in view where the range ends before the retraction.
                    retracted_ids(kind, not_by=self.end),
                ).scalar_subquery(),
            )
        ]


def whole_months(session: Session, filters: Filters) -> Months | None:
    """The months of FILTERS' date range the counts answer for, or None where they answer for
    none: filters on states or sources, or no whole month in the range."""
    if filters.states or filters.perspectives or filters.min_reliability is not Reliability.F:
        return None
    start, end = filters.start, filters.end
    first = None if start is None else start if start.day == 1 else next_month(start)
    after = None if end is None else end.replace(day=1)
    if end is not None and next_month(end) - timedelta(days=1) == end:
        after = next_month(end)  # the range ends on the month's last day: the month is whole
    if after is not None and end >= _latest_recorded(session):
        # No record may date from after the range's end, so its last month is whole too: the
        # opening view, which ends on the latest record, reads none of that month's records.
        after = None
    if first and after and first >= after:
        return None
    stale = session.execute(
        sa.select(RollupMark.kind, RollupMark.month)
        .where(RollupMark.month.is_not(None))
        .distinct()
        .order_by(RollupMark.kind, RollupMark.month)
    ).all()
    return Months(start, end, first, after, tuple((kind, month) for kind, month in stale))
