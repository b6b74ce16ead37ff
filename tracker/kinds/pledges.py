"""Public commitments by a state or a person, and what became of them.

Pledged is not delivered (the Kiel Institute's rule): a pledge keeps its exact words, and its
status moves through announced, in progress, fulfilled or withdrawn, each step dated and sourced.
A pledge may be made to several states at once, and may carry a figure ("a brigade of about
5,000"), held by the same rules as an estimate's (tracker.figures).

A pledge an article recalls only as a historical analogy (Mao's 1950 pledge to Stalin) is kept
and cited as historical context: shown as history, never counted as open.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from pydantic import model_validator
from sqlmodel import Field

from tracker.citations import CitationCreate
from tracker.dates import DatePrecision
from tracker.figures import Qualifier, figure_checks, fitted, misfit
from tracker.kinds.kind import Activity, Input, Kind, OneToRows, Rows
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


# Why a recipient is refused, on every path (the import checks it across rows).
TO_ITSELF = "a state cannot pledge to itself"


class PledgeBase(Record):
    fuzzy_dates = ("made",)

    title: str = Field(min_length=1, max_length=300)
    pledger_state_code: str = Field(foreign_key="state.code", ondelete="RESTRICT", index=True)
    pledger_person_id: int | None = Field(
        default=None, foreign_key="person.id", ondelete="RESTRICT", index=True
    )
    made: date = Field(index=True)
    made_precision: DatePrecision = Field(sa_type=vocabulary(DatePrecision, "made_precision"))
    made_latest: date
    made_words: str | None = date_words()
    quote: str | None = Field(default=None, max_length=4000, description="the pledge's exact words")
    kind: PledgeKind = Field(sa_type=vocabulary(PledgeKind, "kind"))
    conditionality: Conditionality = Field(
        default=Conditionality.UNSPECIFIED, sa_type=vocabulary(Conditionality, "conditionality")
    )
    conditions: str | None = Field(default=None, max_length=2000)
    treaty_id: int | None = Field(
        default=None, foreign_key="treaty.id", ondelete="RESTRICT", index=True
    )
    qualifier: Qualifier | None = Field(
        default=None,
        sa_type=vocabulary(Qualifier, "qualifier"),
        description="how the pledge gives its figure, if it gives one: roughly, up to ...",
    )
    low: int | None = Field(default=None, ge=0, description="the pledge's lowest figure")
    high: int | None = Field(default=None, ge=0, description="the pledge's highest figure")
    figure_of: str | None = Field(
        default=None, max_length=200, description="what the figure counts: troops, shells ..."
    )
    historical_context: bool = Field(
        default=False,
        sa_column_kwargs={"server_default": sa.false()},
        description="recalled only as a historical analogy: shown as history, never open",
    )

    @check
    def _figure_fits_qualifier(self) -> Iterator[Problem]:
        if (problem := misfit(self.qualifier, self.low, self.high)) is not None:
            yield problem

    @check
    def _figure_counted(self) -> Iterator[Problem]:
        if self.figure_of is not None and self.qualifier is None:
            yield "qualifier", "give the figure that the pledge counts", None

    @model_validator(mode="after")
    def _vague_figure_floored(self) -> PledgeBase:
        """A vague word's figure ("thousands") as its conventional floor, where none is given."""
        self.low, self.high = fitted(self.qualifier, self.low, self.high)
        return self


class Pledge(PledgeBase, Editable, Table, table=True):
    __table_args__ = (
        sa.UniqueConstraint("title", "made"),
        # A date range is matched on the latest day a record may date from (tracker.filters).
        sa.Index("ix_pledge_made_latest", "made_latest"),
        *figure_checks(optional=True),
        *date_checks(PledgeBase),
    )


class RecipientBase(Record):
    state_code: str = Field(foreign_key="state.code", ondelete="RESTRICT", index=True)
    person_id: int | None = Field(
        default=None, foreign_key="person.id", ondelete="RESTRICT", index=True
    )


class PledgeRecipient(RecipientBase, Table, table=True):
    __tablename__ = "pledge_recipient"
    __table_args__ = (sa.UniqueConstraint("pledge_id", "state_code"),)

    pledge_id: int = Field(foreign_key="pledge.id", ondelete="CASCADE", index=True)


class RecipientCreate(RecipientBase):
    pass


class PledgeStatusBase(Record):
    fuzzy_dates = ("changed",)

    status: PledgeStatusKind = Field(sa_type=vocabulary(PledgeStatusKind, "status"))
    changed: date = Field(index=True)
    changed_precision: DatePrecision = Field(sa_type=vocabulary(DatePrecision, "changed_precision"))
    changed_latest: date
    changed_words: str | None = date_words()
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
    recipients: list[RecipientCreate] = Field(
        default_factory=list, description="the states (and people) it is made to, if any"
    )
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

    @check
    def _to_itself(self) -> Iterator[Problem]:
        codes = [recipient.state_code for recipient in self.recipients]
        if self.pledger_state_code in codes:
            yield "recipients", TO_ITSELF, codes

    @check
    def _each_recipient_once(self) -> Iterator[Problem]:
        codes = [recipient.state_code for recipient in self.recipients]
        if len(set(codes)) < len(codes):
            yield "recipients", "a state is named twice among the recipients", codes


RECIPIENT = Kind(
    "pledge_recipient",
    PledgeRecipient,
    RecipientCreate,
    ("pledge_id", "state_code"),
    rules=RecipientBase,
    parent=("pledge_id", "id"),
)
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
    parts=(("recipients", RECIPIENT), ("statuses", STATUS)),
    plural="Pledges",
    starts="made",
    states=OneToRows("pledger_state_code", PledgeRecipient, "pledge_id"),
    context="historical_context",
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
        Input.date("made", "Made"),
        Input("quote", "Exact words", "area"),
        Input.choice("kind", "Kind", PledgeKind),
        Input.choice("conditionality", "Conditionality", Conditionality),
        Input("conditions", "Conditions", "area"),
        Input("treaty_id", "Under the treaty", "treaty"),
        Input.choice(
            "qualifier", "Figure: qualifier", Qualifier, help="If the pledge gives a figure."
        ),
        Input("low", "Figure: low", "number"),
        Input("high", "Figure: high", "number"),
        Input("figure_of", "Figure: of what", help="troops, shells, US dollars …"),
        Input(
            "historical_context",
            "Historical context only",
            "check",
            help="Recalled as an analogy, not tracked: never counted as open.",
        ),
        Rows(
            "recipients",
            "Pledged to",
            (
                Input("state_code", "State", "state"),
                Input("person_id", "Person", "person"),
            ),
        ),
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
