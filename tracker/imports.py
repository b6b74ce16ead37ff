"""Importing CSV: the export's format back in, from a folder, a .zip, or one table's CSV file.

Every row is checked by the same rules as the forms (the record's model), its references by
what the database and the earlier rows of the import hold, and its keys for duplicates. An
import is one transaction: if any row is bad, nothing is written, and the report lists every
bad row with its file, line, column and the reason in words. Rows that already exist, by id or
by natural key, are updated or skipped as the caller chooses, never duplicated.
"""

from __future__ import annotations

import csv
import json
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from datetime import date, datetime
from enum import StrEnum
from itertools import islice
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
from pydantic import BaseModel, ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from tracker.cameo import CameoEventBase
from tracker.citations import CitationBase
from tracker.deployments import DeploymentBase, EstimateBase
from tracker.engagements import EngagementBase, ParticipantBase
from tracker.errors import describe, message
from tracker.exports import BATCH, TABLES, models_by_table, restore_text
from tracker.history import record_inserts
from tracker.models import metadata
from tracker.people import PersonBase
from tracker.pledges import PledgeBase, PledgeStatusBase
from tracker.schema import insert_rows
from tracker.sources import SourceBase
from tracker.states import StateBase
from tracker.treaties import TreatyBase, TreatyPartyBase
from tracker.users import SYSTEM, Actor, require_editor
from tracker.versions import bump

# The rules each table's rows must pass: the record's model, as in the forms.
RULES: dict[str, type[SQLModel] | None] = {
    "state": StateBase,
    "state_alias": None,
    "cameo_event": CameoEventBase,
    "source": SourceBase,
    "person": PersonBase,
    "treaty": TreatyBase,
    "treaty_party": TreatyPartyBase,
    "engagement": EngagementBase,
    "engagement_participant": ParticipantBase,
    "deployment": DeploymentBase,
    "estimate": EstimateBase,
    "pledge": PledgeBase,
    "pledge_status": PledgeStatusBase,
    "citation": CitationBase,
}


class Policy(StrEnum):
    UPDATE = "update"
    SKIP = "skip"


class Problem(BaseModel):
    file: str
    line: int
    column: str | None = None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" + (
            f", column {self.column}" if self.column else ""
        )
        return f"{where}: {self.reason}"


class ImportReport(BaseModel):
    dry_run: bool
    created: Counter[str] = Counter()
    updated: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    problems: list[Problem] = []

    @property
    def written(self) -> bool:
        return not self.problems and not self.dry_run


def _files(path: Path, stack: ExitStack) -> Iterator[tuple[str, str, IO[bytes]]]:
    """(table, file name, open file) for each table file at PATH, in the order tables load."""
    path = Path(path)
    if path.suffix == ".zip":
        archive = stack.enter_context(zipfile.ZipFile(path))
        names = set(archive.namelist())
        for table in TABLES:
            if f"{table}.csv" in names:
                yield table, f"{table}.csv", stack.enter_context(archive.open(f"{table}.csv"))
    elif path.is_dir():
        for table in TABLES:
            if (path / f"{table}.csv").exists():
                yield table, f"{table}.csv", stack.enter_context((path / f"{table}.csv").open("rb"))
    else:
        yield path.stem, path.name, stack.enter_context(path.open("rb"))


class _NotUtf8(Exception):
    def __init__(self, line: int, byte: int) -> None:
        self.line, self.byte = line, byte


def _decoded(lines: Iterable[bytes]) -> Iterator[str]:
    """LINES as text, decoded line by line so a byte that is not UTF-8 is placed on its line."""
    for number, line in enumerate(lines, start=1):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as error:
            raise _NotUtf8(number, line[error.start]) from None
        yield text.removeprefix("\ufeff") if number == 1 else text


def _converter(column: sa.Column) -> Callable[[str], Any]:
    match column.type:
        case sa.Boolean():
            return lambda text: {"true": True, "false": False, "1": True, "0": False}[text.lower()]
        case sa.Integer():
            return int
        case sa.Float():
            return float
        case sa.DateTime():
            return datetime.fromisoformat
        case sa.Date():
            return date.fromisoformat
        case sa.JSON():
            return lambda text: json.loads(restore_text(text))
        case _:
            return restore_text


_WHAT = {
    int: "a whole number",
    float: "a number",
    date.fromisoformat: "a date (YYYY-MM-DD)",
    datetime.fromisoformat: "a date and time (ISO 8601)",
}


class _Import:
    def __init__(self, session: Session, report: ImportReport, policy: Policy) -> None:
        self.session, self.report, self.policy = session, report, policy
        self.stored: dict[tuple[str, str], set[Any]] = {}  # values in the database, by column
        self.added: dict[tuple[str, str], set[Any]] = {}  # values of rows this import adds
        self.ids: dict[str, dict[int, int]] = {}  # file id -> stored id, where they differ
        self.keys: dict[str, dict[tuple[str, ...], dict[tuple, int]]] = {}  # natural key -> id

    def problem(self, file: str, line: int, column: str | None, reason: str) -> None:
        self.report.problems.append(Problem(file=file, line=line, column=column, reason=reason))

    def known(self, table: str, column: str, value: Any) -> bool:
        """Whether VALUE is in TABLE's COLUMN, stored or added by an earlier row."""
        return value in self.in_database(table, column) or value in self.added.get(
            (table, column), ()
        )

    def in_database(self, table: str, column: str) -> set[Any]:
        """The values of TABLE's COLUMN in the database (with the rows this import wrote)."""
        key = (table, column)
        if key not in self.stored:
            query = sa.select(metadata.tables[table].c[column])
            self.stored[key] = set(self.session.connection().execute(query).scalars())
        return self.stored[key]

    def parse(self, table: str, file: str, lines: Iterable[bytes]) -> Iterator[tuple[int, Row]]:
        """The file's rows as typed values, each with its line; problems go to the report."""
        if table not in RULES:
            self.problem(
                file,
                1,
                None,
                f"no table is called {table!r}: name the file after one of {', '.join(TABLES)}",
            )
            return
        columns = metadata.tables[table].c
        reader = csv.reader(_decoded(lines), strict=True)
        try:
            header = next(reader, [])
            if not any(name.strip() for name in header):
                self.problem(
                    file, 1, None, "the file is empty: it needs a header row naming the columns"
                )
                return
            unknown = [name for name in header if name not in columns]
            required = [
                column.name
                for column in columns
                if (not column.nullable or column.primary_key)
                and column.server_default is None
                and column.default is None
                and column.name not in header
            ]
            for name in unknown:
                self.problem(file, 1, name, f"there is no column {name!r} in {table}")
            for name in required:
                self.problem(file, 1, name, f"the column {name!r} is missing")
            if unknown or required:
                return
            converters = [(name, _converter(columns[name])) for name in header]
            width = len(header)
            for cells in reader:
                line = reader.line_num
                if len(cells) != width:
                    self.problem(
                        file,
                        line,
                        None,
                        f"the row has {len(cells)} cells; the header names {width}",
                    )
                    continue
                row, good = {}, True
                for (name, convert), text in zip(converters, cells, strict=True):
                    if text == "":
                        row[name] = None
                        continue
                    try:
                        row[name] = convert(text)
                    except (ValueError, KeyError, json.JSONDecodeError):
                        what = _WHAT.get(
                            convert, "true or false" if convert is not restore_text else "text"
                        )
                        self.problem(file, line, name, f"{text!r} is not {what}")
                        good = False
                if good:
                    yield line, row
        except csv.Error as error:
            self.problem(
                file,
                reader.line_num,
                None,
                f"the file is not valid CSV ({error}): is it cut short?",
            )
        except _NotUtf8 as error:
            self.problem(
                file,
                error.line,
                None,
                f"the file is not UTF-8 text (byte {error.byte:#04x}): save it as UTF-8",
            )

    def check(
        self, table: str, file: str, rows: Iterable[tuple[int, Row]]
    ) -> Iterator[tuple[int, Row]]:
        """The rows that pass the record's rules, references and keys."""
        rules, columns = RULES[table], metadata.tables[table]
        fields = set(rules.model_fields) if rules is not None else set()
        references = [
            (element.parent.name, element.column.table.name, element.column.name)
            for element in columns.foreign_keys
            if element.column.table.name in RULES
        ]
        keys = [("id",), *_natural_keys(table)]
        remembered = [
            column.name for column in columns.columns if (table, column.name) in _REFERENCED
        ]
        seen: dict[tuple, int] = {}
        for line, row in rows:
            good = True
            if rules is not None:
                try:
                    rules.model_validate({name: row[name] for name in row.keys() & fields})
                except ValidationError as error:
                    for problem in error.errors():
                        column = str(problem["loc"][0]) if problem["loc"] else None
                        self.problem(file, line, column, message(problem))
                    good = False
            for column, target_table, target in references:
                value = row.get(column)
                if value is not None and not self.known(target_table, target, value):
                    self.problem(
                        file,
                        line,
                        column,
                        f"refers to {target_table} {target} {value!r}, "
                        "which is neither stored nor in this import",
                    )
                    good = False
            for key in keys:
                values = tuple(row.get(name) for name in key)
                if None in values:
                    continue
                if (key, values) in seen:
                    self.problem(
                        file, line, key[0], f"the same {', '.join(key)} as line {seen[key, values]}"
                    )
                    good = False
                seen[key, values] = line
            if good:
                for name in remembered:
                    if row.get(name) is not None:
                        self.added.setdefault((table, name), set()).add(row[name])
                yield line, row

    def write(self, table: str, rows: list[tuple[int, Row]]) -> None:
        """Store ROWS: a row matching a stored one by natural key (or else by id, if that id
        holds the same record) updates or skips it; any other is added, in batches. References
        follow the stored ids where a file's ids differ."""
        columns = metadata.tables[table]
        references = [
            (element.parent.name, element.column.table.name)
            for element in columns.foreign_keys
            if element.column.name == "id"
        ]
        ids = self.ids.setdefault(table, {})
        keeping_ids: list[Row] = []  # new rows whose ids are free
        renumbered: list[Row] = []  # new rows the database numbers
        updates: list[tuple[int, Row]] = []
        for _line, row in rows:
            for column, target in references:
                if row.get(column) is not None:
                    row[column] = self.ids.get(target, {}).get(row[column], row[column])
            stored_id = self._match(table, row)
            if stored_id is not None:
                if row.get("id") is not None and row["id"] != stored_id:
                    ids[row["id"]] = stored_id
                if self.policy is Policy.SKIP:
                    self.report.skipped[table] += 1
                else:
                    updates.append((stored_id, row))
                continue
            self.report.created[table] += 1
            if row.get("id") is not None and row["id"] not in self.in_database(table, "id"):
                keeping_ids.append(row)
                self.in_database(table, "id").add(row["id"])
            else:
                renumbered.append(row)
        connection = self.session.connection()
        new = _with_defaults(table, keeping_ids)
        insert_rows(connection, columns, new)
        numbered = _with_defaults(table, renumbered)
        if numbered:
            file_ids = [row.pop("id", None) for row in numbered]
            statement = sa.insert(columns).returning(columns.c.id, sort_by_parameter_order=True)
            for file_id, row, stored_id in zip(
                file_ids, numbered, connection.execute(statement, numbered).scalars(), strict=True
            ):
                row["id"] = stored_id
                if file_id is not None:
                    ids[file_id] = stored_id
            self.in_database(table, "id").update(row["id"] for row in numbered)
        for row in (*new, *numbered):
            for key, stored in self._keys(table).items():
                values = tuple(row.get(name) for name in key)
                if None not in values:
                    stored[values] = row["id"]
        record_inserts(connection, table, [*new, *numbered], actor=self.session.info["actor"])
        self._update(table, updates)

    def _update(self, table: str, updates: list[tuple[int, Row]]) -> None:
        """Bring stored rows up to date through the ORM, so each change keeps its history."""
        model = models_by_table()[table]
        for stored_id, row in updates:
            stored = self.session.get(model, stored_id)
            for name, value in row.items():
                if name not in ("id", "version") and getattr(stored, name) != value:
                    setattr(stored, name, value)
            self.report.updated[table] += 1
        self.session.flush()

    def _keys(self, table: str) -> dict[tuple[str, ...], dict[tuple, int]]:
        """Each natural key of TABLE's stored rows, mapped to the row's id."""
        if table not in self.keys:
            columns = metadata.tables[table].c
            self.keys[table] = {}
            for key in _natural_keys(table):
                query = sa.select(*(columns[name] for name in key), columns.id)
                self.keys[table][key] = {
                    tuple(found[:-1]): found[-1]
                    for found in self.session.connection().execute(query)
                }
        return self.keys[table]

    def _match(self, table: str, row: Row) -> int | None:
        """The id of the stored row ROW is: by natural key, or by id if that row has the
        same natural key values."""
        for key, stored in self._keys(table).items():
            values = tuple(row.get(name) for name in key)
            if None not in values and values in stored:
                return stored[values]
        if row.get("id") not in self.in_database(table, "id"):
            return None
        columns = metadata.tables[table].c
        named = [name for key in _natural_keys(table) for name in key if name in row]
        if not named:  # nothing but the id tells this row apart: the same id is the same row
            return row["id"]
        found = (
            self.session.connection()
            .execute(sa.select(*(columns[name] for name in named)).where(columns.id == row["id"]))
            .one()
        )
        same = all(value == row[name] for name, value in zip(named, found, strict=True))
        return row["id"] if same else None


Row = dict[str, Any]
# The columns other tables refer to: the values an import must remember as it adds rows.
_REFERENCED = {
    (element.column.table.name, element.column.name)
    for table in metadata.tables.values()
    for element in table.foreign_keys
}


def _natural_keys(table: str) -> list[tuple[str, ...]]:
    return [
        tuple(column.name for column in constraint.columns)
        for constraint in metadata.tables[table].constraints
        if isinstance(constraint, sa.UniqueConstraint)
    ]


def _batches(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _with_defaults(table: str, rows: list[Row]) -> list[Row]:
    """ROWS with every column the file left out set as a new record's would be."""
    if not rows:
        return rows
    missing = {
        column.name: column.default
        for column in metadata.tables[table].columns
        if column.name not in rows[0] and column.default is not None
    }
    values = {
        name: default.arg(None) if default.is_callable else default.arg
        for name, default in missing.items()
    }
    return [{**values, **row} for row in rows] if values else rows


def import_data(
    engine: Engine,
    path: Path,
    *,
    actor: Actor = SYSTEM,
    policy: Policy = Policy.UPDATE,
    dry_run: bool = False,
    progress: Callable[[str, int], None] = lambda table, rows: None,
) -> ImportReport:
    """Import the tables at PATH (a folder or .zip of an export, or one table's CSV file) in
    one transaction; with DRY_RUN, report what would happen and write nothing.

    Files are read, checked and written in batches, so memory stays flat however large they
    are; once any row is bad, writing stops, checking goes on to report every problem, and
    the transaction is rolled back."""
    require_editor(actor)
    report = ImportReport(dry_run=dry_run)
    with Session(engine) as session, ExitStack() as stack:
        session.info["actor"] = actor
        work = _Import(session, report, Policy(policy))
        tables = []
        try:
            for table, file, lines in _files(path, stack):
                tables.append(table)
                count = 0
                for batch in _batches(
                    work.check(table, file, work.parse(table, file, lines)), BATCH
                ):
                    count += len(batch)
                    if not report.problems:
                        work.write(table, batch)
                progress(table, count)
            if not tables:
                work.problem(
                    str(path),
                    1,
                    None,
                    "there are no table files here: expected files such as state.csv",
                )
            if report.problems:
                session.rollback()
                return report
            _reset_sequences(session, tables)
            bump(session.connection())
            if not dry_run and session.get_bind().dialect.name == "postgresql":
                # PostgreSQL plans by statistics that describe the tables before the import:
                # refresh them. (SQLite plans well without; its ANALYZE made the dashboard's
                # queries two to three times slower in the benchmarks.)
                session.execute(sa.text("ANALYZE"))
        except sa.exc.IntegrityError as error:
            session.rollback()
            work.problem(str(path), 1, None, describe(error))
            return report
        if dry_run:
            session.rollback()
        else:
            session.commit()
    return report


def _reset_sequences(session: Session, tables: list[str]) -> None:
    """PostgreSQL hands out ids from sequences, which rows imported with their own ids skip:
    move each sequence past the largest id, so the next record does not collide."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT max(id) FROM {table}), 1), "
                f"(SELECT max(id) FROM {table}) IS NOT NULL)"
            )
        )
