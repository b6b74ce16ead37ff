"""Written agreements between states, their parties and their obligations.

Obligations follow the ATOP project's provisions: defence (aid if an ally is attacked), offence
(aid in a war the ally starts), neutrality, non-aggression and consultation. Each party joins,
and may leave, on dates of its own.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from pydantic import model_validator
from sqlmodel import Field, Session, select

from tracker.citations import CitationCreate
from tracker.dates import DatePrecision
from tracker.errors import NotFound
from tracker.kinds.kind import Activity, Input, Kind, Rows, StatesInRows
from tracker.schema import Editable, Record, Table, date_checks, field_error, vocabulary

OBLIGATIONS = ("defense", "offense", "neutrality", "nonaggression", "consultation")


class TreatyBase(Record):
    fuzzy_dates = ("signed", "in_force", "ended")
    dates_in_order = (("signed", "in_force"), ("signed", "ended"), ("in_force", "ended"))

    name: str = Field(min_length=1, max_length=300, unique=True)
    kind: str | None = Field(default=None, max_length=100)
    summary: str | None = Field(default=None, max_length=4000)
    signed: date | None = None
    signed_precision: DatePrecision | None = Field(
        default=None, sa_type=vocabulary(DatePrecision, "signed_precision")
    )
    signed_latest: date | None = None
    in_force: date | None = None
    in_force_precision: DatePrecision | None = Field(
        default=None, sa_type=vocabulary(DatePrecision, "in_force_precision")
    )
    in_force_latest: date | None = None
    ended: date | None = None
    ended_precision: DatePrecision | None = Field(
        default=None, sa_type=vocabulary(DatePrecision, "ended_precision")
    )
    ended_latest: date | None = None
    defense: bool = False
    offense: bool = False
    neutrality: bool = False
    nonaggression: bool = False
    consultation: bool = False


class Treaty(TreatyBase, Editable, Table, table=True):
    __table_args__ = date_checks(TreatyBase)


class TreatyPartyBase(Record):
    fuzzy_dates = ("joined", "exited")
    dates_in_order = (("joined", "exited"),)

    state_code: str = Field(foreign_key="state.code", ondelete="RESTRICT", index=True)
    joined: date | None = None
    joined_precision: DatePrecision | None = Field(
        default=None, sa_type=vocabulary(DatePrecision, "joined_precision")
    )
    joined_latest: date | None = None
    exited: date | None = None
    exited_precision: DatePrecision | None = Field(
        default=None, sa_type=vocabulary(DatePrecision, "exited_precision")
    )
    exited_latest: date | None = None


class TreatyParty(TreatyPartyBase, Table, table=True):
    __tablename__ = "treaty_party"
    __table_args__ = (sa.UniqueConstraint("treaty_id", "state_code"), *date_checks(TreatyPartyBase))

    treaty_id: int = Field(foreign_key="treaty.id", ondelete="CASCADE", index=True)


class TreatyPartyCreate(TreatyPartyBase):
    pass


class TreatyCreate(TreatyBase):
    parties: list[TreatyPartyCreate] = Field(min_length=2)
    citations: list[CitationCreate] = Field(min_length=1)

    @model_validator(mode="after")
    def _distinct_parties(self) -> TreatyCreate:
        codes = [party.state_code for party in self.parties]
        if len(set(codes)) != len(codes):
            raise field_error("parties", "a state is listed as a party twice", codes)
        return self


def find_treaty(*, session: Session, name: str) -> Treaty:
    """The treaty called NAME (in any case)."""
    treaty = session.exec(
        select(Treaty).where(sa.func.lower(Treaty.name) == name.strip().lower())
    ).first()
    if treaty is None:
        raise NotFound(f"no treaty called {name!r} is recorded")
    return treaty


PARTY = Kind(
    "treaty_party",
    TreatyParty,
    TreatyPartyCreate,
    ("treaty_id", "state_code"),
    rules=TreatyPartyBase,
    parent=("treaty_id", "id"),
)
TREATY = Kind(
    "treaty",
    Treaty,
    TreatyCreate,
    ("name",),
    rules=TreatyBase,
    parts=(("parties", PARTY),),
    plural="Treaties",
    starts="signed",
    ends="ended",
    states=StatesInRows(TreatyParty, "treaty_id"),
    activity=Activity.always("057", "Treaty signed"),  # CAMEO: sign formal agreement
    colour="#72b7b2",
    section="treaties",
    form=(
        Input("name", "Name"),
        Input("kind", "Kind"),
        Input.date("signed", "Signed"),
        Input.date("in_force", "In force from"),
        Input.date("ended", "Ended"),
        Input("defense", "Defence: aid if a party is attacked", "check"),
        Input("offense", "Offence: aid in a war a party starts", "check"),
        Input("neutrality", "Neutrality", "check"),
        Input("nonaggression", "Non-aggression", "check"),
        Input("consultation", "Consultation", "check"),
        Input("summary", "Summary", "area"),
        Rows(
            "parties",
            "Parties",
            (
                Input("state_code", "State", "state"),
                Input.date("joined", "Joined"),
                Input.date("exited", "Left"),
            ),
        ),
    ),
    page=("treaties", ":material/gavel:"),
)
