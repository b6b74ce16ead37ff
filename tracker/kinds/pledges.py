"""Public commitments by a state or a person, and what became of them.

Pledged is not delivered (the Kiel Institute's rule): a pledge keeps its exact words, and its
status moves through announced, in progress, fulfilled or withdrawn, each step dated and sourced.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from pydantic import model_validator
from sqlmodel import Field

from tracker.citations import CitationCreate
from tracker.dates import DatePrecision
from tracker.kinds.kind import Activity, Input, Kind, Rows, StatePair
from tracker.schema import Editable, Record, Table, date_checks, field_error, vocabulary


class PledgeKind(StrEnum):
    MILITARY = "military"
    ECONOMIC = "economic"
    POLITICAL = "political"


class Conditionality(StrEnum):
    UNCONDITIONAL = "unconditional"
    CONDITIONAL = "conditional"
    UNSPECIFIED = "unspecified"


class PledgeStatusKind(StrEnum):
    ANNOUNCED = "announced"
    IN_PROGRESS = "in_progress"
    FULFILLED = "fulfilled"
    WITHDRAWN = "withdrawn"


class PledgeBase(Record):
    fuzzy_dates = ("made",)

    title: str = Field(min_length=1, max_length=300)
    pledger_state_code: str = Field(foreign_key="state.code", ondelete="RESTRICT", index=True)
    pledger_person_id: int | None = Field(
        default=None, foreign_key="person.id", ondelete="RESTRICT", index=True
    )
    recipient_state_code: str | None = Field(
        default=None, foreign_key="state.code", ondelete="RESTRICT", index=True
    )
    recipient_person_id: int | None = Field(
        default=None, foreign_key="person.id", ondelete="RESTRICT", index=True
    )
    made: date = Field(index=True)
    made_precision: DatePrecision = Field(sa_type=vocabulary(DatePrecision, "made_precision"))
    made_latest: date
    quote: str | None = Field(default=None, max_length=4000, description="the pledge's exact words")
    kind: PledgeKind = Field(sa_type=vocabulary(PledgeKind, "kind"))
    conditionality: Conditionality = Field(
        default=Conditionality.UNSPECIFIED, sa_type=vocabulary(Conditionality, "conditionality")
    )
    conditions: str | None = Field(default=None, max_length=2000)
    treaty_id: int | None = Field(
        default=None, foreign_key="treaty.id", ondelete="RESTRICT", index=True
    )

    @model_validator(mode="after")
    def _to_another(self) -> PledgeBase:
        if self.recipient_state_code == self.pledger_state_code:
            raise field_error(
                "recipient_state_code", "a state cannot pledge to itself", self.recipient_state_code
            )
        return self


class Pledge(PledgeBase, Editable, Table, table=True):
    __table_args__ = (
        sa.UniqueConstraint("title", "made"),
        sa.CheckConstraint("recipient_state_code <> pledger_state_code", name="to_another_state"),
        *date_checks(PledgeBase),
    )


class PledgeStatusBase(Record):
    fuzzy_dates = ("changed",)

    status: PledgeStatusKind = Field(sa_type=vocabulary(PledgeStatusKind, "status"))
    changed: date = Field(index=True)
    changed_precision: DatePrecision = Field(sa_type=vocabulary(DatePrecision, "changed_precision"))
    changed_latest: date
    note: str | None = Field(default=None, max_length=4000)


class PledgeStatus(PledgeStatusBase, Table, table=True):
    __tablename__ = "pledge_status"
    __table_args__ = (
        sa.UniqueConstraint("pledge_id", "status", "changed"),
        *date_checks(PledgeStatusBase),
    )

    pledge_id: int = Field(foreign_key="pledge.id", ondelete="CASCADE", index=True)


class PledgeStatusCreate(PledgeStatusBase):
    citations: list[CitationCreate] = Field(min_length=1)


class PledgeCreate(PledgeBase):
    statuses: list[PledgeStatusCreate] = Field(
        default_factory=list, description="the status steps; a new pledge starts announced"
    )
    citations: list[CitationCreate] = Field(min_length=1)

    @model_validator(mode="after")
    def _announced_when_made(self) -> PledgeCreate:
        """A pledge with no recorded steps was announced when it was made, on its own evidence."""
        if not self.statuses:
            self.statuses = [
                PledgeStatusCreate(
                    status=PledgeStatusKind.ANNOUNCED,
                    changed=str(self.fuzzy("made")),
                    citations=self.citations,
                )
            ]
        return self


STATUS = Kind(
    "pledge_status",
    PledgeStatus,
    PledgeStatusCreate,
    ("pledge_id", "status", "changed"),
    rules=PledgeStatusBase,
    parent=("pledge_id", "id"),
)
PLEDGE = Kind(
    "pledge",
    Pledge,
    PledgeCreate,
    ("title", "made"),
    rules=PledgeBase,
    parts=(("statuses", STATUS),),
    plural="Pledges",
    starts="made",
    states=StatePair("pledger_state_code", "recipient_state_code"),
    # CAMEO: express intent to cooperate militarily or economically; to cooperate (political)
    activity=Activity.by_value(
        "kind",
        {PledgeKind.MILITARY: "0312", PledgeKind.ECONOMIC: "0311", PledgeKind.POLITICAL: "032"},
        "Pledge",
    ),
    colour="#f58518",
    section="pledges",
    form=(
        Input("title", "Title"),
        Input("pledger_state_code", "Pledged by (state)", "state"),
        Input("pledger_person_id", "Pledged by (person)", "person"),
        Input("recipient_state_code", "Pledged to (state)", "state"),
        Input("recipient_person_id", "Pledged to (person)", "person"),
        Input.date("made", "Made"),
        Input("quote", "Exact words", "area"),
        Input.choice("kind", "Kind", PledgeKind),
        Input.choice("conditionality", "Conditionality", Conditionality),
        Input("conditions", "Conditions", "area"),
        Input("treaty_id", "Under the treaty", "treaty"),
        Rows(
            "statuses",
            "Status history",
            (
                Input.choice("status", "Status", PledgeStatusKind),
                Input.date("changed", "Date"),
                Input("note", "Note"),
            ),
            help="Each step is cited by the citations below.",
        ),
    ),
    page=("pledges", ":material/campaign:"),
)
