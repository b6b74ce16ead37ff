"""Writing records: the one path every write takes, from the forms, the seeds and imports.

`save` creates a record or brings one up to date, with the rows that belong to it (a treaty's
parties, an engagement's participants, a pledge's status steps, a deployment's estimates) and
its citations. It validates with the record's Create model, refuses an actor who is not an
editor, and refuses to overwrite a version other than the one the editor started from. Records
are retired, never deleted, and any earlier version can be restored; the history module keeps
every step.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from tracker.citations import Citation, CitationCreate, cite, relay_chains
from tracker.errors import NotFound, TrackerError
from tracker.history import Change, history_of
from tracker.kinds import KINDS, kind_of
from tracker.kinds.kind import Kind
from tracker.schema import Table, field_error, upsert, utcnow
from tracker.users import Actor, require_editor


class Conflict(TrackerError):
    """Someone else saved the record since the editor opened it."""


def _get(session: Session, kind: Kind, record_id: int) -> Table:
    row = session.get(kind.table, record_id)
    if row is None:
        raise NotFound(f"no {kind.label} has id {record_id}")
    return row


def _conflict(session: Session, kind: Kind, row: Table) -> Conflict:
    last = session.exec(
        select(Change)
        .where(Change.row_table == kind.name, Change.row_id == row.id)
        .order_by(Change.id.desc())
    ).first()
    who = f" by {last.user_name} at {last.created_at:%Y-%m-%d %H:%M}" if last else ""
    return Conflict(
        f"this {kind.label} was changed{who} after you opened it; your changes were not saved. "
        "Your entries are kept: reload the record to see the newer version, then apply them again."
    )


def _begin(session: Session, actor: Actor) -> None:
    session.info["actor"] = require_editor(session=session, actor=actor)
    session.info["change_note"] = None


def save(
    *,
    session: Session,
    actor: Actor,
    kind: str,
    record: BaseModel | dict[str, Any],
    record_id: int | None = None,
    expected_version: int | None = None,
) -> Table:
    """Create RECORD, or update the stored one: the record with RECORD_ID (refused if its version
    is no longer EXPECTED_VERSION), else the one with the same natural key. When a record is
    updated by id, its rows and citations become exactly those given (estimates, records in their
    own right, are only ever added); otherwise given ones are added to those it has."""
    _begin(session, actor)
    spec = kind_of(kind)
    try:
        return _save(
            session, spec, spec.model.model_validate(record), record_id, expected_version, None
        )
    except StaleDataError:
        session.rollback()
        raise _conflict(session, spec, _get(session, spec, record_id)) from None


def _save(
    session: Session,
    kind: Kind,
    record: BaseModel,
    record_id: int | None,
    expected_version: int | None,
    parent: Table | None,
) -> Table:
    values = kind.row(record) if parent is not None else record.model_dump(exclude=kind.nested())
    values = {name: value for name, value in values.items() if name not in kind.nested()}
    if parent is not None and kind.parent:
        column, parent_column = kind.parent
        values[column] = getattr(parent, parent_column)
    elif kind.parent and values.get(kind.parent[0]) is None:
        raise field_error(
            kind.parent[0],
            f"choose the {kind.parent[0].removesuffix('_id')} this {kind.label} belongs to",
            None,
        )
    if record_id is not None:
        row = _get(session, kind, record_id)
        if expected_version is not None and row.version != expected_version:
            raise _conflict(session, kind, row)
        for name, value in values.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
        session.flush()
    else:
        key = {name: values[name] for name in kind.key}
        row = upsert(
            session,
            kind.table,
            key,
            {name: value for name, value in values.items() if name not in key},
        )
    replace = record_id is not None
    for name, child in kind.parts:
        kept = [_save(session, child, item, None, None, row).id for item in getattr(record, name)]
        # Rows that are records in their own right (estimates) are edited on their own: an
        # edit of their parent adds to them but never removes them.
        if replace and child.name not in KINDS:
            column, parent_column = child.parent
            _delete_others(
                session,
                child.table,
                getattr(child.table, column) == getattr(row, parent_column),
                kept,
            )
    if "citations" in kind.nested():
        kept = [
            citation.id
            for citation in cite(session=session, record=row, citations=record.citations)
        ]
        if replace:
            _delete_others(session, Citation, getattr(Citation, f"{kind.name}_id") == row.id, kept)
    return row


def _delete_others(session: Session, table: type[Table], belongs: Any, kept: list[int]) -> None:
    """Delete the rows of TABLE that BELONG to a record but are not among KEPT; the history
    keeps each of them."""
    for row in session.exec(select(table).where(belongs, table.id.not_in(kept))).all():
        session.delete(row)
    session.flush()


def _stamp_retired(
    session: Session,
    actor: Actor,
    kind: str,
    record_id: int,
    expected_version: int | None,
    retired: bool,
) -> Table:
    _begin(session, actor)
    spec = kind_of(kind)
    row = _get(session, spec, record_id)
    if expected_version is not None and row.version != expected_version:
        raise _conflict(session, spec, row)
    row.retired_at = utcnow() if retired else None
    try:
        session.flush()
    except StaleDataError:  # another editor saved between our read and our write
        session.rollback()
        raise _conflict(session, spec, _get(session, spec, record_id)) from None
    return row


def retire(
    *,
    session: Session,
    actor: Actor,
    kind: str,
    record_id: int,
    expected_version: int | None = None,
) -> Table:
    """Retire a record: it leaves every view but stays in the database, and can be restored."""
    return _stamp_retired(session, actor, kind, record_id, expected_version, retired=True)


def restore(
    *,
    session: Session,
    actor: Actor,
    kind: str,
    record_id: int,
    expected_version: int | None = None,
) -> Table:
    """Bring a retired record back into every view."""
    return _stamp_retired(session, actor, kind, record_id, expected_version, retired=False)


def revert(
    *,
    session: Session,
    actor: Actor,
    kind: str,
    record_id: int,
    change_id: int,
    expected_version: int | None = None,
) -> Table:
    """Give a record back the values it had just after change CHANGE_ID (its own fields; the
    rows that belong to it keep their own histories)."""
    spec = kind_of(kind)
    _begin(session, actor)  # who may act comes first: a viewer learns nothing of the history
    # Read from the history as shown, so that a creation by an import (a change set's, with no
    # change of its own) can be restored too.
    change = next(
        (
            change
            for change in history_of(session=session, table=spec.name, record_id=record_id)
            if change.id == change_id
            and (change.row_table, change.row_id) == (spec.name, record_id)
            and change.after is not None
        ),
        None,
    )
    if change is None:
        raise NotFound(f"change {change_id} is not a version of this {spec.label}")
    saved = f"{change.user_name} at {change.at:%Y-%m-%d %H:%M}"
    session.info["change_note"] = f"restored the version saved by {saved}"
    row = _get(session, spec, record_id)
    if expected_version is not None and row.version != expected_version:
        raise _conflict(session, spec, row)
    fields = set(spec.model.model_fields) - spec.nested()
    current = as_record(session=session, kind=kind, record_id=record_id)
    restored = spec.model.model_validate(
        current | {name: change.after[name] for name in fields if name in change.after}
    )
    for name, value in restored.model_dump(include=fields).items():
        if getattr(row, name) != value:
            setattr(row, name, value)
    session.flush()
    return row


def as_record(*, session: Session, kind: str, record_id: int) -> dict[str, Any]:
    """A stored record as its Create model's fields, with its rows and citations: what an edit
    form starts from."""
    spec = kind_of(kind)
    row = _get(session, spec, record_id)
    record = _fields(spec, row)
    for name, child in spec.parts:
        column, parent_column = child.parent
        rows = session.exec(
            select(child.table)
            .where(getattr(child.table, column) == getattr(row, parent_column))
            .order_by(child.table.id)
        ).all()
        record[name] = [_as_child(session, child, child_row) for child_row in rows]
    if "citations" in spec.nested():
        record["citations"] = _citations(session, spec.name, row.id)
    return record


def _fields(kind: Kind, row: Table) -> dict[str, Any]:
    """ROW's own fields as KIND's model takes them, each fuzzy date in its text form."""
    fuzzy = getattr(kind.model, "fuzzy_dates", ())
    dates = {f"{name}{part}" for name in fuzzy for part in ("", "_precision", "_latest")}
    values = {
        name: getattr(row, name)
        for name in set(kind.model.model_fields) - kind.nested() - dates
        if hasattr(row, name)
    }
    for name in fuzzy:
        date = row.fuzzy(name)
        values[name] = None if date is None else str(date)
    return values


def _as_child(session: Session, kind: Kind, row: Table) -> Any:
    if kind.plain is not None:
        return kind.item(row)
    values = _fields(kind, row)
    if "citations" in kind.model.model_fields:
        values["citations"] = _citations(session, kind.name, row.id)
    return values


def _citations(session: Session, table: str, record_id: int) -> list[dict[str, Any]]:
    citations = session.exec(
        select(Citation).where(getattr(Citation, f"{table}_id") == record_id).order_by(Citation.id)
    ).all()
    chains = relay_chains(session=session, citation_ids=[citation.id for citation in citations])
    return [
        CitationCreate.model_validate(
            {**citation.model_dump(), "relayed_via": chains[citation.id]}
        ).model_dump()
        for citation in citations
    ]


def choices(
    *, session: Session, kind: str, retired: bool = False, by: str = "id"
) -> dict[Any, str]:
    """The records of KIND an editor can pick, by id (or BY, the column other records refer to
    them by), named for a reader; retired ones instead when RETIRED."""
    spec = kind_of(kind)
    table = spec.table
    query = spec.reader_names(by).where(
        table.retired_at.is_not(None) if retired else table.retired_at.is_(None)
    )
    return dict(session.exec(query.order_by(sa.literal_column("2"))).all())


class Editing(BaseModel):
    """What an edit form starts from: the record's fields, its version, whether it is retired."""

    record: dict[str, Any]
    version: int
    retired: bool


def for_editing(*, session: Session, kind: str, record_id: int) -> Editing:
    row = _get(session, kind_of(kind), record_id)
    return Editing(
        record=as_record(session=session, kind=kind, record_id=record_id),
        version=row.version,
        retired=row.retired_at is not None,
    )
