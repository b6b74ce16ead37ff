"""Importing CSV: the export's format back in, from a folder, a .zip, or one table's CSV file.

Every row is checked by the same rules as the forms (the record's model), its references by
what the database and the earlier rows of the import hold, and its keys for duplicates. An
import is one transaction: if any row is bad, nothing is written, and the report lists every
bad row with its file, line, column and the reason in words. Rows that already exist, by id or
by natural key, are updated or skipped as the caller chooses, never duplicated.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from tracker.cameo import CameoEventBase
from tracker.citations import CitationBase
from tracker.deployments import DeploymentBase, EstimateBase
from tracker.engagements import EngagementBase, ParticipantBase
from tracker.errors import describe, message
from tracker.exports import TABLES, restore_text
from tracker.models import metadata
from tracker.people import PersonBase
from tracker.pledges import PledgeBase, PledgeStatusBase
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
_BOOKKEEPING = {"id", "created_at", "updated_at", "version", "retired_at"}


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


def _files(path: Path) -> Iterator[tuple[str, str, bytes]]:
    """(table, file name, content) for each table file at PATH, in the order tables load."""
    path = Path(path)
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            for table in TABLES:
                if f"{table}.csv" in names:
                    yield table, f"{table}.csv", archive.read(f"{table}.csv")
    elif path.is_dir():
        for table in TABLES:
            if (path / f"{table}.csv").exists():
                yield table, f"{table}.csv", (path / f"{table}.csv").read_bytes()
    else:
        yield path.stem, path.name, path.read_bytes()


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

    def problem(self, file: str, line: int, column: str | None, reason: str) -> None:
        self.report.problems.append(Problem(file=file, line=line, column=column, reason=reason))

    def known(self, table: str, column: str, value: Any) -> bool:
        """Whether VALUE is in TABLE's COLUMN, stored or added by an earlier row."""
        key = (table, column)
        if key not in self.stored:
            query = sa.select(metadata.tables[table].c[column])
            self.stored[key] = set(self.session.exec(query).scalars())
        return value in self.stored[key] or value in self.added.get(key, ())

    def parse(self, table: str, file: str, content: bytes) -> list[tuple[int, dict[str, Any]]]:
        """The file's rows as typed values, each with its line; problems go to the report."""
        if table not in RULES:
            self.problem(
                file,
                1,
                None,
                f"no table is called {table!r}: name the file after one of {', '.join(TABLES)}",
            )
            return []
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = content[: error.start].count(b"\n") + 1
            self.problem(
                file,
                line,
                None,
                f"the file is not UTF-8 text (byte {content[error.start]:#04x}): save it as UTF-8",
            )
            return []
        if not text.strip():
            self.problem(
                file, 1, None, "the file is empty: it needs a header row naming the columns"
            )
            return []
        columns = metadata.tables[table].c
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        try:
            header = next(reader)
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
                return []
            converters = {name: _converter(columns[name]) for name in header}
            rows = []
            for cells in reader:
                line = reader.line_num
                if len(cells) != len(header):
                    self.problem(
                        file,
                        line,
                        None,
                        f"the row has {len(cells)} cells; the header names {len(header)}",
                    )
                    continue
                row, good = {}, True
                for name, text in zip(header, cells, strict=True):
                    if text == "":
                        row[name] = None
                        continue
                    try:
                        row[name] = converters[name](text)
                    except (ValueError, KeyError, json.JSONDecodeError):
                        what = _WHAT.get(
                            converters[name],
                            "true or false" if converters[name] is not restore_text else "text",
                        )
                        self.problem(file, line, name, f"{text!r} is not {what}")
                        good = False
                if good:
                    rows.append((line, row))
            return rows
        except csv.Error as error:
            self.problem(
                file,
                reader.line_num,
                None,
                f"the file is not valid CSV ({error}): is it cut short?",
            )
            return []

    def check(
        self, table: str, file: str, rows: list[tuple[int, dict[str, Any]]]
    ) -> list[tuple[int, dict[str, Any]]]:
        """The rows that pass the record's rules, references and keys."""
        rules, table_columns = RULES[table], metadata.tables[table]
        passed = []
        seen: dict[tuple, int] = {}
        keys = [("id",)] + [
            tuple(column.name for column in constraint.columns)
            for constraint in table_columns.constraints
            if isinstance(constraint, sa.UniqueConstraint)
        ]
        for line, row in rows:
            good = True
            if rules is not None:
                fields = {name: value for name, value in row.items() if name in rules.model_fields}
                try:
                    rules.model_validate(fields)
                except ValidationError as error:
                    for problem in error.errors():
                        column = str(problem["loc"][0]) if problem["loc"] else None
                        self.problem(file, line, column, message(problem))
                    good = False
            for constraint in table_columns.foreign_key_constraints:
                for element in constraint.elements:
                    value = row.get(element.parent.name)
                    target = element.column
                    if value is None or target.table.name not in RULES:
                        continue
                    if not self.known(target.table.name, target.name, value):
                        self.problem(
                            file,
                            line,
                            element.parent.name,
                            f"refers to {target.table.name} {target.name} {value!r}, "
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
                passed.append((line, row))
                for name, value in row.items():
                    if value is not None:
                        self.added.setdefault((table, name), set()).add(value)
        return passed

    def write(self, table: str, rows: list[tuple[int, dict[str, Any]]]) -> None:
        """Store ROWS: a row matching a stored one by natural key (or else by id, if that id
        holds the same record) updates or skips it; any other is added. References follow the
        stored ids where a file's ids differ."""
        model = next(
            mapper.class_
            for mapper in SQLModel._sa_registry.mappers
            if mapper.local_table.name == table
        )
        columns = metadata.tables[table]
        natural = [
            tuple(column.name for column in constraint.columns)
            for constraint in columns.constraints
            if isinstance(constraint, sa.UniqueConstraint)
        ]
        references = [
            (element.parent.name, element.column.table.name)
            for constraint in columns.foreign_key_constraints
            for element in constraint.elements
            if element.column.name == "id"
        ]
        for _line, row in rows:
            for column, target in references:
                row[column] = self.ids.get(target, {}).get(row[column], row[column])
            stored = self._match(model, natural, row)
            file_id = row.get("id")
            if stored is None:
                taken = file_id is not None and self.session.get(model, file_id) is not None
                values = {
                    name: value for name, value in row.items() if not (name == "id" and taken)
                }
                stored = model(**values)
                self.session.add(stored)
                self.session.flush()
                self.report.created[table] += 1
            elif self.policy is Policy.SKIP:
                self.report.skipped[table] += 1
            else:
                for name, value in row.items():
                    if name not in ("id", "version") and getattr(stored, name) != value:
                        setattr(stored, name, value)
                self.report.updated[table] += 1
            if file_id is not None and file_id != stored.id:
                self.ids.setdefault(table, {})[file_id] = stored.id
        self.session.flush()

    def _match(self, model: type, natural: list[tuple[str, ...]], row: dict[str, Any]) -> Any:
        for key in natural:
            if all(row.get(name) is not None for name in key):
                found = self.session.exec(
                    select(model).filter_by(**{name: row[name] for name in key})
                ).first()
                if found is not None:
                    return found
        if row.get("id") is None:
            return None
        found = self.session.get(model, row["id"])
        same = found is not None and all(
            getattr(found, name) == row.get(name) for key in natural for name in key if name in row
        )
        return found if same else None


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
    one transaction; with DRY_RUN, report what would happen and write nothing."""
    require_editor(actor)
    report = ImportReport(dry_run=dry_run)
    with Session(engine) as session:
        session.info["actor"] = actor
        work = _Import(session, report, Policy(policy))
        checked = []
        for table, file, content in _files(path):
            rows = (
                work.check(table, file, work.parse(table, file, content))
                if table in RULES
                else work.parse(table, file, content)
            )
            checked.append((table, file, rows))
        if not checked:
            work.problem(
                str(path),
                1,
                None,
                "there are no table files here: expected files such as state.csv",
            )
        if report.problems:
            return report
        try:
            for table, _file, rows in checked:
                work.write(table, rows)
                progress(table, len(rows))
            _reset_sequences(session, [table for table, _, _ in checked])
            bump(session.connection())
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
