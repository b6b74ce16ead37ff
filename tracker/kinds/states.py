"""States and alliance bodies, keyed by code: ISO 3166-1 alpha-3 for states ("PRK"), a short
upper-case code for organisations ("NATO"). Other tables refer to a state by its code, so an
unknown code is refused by the database's foreign keys, and exported rows stay readable."""

from __future__ import annotations

from enum import StrEnum

import pycountry
import sqlalchemy as sa
from pydantic import field_validator, model_validator
from sqlmodel import Field, Session, select

from tracker.errors import NotFound
from tracker.kinds.kind import Input, Kind, Rows
from tracker.schema import Editable, Record, Table, field_error, vocabulary


class StateKind(StrEnum):
    STATE = "state"
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
    kind: StateKind = Field(default=StateKind.STATE, sa_type=vocabulary(StateKind, "kind"))

    @field_validator("code", mode="before")
    @classmethod
    def _upper_case(cls, code: object) -> object:
        return code.strip().upper() if isinstance(code, str) else code

    @model_validator(mode="after")
    def _known_code(self) -> StateBase:
        if self.kind is StateKind.STATE and not is_iso_code(self.code):
            raise field_error(
                "code", f"{self.code!r} is not an ISO 3166 alpha-3 country code", self.code
            )
        if not (3 <= len(self.code) <= 8 and self.code.isalpha()):
            raise field_error("code", f"{self.code!r} is not a code of 3 to 8 letters", self.code)
        return self


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
    """The state NAME refers to: its code, its name or one of its aliases, in any case."""
    folded = name.strip().lower()
    state = session.exec(
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
    if state is None:
        raise NotFound(
            f"no state is known as {name!r}: use an ISO code such as PRK, a name or an alias"
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
        Input.choice("kind", "Kind", StateKind),
        Rows("aliases", "Other names sources use", (Input("alias", "Name"),)),
    ),
)
