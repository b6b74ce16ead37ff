"""Diplomatic contacts: phone calls, visits, summits and meetings at a third place.

Each engagement keeps its CAMEO event code (by default the one its kind maps to), its date
with precision, its place, its status (planned, held, cancelled) and its participants: people
and the states they act for, each with a role.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from pydantic import model_validator
from sqlmodel import Field

from tracker.citations import CitationCreate
from tracker.dates import DatePrecision
from tracker.kinds.kind import Activity, Input, Kind, Rows, StatesInRows
from tracker.schema import Editable, Record, Table, date_checks, date_words, vocabulary


class EngagementKind(StrEnum):
    PHONE_CALL = "phone_call"
    VISIT = "visit"
    SUMMIT = "summit"
    THIRD_PLACE_MEETING = "third_place_meeting"

    @property
    def default_cameo_code(self) -> str:
        """Discuss by telephone, make a visit, host a visit (a summit has a host), meet at a
        third location."""
        return {"phone_call": "041", "visit": "042", "summit": "043", "third_place_meeting": "044"}[
            self.value
        ]


class EngagementStatus(StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


class Likelihood(StrEnum):
    """ICD 203's words for how likely a planned or unconfirmed event is."""

    ALMOST_NO_CHANCE = "almost_no_chance"
    VERY_UNLIKELY = "very_unlikely"
    UNLIKELY = "unlikely"
    ROUGHLY_EVEN_CHANCE = "roughly_even_chance"
    LIKELY = "likely"
    VERY_LIKELY = "very_likely"
    ALMOST_CERTAIN = "almost_certain"


class ParticipantRole(StrEnum):
    HOST = "host"
    GUEST = "guest"
    INITIATOR = "initiator"
    RECIPIENT = "recipient"
    PARTICIPANT = "participant"


class EngagementBase(Record):
    fuzzy_dates = ("occurred",)

    title: str = Field(min_length=1, max_length=300)
    kind: EngagementKind = Field(sa_type=vocabulary(EngagementKind, "kind"))
    cameo_code: str | None = Field(
        default=None, foreign_key="cameo_event.code", ondelete="RESTRICT", index=True
    )
    occurred: date = Field(index=True)
    occurred_precision: DatePrecision = Field(
        sa_type=vocabulary(DatePrecision, "occurred_precision")
    )
    occurred_latest: date
    occurred_words: str | None = date_words()
    place: str | None = Field(default=None, max_length=200)
    place_state_code: str | None = Field(
        default=None, foreign_key="state.code", ondelete="RESTRICT", index=True
    )
    status: EngagementStatus = Field(
        default=EngagementStatus.HELD, sa_type=vocabulary(EngagementStatus, "status")
    )
    likelihood: Likelihood | None = Field(
        default=None, sa_type=vocabulary(Likelihood, "likelihood")
    )
    summary: str | None = Field(default=None, max_length=4000)

    @model_validator(mode="after")
    def _default_cameo_code(self) -> EngagementBase:
        if self.cameo_code is None:
            self.cameo_code = EngagementKind(self.kind).default_cameo_code
        return self


class Engagement(EngagementBase, Editable, Table, table=True):
    __table_args__ = (
        sa.UniqueConstraint("title", "occurred"),
        # A date range is matched on the latest day a record may date from (tracker.filters).
        sa.Index("ix_engagement_occurred_latest", "occurred_latest"),
        *date_checks(EngagementBase),
    )


class ParticipantBase(Record):
    state_code: str = Field(foreign_key="state.code", ondelete="RESTRICT", index=True)
    person_id: int | None = Field(
        default=None, foreign_key="person.id", ondelete="RESTRICT", index=True
    )
    role: ParticipantRole = Field(
        default=ParticipantRole.PARTICIPANT, sa_type=vocabulary(ParticipantRole, "role")
    )


class EngagementParticipant(ParticipantBase, Table, table=True):
    __tablename__ = "engagement_participant"
    __table_args__ = (sa.UniqueConstraint("engagement_id", "state_code", "person_id"),)

    engagement_id: int = Field(foreign_key="engagement.id", ondelete="CASCADE", index=True)


class ParticipantCreate(ParticipantBase):
    pass


class EngagementCreate(EngagementBase):
    participants: list[ParticipantCreate] = Field(min_length=1)
    citations: list[CitationCreate] = Field(min_length=1)


PARTICIPANT = Kind(
    "engagement_participant",
    EngagementParticipant,
    ParticipantCreate,
    ("engagement_id", "state_code", "person_id"),
    rules=ParticipantBase,
    parent=("engagement_id", "id"),
)
ENGAGEMENT = Kind(
    "engagement",
    Engagement,
    EngagementCreate,
    ("title", "occurred"),
    rules=EngagementBase,
    parts=(("participants", PARTICIPANT),),
    plural="Engagements",
    starts="occurred",
    states=StatesInRows(EngagementParticipant, "engagement_id"),
    activity=Activity(
        lambda table: table.cameo_code,  # its own, by default its kind's
        tuple(
            (f"Engagement: {kind.value.replace('_', ' ')}", kind.default_cameo_code)
            for kind in EngagementKind
        ),
    ),
    colour="#4c78a8",
    section="engagements",
    form=(
        Input("title", "Title"),
        Input.choice("kind", "Kind", EngagementKind),
        Input.date("occurred", "Date"),
        Input.choice("status", "Status", EngagementStatus),
        Input.choice("likelihood", "Likelihood (planned or unconfirmed)", Likelihood),
        Input("place", "Place"),
        Input("place_state_code", "Place: state", "state"),
        Input("summary", "Summary", "area"),
        Rows(
            "participants",
            "Participants",
            (
                Input("state_code", "State", "state"),
                Input("person_id", "Person", "person"),
                Input.choice("role", "Role", ParticipantRole),
            ),
        ),
    ),
    page=("engagements", ":material/forum:"),
)
