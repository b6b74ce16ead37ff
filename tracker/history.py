"""The history of every record: each insert, update, retirement, restoration and deletion, with
who made it, when, and the row as it was before and after.

Changes are captured in the same flush that writes them, so no ORM write escapes the history and
the history never records a write that was rolled back. Each change belongs to a record: a
treaty's parties, an engagement's participants, a pledge's status steps and every record's
citations are filed under the record they belong to, so a record's page shows all of its story.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, Session, select

from tracker.citations import CITED_TABLES, Citation
from tracker.engagements import EngagementParticipant
from tracker.pledges import PledgeStatus
from tracker.schema import Table, utcnow, vocabulary
from tracker.states import StateAlias
from tracker.treaties import TreatyParty
from tracker.users import SYSTEM, Actor, User
from tracker.versions import DataVersion


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


_UNTRACKED = (Change, DataVersion, User)
_OWNERS = {
    TreatyParty: ("treaty", "treaty_id"),
    EngagementParticipant: ("engagement", "engagement_id"),
    PledgeStatus: ("pledge", "pledge_id"),
}


def _owner(row: Table) -> tuple[str, int]:
    """The record ROW belongs to, as (table, id)."""
    if isinstance(row, Citation):
        table = next(name for name in CITED_TABLES if getattr(row, f"{name}_id") is not None)
        return table, getattr(row, f"{table}_id")
    if type(row) in _OWNERS:
        table, column = _OWNERS[type(row)]
        return table, getattr(row, column)
    if isinstance(row, StateAlias):
        return "state_alias", row.id
    return type(row).__tablename__, row.id


def _json(value: Any) -> Any:
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
        record_table, record_id = _owner(row)
        changes.append(
            {
                "record_table": record_table,
                "record_id": record_id,
                "row_table": type(row).__tablename__,
                "row_id": row.id,
                "action": action.value,
                "user_id": actor.id,
                "user_name": actor.name,
                "note": note,
                "before": before,
                "after": after,
                "created_at": utcnow(),
                "updated_at": utcnow(),
            }
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


class ChangePublic(BaseModel):
    id: int
    at: datetime
    action: ChangeAction
    user_name: str
    row_table: str
    row_id: int
    note: str | None
    changed: dict[str, tuple[Any, Any]]
    after: dict[str, Any] | None


_BOOKKEEPING = {"id", "created_at", "updated_at", "version"}


def history_of(*, session: Session, table: str, record_id: int) -> list[ChangePublic]:
    """Every change to a record and the rows that belong to it, newest first, each with the
    fields it changed as (old, new)."""
    rows = session.exec(
        select(Change)
        .where(Change.record_table == table, Change.record_id == record_id)
        .order_by(Change.id.desc())
    ).all()
    return [
        ChangePublic(
            id=change.id,
            at=change.created_at,
            action=change.action,
            user_name=change.user_name,
            row_table=change.row_table,
            row_id=change.row_id,
            note=change.note,
            changed={
                field: ((change.before or {}).get(field), (change.after or {}).get(field))
                for field in sorted({*(change.before or {}), *(change.after or {})} - _BOOKKEEPING)
                if (change.before or {}).get(field) != (change.after or {}).get(field)
            },
            after=change.after,
        )
        for change in rows
    ]
