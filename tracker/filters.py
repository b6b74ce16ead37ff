"""The filters every view shares, turned into SQL conditions for each kind of record.

- Dates: a record matches when it happened in the range (its date, however imprecise, may fall
  in it). Views of what was in force ask for `spans=True`: then a treaty or a deployment matches
  when its whole period, from its start to its end (or on, when no end is recorded), overlaps
  the range. Undated records always match.
- States: one state shows the records that involve it; two or more show the records that
  involve at least two of them, so a pair of states is a dyad seen in both directions.
- Kinds: which kinds of record to show.
- Retired records never match: they leave every view, though the database keeps them.
- Perspectives and minimum reliability: a record matches when at least one source behind it
  (the source a citation names, the one it relays, or an estimate's own source) has one of
  the perspectives and at least the reliability grade. F ("cannot be judged") means any grade.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, model_validator
from sqlalchemy.orm import aliased

from tracker.citations import Citation
from tracker.kinds.deployments import Deployment, Estimate
from tracker.kinds.engagements import Engagement, EngagementParticipant
from tracker.kinds.pledges import Pledge
from tracker.kinds.sources import Reliability, Source
from tracker.kinds.treaties import Treaty, TreatyParty
from tracker.schema import field_error


class RecordKind(StrEnum):
    ENGAGEMENT = "engagement"
    TREATY = "treaty"
    PLEDGE = "pledge"
    DEPLOYMENT = "deployment"
    ESTIMATE = "estimate"

    @property
    def table(self) -> Any:
        return _TABLES[self]

    @property
    def date_field(self) -> str:
        """The fuzzy date when the record happened or began."""
        return _STARTS[self]


_TABLES = {
    RecordKind.ENGAGEMENT: Engagement,
    RecordKind.TREATY: Treaty,
    RecordKind.PLEDGE: Pledge,
    RecordKind.DEPLOYMENT: Deployment,
    RecordKind.ESTIMATE: Estimate,
}
_STARTS = {
    RecordKind.ENGAGEMENT: "occurred",
    RecordKind.TREATY: "signed",
    RecordKind.PLEDGE: "made",
    RecordKind.DEPLOYMENT: "started",
    RecordKind.ESTIMATE: "as_of",
}
# Records with a period (rather than a moment) reach until their end, or on if none is known.
_ENDS = {RecordKind.TREATY: "ended_latest", RecordKind.DEPLOYMENT: "ended_latest"}


class Filters(BaseModel):
    model_config = ConfigDict(frozen=True)

    start: date | None = None
    end: date | None = None
    states: tuple[str, ...] = ()
    kinds: tuple[RecordKind, ...] = tuple(RecordKind)
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
        self, kind: RecordKind, *, spans: bool = False, evidence: bool = True
    ) -> list[sa.ColumnElement[bool]]:
        """WHERE clauses selecting the records of KIND that pass every filter; with SPANS, a
        treaty or deployment passes the date range while it lasts, not only when it began;
        without EVIDENCE, the perspective and reliability filters are left to the caller."""
        table = kind.table
        conditions: list[sa.ColumnElement[bool]] = [table.retired_at.is_(None)]
        if kind not in self.kinds:
            conditions.append(sa.false())
        begins = getattr(table, kind.date_field)
        # "Or undated" only where a date may be missing: a bare range lets the database use
        # the date's index rather than read every record.
        undated = [begins.is_(None)] if begins.nullable else []
        if self.end:
            conditions.append(sa.or_(*undated, begins <= self.end))
        if self.start:
            reaches = (
                sa.func.coalesce(getattr(table, _ENDS[kind]), date.max)
                if spans and kind in _ENDS
                else getattr(table, f"{kind.date_field}_latest")
            )
            conditions.append(sa.or_(*undated, reaches >= self.start))
        if self.states:
            conditions.append(_involves(kind, table.id, self.states))
        if self.perspectives and evidence:
            conditions.append(
                _evidence(kind, table.id, lambda source: source.perspective.in_(self.perspectives))
            )
        if self.min_reliability is not Reliability.F and evidence:
            conditions.append(
                _evidence(kind, table.id, lambda source: source.reliability.in_(self.grades))
            )
        return conditions


# Subqueries below use aliases of their own, so they never correlate with the same tables in
# whatever query they are added to.


def _involves(kind: RecordKind, record_id: Any, codes: tuple[str, ...]) -> sa.ColumnElement[bool]:
    """The record involves one of CODES when one is given, or at least two of them otherwise."""
    needed = min(2, len(codes))
    match kind:
        case RecordKind.ENGAGEMENT | RecordKind.TREATY:
            link = aliased(EngagementParticipant if kind is RecordKind.ENGAGEMENT else TreatyParty)
            owner = getattr(link, f"{kind.value}_id")
            involved = (
                sa.select(sa.func.count(sa.distinct(link.state_code)))
                .where(owner == record_id, link.state_code.in_(codes))
                .scalar_subquery()
            )
            return involved >= needed
        case RecordKind.PLEDGE:
            pair = (Pledge.pledger_state_code, Pledge.recipient_state_code)
        case RecordKind.DEPLOYMENT:
            pair = (Deployment.sending_state_code, Deployment.receiving_state_code)
        case RecordKind.ESTIMATE:
            deployment = aliased(Deployment)
            pair_query = sa.select(deployment.id).where(
                deployment.id == Estimate.deployment_id,
                _pair_involves(
                    deployment.sending_state_code, deployment.receiving_state_code, codes, needed
                ),
            )
            return sa.exists(pair_query)
    return _pair_involves(*pair, codes, needed)


def _pair_involves(
    first: Any, second: Any, codes: tuple[str, ...], needed: int
) -> sa.ColumnElement[bool]:
    if needed == 1:
        return sa.or_(first.in_(codes), second.in_(codes))
    return sa.and_(first.in_(codes), second.in_(codes))


def _evidence(
    kind: RecordKind, record_id: Any, passes: Callable[[Any], Any]
) -> sa.ColumnElement[bool]:
    """Some source behind the record passes: one its citations name or relay, or an estimate's
    own. PASSES builds the test from a source table."""
    citation, source = aliased(Citation), aliased(Source)
    cited = sa.exists(
        sa.select(citation.id)
        .join(
            source, sa.or_(source.id == citation.source_id, source.id == citation.relayed_source_id)
        )
        .where(getattr(citation, f"{kind.value}_id") == record_id, passes(source))
    )
    if kind is RecordKind.ESTIMATE:
        own = aliased(Source)
        return sa.or_(
            cited, sa.exists(sa.select(own.id).where(own.id == Estimate.source_id, passes(own)))
        )
    return cited
