"""Written agreements between states, their parties and their obligations.

Obligations follow the ATOP project's provisions: defence (aid if an ally is attacked), offence
(aid in a war the ally starts), neutrality, non-aggression and consultation; each is yes, no or
not recorded. Each party is a member for spells of its own (it may leave and come back), and
every view reads membership from them: two parties are allied only while both are members.

A treaty's status is said only as far as it is known. It is in force from its entry into force
(or, where a source or data set says it was in force on some day, or an end is recorded, from
its signature up to that day or that end), ended after its end, and otherwise not known: no end
recorded is not "in force". A status known only up to a day (COW's data ends in 2012) says so
after it. A start known only to the month or year counts from its last possible day.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from enum import StrEnum
from itertools import pairwise
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.orm import aliased
from sqlmodel import Field, Session, select

from tracker.citations import CitationCreate
from tracker.dates import DatePrecision
from tracker.errors import NotFound
from tracker.kinds.kind import Activity, Input, Kind, Rows, StatesInRows, spells_overlap
from tracker.kinds.states import State, find_state
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
    signed_words: str | None = date_words()
    in_force: date | None = None
    in_force_precision: DatePrecision | None = Field(
        default=None, sa_type=vocabulary(DatePrecision, "in_force_precision")
    )
    in_force_latest: date | None = None
    in_force_words: str | None = date_words()
    ended: date | None = None
    ended_precision: DatePrecision | None = Field(
        default=None, sa_type=vocabulary(DatePrecision, "ended_precision")
    )
    ended_latest: date | None = None
    ended_words: str | None = date_words()
    # The last day a source or data set says the treaty was in force (COW: the end of 2012,
    # where its data ends); after it, unless an end is recorded, its status is not known.
    known_in_force_until: date | None = None
    # None: not recorded, which is not "no".
    defense: bool | None = None
    offense: bool | None = None
    neutrality: bool | None = None
    nonaggression: bool | None = None
    consultation: bool | None = None
    cow_id: int | None = Field(default=None, gt=0, unique=True)
    # The organisation the treaty founded (NATO, by the North Atlantic Treaty): its members,
    # on any day, are the treaty's.
    founds_code: str | None = Field(
        default=None, foreign_key="state.code", ondelete="RESTRICT", max_length=8
    )
    historical_context: bool = Field(
        default=False,
        sa_column_kwargs={"server_default": sa.false()},
        description="recalled only as a historical analogy: shown as history, never in force",
    )


class Treaty(TreatyBase, Editable, Table, table=True):
    __table_args__ = (
        sa.CheckConstraint("cow_id > 0", name="cow_id_positive"),
        *date_checks(TreatyBase),
    )


class TreatyPartyBase(Record):
    fuzzy_dates = ("joined", "exited")
    dates_in_order = (("joined", "exited"),)

    state_code: str = Field(foreign_key="state.code", ondelete="RESTRICT", index=True)
    joined: date | None = None
    joined_precision: DatePrecision | None = Field(
        default=None, sa_type=vocabulary(DatePrecision, "joined_precision")
    )
    joined_latest: date | None = None
    joined_words: str | None = date_words()
    exited: date | None = None
    exited_precision: DatePrecision | None = Field(
        default=None, sa_type=vocabulary(DatePrecision, "exited_precision")
    )
    exited_latest: date | None = None
    exited_words: str | None = date_words()


class TreatyParty(TreatyPartyBase, Table, table=True):
    """One spell of a state's membership: a state that left and came back has two."""

    __tablename__ = "treaty_party"
    __table_args__ = (
        sa.UniqueConstraint("treaty_id", "state_code", "joined"),
        *date_checks(TreatyPartyBase),
    )

    treaty_id: int = Field(foreign_key="treaty.id", ondelete="CASCADE", index=True)


class TreatyPartyCreate(TreatyPartyBase):
    pass


class TreatyCreate(TreatyBase):
    parties: list[TreatyPartyCreate] = Field(min_length=2)
    citations: list[CitationCreate] = Field(min_length=1)

    @check
    def _spells_apart(self) -> Iterator[Problem]:
        """A state's spells of membership do not overlap, and there are two states at least."""
        spells: dict[str, list[TreatyPartyCreate]] = {}
        for party in self.parties:
            spells.setdefault(party.state_code, []).append(party)
        if len(spells) < 2:
            yield "parties", "a treaty needs two different states as parties", list(spells)
        for code, own in spells.items():
            own.sort(key=lambda party: party.joined or date.min)
            for earlier, later in pairwise(own):
                if earlier.exited is None or (later.joined or date.min) <= (
                    earlier.exited_latest or earlier.exited
                ):
                    yield "parties", spells_overlap(code), code
                    break


class TreatyStatus(StrEnum):
    IN_FORCE = "in force"
    ENDED = "ended"
    NOT_YET = "not yet in force"
    NOT_KNOWN = "not known"
    HISTORY = "historical context, not tracked"


def in_force_on(day: date) -> sa.ColumnElement[bool]:
    """Whether a treaty is surely in force on DAY, by what is recorded (see the module's rules):
    a start known only to the month or year counts from its last possible day. A treaty kept
    only as historical context is never in force: it is not tracked."""
    return sa.and_(
        sa.not_(Treaty.historical_context),
        sa.or_(Treaty.ended.is_(None), Treaty.ended >= day),  # its last day still counts
        sa.or_(
            sa.and_(
                Treaty.in_force_latest <= day,
                sa.or_(
                    Treaty.known_in_force_until.is_(None),
                    Treaty.known_in_force_until >= day,
                    Treaty.ended.is_not(None),  # an end recorded: in force until then
                ),
            ),
            sa.and_(
                sa.func.coalesce(Treaty.in_force_latest, Treaty.signed_latest) <= day,
                sa.or_(Treaty.known_in_force_until >= day, Treaty.ended.is_not(None)),
            ),
        ),
    )


def status_on(treaty: TreatyBase, day: date) -> str:
    """TREATY's status on DAY in words, saying how far it is known (as `in_force_on` decides)."""
    if treaty.historical_context:
        return TreatyStatus.HISTORY
    if treaty.ended is not None and treaty.ended < day:
        return TreatyStatus.ENDED
    earliest = treaty.in_force or treaty.signed
    if earliest is not None and day < earliest:
        return TreatyStatus.NOT_YET
    surely = treaty.in_force_latest or treaty.signed_latest
    known = treaty.known_in_force_until
    if treaty.ended is None and known is not None and day > known:
        return (
            f"in force on {known.isoformat()}; later status not recorded"
            if surely is not None and surely <= known
            else TreatyStatus.NOT_KNOWN
        )
    if treaty.in_force_latest is not None and treaty.in_force_latest <= day:
        return TreatyStatus.IN_FORCE
    if surely is not None and surely <= day and (known is not None or treaty.ended is not None):
        return TreatyStatus.IN_FORCE
    return TreatyStatus.NOT_KNOWN


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
    ("treaty_id", "state_code", "joined"),
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
    states=StatesInRows(TreatyParty, "treaty_id", spells=("joined", "exited")),
    activity=Activity.always("057", "Treaty signed"),  # CAMEO: sign formal agreement
    context="historical_context",
    colour="#72b7b2",
    section="treaties",
    form=(
        Input("name", "Name"),
        Input("kind", "Kind"),
        Input.date("signed", "Signed"),
        Input.date("in_force", "In force from"),
        Input.date("ended", "Ended"),
        Input(
            "known_in_force_until",
            "Known in force until",
            "day",
            help="The last day a source says it was in force; after it, unless an end is "
            "recorded, its status is shown as not known.",
        ),
        Input("defense", "Defence: aid if a party is attacked", "check"),
        Input("offense", "Offence: aid in a war a party starts", "check"),
        Input("neutrality", "Neutrality", "check"),
        Input("nonaggression", "Non-aggression", "check"),
        Input("consultation", "Consultation", "check"),
        Input("founds_code", "Founds the organisation", "state"),
        Input("summary", "Summary", "area"),
        Input(
            "historical_context",
            "Historical context only",
            "check",
            help="Recalled as an analogy, not tracked: never counted as in force.",
        ),
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


class TreatyInForce(BaseModel):
    """A treaty in force for a state on a day, as `tracker treaties --json` prints it."""

    name: str
    kind: str | None
    parties: list[str]  # the members on the day, by name
    party_codes: list[str]
    signed: str | None
    ended: str | None
    status: str
    obligations: dict[str, bool | None]
    cow_id: int | None


def member_on(day: date, rows: Any = TreatyParty) -> sa.ColumnElement[bool]:
    """Whether a party's spell (of ROWS, TreatyParty or an alias) surely covers DAY: a missing
    join is the treaty's start, a missing exit its end; a join known only to the month or year
    counts from its last possible day, an exit from its first."""
    return sa.and_(
        sa.or_(rows.joined.is_(None), rows.joined_latest <= day),
        sa.or_(rows.exited.is_(None), rows.exited >= day),
    )


def treaties_in_force(*, session: Session, state: str, on: date) -> list[TreatyInForce]:
    """The treaties in force on day ON to which STATE (a code, name, alias or COW abbreviation;
    see `find_state`) was a party that day, oldest first."""
    code = find_state(session=session, name=state).code
    spell = aliased(TreatyParty)
    treaties = session.exec(
        select(Treaty)
        .where(
            Treaty.retired_at.is_(None),
            in_force_on(on),
            sa.exists(
                sa.select(spell.id).where(
                    spell.treaty_id == Treaty.id, spell.state_code == code, member_on(on, spell)
                )
            ),
        )
        .order_by(sa.func.coalesce(Treaty.signed, Treaty.in_force), Treaty.name)
    ).all()
    members: dict[int, list[tuple[str, str]]] = {}
    for treaty_id, member, name in session.exec(
        select(TreatyParty.treaty_id, State.code, State.name)
        .join(State, State.code == TreatyParty.state_code)
        .where(TreatyParty.treaty_id.in_([treaty.id for treaty in treaties]), member_on(on))
        .order_by(State.name)
    ):
        members.setdefault(treaty_id, []).append((member, name))
    return [
        TreatyInForce(
            name=treaty.name,
            kind=treaty.kind,
            parties=[name for _, name in members.get(treaty.id, [])],
            party_codes=[member for member, _ in members.get(treaty.id, [])],
            signed=str(treaty.fuzzy("signed") or "") or None,
            ended=str(treaty.fuzzy("ended") or "") or None,
            status=status_on(treaty, on),
            obligations={name: getattr(treaty, name) for name in OBLIGATIONS},
            cow_id=treaty.cow_id,
        )
        for treaty in treaties
    ]


def organisation_members(*, session: Session, organisation: str, on: date) -> list[State]:
    """The members of ORGANISATION (a code, name or alias: NATO) on day ON: the states that
    were then members of a treaty in force that founded it, by name."""
    code = find_state(session=session, name=organisation).code
    return list(
        session.exec(
            select(State)
            .join(TreatyParty, TreatyParty.state_code == State.code)
            .join(Treaty, Treaty.id == TreatyParty.treaty_id)
            .where(
                Treaty.founds_code == code,
                Treaty.retired_at.is_(None),
                in_force_on(on),
                member_on(on),
            )
            .distinct()
            .order_by(State.name)
        )
    )
