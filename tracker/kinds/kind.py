"""What a kind of record is. Everything that differs between kinds (its table and models, its
natural key, its dates, how it involves states, what it counts for in the activity index, its
label, colour, form and page) is declared once, in the kind's own module, as a `Kind`; the
registry (`tracker.kinds`) lists them, and the code that needs any of it reads it from there.

Rows that belong to a record and are edited with it (a treaty's parties, an engagement's
participants, a pledge's status steps) are kinds too, listed as the record's `parts`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Protocol

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.orm import aliased

from tracker.schema import Table

DATE_HELP = (
    "As precise as the source: 2025-08-12, 2025-08, 2025-Q3, 2025, "
    "or a range 2025-06-01/2025-08-13."
)


@dataclass(frozen=True)
class Input:
    """One field of a kind's form: its name in the record, its label, and how it is typed:
    text, area, number, check, choice (from OPTIONS), date (a fuzzy date as text), day, or a
    picker of stored records named by their kind (state, person, source, treaty, deployment)."""

    name: str
    label: str
    widget: str = "text"
    options: type[StrEnum] | None = None
    help: str | None = None

    @classmethod
    def choice(
        cls, name: str, label: str, options: type[StrEnum], help: str | None = None
    ) -> Input:
        return cls(name, label, "choice", options, help)

    @classmethod
    def date(cls, name: str, label: str) -> Input:
        return cls(name, label, "date", help=DATE_HELP)


@dataclass(frozen=True)
class Rows:
    """A table of rows that belong to the record (parties, participants, status steps)."""

    name: str
    label: str
    columns: tuple[Input, ...]
    help: str | None = None


# A range of days, either end of which may be open.
Span = tuple[date | None, date | None]


class Involvement(Protocol):
    """How the records of a kind involve states."""

    def involves(
        self, table: Any, codes: tuple[str, ...], needed: int, during: Span = (None, None)
    ) -> sa.ColumnElement[bool]:
        """Whether a record of TABLE (the kind's table or an alias of it) involves NEEDED of
        CODES: one, or at least two (a pair of states is a dyad either way round); where
        states take part for spells of their own (a treaty's members), a spell that reaches
        into DURING, a range of days either end of which may be open."""
        ...

    def pairs(
        self, query: sa.Select, table: Any, in_view: sa.Select
    ) -> tuple[sa.Select, Any, Any, Any]:
        """QUERY (over TABLE) joined to each unordered pair of states a record involves: the
        query, the pair's two codes in order, and the day the pair began (the later of the two
        joins, where states take part for spells of their own; else None: the record's own
        date). IN_VIEW selects the ids of the records that matter, so pairs are made of those
        only."""
        ...


def _later(first: Any, second: Any) -> Any:
    """The later of two dates, either of which may be missing (then the other)."""
    return sa.case(
        (first.is_(None), second), (second.is_(None), first), (first > second, first), else_=second
    )


def _earlier(first: Any, second: Any) -> Any:
    return sa.case(
        (first.is_(None), second), (second.is_(None), first), (first < second, first), else_=second
    )


def _pair_involves(
    first: Any, second: Any, codes: tuple[str, ...], needed: int
) -> sa.ColumnElement[bool]:
    if needed == 1:
        return sa.or_(first.in_(codes), second.in_(codes))
    return sa.and_(first.in_(codes), second.in_(codes))


def spells_overlap(code: str) -> str:
    """Why two spells of one state in one record are refused, on every path."""
    return f"{code}'s spells of membership overlap: one must end before the next begins"


@dataclass(frozen=True)
class StatesInRows:
    """The states named in a record's rows: an engagement's participants, a treaty's parties.
    With SPELLS (the rows' fuzzy join and exit dates), a row is one spell of a state's
    membership, and a missing join or exit is the record's own start or end."""

    table: type[Table]
    owner: str  # the rows' column holding the record's id
    spells: tuple[str, str] | None = None

    def _spell_reaches(self, rows: Any, during: Span) -> list[sa.ColumnElement[bool]]:
        if self.spells is None:
            return []
        joined, exited = self.spells
        start, end = during
        return [
            *(
                [sa.or_(getattr(rows, joined).is_(None), getattr(rows, joined) <= end)]
                if end
                else []
            ),
            *(
                [
                    sa.or_(
                        getattr(rows, exited).is_(None), getattr(rows, f"{exited}_latest") >= start
                    )
                ]
                if start
                else []
            ),
        ]

    def together(self, first: Any, second: Any) -> tuple[Any, list[sa.ColumnElement[bool]]]:
        """The day two rows' states became allied (the later of their joins), and the condition
        that their spells meet at all (that day is not after the earlier of their exits)."""
        if self.spells is None:
            return None, []
        joined, exited = self.spells
        begins = _later(getattr(first, joined), getattr(second, joined))
        ends = _earlier(getattr(first, f"{exited}_latest"), getattr(second, f"{exited}_latest"))
        return begins, [sa.or_(begins.is_(None), ends.is_(None), begins <= ends)]

    def involves(
        self, table: Any, codes: tuple[str, ...], needed: int, during: Span = (None, None)
    ) -> sa.ColumnElement[bool]:
        if self.spells is not None and needed >= 2:
            # A pair: two of CODES whose spells meet each other, each reaching into DURING.
            first, second = aliased(self.table), aliased(self.table)
            _, together = self.together(first, second)
            owner = getattr(first, self.owner)
            return sa.exists(
                sa.select(first.id)
                .join(
                    second,
                    sa.and_(
                        getattr(second, self.owner) == owner,
                        first.state_code < second.state_code,
                    ),
                )
                .where(
                    owner == table.id,
                    first.state_code.in_(codes),
                    second.state_code.in_(codes),
                    *self._spell_reaches(first, during),
                    *self._spell_reaches(second, during),
                    *together,
                )
            )
        rows = aliased(self.table)
        named = (
            sa.select(sa.func.count(sa.distinct(rows.state_code)))
            .where(
                getattr(rows, self.owner) == table.id,
                rows.state_code.in_(codes),
                *self._spell_reaches(rows, during),
            )
            .scalar_subquery()
        )
        return named >= needed

    def pairs(
        self, query: sa.Select, table: Any, in_view: sa.Select
    ) -> tuple[sa.Select, Any, Any, Any]:
        first, second = aliased(self.table), aliased(self.table)
        owner = getattr(first, self.owner)
        # Two members are allied from the later of their joins to the earlier of their exits;
        # spells that never meet make no pair.
        begins, together = self.together(first, second)
        since = [] if begins is None else [begins.label("since")]
        pairs = (
            sa.select(
                owner.label("record_id"),
                first.state_code.label("state_a"),
                second.state_code.label("state_b"),
                *since,
            )
            .join(
                second,
                sa.and_(getattr(second, self.owner) == owner, first.state_code < second.state_code),
            )
            .where(owner.in_(in_view), *together)  # pairs of the records in view only
            .distinct()
            .subquery()
        )
        return (
            query.join(pairs, pairs.c.record_id == table.id),
            pairs.c.state_a,
            pairs.c.state_b,
            pairs.c.since if since else None,
        )


@dataclass(frozen=True)
class StatePair:
    """Two states in two columns of the record: a deployment's sending and receiving states."""

    first: str
    second: str

    def involves(
        self, table: Any, codes: tuple[str, ...], needed: int, during: Span = (None, None)
    ) -> sa.ColumnElement[bool]:
        return _pair_involves(
            getattr(table, self.first), getattr(table, self.second), codes, needed
        )

    def pairs(
        self, query: sa.Select, table: Any, in_view: sa.Select
    ) -> tuple[sa.Select, Any, Any, Any]:
        first, second = getattr(table, self.first), getattr(table, self.second)
        return (
            query.where(second.is_not(None)),
            sa.case((first < second, first), else_=second),
            sa.case((first < second, second), else_=first),
            None,
        )


@dataclass(frozen=True)
class OneToRows:
    """A state in a column of the record, towards each state its rows name: a pledge's pledger
    and its recipients. Each pair is the pledger and one recipient, never two recipients."""

    first: str
    table: type[Table]
    owner: str  # the rows' column holding the record's id

    def involves(
        self, table: Any, codes: tuple[str, ...], needed: int, during: Span = (None, None)
    ) -> sa.ColumnElement[bool]:
        rows = aliased(self.table)
        towards = sa.exists(
            sa.select(rows.id).where(
                getattr(rows, self.owner) == table.id, rows.state_code.in_(codes)
            )
        )
        first = getattr(table, self.first).in_(codes)
        return sa.or_(first, towards) if needed == 1 else sa.and_(first, towards)

    def pairs(
        self, query: sa.Select, table: Any, in_view: sa.Select
    ) -> tuple[sa.Select, Any, Any, Any]:
        rows = aliased(self.table)
        first, other = getattr(table, self.first), rows.state_code
        return (
            query.join(rows, getattr(rows, self.owner) == table.id),
            sa.case((first < other, first), else_=other),
            sa.case((first < other, other), else_=first),
            None,
        )


@dataclass(frozen=True)
class ThroughParent:
    """The states the record it belongs to involves: an estimate, its deployment's."""

    parent: str  # the kind it belongs to
    column: str  # the column holding that record's id

    def involves(
        self, table: Any, codes: tuple[str, ...], needed: int, during: Span = (None, None)
    ) -> sa.ColumnElement[bool]:
        from tracker.kinds import kind_of  # the registry, which lists this kind too

        parent = kind_of(self.parent)
        record = aliased(parent.table)
        return sa.exists(
            sa.select(record.id).where(
                record.id == getattr(table, self.column),
                parent.states.involves(record, codes, needed, during),
            )
        )

    def pairs(
        self, query: sa.Select, table: Any, in_view: sa.Select
    ) -> tuple[sa.Select, Any, Any, Any]:
        from tracker.kinds import kind_of

        parent = kind_of(self.parent)
        record = aliased(parent.table)
        joined = query.join(record, record.id == getattr(table, self.column))
        return parent.states.pairs(joined, record, sa.select(record.id))


@dataclass(frozen=True)
class Activity:
    """What a record counts for in the activity index: a CAMEO event code, whose Goldstein
    weight it adds to its pair of states."""

    code: Callable[[Any], sa.ColumnElement[str]]  # the record's code, from its table
    weights: tuple[tuple[str, str], ...]  # (what, code) for the table of weights readers see

    @classmethod
    def always(cls, code: str, what: str) -> Activity:
        """Every record of the kind counts as the same event."""
        return cls(lambda table: sa.literal(code), ((what, code),))

    @classmethod
    def by_value(cls, column: str, codes: dict[StrEnum, str], what: str) -> Activity:
        """Each record counts as the event its value of COLUMN maps to."""
        return cls(
            lambda table: sa.case(
                *((getattr(table, column) == value.value, code) for value, code in codes.items())
            ),
            tuple(
                (f"{what}: {value.value.replace('_', ' ')}", code) for value, code in codes.items()
            ),
        )


@dataclass(frozen=True)
class Kind:
    """How one kind of record (or of row within a record) is stored, checked, read and shown."""

    name: str  # its table's name
    table: type[Table]
    model: type[BaseModel]  # what forms, seeds and services save: with its rows and citations
    key: tuple[str, ...]  # its natural key
    rules: type[BaseModel] | None = None  # what one stored row must pass (an import checks it)
    parent: tuple[str, str] | None = None  # (column here, column of the record it belongs to)
    parts: tuple[tuple[str, Kind], ...] = ()  # rows edited with it: (field of the model, kind)
    plain: str | None = None  # for rows the model holds as plain values: the column holding them
    plural: str | None = None  # how a reader names the kind's records ("Engagements")
    names: Callable[[], sa.Select] | None = None  # (id, a reader's name) of each record
    reference: str = "id"  # the column other records refer to it by
    starts: str | None = None  # the fuzzy date it happened or began: a kind that has one is
    # charted, filtered by date and counted by the dashboard
    ends: str | None = None  # the fuzzy date it ended, for a kind that lasts
    states: Involvement | None = None
    activity: Activity | None = None  # None: not an act between states, not in the index
    sources: tuple[str, ...] = ()  # its own columns naming a source it rests on (beyond citations)
    # Columns its natural key gained in a later schema, whose values a row stored before then
    # holds only as the migration derived them (an estimate's scope): a seed that names the row
    # by the rest of its key, alone, means that row.
    key_added: tuple[str, ...] = ()
    # Its column marking a record kept only as historical context (an analogy an article
    # recalls): such records are shown as history, never counted, charted or in force.
    context: str | None = None
    colour: str | None = None  # its colour on every chart
    section: str | None = None  # its section in a seed file
    form: tuple[Input | Rows, ...] = ()
    page: tuple[str, str] | None = None  # its dashboard page: (views/FILE.py, icon)

    def row(self, item: Any) -> dict[str, Any]:
        """A row's own columns, from ITEM as the owner's model holds it."""
        if self.plain is not None:
            return {self.plain: item}
        return item.model_dump(exclude={"citations"})

    def item(self, row: Any) -> Any:
        """A stored row as the owner's model holds it (the inverse of `row`, but citations)."""
        return getattr(row, self.plain) if self.plain is not None else row

    @property
    def label(self) -> str:
        return self.name.replace("_", " ")

    def nested(self) -> set[str]:
        """The model's fields that are not the record's own columns: its rows and citations."""
        return {name for name, _ in self.parts} | (
            {"citations"} if "citations" in self.model.model_fields else set()
        )

    def reader_names(self, by: str = "id") -> sa.Select:
        """(BY, name) of each record, as a reader would pick it: BY is the id, or the column
        other records refer to it by."""
        if self.names is not None:
            query = self.names()
        else:
            column = self.table.title if hasattr(self.table, "title") else self.table.name
            query = sa.select(self.table.id, column)
        if by == "id":
            return query
        return query.with_only_columns(getattr(self.table, by), query.selected_columns[1])
