"""The filters every view shares, turned into SQL conditions for each kind of record.

- Dates: a record matches when it happened in the range (its date, however imprecise, may fall
  in it). Views of what was in force ask for `spans=True`: then a treaty or a deployment matches
  when its whole period, from its start to its end (or on, when no end is recorded), overlaps
  the range. Undated records always match.
- States: one state shows the records that involve it; two or more show the records that
  involve at least two of them, so a pair of states is a dyad seen in both directions.
- Kinds: which kinds of record to show.
- Retired records never match: they leave every view, though the database keeps them.
- Records kept apart from the present match only when asked for (`kept_apart=True`, as an
  export does): those kept only as historical context (an analogy an article recalls), and
  those a later source retracted by the end of the range. No chart, count or status counts
  them; they are shown, and never deleted.
- Perspectives and minimum reliability: a record matches when at least one source behind it
  (the source a citation names, the one it relays, or an estimate's own source) has one of
  the perspectives and at least the reliability grade. F ("cannot be judged") means any grade.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, model_validator
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased

from tracker.citations import Citation, Stance
from tracker.kinds import RecordKind, kind_of
from tracker.kinds.kind import Kind
from tracker.kinds.sources import Reliability, Source
from tracker.schema import field_error


class _Unindexed(sa.sql.expression.FunctionElement):
    inherit_cache = True
    name = "unindexed"


@compiles(_Unindexed, "sqlite")
def _sqlite_unindexed(element: _Unindexed, compiler: Any, **kw: Any) -> str:
    return f"+{compiler.process(element.clauses, **kw)}"


@compiles(_Unindexed)
def _unindexed(element: _Unindexed, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


def unindexed(column: Any) -> sa.ColumnElement[Any]:
    """COLUMN's value, which SQLite must not look up by the column's index (its unary plus). An
    index on a column most rows share a value of (retired_at, a citation's stance) finds nearly
    every row, and SQLite, without statistics, expects ten: it then prefers that index to the
    selective one (a date, a record's id). PostgreSQL, with its statistics, chooses well."""
    element = _Unindexed(column)
    element.type = column.type  # compared as the column is: a stance as its vocabulary
    return element


class Filters(BaseModel):
    model_config = ConfigDict(frozen=True)

    start: date | None = None
    end: date | None = None
    states: tuple[str, ...] = ()
    kinds: tuple[RecordKind, ...] = tuple(RecordKind)  # the dated kinds to show
    perspectives: tuple[str, ...] = ()
    min_reliability: Reliability = Reliability.F

    @model_validator(mode="after")
    def _range_in_order(self) -> Filters:
        if self.start and self.end and self.end < self.start:
            raise field_error(
                "end", f"the range ends ({self.end}) before it starts ({self.start})", self.end
            )
        return self

    @property
    def grades(self) -> tuple[str, ...]:
        """The reliability grades that pass: A down to the minimum (F lets every grade pass)."""
        if self.min_reliability is Reliability.F:
            return tuple(Reliability)
        return tuple(grade for grade in Reliability if grade <= self.min_reliability)

    def conditions(
        self,
        kind: Kind | str,
        *,
        spans: bool = False,
        evidence: bool = True,
        kept_apart: bool = False,
    ) -> list[sa.ColumnElement[bool]]:
        """WHERE clauses selecting the records of KIND (a dated kind) that pass every filter;
        with SPANS, a kind that lasts passes the date range while it lasts, not only when it
        began; without EVIDENCE, the perspective and reliability filters are left to the
        caller; with KEPT_APART, records kept only as historical context, or retracted, pass
        too."""
        kind = kind_of(kind) if isinstance(kind, str) else kind
        table = kind.table
        conditions: list[sa.ColumnElement[bool]] = [unindexed(table.retired_at).is_(None)]
        if not kept_apart:
            conditions.append(sa.not_(retracted(kind, self.end)))
            if kind.context is not None:
                conditions.append(sa.not_(getattr(table, kind.context)))
        if kind.name not in self.kinds:
            conditions.append(sa.false())
        begins = getattr(table, kind.starts)
        # "Or undated" only where a date may be missing: a bare range lets the database use
        # the date's index rather than read every record.
        undated = [begins.is_(None)] if begins.nullable else []
        if self.end:
            conditions.append(sa.or_(*undated, begins <= self.end))
        if self.start:
            reaches = (
                sa.func.coalesce(getattr(table, f"{kind.ends}_latest"), date.max)
                if spans and kind.ends
                else getattr(table, f"{kind.starts}_latest")
            )
            conditions.append(sa.or_(*undated, reaches >= self.start))
        if self.states:
            conditions.append(
                kind.states.involves(
                    table, self.states, min(2, len(self.states)), (self.start, self.end)
                )
            )
        if self.perspectives and evidence:
            conditions.append(
                _evidence(kind, lambda source: source.perspective.in_(self.perspectives))
            )
        if self.min_reliability is not Reliability.F and evidence:
            conditions.append(_evidence(kind, lambda source: source.reliability.in_(self.grades)))
        return conditions


def retracted(kind: Kind, on: date | None = None) -> sa.ColumnElement[bool]:
    """Whether a later source retracted the record (by ON, if given). The retracted records are
    found once, by the index on stance (retractions are few), not looked up record by record."""
    return kind.table.id.in_(retracted_ids(kind, on))


def retracted_ids(kind: Kind, on: date | None = None, *, not_by: date | None = None) -> sa.Select:
    """The ids of the records of KIND a later source retracted (by ON, if given), or, with
    NOT_BY, those retracted otherwise than by that day (later, or on no day stated)."""
    citation = aliased(Citation)  # its own: never correlated with a query's citations
    record = getattr(citation, f"{kind.name}_id")
    return sa.select(record).where(
        citation.stance == Stance.RETRACTS,
        record.is_not(None),
        *([citation.stated <= on] if on else []),
        *([sa.or_(citation.stated.is_(None), citation.stated > not_by)] if not_by else []),
    )


def _evidence(kind: Kind, passes: Callable[[Any], Any]) -> sa.ColumnElement[bool]:
    """Some source behind the record passes: one its supporting citations name or relay, or one
    it names itself (an estimate's own). PASSES builds the test from a source table. Subqueries
    use aliases of their own, so they never correlate with the same tables in the outer
    query."""
    citation, source = aliased(Citation), aliased(Source)
    table = kind.table
    cited = sa.exists(
        sa.select(citation.id)
        .join(
            source, sa.or_(source.id == citation.source_id, source.id == citation.relayed_source_id)
        )
        .where(
            getattr(citation, f"{kind.name}_id") == table.id,
            unindexed(citation.stance) == Stance.SUPPORTS,  # a correction does not back it
            passes(source),
        )
    )
    own = []
    for column in kind.sources:
        named = aliased(Source)
        own.append(
            sa.exists(sa.select(named.id).where(named.id == getattr(table, column), passes(named)))
        )
    return sa.or_(cited, *own)
