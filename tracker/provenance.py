"""Where the records in view come from: which sources they rest on, how much rests on each,
and which records rest on a single originator or on the involved states' own voices alone.

A citation names the source it was read in and, when that source repeats another, the
originator it relays, through a chain of sources in between (tracker.citations). The originator
is where the claim starts: "KCNA, as reported by an article" originates with KCNA, and ten
articles relaying KCNA are one originator. An estimate's own source (whose figure it is)
originates it too. Originators are counted by outlet: two assessments by one intelligence
service are one voice.

A source speaks for a state when it is that state's media, a readout of its government or one
of its agencies (`Source.state_code`); a record resting only on the voices of the states it
involves has no independent confirmation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session

from tracker.evidence import Within, evidence_rows, no_more
from tracker.filters import Filters
from tracker.frames import read_frame
from tracker.kinds import DATED, RecordKind, kind_of
from tracker.kinds.kind import Kind
from tracker.kinds.sources import Source
from tracker.rollups import BY_OUTLET, BY_SOURCE, GROUPINGS, Rollup, ThinRecord, whole_months
from tracker.timelines import sorted_list


def sources_behind(
    *,
    session: Session,
    filters: Filters,
    kinds: Iterable[RecordKind],
    most: int = 12,
    dated: bool = False,
) -> tuple[list[str], int]:
    """The sources behind the records of KINDS in view, those behind the most records first: up
    to MOST outlets, and how many more there are. With DATED, only the records that have a
    date: what a chart over time draws. An undated record is in view whatever the dates (its
    day may fall in any range), but no such chart places it."""
    [behind] = sources_behind_each(
        session=session, filters=filters, groups=(tuple(kinds),), most=most, dated=dated
    )
    return behind


def sources_behind_each(
    *,
    session: Session,
    filters: Filters,
    groups: Sequence[Sequence[RecordKind]],
    most: int = 12,
    dated: bool = False,
) -> list[tuple[list[str], int]]:
    """`sources_behind` for each of GROUPS of kinds (the charts of one page), from one read:
    the records are counted by outlet and kind once, then summed for each group."""
    chosen = [[kind_of(kind) for kind in group if kind in filters.kinds] for group in groups]
    kinds = list({kind.name: kind for group in chosen for kind in group}.values())
    if not kinds:
        return [([], 0) for _ in groups]
    counts = (
        _records_on(session, filters, kinds, BY_OUTLET, dated=dated, by_kind=True)
        .cte("counts")
        .prefix_with("MATERIALIZED")
    )
    summed = sa.union_all(
        *(
            sa.select(sa.literal(place).label("place"), counts.c.key, sa.func.sum(counts.c.records))
            .where(counts.c.kind.in_([kind.name for kind in group]))
            .group_by(counts.c.key)
            for place, group in enumerate(chosen)
            if group
        )
    ).subquery("summed")
    place, key, records = summed.c
    outlets: list[list[str]] = [[] for _ in groups]
    for group, outlet in session.execute(
        sa.select(place, key).order_by(place, records.desc(), key)
    ).all():
        outlets[group].append(outlet)
    return [(found[:most], max(0, len(found) - most)) for found in outlets]


def _records_on(
    session: Session,
    filters: Filters,
    kinds: Sequence[Kind],
    by: tuple[Any, Any],
    *,
    dated: bool = False,
    by_kind: bool = False,
) -> sa.Select:
    """How many records of KINDS in view rest on each outlet or each source (BY: BY_OUTLET or
    BY_SOURCE), each record once however often cited: columns key, records (with BY_KIND,
    key, kind, records, counted for each kind apart). The whole months in the range are read
    from the counts, the rest directly. With DATED, only the records that have a date."""
    key, counted = by
    months = whole_months(session, filters)
    evidence = evidence_rows(kinds, filters, dated=dated, within=months.rest if months else no_more)
    used = (
        sa.select(key.label("key"), evidence.c.kind, evidence.c.record_id)
        .join(evidence, evidence.c.source_id == Source.id)
        .distinct()
        .subquery()
    )
    used_kind = [used.c.kind] if by_kind else []
    parts = [
        sa.select(used.c.key, *used_kind, sa.func.count().label("records")).group_by(
            used.c.key, *used_kind
        )
    ]
    if months:
        counted_kind = [Rollup.kind] if by_kind else []
        parts.append(
            sa.select(counted, *counted_kind, sa.func.sum(Rollup.records))
            .where(
                GROUPINGS[counted.key],
                *months.counted(kind.name for kind in kinds if kind.name in filters.kinds),
            )
            .group_by(counted, *counted_kind)
        )
    keyed = sa.union_all(*parts).subquery()
    keyed_kind = [keyed.c.kind] if by_kind else []
    return sa.select(
        keyed.c.key, *keyed_kind, sa.func.sum(keyed.c.records).label("records")
    ).group_by(keyed.c.key, *keyed_kind)


@dataclass(frozen=True)
class SourceUsage:
    """The sources, the most used first (with `first`, only the first), and how many there are:
    in all, used by a record in view, and the outlets of those."""

    sources: pd.DataFrame
    in_all: int
    used: int
    outlets_used: int


def source_usage(*, session: Session, filters: Filters, first: int | None = None) -> SourceUsage:
    """Every source with how many records in view rest on it (cited directly or relayed), the
    most used first: columns id, outlet, title, type, perspective, reliability, records. With
    FIRST, only the FIRST most used, and the counts of them all: a page's table and chart,
    without reading the tens of thousands of sources it does not show."""
    used = _records_on(session, filters, DATED, BY_SOURCE).subquery()
    records = sa.func.coalesce(used.c.records, 0)
    columns = ["id", "outlet", "title", "type", "perspective", "reliability", "records"]
    counted = (
        sa.select(
            Source.id,
            Source.outlet,
            Source.title,
            Source.type,
            Source.perspective,
            Source.reliability,
            records.label("records"),
        )
        .outerjoin(used, used.c.key == Source.id)
        .where(Source.retired_at.is_(None))
        .cte("counted")
    )
    in_use = counted.c.records > 0
    # Counted apart from the sources shown: those sort no further than FIRST.
    totals = {
        "in_all": sa.select(sa.func.count()).select_from(counted),
        "used": sa.select(sa.func.count()).where(in_use),
        "outlets_used": sa.select(sa.func.count(counted.c.outlet.distinct())).where(in_use),
    }
    shown = sa.select(counted).order_by(*_most_used(counted)).limit(first).subquery()
    frame = read_frame(
        session,
        sa.select(
            *(shown.c[column] for column in columns),
            *(count.scalar_subquery().label(name) for name, count in totals.items()),
        ).order_by(*_most_used(shown)),
        [*columns, *totals],
    )
    counts = frame[list(totals)].head(1).astype(int).to_dict("records") or [
        dict.fromkeys(totals, 0)
    ]
    frame["type"] = frame["type"].str.replace("_", " ")
    frame["perspective"] = frame["perspective"].fillna("not assessed")
    return SourceUsage(frame[columns], **counts[0])


def _most_used(sources: sa.Subquery | sa.CTE) -> tuple[Any, ...]:
    return (sources.c.records.desc(), sources.c.outlet, sources.c.title)


def _labels(kind: Kind) -> sa.Select:
    names = kind.reader_names()
    record_id, record = names.selected_columns
    return names.with_only_columns(record_id.label("record_id"), record.label("record"))


def thin_records(kind: Kind, filters: Filters, *, within: Within = no_more) -> sa.Select:
    """The records of KIND in view (only those WITHIN allows) that rest on a single originating
    outlet, or only on the voices of the states they involve: columns record_id, sources (how
    many originating outlets), origins (their names, joined by "; "), other_sources (how many
    of them speak for no state the record involves). What the rollups keep by month
    (`ThinRecord`) and the Sources page lists."""
    evidence = evidence_rows([kind], filters, within=within)
    origins = (
        sa.select(evidence.c.record_id, evidence.c.source_id)
        .where(evidence.c.originating)
        .distinct()
        .subquery()
    )
    # A voice of a state the record involves: its media, a readout, one of its agencies.
    record = aliased(kind.table)
    involved_voice = sa.and_(
        Source.state_code.is_not(None),
        kind.states.involves(record, (Source.state_code,), 1),
    )
    outlets = (
        sa.select(
            origins.c.record_id,
            Source.outlet,
            sa.func.max(sa.case((involved_voice, 0), else_=1)).label("independent"),
        )
        .join(Source, Source.id == origins.c.source_id)
        .join(record, record.id == origins.c.record_id)
        .group_by(origins.c.record_id, Source.outlet)
        .subquery()
    )
    return (
        sa.select(
            outlets.c.record_id,
            sa.func.count().label("sources"),
            sa.func.aggregate_strings(outlets.c.outlet, "; ").label("origins"),
            sa.func.sum(outlets.c.independent).label("other_sources"),
        )
        .group_by(outlets.c.record_id)
        .having(sa.or_(sa.func.count() == 1, sa.func.sum(outlets.c.independent) == 0))
    )


@dataclass(frozen=True)
class ThinlySourced:
    """The records in view resting on too little (with `first`, only the first of each list),
    and how many of them rest on a single originator and how many on the involved states'
    voices alone, in all."""

    records: pd.DataFrame
    single_source: int
    state_sources_only: int


def thinly_sourced(
    *, session: Session, filters: Filters, first: int | None = None
) -> ThinlySourced:
    """Records in view that rest on a single originator, or only on the voices of the states
    they involve, by kind and name: columns kind, record_id, record, sources (how many
    independent originators), origins (their names), single_source, state_sources_only. With
    FIRST, only the first FIRST of each list of each kind: a page's tables, without reading the
    tens of thousands of records they do not show. The whole months in the range are read from the
    rollups (`ThinRecord`), the rest directly."""
    columns = ["kind", "record_id", "record", "sources", "origins", "other_sources"]
    months = whole_months(session, filters)
    frames = []
    single_source = state_sources_only = 0
    for kind in map(kind_of, filters.kinds):
        # One kind at a time: its summary then never groups the other kinds' rows.
        parts = [thin_records(kind, filters, within=months.rest if months else no_more)]
        if months:
            parts.append(
                sa.select(
                    ThinRecord.record_id,
                    ThinRecord.sources,
                    ThinRecord.origins,
                    ThinRecord.other_sources,
                ).where(*months.counted([kind.name], ThinRecord))
            )
        # Read once however many lists use it.
        thin = sa.union_all(*parts).cte(f"{kind.name}_thin")
        labels = _labels(kind).subquery()
        named = sa.select(thin, labels.c.record).join(
            labels, labels.c.record_id == thin.c.record_id
        )
        lists = {"single_total": thin.c.sources == 1, "state_total": thin.c.other_sources == 0}
        if first is None:
            shown = named.subquery()
        else:
            # The first of each list by name, each list sorted apart and no further than
            # FIRST; a record on both lists is shown once.
            shown = sa.union(
                *(
                    sa.select(
                        named.where(on_list).order_by(labels.c.record).limit(first).subquery()
                    )
                    for on_list in lists.values()
                )
            ).subquery()
        totals = [
            sa.select(sa.func.count())
            .select_from(thin)
            .where(on_list)
            .scalar_subquery()
            .label(name)
            for name, on_list in lists.items()
        ]
        frame = read_frame(
            session,
            sa.select(
                sa.literal(kind.name).label("kind"),
                *(shown.c[column] for column in columns[1:]),
                *totals,
            ).order_by(shown.c.record),
            [*columns, *lists],
        )
        if not frame.empty:
            single_source += int(frame["single_total"].iloc[0])
            state_sources_only += int(frame["state_total"].iloc[0])
        frames.append(frame[columns])
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    frame["origins"] = frame["origins"].map(lambda joined: sorted_list(joined, "; "))
    frame["single_source"] = frame["sources"] == 1
    frame["state_sources_only"] = frame["other_sources"] == 0
    return ThinlySourced(
        frame[[*columns[:5], "single_source", "state_sources_only"]],
        single_source,
        state_sources_only,
    )
