"""Forces or personnel one state sends to or for another, and every source's estimate of them
(the estimates themselves are a kind of their own: tracker.kinds.estimates)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, Session, select

from tracker.citations import CitationCreate, citations_for
from tracker.dates import DatePrecision
from tracker.kinds.estimates import (
    ESTIMATE,
    Estimate,
    EstimateCreate,
    EstimatePublic,
)
from tracker.kinds.kind import Activity, Input, Kind, StatePair
from tracker.kinds.sources import Source
from tracker.schema import (
    Editable,
    Problem,
    Record,
    Table,
    check,
    date_checks,
    date_words,
    vocabulary,
)


class PersonnelKind(StrEnum):
    COMBAT_TROOPS = "combat_troops"
    MILITARY_WORKERS = "military_workers"  # construction, demining and other support labour
    ADVISERS = "advisers"
    OTHER = "other"


class DeploymentBase(Record):
    fuzzy_dates = ("started", "ended")
    dates_in_order = (("started", "ended"),)

    name: str = Field(min_length=1, max_length=300, unique=True)
    sending_state_code: str = Field(foreign_key="state.code", ondelete="RESTRICT", index=True)
    receiving_state_code: str = Field(foreign_key="state.code", ondelete="RESTRICT", index=True)
    region: str | None = Field(default=None, max_length=200)
    personnel_kind: PersonnelKind = Field(sa_type=vocabulary(PersonnelKind, "personnel_kind"))
    started: date | None = None
    started_precision: DatePrecision | None = Field(
        default=None, sa_type=vocabulary(DatePrecision, "started_precision")
    )
    started_latest: date | None = None
    started_words: str | None = date_words()
    ended: date | None = None
    ended_precision: DatePrecision | None = Field(
        default=None, sa_type=vocabulary(DatePrecision, "ended_precision")
    )
    ended_latest: date | None = None
    ended_words: str | None = date_words()
    summary: str | None = Field(default=None, max_length=4000)

    @check
    def _two_states(self) -> Iterator[Problem]:
        if self.sending_state_code == self.receiving_state_code:
            code = self.receiving_state_code
            yield "receiving_state_code", "a state cannot deploy to itself", code


class Deployment(DeploymentBase, Editable, Table, table=True):
    __table_args__ = (
        sa.CheckConstraint("sending_state_code <> receiving_state_code", name="two_states"),
        *date_checks(DeploymentBase),
    )


class DeploymentCreate(DeploymentBase):
    estimates: list[EstimateCreate] = Field(default_factory=list)
    citations: list[CitationCreate] = Field(min_length=1)


def list_estimates(
    *,
    session: Session,
    sending_state_code: str | None = None,
    receiving_state_code: str | None = None,
    deployment_id: int | None = None,
    where: Sequence[sa.ColumnElement[bool]] = (),
) -> list[EstimatePublic]:
    """Every estimate of the matching deployments, oldest first, each with its source and the
    passages that support it. Disagreeing sources all appear, deprecated ones included;
    retired ones do not. WHERE adds conditions on the estimates (a view's filters)."""
    query = (
        select(Estimate, Deployment, Source)
        .join(Deployment, Deployment.id == Estimate.deployment_id)
        .join(Source, Source.id == Estimate.source_id)
        .order_by(Deployment.name, Estimate.as_of, Estimate.id)
    )
    if sending_state_code:
        query = query.where(Deployment.sending_state_code == sending_state_code)
    if receiving_state_code:
        query = query.where(Deployment.receiving_state_code == receiving_state_code)
    if deployment_id is not None:
        query = query.where(Deployment.id == deployment_id)
    current = (Estimate.retired_at.is_(None), Deployment.retired_at.is_(None))
    rows = session.exec(query.where(*current, *where)).all()
    citations = citations_for(
        session=session, table="estimate", ids=[estimate.id for estimate, _, _ in rows]
    )
    return [
        EstimatePublic(
            id=estimate.id,
            deployment=deployment.name,
            sending_state_code=deployment.sending_state_code,
            receiving_state_code=deployment.receiving_state_code,
            source=source.outlet,
            source_title=source.title,
            source_type=source.type,
            perspective=source.perspective,
            reliability=source.reliability,
            low=estimate.low,
            high=estimate.high,
            qualifier=estimate.qualifier,
            measure=estimate.measure,
            scope=estimate.scope,
            as_of=str(estimate.fuzzy("as_of")),
            as_of_words=estimate.as_of_words,
            rank=estimate.rank,
            note=estimate.note,
            citations=citations[estimate.id],
        )
        for estimate, deployment, source in rows
    ]


DEPLOYMENT = Kind(
    "deployment",
    Deployment,
    DeploymentCreate,
    ("name",),
    rules=DeploymentBase,
    parts=(("estimates", ESTIMATE),),
    plural="Deployments",
    starts="started",
    ends="ended",
    states=StatePair("sending_state_code", "receiving_state_code"),
    activity=Activity.always("062", "Deployment"),  # CAMEO: cooperate militarily
    colour="#e45756",
    section="deployments",
    form=(
        Input("name", "Name"),
        Input("sending_state_code", "Sending state", "state"),
        Input("receiving_state_code", "Receiving state", "state"),
        Input("region", "Region"),
        Input.choice("personnel_kind", "Personnel", PersonnelKind),
        Input.date("started", "Started"),
        Input.date("ended", "Ended"),
        Input("summary", "Summary", "area"),
    ),
    page=("deployments", ":material/groups:"),
)
