"""States and alliance bodies, keyed by code: ISO 3166-1 alpha-3 for states ("PRK"), or a
former ISO 3166-3 code ("SUN"); a code of its own for a historical state that has neither
(Bavaria: "COWBAV", from its Correlates of War abbreviation); a short upper-case code for
organisations ("NATO"). The COW code and abbreviation are identifiers beside it, and a state
may name its successor (the German Federal Republic, Germany). Other tables refer to a state by
its code, so an unknown code is refused by the database's foreign keys, and exported rows stay
readable."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum

import pycountry
import sqlalchemy as sa
from pydantic import field_validator
from sqlmodel import Field, Session, select

from tracker.errors import NotFound
from tracker.kinds.kind import Input, Kind, Rows
from tracker.schema import Editable, Problem, Record, Table, check, vocabulary


class StateKind(StrEnum):
    STATE = "state"
    HISTORICAL = "historical"  # gone, with no ISO 3166 code: Bavaria, the Korean Empire
    ORGANISATION = "organisation"


def is_iso_code(code: str) -> bool:
    """Whether CODE is an ISO 3166-1 alpha-3 code, current or withdrawn (ISO 3166-3: "SUN")."""
    return bool(
        pycountry.countries.get(alpha_3=code) or pycountry.historic_countries.get(alpha_3=code)
    )


class StateBase(Record):
    code: str = Field(max_length=8, unique=True)
    name: str = Field(min_length=1, max_length=200, unique=True)
    cow_code: int | None = Field(default=None, gt=0, unique=True)
    cow_abbreviation: str | None = Field(default=None, min_length=2, max_length=8, unique=True)
    kind: StateKind = Field(default=StateKind.STATE, sa_type=vocabulary(StateKind, "kind"))
    successor_code: str | None = Field(
        default=None, foreign_key="state.code", ondelete="RESTRICT", max_length=8
    )

    @field_validator("code", mode="before")
    @classmethod
    def _upper_case(cls, code: object) -> object:
        return code.strip().upper() if isinstance(code, str) else code

    @check
    def _known_code(self) -> Iterator[Problem]:
        if not (3 <= len(self.code) <= 8 and self.code.isalpha()):
            yield "code", f"{self.code!r} is not a code of 3 to 8 letters", self.code
        elif self.kind is StateKind.STATE and not is_iso_code(self.code):
            yield (
                "code",
                f"{self.code!r} is not an ISO 3166 alpha-3 country code: a state without one "
                "is a historical state",
                self.code,
            )
        elif self.kind is StateKind.HISTORICAL and pycountry.countries.get(alpha_3=self.code):
            yield (
                "code",
                f"{self.code!r} is a current ISO 3166-1 code: a historical state needs a code "
                "of its own",
                self.code,
            )

    @check
    def _not_its_own_successor(self) -> Iterator[Problem]:
        if self.successor_code is not None and self.successor_code == self.code:
            yield "successor_code", "a state cannot succeed itself", self.code


class State(StateBase, Editable, Table, table=True):
    __table_args__ = (
        sa.CheckConstraint(
            "length(code) BETWEEN 3 AND 8 AND code = upper(code)", name="code_format"
        ),
        sa.CheckConstraint("cow_code > 0", name="cow_code_positive"),
    )


class StateCreate(StateBase):
    aliases: list[str] = Field(default_factory=list)


class StateAlias(Table, table=True):
    """Another name a source uses for a state: "DPRK", "Pyongyang", "North Korean"."""

    __tablename__ = "state_alias"
    state_code: str = Field(foreign_key="state.code", ondelete="CASCADE", index=True)
    alias: str = Field(min_length=1, max_length=200, unique=True)


def find_state(*, session: Session, name: str) -> State:
    """The state NAME refers to: its code, its name or one of its aliases, in any case; else its
    Correlates of War abbreviation. Some COW abbreviations are other states' ISO codes (AUS is
    Austria to COW, Australia to ISO): the ISO meaning wins, and "cow:AUS" names the COW one."""
    folded = name.strip().lower()
    if folded.startswith("cow:"):
        state = session.exec(
            select(State).where(sa.func.lower(State.cow_abbreviation) == folded[4:].strip())
        ).first()
        if state is None:
            raise NotFound(f"no state has the Correlates of War abbreviation {name[4:].strip()!r}")
        return state
    state = (
        session.exec(
            select(State)
            .outerjoin(StateAlias, StateAlias.state_code == State.code)
            .where(
                sa.or_(
                    sa.func.lower(State.code) == folded,
                    sa.func.lower(State.name) == folded,
                    sa.func.lower(StateAlias.alias) == folded,
                )
            )
        ).first()
        or session.exec(
            select(State).where(sa.func.lower(State.cow_abbreviation) == folded)
        ).first()
    )
    if state is None:
        raise NotFound(
            f"no state is known as {name!r}: use an ISO code such as PRK, a name, an alias or a "
            "Correlates of War abbreviation (cow:GFR)"
        )
    return state


def state_names(*, session: Session) -> dict[str, str]:
    """Every state's name by code, in name order (retired ones left out)."""
    query = select(State.code, State.name).where(State.retired_at.is_(None)).order_by(State.name)
    return dict(session.exec(query).all())


ALIAS = Kind(
    "state_alias",
    StateAlias,
    StateCreate,
    ("alias",),
    parent=("state_code", "code"),
    plain="alias",
)
STATE = Kind(
    "state",
    State,
    StateCreate,
    ("code",),
    rules=StateBase,
    parts=(("aliases", ALIAS),),
    plural="States",
    names=lambda: sa.select(State.id, State.name + " (" + State.code + ")"),
    reference="code",
    section="states",
    form=(
        Input(
            "code",
            "Code",
            help="ISO 3166-1 alpha-3 for a state (PRK); 3 to 8 letters for an organisation (NATO).",
        ),
        Input("name", "Name"),
        Input("cow_code", "Correlates of War code", "number"),
        Input("cow_abbreviation", "Correlates of War abbreviation"),
        Input.choice("kind", "Kind", StateKind),
        Input("successor_code", "Succeeded by", "state"),
        Rows("aliases", "Other names sources use", (Input("alias", "Name"),)),
    ),
)
