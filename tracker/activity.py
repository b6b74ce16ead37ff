"""Alliance activity: headline figures, records over time, and an activity index per pair of states.

Everything is counted and summed in SQL; only the aggregated rows reach Python.

The activity index weights each record by the Goldstein cooperation score of its CAMEO event
code (-10 most conflictual, +10 most cooperative): an engagement by its own code (a phone call
1.0, a visit 1.9, a hosted visit 2.8, a meeting at a third place 2.5); a treaty as "sign formal
agreement" (057, 8.0); a pledge as an expressed intent to cooperate, militarily (0312, 5.2),
economically (0311, 5.2) or diplomatically (032, 4.5); a deployment as "cooperate militarily"
(062, 7.4). Estimates are reports about a deployment, not acts between states, so they add
nothing to the index.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import Any

import pandas as pd
import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.ext.compiler import compiles
from sqlmodel import Session

from tracker.cameo import CameoEvent
from tracker.citations import Citation, Stance
from tracker.dates import FuzzyDate
from tracker.evidence import Within, no_more
from tracker.figures import describe_figure
from tracker.filters import Filters
from tracker.frames import read_frame
from tracker.kinds import DATED, KINDS, RecordKind, kind_of
from tracker.kinds.deployments import Deployment
from tracker.kinds.engagements import (
    Engagement,
    EngagementStatus,
)
from tracker.kinds.estimates import Estimate, Measure, Rank
from tracker.kinds.kind import Kind
from tracker.kinds.pledges import Pledge, PledgeStatus, PledgeStatusKind
from tracker.kinds.sources import Source
from tracker.kinds.treaties import Treaty, in_force_on
from tracker.rollups import GROUPINGS, Rollup, month_start, whole_months, year_start


class Period(StrEnum):
    MONTH = "month"
    YEAR = "year"

    def starts(self, first: pd.Timestamp, last: pd.Timestamp) -> pd.DatetimeIndex:
        """The first day of every period from the one holding FIRST to the one holding LAST."""
        if self is Period.MONTH:
            return pd.date_range(first.to_period("M").start_time, last, freq="MS")
        return pd.date_range(first.to_period("Y").start_time, last, freq="YS")

    @classmethod
    def for_span(cls, start: date | None, end: date | None) -> Period:
        """Months for up to ten years, years beyond, so a chart keeps readable bars."""
        if start and end and (end - start).days > 3653:
            return cls.YEAR
        return cls.MONTH


def period_start(column: Any, period: Period) -> sa.ColumnElement[date]:
    """The first day of the month or year COLUMN falls in, computed by the database."""
    return month_start(column) if period is Period.MONTH else year_start(column)


def _start(kind: Kind) -> Any:
    return getattr(kind.table, kind.starts)


def activity_by_period(*, session: Session, filters: Filters, period: Period) -> pd.DataFrame:
    """How many records of each kind fall in each period: columns period, kind, records. The
    whole months in the range are read from the rollups' counts, the rest from the records."""
    kinds = [kind_of(kind) for kind in filters.kinds]
    if not kinds:
        return pd.DataFrame(columns=["period", "kind", "records"])
    months = whole_months(session, filters)
    parts = [
        sa.select(
            period_start(_start(kind), period).label("period"),
            sa.literal(kind.name).label("kind"),
            sa.func.count().label("records"),
        )
        .where(
            _start(kind).is_not(None),
            *filters.conditions(kind),
            *(months.rest(kind) if months else []),
        )
        .group_by(sa.literal_column("period"))
        for kind in kinds
    ]
    if months:
        parts.append(
            sa.select(
                period_start(Rollup.period, period).label("period"),
                Rollup.kind,
                sa.func.sum(Rollup.records).label("records"),
            )
            .where(
                GROUPINGS["period"],  # every record, not those between a pair
                *months.counted(kind.name for kind in kinds),
            )
            .group_by(sa.literal_column("period"), Rollup.kind)
        )
    counted = sa.union_all(*parts).subquery()
    frame = read_frame(
        session,
        sa.select(counted.c.period, counted.c.kind, sa.func.sum(counted.c.records))
        .group_by(counted.c.period, counted.c.kind)
        .order_by(counted.c.period, counted.c.kind),
        ["period", "kind", "records"],
    )
    frame["period"] = pd.to_datetime(frame["period"])
    frame["records"] = frame["records"].astype(int)
    return frame


def dyad_query(
    kind: Kind,
    filters: Filters,
    period: Period,
    *,
    within: Within = no_more,
    by: tuple[sa.ColumnElement[Any], ...] = (),
) -> sa.Select:
    """Records and summed weights of KIND in view (only those WITHIN allows), by period and
    pair of states, and BY any further columns of its table. A pair of a treaty's members
    counts when the two became allied (the later of their joins), in the range, not when the
    treaty was signed."""
    table = kind.table
    in_view = sa.select(table.id).where(*filters.conditions(kind, spans=True), *within(kind))
    query, state_a, state_b, since = kind.states.pairs(sa.select(table.id), table, in_view)
    if since is None:  # the record's own date
        when, in_range = _start(kind), filters.conditions(kind)
    else:
        when = sa.func.coalesce(since, _start(kind))
        in_range = [
            *filters.conditions(kind, spans=True),
            *([when >= filters.start] if filters.start else []),
            *([when <= filters.end] if filters.end else []),
        ]
    return (
        query.with_only_columns(
            period_start(when, period).label("period"),
            state_a.label("state_a"),
            state_b.label("state_b"),
            sa.func.count().label("records"),
            sa.func.sum(CameoEvent.goldstein).label("index"),
            *by,
        )
        .join(CameoEvent, CameoEvent.code == kind.activity.code(table))
        .where(when.is_not(None), *in_range, *within(kind))
        .group_by(sa.literal_column("period"), state_a, state_b, *by)
    )


def paired_by_own_date(kind: Kind) -> bool:
    """Whether KIND's pairs of states count on the record's own date (an engagement's), not
    from when the two states came together (a treaty's members): only those are rolled up."""
    table = kind.table
    return kind.states.pairs(sa.select(table.id), table, sa.select(table.id))[3] is None


def activity_index(
    *, session: Session, filters: Filters, period: Period, top: int = 8
) -> pd.DataFrame:
    """The weighted activity of the TOP most active pairs of states in each period: columns
    period, state_a, state_b, dyad (e.g. "PRK–RUS"), records, index. The whole months in the
    range are read from the rollups' counts where the pairs count on the records' own dates."""
    columns = ["period", "state_a", "state_b", "records", "index"]
    kinds = [kind for kind in map(kind_of, filters.kinds) if kind.activity is not None]
    if not kinds:
        return pd.DataFrame(columns=[*columns, "dyad"])
    months = whole_months(session, filters)
    rolled = [kind for kind in kinds if months and paired_by_own_date(kind)]
    parts = [
        dyad_query(kind, filters, period, within=months.rest if kind in rolled else no_more)
        for kind in kinds
    ]
    if months and rolled:
        parts.append(
            sa.select(
                period_start(Rollup.period, period).label("period"),
                Rollup.state_a,
                Rollup.state_b,
                sa.func.sum(Rollup.records).label("records"),
                sa.func.sum(Rollup.weight).label("index"),
            )
            .where(GROUPINGS["state_a"], *months.counted(kind.name for kind in rolled))
            .group_by(sa.literal_column("period"), Rollup.state_a, Rollup.state_b)
        )
    # Summed once (materialised), so the most active pairs are chosen from the sums and only
    # their periods reach Python: a few hundred rows, not every pair's every month.
    combined = sa.union_all(*parts).subquery()
    cells = (
        sa.select(
            combined.c.period,
            combined.c.state_a,
            combined.c.state_b,
            sa.func.sum(combined.c.records).label("records"),
            sa.func.sum(combined.c["index"]).label("index"),
        )
        .group_by(combined.c.period, combined.c.state_a, combined.c.state_b)
        .cte("cells")
        .prefix_with("MATERIALIZED")
    )
    leaders = (
        sa.select(cells.c.state_a, cells.c.state_b)
        .group_by(cells.c.state_a, cells.c.state_b)
        .order_by(
            sa.func.sum(cells.c["index"]).desc().nulls_last(), cells.c.state_a, cells.c.state_b
        )
        .limit(top)
        .subquery("leaders")
    )
    frame = read_frame(
        session,
        sa.select(*(cells.c[name] for name in columns)).join(
            leaders,
            sa.and_(leaders.c.state_a == cells.c.state_a, leaders.c.state_b == cells.c.state_b),
        ),
        columns,
    )
    if frame.empty:
        return pd.DataFrame(columns=[*columns, "dyad"])
    frame["period"] = pd.to_datetime(frame["period"])
    frame["dyad"] = frame["state_a"] + "–" + frame["state_b"]
    # A period with no records between a pair is an index of 0, not a gap to draw across.
    first = pd.Timestamp(filters.start or frame["period"].min())
    last = pd.Timestamp(filters.end or frame["period"].max())
    periods = period.starts(first, last)
    pairs = frame.drop_duplicates("dyad").set_index("dyad")[["state_a", "state_b"]]
    full = (
        frame.set_index(["dyad", "period"])[["records", "index"]]
        .reindex(
            pd.MultiIndex.from_product([pairs.index, periods], names=["dyad", "period"]),
            fill_value=0,
        )
        .reset_index()
        .join(pairs, on="dyad")
    )
    return full[[*columns, "dyad"]].sort_values(["period", "dyad"]).reset_index(drop=True)


def activity_weights(*, session: Session) -> pd.DataFrame:
    """The weight each kind of record adds to the activity index, with its CAMEO code."""
    weights = [
        weight for kind in KINDS.values() if kind.activity for weight in kind.activity.weights
    ]
    events = {
        code: (name, goldstein)
        for code, name, goldstein in session.exec(
            sa.select(CameoEvent.code, CameoEvent.name, CameoEvent.goldstein)
        ).all()
    }
    return pd.DataFrame(
        [(record, code, *events[code]) for record, code in weights],
        columns=["record", "cameo_code", "cameo_event", "goldstein"],
    )


# Estimates compared in one spread are dated within this many days of the latest of them.
SPREAD_WINDOW_DAYS = 90


class Spread(BaseModel):
    """What the current estimates of one deployment say of one measure in one scope: the only
    figures that can disagree. LOW and HIGH are the lowest and highest figures they give; HIGH
    is None when every one of them gives only a lower bound ("over 11,000"), LOW when every one
    gives only an upper bound ("up to 5,000")."""

    deployment: str
    measure: Measure
    scope: str
    low: int | None
    high: int | None
    sources: int  # how many outlets give the figures compared
    as_of: date  # the last day the latest of them may date from
    since: date  # the window's first day: an estimate compared reaches into it
    compared: list[str]  # each estimate compared, in words, with its source and date
    # The spread in words: the one estimate's own ("roughly 15,000", "over 11,000"), or the
    # range the estimates span ("11,000 to 15,000", "at least 11,000").
    figures: str

    @property
    def casualties(self) -> bool:
        return Measure(self.measure).casualties


def _measures_of(casualties: bool) -> tuple[Measure, ...]:
    return tuple(measure for measure in Measure if measure.casualties == casualties)


def _range_in_words(low: int | None, high: int | None) -> str:
    if low is None:
        return f"up to {high:,}"
    if high is None:
        return f"at least {low:,}"
    if low == high:
        return f"{low:,}"
    return f"{low:,} to {high:,}"


class Headlines(BaseModel):
    as_of: date
    treaties_in_force: int
    # Known in force once, with no end recorded, but not on the day: their status is not known.
    treaties_status_not_recorded: int
    engagements_last_90_days: int
    open_pledges: int
    estimates: list[Spread]  # the most recently estimated first
    more_spreads: int  # spreads in view beyond those listed


def headlines(
    *, session: Session, filters: Filters, today: date | None = None, spreads: int = 6
) -> Headlines:
    """The figures an analyst briefs first, as of the end of the date range (or today), with
    up to SPREADS spreads of estimates."""
    as_of = filters.end or today or date.today()
    treaties, not_recorded = session.execute(
        sa.select(
            sa.func.count().filter(in_force_on(as_of)),
            sa.func.count().filter(Treaty.ended.is_(None), Treaty.known_in_force_until < as_of),
        ).where(
            # A state filter asks for the treaties the state was a member of that day.
            *filters.model_copy(update={"start": as_of, "end": as_of}).conditions(
                RecordKind.TREATY, spans=True
            )
        )
    ).one()
    engagements = session.scalar(
        sa.select(sa.func.count())
        .select_from(Engagement)
        .where(
            Engagement.occurred.between(as_of - timedelta(days=89), as_of),
            Engagement.status != EngagementStatus.CANCELLED,
            *filters.conditions(RecordKind.ENGAGEMENT),
        )
    )
    latest_status = (
        sa.select(PledgeStatus.status)
        .where(PledgeStatus.pledge_id == Pledge.id, PledgeStatus.changed <= as_of)
        .order_by(PledgeStatus.changed.desc(), PledgeStatus.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    pledges = session.scalar(
        sa.select(sa.func.count())
        .select_from(Pledge)
        .where(
            latest_status.in_([PledgeStatusKind.ANNOUNCED, PledgeStatusKind.IN_PROGRESS]),
            *filters.conditions(RecordKind.PLEDGE),
        )
    )
    # People sent and people lost are listed apart, each up to SPREADS, so neither crowds out
    # the other.
    listed, more = estimate_spreads(session=session, filters=filters, as_of=as_of, most=spreads)
    return Headlines(
        as_of=as_of,
        treaties_in_force=treaties,
        treaties_status_not_recorded=not_recorded,
        engagements_last_90_days=engagements,
        open_pledges=pledges,
        estimates=listed,
        more_spreads=more,
    )


class _DaysBefore(sa.sql.expression.FunctionElement):
    type = sa.Date()
    inherit_cache = True
    name = "days_before"


@compiles(_DaysBefore, "sqlite")
def _sqlite_days_before(element: _DaysBefore, compiler: Any, **kw: Any) -> str:
    day, days = element.clauses
    return f"date({compiler.process(day, **kw)}, '-' || {compiler.process(days, **kw)} || ' days')"


@compiles(_DaysBefore)
def _days_before(element: _DaysBefore, compiler: Any, **kw: Any) -> str:
    day, days = element.clauses
    return f"CAST({compiler.process(day, **kw)} - {compiler.process(days, **kw)} AS DATE)"


def estimate_spreads(
    *, session: Session, filters: Filters, as_of: date, most: int | None = None
) -> tuple[list[Spread], int]:
    """Like compared with like: for each deployment, measure and scope, the spread of its
    current estimates (neither deprecated, nor corrected or retracted by the day, nor dated
    after it) dated within SPREAD_WINDOW_DAYS of the latest. People sent, then people lost,
    each the most recently estimated first and up to MOST of them; and how many more there
    are."""
    # Found once, by the index on stance (corrections are few), not looked up estimate by
    # estimate. The filters, ending on the day, leave out those retracted by then.
    corrected = Estimate.id.in_(
        sa.select(Citation.estimate_id).where(
            Citation.stance == Stance.CORRECTS,
            Citation.estimate_id.is_not(None),
            Citation.stated <= as_of,
        )
    )
    in_view = [
        Estimate.rank != Rank.DEPRECATED,
        sa.not_(corrected),
        *filters.model_copy(update={"end": as_of}).conditions(RecordKind.ESTIMATE),
    ]
    # The groups listed first, by their latest estimate alone: a group's window, and so its
    # spread, is then read only for those listed.
    group = (Estimate.deployment_id, Estimate.measure, Estimate.scope)
    newest = (
        sa.select(*group, sa.func.max(Estimate.as_of_latest).label("latest"))
        .where(*in_view)
        .group_by(*group)
        .cte("newest")
    )
    keys = (newest.c.deployment_id, newest.c.measure, newest.c.scope)
    # People sent and people lost each sorted apart, no further than MOST, and each counted
    # apart: the groups are found once.
    arms = []
    for lost in (False, True):
        of_measure = newest.c.measure.in_(_measures_of(lost))
        arms.append(
            sa.select(
                *keys,
                sa.literal(lost).label("lost"),
                newest.c.latest,
                Deployment.name,
                sa.select(sa.func.count())
                .select_from(newest)
                .where(of_measure)
                .scalar_subquery()
                .label("groups"),
            )
            .join(Deployment, Deployment.id == newest.c.deployment_id)
            .where(of_measure)
            .order_by(newest.c.latest.desc(), Deployment.name, *keys)
            .limit(most)
            .subquery()
        )
    ranked = sa.union_all(*(sa.select(arm) for arm in arms)).subquery("ranked")
    listed = session.execute(
        sa.select(*list(ranked.c)[:3], ranked.c.lost, ranked.c.groups).order_by(
            ranked.c.lost, ranked.c.latest.desc(), ranked.c.name, *list(ranked.c)[:3]
        )
    ).all()
    if not listed:
        return [], 0
    groups = [tuple(row[:3]) for row in listed]
    unlisted = sum({bool(lost): groups for *_, lost, groups in listed}.values()) - len(listed)
    # The estimates of the groups listed only: a group's window is the same among its own.
    of_groups = [
        Estimate.deployment_id.in_(sorted({deployment_id for deployment_id, _, _ in groups})),
        sa.tuple_(*group).in_(groups),
    ]
    compared = _compared_in([*in_view, *of_groups])
    keys = (compared.c.deployment_id, compared.c.measure, compared.c.scope)
    spread_of = {
        tuple(row[:3]): row
        for row in session.execute(
            sa.select(
                *keys,
                Deployment.name,
                sa.func.min(sa.func.coalesce(Estimate.low, Estimate.high)),
                sa.func.max(sa.func.coalesce(Estimate.high, Estimate.low)),
                sa.func.count(Estimate.low),
                sa.func.count(Estimate.high),
                sa.func.count(sa.distinct(Source.outlet)),
                sa.func.max(Estimate.as_of_latest),
            )
            .join(Estimate, Estimate.id == compared.c.id)
            .join(Deployment, Deployment.id == compared.c.deployment_id)
            .join(Source, Source.id == Estimate.source_id)
            .group_by(*keys, Deployment.name)
        )
    }
    members = _compared(session, compared, groups)
    spreads = []
    for (
        deployment_id,
        measure,
        scope,
        name,
        low,
        high,
        floored,
        bounded,
        sources,
        latest,
    ) in (spread_of[key] for key in groups):
        estimates = members[(deployment_id, measure, scope)]
        low = low if floored else None  # every estimate gave only an upper bound ("up to")
        high = high if bounded else None  # every estimate gave only a lower bound ("over")
        spreads.append(
            Spread(
                deployment=name,
                measure=measure,
                scope=scope,
                low=low,
                high=high,
                sources=sources,
                as_of=latest,
                since=latest - timedelta(days=SPREAD_WINDOW_DAYS),
                compared=[line for _, line in estimates],
                figures=estimates[0][0] if len(estimates) == 1 else _range_in_words(low, high),
            )
        )
    return spreads, unlisted


def _compared_in(conditions: list[sa.ColumnElement[bool]]) -> sa.Subquery:
    """The estimates passing CONDITIONS dated within SPREAD_WINDOW_DAYS of the latest of their
    deployment, measure and scope: id, deployment_id, measure, scope."""
    group = (Estimate.deployment_id, Estimate.measure, Estimate.scope)
    current = (
        sa.select(
            Estimate.id,
            *group,
            Estimate.as_of_latest,
            sa.func.max(Estimate.as_of_latest).over(partition_by=group).label("latest"),
        )
        .where(*conditions)
        .subquery("current")
    )
    return (
        sa.select(current.c.id, current.c.deployment_id, current.c.measure, current.c.scope)
        .where(
            current.c.as_of_latest
            >= _DaysBefore(current.c.latest, sa.literal(SPREAD_WINDOW_DAYS, sa.Integer))
        )
        .subquery("compared")
    )


def _compared(
    session: Session, compared: sa.Subquery, groups: list[tuple[int, str, str]]
) -> dict[tuple[int, str, str], list[tuple[str, str]]]:
    """Each estimate GROUPS compare: its figure in the source's words ("over 11,000"), and the
    whole of it ("over 11,000 per KCNA, as of 2025-08")."""
    keys = (compared.c.deployment_id, compared.c.measure, compared.c.scope)
    found: dict[tuple[int, str, str], list[tuple[str, str]]] = {group: [] for group in groups}
    for *key, qualifier, low, high, outlet, as_of, precision, latest in session.execute(
        sa.select(
            *keys,
            Estimate.qualifier,
            Estimate.low,
            Estimate.high,
            Source.outlet,
            Estimate.as_of,
            Estimate.as_of_precision,
            Estimate.as_of_latest,
        )
        .join(Estimate, Estimate.id == compared.c.id)
        .join(Source, Source.id == Estimate.source_id)
        .where(sa.tuple_(*keys).in_(groups))
        .order_by(*keys, Estimate.as_of, Estimate.id)
    ):
        figure = describe_figure(qualifier, low, high)
        found[tuple(key)].append(
            (
                figure,
                f"{figure} per {outlet}, as of {FuzzyDate.from_columns(as_of, precision, latest)}",
            )
        )
    return found


def record_span(*, session: Session) -> tuple[date | None, date | None]:
    """The earliest and latest dates any record carries (None when there are no records)."""
    # Each kind's own first and last, each alone in its query: then the date's index finds it
    # without reading the table.
    ends = sa.union_all(
        *(
            sa.select(
                sa.select(sa.func.min(_start(kind))).scalar_subquery().label("first"),
                sa.select(sa.func.max(_start(kind))).scalar_subquery().label("last"),
            )
            for kind in DATED
        )
    ).subquery()
    earliest, latest = session.exec(
        sa.select(sa.func.min(ends.c.first), sa.func.max(ends.c.last))
    ).one()
    return earliest, latest
