"""The rules across rows: what a record needs beyond its own row, from its Create model (at
least one citation, a treaty's two parties, an engagement's participants), and that one
state's spells of membership in a record do not overlap. The import checks them; the export
writes the rows they ask for beside each record, so that it imports whole."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Annotated, Any, get_origin

import sqlalchemy as sa
from annotated_types import MinLen
from pydantic import TypeAdapter, ValidationError

from tracker.citations import (
    CHAIN_WITHOUT_ORIGINATOR,
    STEP_REPEATED,
    Citation,
    CitationRelay,
)
from tracker.errors import message
from tracker.kinds import KINDS, with_parts
from tracker.kinds.kind import StatesInRows
from tracker.kinds.pledges import TO_ITSELF, Pledge, PledgeRecipient
from tracker.models import metadata

# The lists in the records' Create models whose rows are not the kind's declared parts, by the
# table that holds them (each row names its record by a foreign key). Every
# other rule across rows is derived: see REQUIRED_ROWS.
LIST_TABLES: dict[str, str] = {"citations": "citation"}


@dataclass(frozen=True)
class RequiredRows:
    """A record of TABLE needs at least AT_LEAST rows of ROWS_TABLE naming it in COLUMN, as
    its Create model's list FIELD has that minimum length (a treaty's two parties)."""

    table: str
    label: str
    field: str
    rows_table: str
    column: str
    at_least: int

    def refusal(self, found: int) -> str:
        """Why a record with only FOUND such rows is refused: the form's words, and where the
        rows go."""
        try:
            TypeAdapter(Annotated[list[Any], MinLen(self.at_least)]).validate_python([None] * found)
        except ValidationError as error:
            return (
                f"{self.field}: {message(error.errors()[0])} (rows of {self.rows_table}.csv "
                f"naming this {self.label} in {self.column}, in this import or stored)"
            )
        raise ValueError(f"{found} {self.field} are enough for a {self.label}")


def _required_rows() -> list[RequiredRows]:
    """The rules across rows, from each kind's Create model: a list field with a minimum
    length, whose rows are the kind's children or are held where LIST_TABLES says."""
    required = []
    for kind in with_parts():
        table, children = kind.table.__tablename__, dict(kind.parts)
        for name, list_field in kind.model.model_fields.items():
            at_least = max(
                (item.min_length for item in list_field.metadata if isinstance(item, MinLen)),
                default=0,
            )
            if get_origin(list_field.annotation) is not list or not at_least:
                continue
            if name in children:
                column, parent_column = children[name].parent
                assert parent_column == "id", f"{kind.name}.{name}: rows are checked by id"
                rows_table = children[name].table.__tablename__
            else:
                rows_table = LIST_TABLES[name]  # a new list: declare where its rows are
                [column] = [
                    element.parent.name
                    for element in metadata.tables[rows_table].foreign_keys
                    if (element.column.table.name, element.column.name) == (table, "id")
                ]
            required.append(RequiredRows(table, kind.label, name, rows_table, column, at_least))
    return required


REQUIRED_ROWS = _required_rows()


@dataclass(frozen=True)
class OwnedRows:
    """Rows of ROWS_TABLE that belong to a record of TABLE (naming it in COLUMN) and go wherever
    it goes: an export of the record carries them, so it imports whole."""

    table: str
    rows_table: str
    column: str


def _owned_rows() -> list[OwnedRows]:
    """What a record carries: the rows its rules require (REQUIRED_ROWS), its parts that are not
    records of their own (a pledge's recipients and steps; a deployment's estimates are records
    and go only when chosen), and each citation's chain of relays."""
    owned = {OwnedRows(rule.table, rule.rows_table, rule.column) for rule in REQUIRED_ROWS}
    owned |= {
        OwnedRows(kind.name, part.name, part.parent[0])
        for kind in with_parts()
        for _, part in kind.parts
        # (A state's aliases name it by code: reference data, exported whole.)
        if part.name not in KINDS and part.parent[1] == "id"
    }
    owned.add(OwnedRows("citation", "citation_relay", "citation_id"))
    return sorted(owned, key=lambda rows: (rows.table, rows.rows_table, rows.column))


OWNED_ROWS = _owned_rows()


@dataclass(frozen=True)
class RowRule:
    """A rule a row of ROW keeps with the RECORD it belongs to (named by the row's OWNER
    column), which its own model cannot see (a pledge's recipient is not its pledger): BROKEN,
    over the two, holds where the row breaks it. REASON says why in the form's words, at
    COLUMN."""

    row: Any
    record: Any
    owner: str
    column: str
    reason: str
    broken: Callable[[], sa.ColumnElement[bool]]

    @property
    def table(self) -> str:
        return self.row.__tablename__

    def offending(self, ids: Collection[int]) -> sa.Select:
        """Which of the rows IDS break the rule. Each row is found by its id and its record
        looked up from it: as a join, SQLite read it from the record's side instead, through
        whatever index BROKEN offers (every citation without an originator), once a batch."""
        return sa.select(self.row.id).where(
            self.row.id.in_(ids),
            sa.exists().where(self.record.id == getattr(self.row, self.owner), self.broken()),
        )


ROW_RULES = (
    RowRule(
        row=PledgeRecipient,
        record=Pledge,
        owner="pledge_id",
        column="state_code",
        reason=TO_ITSELF,
        broken=lambda: PledgeRecipient.state_code == Pledge.pledger_state_code,
    ),
    RowRule(
        row=CitationRelay,
        record=Citation,
        owner="citation_id",
        column="citation_id",
        reason=CHAIN_WITHOUT_ORIGINATOR,
        broken=lambda: Citation.relayed_source_id.is_(None),
    ),
    RowRule(
        row=CitationRelay,
        record=Citation,
        owner="citation_id",
        column="source_id",
        reason=STEP_REPEATED,
        broken=lambda: sa.or_(
            CitationRelay.source_id == Citation.source_id,
            CitationRelay.source_id == Citation.relayed_source_id,
        ),
    ),
)


# The rows that are spells of a state's membership (a treaty's parties), by their table: a
# state's spells in one record must not overlap.
SPELLS: dict[str, StatesInRows] = {
    kind.states.table.__tablename__: kind.states
    for kind in with_parts()
    if isinstance(kind.states, StatesInRows) and kind.states.spells is not None
}
