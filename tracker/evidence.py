"""The sources behind each record in view, as rows: what the Sources page counts and the
rollups keep counted ahead (tracker.rollups)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import sqlalchemy as sa

from tracker.citations import Citation, CitationRelay, Stance
from tracker.filters import Filters, unindexed
from tracker.kinds.kind import Kind

# Further conditions on the records of a kind, beyond the filters: which part of a date range
# to read (tracker.rollups).
Within = Callable[[Kind], list[sa.ColumnElement[bool]]]


def no_more(_kind: Kind) -> list[sa.ColumnElement[bool]]:
    """Every record the filters let through."""
    return []


def evidence_rows(
    kinds: Iterable[Kind],
    filters: Filters,
    *,
    dated: bool = False,
    within: Within = no_more,
) -> sa.Subquery:
    """One row per source behind each record in view (with DATED, each that has a date; only
    those WITHIN allows): kind, record_id, source_id, originating (whether the claim starts
    with that source rather than being relayed by it)."""
    parts = []
    for kind in kinds:
        record_id = getattr(Citation, f"{kind.name}_id")
        in_view = sa.select(kind.table.id).where(*filters.conditions(kind), *within(kind))
        if dated:
            in_view = in_view.where(getattr(kind.table, kind.starts).is_not(None))
        # The records in view, and what supports them, each found once and read by every part
        # below (a correction is not a confirmation).
        shown = in_view.cte(f"{kind.name}_shown")
        cited = (
            sa.select(
                Citation.id,
                record_id.label("record_id"),
                Citation.source_id,
                Citation.relayed_source_id,
            )
            .join(shown, shown.c.id == record_id)
            .where(unindexed(Citation.stance) == Stance.SUPPORTS)
            .cte(f"{kind.name}_cited")
        )
        named = sa.select(sa.literal(kind.name).label("kind"), cited.c.record_id)
        parts += [
            named.add_columns(
                cited.c.source_id, (cited.c.relayed_source_id.is_(None)).label("originating")
            ),
            named.add_columns(
                cited.c.relayed_source_id.label("source_id"), sa.true().label("originating")
            ).where(cited.c.relayed_source_id.is_not(None)),
            named.add_columns(  # the sources between: they carried the claim, never started it
                CitationRelay.source_id.label("source_id"), sa.false().label("originating")
            ).join(CitationRelay, CitationRelay.citation_id == cited.c.id),
            *(  # a source the record names itself (an estimate's: whose figure it is)
                sa.select(
                    sa.literal(kind.name).label("kind"),
                    kind.table.id.label("record_id"),
                    getattr(kind.table, column).label("source_id"),
                    sa.true().label("originating"),
                ).join(shown, shown.c.id == kind.table.id)
                for column in kind.sources
            ),
        ]
    return sa.union_all(*parts).subquery("evidence")
