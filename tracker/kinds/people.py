"""Leaders and officials who act for a state, with the office they hold and when."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Field, Session, select

from tracker.citations import CitationCreate
from tracker.dates import DatePrecision
from tracker.errors import NotFound
from tracker.kinds.kind import Input, Kind
from tracker.schema import Editable, Record, Table, date_checks, date_words, vocabulary


class PersonBase(Record):
    fuzzy_dates = ("office_from", "office_to")
    dates_in_order = (("office_from", "office_to"),)

    name: str = Field(min_length=1, max_length=200, index=True)
    state_code: str = Field(foreign_key="state.code", ondelete="RESTRICT", index=True)
    office: str | None = Field(default=None, max_length=200)
    office_from: date | None = None
    office_from_precision: DatePrecision | None = Field(
        default=None, sa_type=vocabulary(DatePrecision, "office_from_precision")
    )
    office_from_latest: date | None = None
    office_from_words: str | None = date_words()
    office_to: date | None = None
    office_to_precision: DatePrecision | None = Field(
        default=None, sa_type=vocabulary(DatePrecision, "office_to_precision")
    )
    office_to_latest: date | None = None
    office_to_words: str | None = date_words()


class Person(PersonBase, Editable, Table, table=True):
    __table_args__ = (sa.UniqueConstraint("name", "state_code"), *date_checks(PersonBase))


class PersonCreate(PersonBase):
    citations: list[CitationCreate] = Field(min_length=1)


def find_person(*, session: Session, name: str) -> Person:
    """The person called NAME (in any case)."""
    person = session.exec(
        select(Person).where(sa.func.lower(Person.name) == name.strip().lower())
    ).first()
    if person is None:
        raise NotFound(f"no person called {name!r} is recorded")
    return person


PERSON = Kind(
    "person",
    Person,
    PersonCreate,
    ("name", "state_code"),
    rules=PersonBase,
    plural="People",
    names=lambda: sa.select(Person.id, Person.name + " (" + Person.state_code + ")"),
    section="people",
    form=(
        Input("name", "Name"),
        Input("state_code", "Acts for", "state"),
        Input("office", "Office"),
        Input.date("office_from", "In office from"),
        Input.date("office_to", "In office until"),
    ),
)
