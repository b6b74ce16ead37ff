"""The history of every record: each insert, update, retirement, restoration and deletion, with
who made it, when, and the row as it was before and after.

A write of many rows at once (an import) is one change set instead: who made it, when and from
what, with the ids of the rows it created as runs (a bulk insert numbers its rows one after
another, so a million rows make a handful of runs). A row created so is its change set's by its
id; its history starts there, as it would with a change of its own.

Changes are captured in the same flush that writes them, so no ORM write escapes the history and
the history never records a write that was rolled back. Each change belongs to a record: a
treaty's parties, an engagement's participants, a pledge's status steps and every record's
citations are filed under the record they belong to, so a record's page shows all of its story.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum, StrEnum
from functools import partial
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, Session, select

from tracker.citations import CITED_TABLES
from tracker.kinds import KINDS
from tracker.schema import Table, insert_rows, utcnow, vocabulary
from tracker.users import SYSTEM, Actor, User
from tracker.versions import TableVersion


class ChangeAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    RETIRE = "retire"
    RESTORE = "restore"
    DELETE = "delete"


class Change(Table, table=True):
    __tablename__ = "change"
    __table_args__ = (sa.Index("ix_change_record", "record_table", "record_id"),)

    record_table: str = Field(max_length=64, description="the kind of record the change belongs to")
    record_id: int
    row_table: str = Field(max_length=64, description="the table of the row that changed")
    row_id: int
    action: ChangeAction = Field(sa_type=vocabulary(ChangeAction, "action"))
    user_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    user_name: str = Field(max_length=100)
    note: str | None = Field(default=None, max_length=500)
    before: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)


class ChangeSet(Table, table=True):
    """One write of many rows at once: who made it, when (created_at) and what from (NOTE)."""

    __tablename__ = "change_set"

    user_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    user_name: str = Field(max_length=100)
    note: str | None = Field(default=None, max_length=500)


class ChangeSetRun(Table, table=True):
    """Rows of ROW_TABLE a change set created: every id from FIRST_ID to LAST_ID."""

    __tablename__ = "change_set_run"
    __table_args__ = (
        sa.CheckConstraint("first_id <= last_id", name="ids_in_order"),
        sa.Index("ix_change_set_run_row", "row_table", "first_id"),
    )

    change_set_id: int = Field(foreign_key="change_set.id", ondelete="CASCADE", index=True)
    row_table: str = Field(max_length=64, description="the table of the rows created")
    first_id: int
    last_id: int


_UNTRACKED = (Change, TableVersion, User)
# Rows filed under the record they belong to: (the record's table, the row's column with its id).
_OWNERS = {
    part.name: (kind.name, part.parent[0])
    for kind in KINDS.values()
    for _, part in kind.parts
    if part.name not in KINDS and part.parent[1] == "id"
}


def _owner(table: str, value: Callable[[str], Any]) -> tuple[str, int]:
    """The record a row of TABLE belongs to, as (table, id); VALUE gives the row's columns."""
    if table == "citation":
        cited = next(name for name in CITED_TABLES if value(f"{name}_id") is not None)
        return cited, value(f"{cited}_id")
    if table in _OWNERS:
        owner, column = _OWNERS[table]
        return owner, value(column)
    return table, value("id")


_PLAIN = {str, int, float, bool, type(None)}


def _json(value: Any) -> Any:
    if type(value) in _PLAIN:  # most values: returned at once, as an import writes millions
        return value
    match value:
        case Enum():
            return value.value
        case datetime() | date():
            return value.isoformat()
        case Decimal():
            return float(value)
        case _:
            return value


def _snapshot(row: Table, *, before: bool = False) -> dict[str, Any]:
    """ROW's columns as JSON values: as they are, or as they were BEFORE this flush."""
    state = sa.inspect(row)
    values = {}
    for attribute in state.mapper.column_attrs:
        value = getattr(row, attribute.key)
        if before:
            history = state.attrs[attribute.key].history
            if history.deleted:
                value = history.deleted[0]
        values[attribute.key] = _json(value)
    return values


def _action(before: dict[str, Any], after: dict[str, Any]) -> ChangeAction:
    if "retired_at" in after and before.get("retired_at") != after["retired_at"]:
        return ChangeAction.RETIRE if after["retired_at"] else ChangeAction.RESTORE
    return ChangeAction.UPDATE


@sa.event.listens_for(OrmSession, "after_flush")
def _record_changes(session: OrmSession, _context: Any) -> None:
    actor: Actor = session.info.get("actor") or SYSTEM
    note = session.info.get("change_note")
    changes = []

    def add(row: Table, action: ChangeAction, before: dict | None, after: dict | None) -> None:
        table = type(row).__tablename__
        changes.append(
            _change(table, row.id, action, actor, note, before, after, partial(getattr, row))
        )

    for row in session.new:
        if isinstance(row, Table) and not isinstance(row, _UNTRACKED):
            add(row, ChangeAction.CREATE, None, _snapshot(row))
    for row in session.dirty:
        if isinstance(row, Table) and not isinstance(row, _UNTRACKED) and session.is_modified(row):
            before, after = _snapshot(row, before=True), _snapshot(row)
            if before != after:
                add(row, _action(before, after), before, after)
    for row in session.deleted:
        if isinstance(row, Table) and not isinstance(row, _UNTRACKED):
            add(row, ChangeAction.DELETE, _snapshot(row, before=True), None)
    if changes:
        session.connection().execute(sa.insert(Change.__table__), changes)


def _change(
    table: str,
    row_id: int,
    action: ChangeAction,
    actor: Actor,
    note: str | None,
    before: dict | None,
    after: dict | None,
    value: Callable[[str], Any],
) -> dict[str, Any]:
    record_table, record_id = _owner(table, value)
    now = utcnow()
    return {
        "record_table": record_table,
        "record_id": record_id,
        "row_table": table,
        "row_id": row_id,
        "action": action.value,
        "user_id": actor.id,
        "user_name": actor.name,
        "note": note,
        "before": before,
        "after": after,
        "created_at": now,
        "updated_at": now,
    }


class ChangeSetWriter:
    """The change set of a bulk write past the ORM (as an import makes): opened by the first row
    created, each table's ids kept as runs, and a run written once the next id does not extend
    it. Nothing is written for a bulk write that creates nothing."""

    def __init__(self, connection: sa.Connection, actor: Actor, note: str | None) -> None:
        self.connection, self.actor, self.note = connection, actor, note
        self.id: int | None = None
        self.open: dict[str, list[int]] = {}  # each table's last run, [first, last]

    def created(self, table: str, ids: list[int]) -> None:
        """Count the rows of TABLE with IDS, just inserted, as the change set's."""
        if not ids:
            return
        if self.id is None:
            now = utcnow()
            self.id = self.connection.execute(
                sa.insert(ChangeSet.__table__).returning(ChangeSet.__table__.c.id),
                {
                    "user_id": self.actor.id,
                    "user_name": self.actor.name,
                    "note": self.note,
                    "created_at": now,
                    "updated_at": now,
                },
            ).scalar_one()
        run = self.open.get(table)
        finished: list[list[int]] = []
        for row_id in sorted(ids):
            if run is not None and row_id == run[1] + 1:
                run[1] = row_id
                continue
            if run is not None:
                finished.append(run)
            run = [row_id, row_id]
        self.open[table] = run
        self._write(table, finished)

    def close(self) -> None:
        """Write the runs still open."""
        for table, run in self.open.items():
            self._write(table, [run])
        self.open = {}

    def _write(self, table: str, runs: list[list[int]]) -> None:
        if not runs:
            return
        now = utcnow()
        insert_rows(
            self.connection,
            ChangeSetRun.__table__,
            [
                {
                    "change_set_id": self.id,
                    "row_table": table,
                    "first_id": first,
                    "last_id": last,
                    "created_at": now,
                    "updated_at": now,
                }
                for first, last in runs
            ],
        )


# An action in a reader's words: on the record itself, and on a row that belongs to it.
_DONE = {
    ChangeAction.CREATE: ("created", "added"),
    ChangeAction.UPDATE: ("changed", "changed"),
    ChangeAction.RETIRE: ("retired", "retired"),
    ChangeAction.RESTORE: ("restored", "restored"),
    ChangeAction.DELETE: ("deleted", "removed"),
}


class ChangePublic(BaseModel):
    id: int  # a creation in a change set has no change of its own: its set's id, negated
    at: datetime
    action: ChangeAction
    user_name: str
    row_table: str
    row_id: int
    note: str | None
    changed: dict[str, tuple[Any, Any]]
    after: dict[str, Any] | None
    what: str = ""  # the change in words: "changed", "added a citation"
    # The fields it changed as a reader reads them: (field, before, after), records by name.
    described: list[tuple[str, str, str]] = []


def _article(noun: str) -> str:
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


def _field_words(field: str) -> str:
    """A column as a reader names it: source_id is the source, state_code the state."""
    return field.removesuffix("_id").removesuffix("_code").replace("_", " ")


def _names(session: Session, changes: list[ChangePublic]) -> dict[tuple[str, str, Any], str]:
    """The name a reader knows each record by that the CHANGES refer to, by (table, column,
    value): a source by its outlet and title, a state by its name, a person by theirs."""
    from tracker.kinds import with_parts  # the registry, which lists the kinds
    from tracker.models import metadata

    kinds = {kind.name: kind for kind in with_parts()}
    wanted: dict[tuple[str, str], set[Any]] = {}
    for change in changes:
        columns = metadata.tables[change.row_table].c
        for field, values in change.changed.items():
            if field not in columns:
                continue
            for key in columns[field].foreign_keys:
                target = (key.column.table.name, key.column.name)
                wanted.setdefault(target, set()).update(v for v in values if v is not None)
    names: dict[tuple[str, str, Any], str] = {}
    for (table, column), values in wanted.items():
        if table not in kinds or not values:
            continue
        query = kinds[table].reader_names(by=column)
        by, _ = query.selected_columns
        for value, name in session.execute(query.where(by.in_(values))):
            names[(table, column, value)] = name
    return names


def _described(
    change: ChangePublic, names: dict[tuple[str, str, Any], str]
) -> list[tuple[str, str, str]]:
    from tracker.models import metadata

    columns = metadata.tables[change.row_table].c
    rows = []
    for field, values in change.changed.items():
        targets = (
            [(key.column.table.name, key.column.name) for key in columns[field].foreign_keys]
            if field in columns
            else []
        )
        words = []
        for value in values:
            if value is None:
                words.append("")
            elif targets and (found := names.get((*targets[0], value))) is not None:
                words.append(found)
            else:
                words.append(str(value))
        rows.append((_field_words(field) if targets else field.replace("_", " "), *words))
    return rows


BOOKKEEPING = {"id", "created_at", "updated_at", "version"}


def history_of(*, session: Session, table: str, record_id: int) -> list[ChangePublic]:
    """Every change to a record and the rows that belong to it, newest first, each with the
    fields it changed as (old, new): a row a change set created starts with its creation there."""
    rows = session.exec(
        select(Change)
        .where(Change.record_table == table, Change.record_id == record_id)
        .order_by(Change.id.desc())
    ).all()
    changes = [
        _public(
            change.id,
            change.created_at,
            change.action,
            change.user_name,
            change.row_table,
            change.row_id,
            change.note,
            change.before,
            change.after,
        )
        for change in rows
    ]
    changes += _created_in_change_sets(session, table, record_id, rows)
    changes.sort(key=lambda change: change.at, reverse=True)  # stable: changes stay by id
    names = _names(session, changes)
    for change in changes:
        own, of_part = _DONE[change.action]
        change.what = (
            own
            if change.row_table == table
            else f"{of_part} {_article(change.row_table.replace('_', ' '))}"
        )
        change.described = _described(change, names)
    return changes


def _public(
    change_id: int,
    at: datetime,
    action: ChangeAction,
    user_name: str,
    row_table: str,
    row_id: int,
    note: str | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> ChangePublic:
    before, after_values = before or {}, after or {}
    return ChangePublic(
        id=change_id,
        at=at,
        action=action,
        user_name=user_name,
        row_table=row_table,
        row_id=row_id,
        note=note,
        changed={
            field: (before.get(field), after_values.get(field))
            for field in sorted({*before, *after_values} - BOOKKEEPING)
            if before.get(field) != after_values.get(field)
        },
        after=after,
    )


def _created_in_change_sets(
    session: Session, table: str, record_id: int, changes: Sequence[Change]
) -> list[ChangePublic]:
    """The creations, by change sets, of the record's rows: those it holds now and those its
    CHANGES name (a part since removed). Each row is as its first change found it, or as it is
    if nothing changed it since; a row whose first change is its creation is not a change
    set's (an id used again after a delete)."""
    from tracker.models import metadata

    first_changes: dict[tuple[str, int], Change] = {}
    for change in changes:  # newest first: the last one kept is the first made
        first_changes[(change.row_table, change.row_id)] = change
    belonging = {(table, record_id), *first_changes}
    connection = session.connection()
    for part, column in _owned_by(table):
        found = connection.execute(
            sa.select(metadata.tables[part].c.id).where(
                metadata.tables[part].c[column] == record_id
            )
        )
        belonging.update((part, row_id) for (row_id,) in found)
    created = []
    for row_table, row_id in sorted(belonging):
        first = first_changes.get((row_table, row_id))
        if first is not None and first.action == ChangeAction.CREATE:
            continue
        change_set = created_by(session, row_table, row_id)
        if change_set is None:
            continue
        if first is not None:
            after = first.before
        else:
            columns = metadata.tables[row_table]
            stored = connection.execute(sa.select(columns).where(columns.c.id == row_id)).one()
            after = {name: _json(value) for name, value in stored._mapping.items()}
        created.append(
            _public(
                -change_set.id,
                change_set.created_at,
                ChangeAction.CREATE,
                change_set.user_name,
                row_table,
                row_id,
                change_set.note,
                None,
                after,
            )
        )
    return created


def created_by(session: Session, table: str, row_id: int) -> ChangeSet | None:
    """The change set that created row ROW_ID of TABLE, if a change set did."""
    run = session.exec(
        select(ChangeSetRun)
        .where(ChangeSetRun.row_table == table, ChangeSetRun.first_id <= row_id)
        .order_by(ChangeSetRun.first_id.desc())
        .limit(1)
    ).first()
    if run is None or run.last_id < row_id:
        return None
    return session.get(ChangeSet, run.change_set_id)


def _owned_by(table: str) -> list[tuple[str, str]]:
    """The tables whose rows belong to a record of TABLE, each with its column naming it."""
    owned = [(part, column) for part, (owner, column) in _OWNERS.items() if owner == table]
    if table in CITED_TABLES:
        owned.append(("citation", f"{table}_id"))
    return owned
