"""Importing CSV: the export's format back in, from a folder, a .zip, or one table's CSV file,
given as a path or as an open binary file (a dashboard upload, which never touches the disk).

Every row is checked by the same rules as the forms (the record's model), its references by
what the database and the earlier rows of the import hold, and its keys for duplicates; every
record, by the rules across rows its Create model sets (at least one citation, a treaty's
parties, an engagement's participants), against the rows of this import and those stored. An
import is one transaction: if any row is bad, nothing is written, and the report lists the bad
rows (the first MAX_PROBLEMS; the rest are counted) with their file, line, column and the
reason in words. Rows that already exist, by id or by natural key, are updated or skipped as
the caller chooses, never duplicated; a row that holds what is stored is left as it is.

Whatever a file holds, memory stays bounded: files are read a chunk at a time, a row longer
than MAX_ROW_BYTES stops its file, and a zip member that would unpack to too much (or
suspiciously much for its size) is refused before a byte of it is read.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import zipfile
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from functools import cache
from itertools import chain, islice
from pathlib import Path, PurePath
from typing import IO, Annotated, Any

import pyarrow as pa
import sqlalchemy as sa
from annotated_types import BaseMetadata
from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session

from tracker.cameo import CameoEventBase
from tracker.citations import CitationBase, CitationRelayBase
from tracker.database import bulk_writing
from tracker.errors import TrackerError, describe, message
from tracker.exchange.cells import restore_text
from tracker.exchange.columns import (
    Cells,
    CellTooLong,
    Converted,
    NotCsv,
    NotUtf8,
    RowBlocks,
    RowTooLong,
    Unreadable,
    cells,
    converted_text,
    converted_values,
    header,
)
from tracker.exchange.exports import BATCH, TABLES, models_by_table
from tracker.exchange.rules import REQUIRED_ROWS, ROW_RULES, SPELLS
from tracker.history import BOOKKEEPING, ChangeSetWriter
from tracker.kinds import with_parts
from tracker.kinds.kind import spells_overlap
from tracker.models import metadata
from tracker.schema import STORABLE_CHECKED, insert_rows, unstorable
from tracker.users import SYSTEM, Actor, require_editor
from tracker.versions import bump

# The rules each table's rows must pass: the record's model, as in the forms.
RULES: dict[str, type[BaseModel] | None] = {
    "cameo_event": CameoEventBase,
    **{kind.name: kind.rules for kind in with_parts()},
    "citation": CitationBase,
    "citation_relay": CitationRelayBase,
}

# An export carries each row's bookkeeping beside its record (BOOKKEEPING, which the history
# leaves out of what a change changed: its id, version and times). A row that differs from the
# stored one only there holds the same record; of it, only the times can follow the file.
_TIMES = ("created_at", "updated_at")
_COUNTED = {required.table for required in REQUIRED_ROWS}  # tables a rule across rows counts for
_RULED = {rule.table for rule in ROW_RULES}  # tables whose written rows a RowRule checks


_KIB, _MIB, _GIB = 2**10, 2**20, 2**30
# Limits that keep an import's memory and time bounded whatever it is given. The module reads
# them when it uses them, so a test can lower them.
MAX_PROBLEMS = 1_000  # problems kept for the report; any beyond are only counted
MAX_ROW_BYTES = _MIB  # one row, over all the lines it spans: the longest real cell is a few KB
# One cell: the csv module's default limit, checked here too, as a library may raise that
# limit for the whole process (frictionless does).
MAX_CELL_CHARACTERS = 131_072
MAX_MEMBER_BYTES = 4 * _GIB  # a zip member's declared size, unpacked
MAX_COMPRESSION_RATIO = 100  # CSV deflates about 5 to 1; a zip bomb, a thousand to 1
RATIO_CHECKED_ABOVE = 8 * _MIB  # a smaller member cannot grow far, whatever its ratio
MAX_ZIP_DIRECTORY_BYTES = _MIB  # a zip's list of entries: an export's is under 2 KB
_CHUNK = 64 * _KIB  # how much of a file is read at a time
_CELL_TOO_LONG = (
    f"a cell is longer than {MAX_CELL_CHARACTERS:,} characters, far more than any record "
    "holds: the rest of the file was not read"
)
_REASON_CHARACTERS = 500  # of a problem's reason, which may quote a cell of up to 128 KiB

# Columns that exports made before a schema change have and the schema no longer does: the
# import says what became of them rather than only that they are unknown.
_BEFORE_0006 = (
    "the file was exported before schema 0006; import it into a database of that version "
    "(pip install the tracker release that wrote it) and upgrade with `tracker init`, which "
    "carries it over"
)
_RETIRED_COLUMNS = {
    ("estimate", "counting_basis"): (
        f"counting_basis became measure and scope (what a figure counts, and where): {_BEFORE_0006}"
    ),
    ("pledge", "recipient_state_code"): (
        f"a pledge's recipients are rows of pledge_recipient.csv now: {_BEFORE_0006}"
    ),
    ("pledge", "recipient_person_id"): (
        f"a pledge's recipients are rows of pledge_recipient.csv now: {_BEFORE_0006}"
    ),
}

UPLOAD_LIMIT_VARIABLE = "TRACKER_MAX_UPLOAD_MB"
DEFAULT_UPLOAD_LIMIT_MB = 200


def max_upload_bytes() -> int:
    """The largest file the dashboard takes for an import: $TRACKER_MAX_UPLOAD_MB megabytes
    (of 2**20 bytes, as Streamlit counts its own upload limit), 200 unless set."""
    text = os.environ.get(UPLOAD_LIMIT_VARIABLE, "").strip()
    if not text:
        return DEFAULT_UPLOAD_LIMIT_MB * _MIB
    if not text.isdigit() or int(text) == 0:
        raise TrackerError(
            f"{UPLOAD_LIMIT_VARIABLE} must be a whole number of megabytes above 0, not {text!r}"
        )
    return int(text) * _MIB


def describe_size(count: int) -> str:
    """COUNT bytes in words: "1 MiB", "4.5 GiB", "512 bytes"."""
    for unit, scale in (("GiB", _GIB), ("MiB", _MIB), ("KiB", _KIB)):
        if count >= scale:
            return f"{count / scale:,.1f}".removesuffix(".0") + f" {unit}"
    return f"{count:,} bytes"


class Policy(StrEnum):
    UPDATE = "update"
    SKIP = "skip"


class Problem(BaseModel):
    file: str
    line: int | None = None  # None for a problem with a whole archive or member, not a line
    column: str | None = None
    reason: str

    def __str__(self) -> str:
        where = self.file + (f", line {self.line}" if self.line is not None else "")
        where += f", column {self.column}" if self.column else ""
        return f"{where}: {self.reason}"


class ImportReport(BaseModel):
    dry_run: bool
    created: Counter[str] = Counter()
    updated: Counter[str] = Counter()
    unchanged: Counter[str] = Counter()  # rows holding the stored record: no version, no history
    skipped: Counter[str] = Counter()
    problems: list[Problem] = []  # the first MAX_PROBLEMS found
    more_problems: int = 0  # problems found after those, counted but not kept

    @property
    def total_problems(self) -> int:
        return len(self.problems) + self.more_problems

    @property
    def written(self) -> bool:
        return not self.total_problems and not self.dry_run


def _refusal(member: zipfile.ZipInfo) -> str | None:
    """Why the zip MEMBER is not to be read, if it is not. Python never unpacks more of a
    member than its declared size, so refusing large declared sizes bounds what is read."""
    if member.flag_bits & 0x1:
        return "is encrypted: export it again without a password"
    if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        # Python unpacks bzip2 and LZMA without a bound on each step's output.
        return "is compressed by a method other than deflate, which the tracker's exports use"
    if member.file_size > MAX_MEMBER_BYTES:
        return (
            f"would unpack to {describe_size(member.file_size)}, over the "
            f"{describe_size(MAX_MEMBER_BYTES)} a table's file may hold"
        )
    if (
        member.file_size > RATIO_CHECKED_ABOVE
        and member.file_size > MAX_COMPRESSION_RATIO * member.compress_size
    ):
        ratio = member.file_size / max(member.compress_size, 1)
        return (
            f"would unpack from {describe_size(member.compress_size)} to "
            f"{describe_size(member.file_size)}, {ratio:,.0f} times its size, where CSV "
            f"shrinks at most {MAX_COMPRESSION_RATIO} times: refused as a likely zip bomb"
        )
    return None


def _directory_size(opened: IO[bytes]) -> int | None:
    """The size of the zip archive OPENED's central directory (its list of entries), read from
    its end record as Python's zipfile reads it; None if there is none. Python lists every
    entry, at ten times the directory's size, before anything else can be checked."""
    file_end = opened.seek(0, os.SEEK_END)
    tail_start = max(0, file_end - 22 - 0xFFFF)  # the end record: 22 bytes, a comment to 64 KiB
    opened.seek(tail_start)
    tail = opened.read()
    if tail[-22:-18] == b"PK\x05\x06" and tail[-2:] == b"\0\0":  # no comment: zipfile's first try
        at = len(tail) - 22
    else:
        at = tail.rfind(b"PK\x05\x06")
        at = at if 0 <= at <= len(tail) - 22 else -1
    size = int.from_bytes(tail[at + 12 : at + 16], "little") if at >= 0 else None
    if at >= 0 and tail_start + at >= 76:
        # A ZIP64 end record and its locator, just before: zipfile takes the size from them.
        opened.seek(tail_start + at - 76)
        before = opened.read(76)
        if before[56:60] == b"PK\x06\x07" and before[:4] == b"PK\x06\x06":
            size = int.from_bytes(before[40:48], "little")
    opened.seek(0)
    return size


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


@cache
def _column_rules(table: str) -> dict[str, TypeAdapter]:
    """The declared constraints (a version from 1, say) of TABLE's columns that the record's
    rules do not check, one validator per column."""
    model, rules = models_by_table()[table], RULES.get(table)
    checked = set(rules.model_fields) if rules is not None else set()
    return {
        name: TypeAdapter(Annotated[field.annotation, *constraints])
        for name, field in model.model_fields.items()
        if name not in checked
        and (constraints := [item for item in field.metadata if isinstance(item, BaseMetadata)])
    }


def _column_rule(table: str, column: str, value: Any) -> str | None:
    """Why VALUE breaks the declared constraints of TABLE's COLUMN, or None."""
    adapter = _column_rules(table).get(column)
    if adapter is None:
        return None
    try:
        adapter.validate_python(value)
    except ValidationError as error:
        return "; ".join(message(problem) for problem in error.errors()).lower()
    return None


_WHAT = {
    int: "a whole number",
    float: "a number",
    date.fromisoformat: "a date (YYYY-MM-DD)",
    datetime.fromisoformat: "a date and time (ISO 8601)",
}


def _column_reader(table: str, column: sa.Column) -> Callable[[pa.Array], Converted]:
    """How COLUMN's cells are read, a block's at once: converted, and checked for what no
    database can store and for the column's declared constraints."""
    convert, ruled = _converter(column), column.name in _column_rules(table)

    def refusal(value: Any) -> str | None:
        # Every column, checked by a record's rules or not (ids, versions, times).
        return unstorable(value) or (_column_rule(table, column.name, value) if ruled else None)

    if convert is restore_text:
        return lambda cells: converted_text(cells, restore_text, refusal, ruled)
    what = _WHAT.get(convert, "true or false")
    return lambda cells: converted_values(
        cells, convert, lambda text: f"{text!r} is not {what}", refusal
    )


@dataclass
class _Records:
    """The rows of one file that hold records a rule across rows applies to: each one's id as
    stored and its line, in two flat arrays (16 bytes a row, where a dict takes about 100)."""

    file: str
    ids: array = field(default_factory=lambda: array("q"))
    lines: array = field(default_factory=lambda: array("q"))


class _Import:
    def __init__(self, session: Session, report: ImportReport, policy: Policy, label: str) -> None:
        self.session, self.report, self.policy = session, report, policy
        # The history of the rows this import creates: one change set, by who imports what.
        self.change_set = ChangeSetWriter(
            session.connection(), session.info["actor"], f"imported from {label}"
        )
        # What the database holds is looked up a batch at a time, rows this import wrote
        # included, so memory does not grow with the tables. Only what the database cannot
        # tell is kept: the referenced values of rows checked but not written (once a row is
        # bad, nothing more is written), and the file's ids stored under other ids.
        self.unwritten: dict[tuple[str, str], set[Any]] = {}
        self.ids: dict[str, dict[int, int]] = {}  # file id -> stored id, where they differ
        # For the rules across rows, checked once every file is read: the records written (or
        # found stored) whose tables have such rules, and, once writing has stopped, how many
        # rows not written name each record (by REQUIRED_ROWS' rows_table and column). Both
        # grow with the rows they count.
        self.records: dict[str, _Records] = {}
        self.spells: dict[str, _Records] = {}  # the spell rows written, for SPELLS
        self.ruled: dict[str, _Records] = {}  # the rows written that a RowRule applies to
        self.unwritten_rows: dict[tuple[str, str], Counter[int]] = {}
        self.refused_tables: set[str] = set()  # tables with a refused row or file
        self.wrote = False  # whether anything was written: an unchanged import bumps nothing

    def problem(self, file: str, line: int | None, column: str | None, reason: str) -> None:
        if len(self.report.problems) >= MAX_PROBLEMS:
            self.report.more_problems += 1
            return
        if len(reason) > _REASON_CHARACTERS:  # cut the middle: what to do is said at the end
            reason = f"{reason[: _REASON_CHARACTERS // 2]} … {reason[-_REASON_CHARACTERS // 2 :]}"
        self.report.problems.append(Problem(file=file, line=line, column=column, reason=reason))

    def files(
        self, source: Path | IO[bytes], label: str, stack: ExitStack
    ) -> Iterator[tuple[str, str, IO[bytes]]]:
        """(table, file name, open file) for each table file in SOURCE, in the order tables
        load. LABEL names SOURCE: a single CSV file's name names its table, and a name ending
        in .zip marks an archive."""
        if isinstance(source, Path) and source.is_dir():
            for table in TABLES:
                path = source / f"{table}.csv"
                if path.exists():
                    yield table, path.name, stack.enter_context(path.open("rb"))
            return
        opened = stack.enter_context(source.open("rb")) if isinstance(source, Path) else source
        if PurePath(label).suffix.lower() == ".zip":
            yield from self.members(opened, label, stack)
        else:
            yield PurePath(label).stem, PurePath(label).name, opened

    def members(
        self, opened: IO[bytes], label: str, stack: ExitStack
    ) -> Iterator[tuple[str, str, IO[bytes]]]:
        """The table files of the zip archive OPENED, unless anything in it is refused."""
        directory = _directory_size(opened)
        if directory is not None and directory > MAX_ZIP_DIRECTORY_BYTES:
            self.problem(
                label,
                None,
                None,
                f"lists {describe_size(directory)} of entries, where an export lists 17 files "
                f"in under 2 KB (at most {describe_size(MAX_ZIP_DIRECTORY_BYTES)} is read)",
            )
            return
        try:
            archive = stack.enter_context(zipfile.ZipFile(opened))
        except zipfile.BadZipFile:
            self.problem(label, None, None, "is not a zip file, though its name ends in .zip")
            return
        members = archive.infolist()
        refused = False
        for name, count in Counter(member.filename for member in members).items():
            if count > 1:
                self.problem(
                    label,
                    None,
                    None,
                    f"holds {count} entries named {name!r}: which one is meant cannot be told",
                )
                refused = True
        tables = {member.filename: member for member in members}
        for table in TABLES:
            member = tables.get(f"{table}.csv")
            if member is not None and (reason := _refusal(member)):
                self.problem(member.filename, None, None, reason)
                refused = True
        if refused:
            return
        for table in TABLES:
            if (member := tables.get(f"{table}.csv")) is not None:
                yield table, member.filename, stack.enter_context(archive.open(member))

    def stored(self, table: str, column: str, values: Iterable[Any]) -> set[Any]:
        """Which of VALUES TABLE's COLUMN holds in the database."""
        return {found for (found,) in self.lookup(table, (column,), {(value,) for value in values})}

    def lookup(self, table: str, key: tuple[str, ...], wanted: set[tuple]) -> dict[tuple, int]:
        """The stored rows of TABLE (this import's included) whose KEY columns hold one of
        WANTED, tuples of values, as {values: id}."""
        connection = self.session.connection()
        quote = connection.dialect.identifier_preparer.quote
        on = " AND ".join(
            f"existing.{quote(name)} = wanted.column{number}"
            for number, name in enumerate(key, start=2)  # column1 numbers the wanted values
        )
        found: dict[tuple, int] = {}
        for part in _batches(wanted, self.lookup_size):
            values, parameters = self.wanted_rows(table, key, part)
            sql = (
                f"SELECT wanted.column1, existing.id FROM ({values}) AS wanted "
                f"JOIN {quote(table)} AS existing ON {on}"
            )
            result = connection.exec_driver_sql(sql, parameters).fetchall()
            found.update((part[number], stored_id) for number, stored_id in result)
        return found

    @property
    def lookup_size(self) -> int:
        """How many values `wanted_rows` takes at a time: SQLite binds at most 32,766
        parameters; PostgreSQL binds an array a column, whatever its length."""
        return BATCH if self.session.get_bind().dialect.name == "postgresql" else _LOOKUP

    def wanted_rows(
        self, table: str, key: tuple[str, ...], part: list[tuple]
    ) -> tuple[str, tuple[Any, ...]]:
        """PART, tuples of values of TABLE's KEY columns, as SQL for a relation that numbers
        them from 0 (its column1) beside their values (column2 on), and the parameters it
        binds: a VALUES list on SQLite, and on PostgreSQL the unnest of one array a column,
        which it binds, plans and runs in about 2 ms for 500 values, where a VALUES list of
        them took 4 to 9 ms (the more, the larger the table). Both databases look the
        relation up by the key's index (SQLite scans the whole index for a row-value IN); the
        values go to the driver directly, as SQLAlchemy spends more on that many parameters
        than the database does on the query."""
        dialect = self.session.connection().dialect
        columns = metadata.tables[table].c
        processors = [
            columns[name].type.dialect_impl(dialect).bind_processor(dialect) for name in key
        ]
        if any(processors):
            part = [
                tuple(
                    value if process is None else process(value)
                    for process, value in zip(processors, values, strict=True)
                )
                for values in part
            ]
        if dialect.name == "postgresql":
            arrays = ", ".join(
                [
                    "%s::integer[]",
                    *(f"%s::{_array_type(columns[name].type, dialect)}[]" for name in key),
                ]
            )
            names = ", ".join(f"column{number}" for number in range(1, len(key) + 2))
            parameters = (
                list(range(len(part))),
                *([values[index] for values in part] for index in range(len(key))),
            )
            return f"SELECT * FROM unnest({arrays}) AS wanted ({names})", parameters
        marker = "?" if dialect.paramstyle == "qmark" else "%s"
        markers = f", {marker}" * len(key)
        rows = ", ".join([f"({number}{markers})" for number in range(len(part))])
        return f"VALUES {rows}", tuple(value for values in part for value in values)

    def parse(self, table: str, file: str, stream: IO[bytes]) -> Iterator[tuple[int, Row]]:
        """The file's rows as typed values, each with its line; problems go to the report.
        Rows are read a block at a time, as columns: each column's cells are converted and
        checked at once."""
        columns = metadata.tables[table].c
        blocks = iter(RowBlocks(stream, _CHUNK, MAX_ROW_BYTES))
        try:
            first = next(blocks, None)
            names = header(first) if first is not None else []
            if not any(name.strip() for name in names):
                self.problem(
                    file, 1, None, "the file is empty: it needs a header row naming the columns"
                )
                return
            positions: dict[str, list[int]] = {}
            for position, name in enumerate(names, start=1):
                positions.setdefault(name, []).append(position)
            repeated = {name: where for name, where in positions.items() if len(where) > 1}
            for name, where in repeated.items():
                self.problem(
                    file,
                    1,
                    name,
                    f"the header names {name!r} more than once: as columns "
                    f"{', '.join(map(str, where[:-1]))} and {where[-1]}",
                )
            unknown = [name for name in names if name not in columns]
            required = [
                column.name
                for column in columns
                if (not column.nullable or column.primary_key)
                and column.server_default is None
                and column.default is None
                and column.name not in names
            ]
            for name in unknown:
                self.problem(
                    file,
                    1,
                    name,
                    _RETIRED_COLUMNS.get((table, name), f"there is no column {name!r} in {table}"),
                )
            for name in required:
                self.problem(file, 1, name, f"the column {name!r} is missing")
            if repeated or unknown or required:
                return
            readers = [(name, _column_reader(table, columns[name])) for name in names]
            for block in chain([first.rows(1)], blocks):
                if block.ends:
                    yield from self.rows(file, readers, cells(block, names, MAX_CELL_CHARACTERS))
        except RowTooLong as error:
            self.problem(
                file,
                error.line,
                None,
                f"the row starting on this line is longer than {describe_size(MAX_ROW_BYTES)}, "
                "far more than any record holds: the rest of the file was not read",
            )
        except CellTooLong as error:
            self.problem(file, error.line, None, _CELL_TOO_LONG)
        except NotCsv as error:
            if error.reason.startswith("field larger than field limit"):
                reason = _CELL_TOO_LONG
            else:
                reason = f"the file is not valid CSV ({error.reason}): is it cut short?"
            self.problem(file, error.line, None, reason)
        except NotUtf8 as error:
            self.problem(
                file,
                error.line,
                None,
                f"the file is not UTF-8 text (byte {error.byte:#04x}): save it as UTF-8",
            )
        except Unreadable as error:
            self.problem(
                file,
                error.line,
                None,
                f"the file cannot be read from this line on ({error.reason}): is the zip damaged?",
            )

    def rows(
        self,
        file: str,
        readers: list[tuple[str, Callable[[pa.Array], Converted]]],
        found: Cells,
    ) -> Iterator[tuple[int, Row]]:
        """The rows of a block's cells FOUND that every column's READER takes, as typed
        values; the problems of the others go to the report, a row's in the order of its
        columns."""
        width = len(readers)
        problems = [
            (line, 0, None, f"the row has {count} cells; the header names {width}")
            for line, count in found.misshapen
        ]
        values, refused = [], set()
        for position, (name, read) in enumerate(readers, start=1):
            column, refusals = read(found.columns[name])
            values.append(column)
            for row, reason in refusals:
                problems.append((found.lines[row], position, name, reason))
                refused.add(row)
        for line, _position, column, reason in sorted(problems, key=lambda found: found[:2]):
            self.problem(file, line, column, reason)
        names = [name for name, _read in readers]
        for row, (line, cells_of_row) in enumerate(
            zip(found.lines, zip(*values, strict=True), strict=True)
        ):
            if row not in refused:
                yield line, dict(zip(names, cells_of_row, strict=True))

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
        # A row may refer to an earlier row of its own file (a source to the digest that
        # classified it): known by the ids read so far, keys[0].
        own = [
            column
            for column, target_table, target in references
            if (target_table, target) == (table, "id")
        ]
        # Each key's values in the rows so far, and the line that had them last, kept on disk.
        # A bad row's are kept only while problems are listed: past that, only the count
        # needs them.
        with _SeenKeys() as seen:
            for batch in _batches(rows, BATCH):
                # Every row of a file has the header's columns: those the rules read, once.
                named = [name for name in batch[0][1] if name in fields]
                digests = [[_digest(_key_values(row, key)) for key in keys] for _line, row in batch]
                earlier = [
                    seen.lines(index, [row[index] for row in digests]) for index in range(len(keys))
                ]
                stored = {
                    column: self.stored(
                        target_table,
                        target,
                        (
                            self.written_as(target_table, row[column])
                            for _line, row in batch
                            if row.get(column) is not None
                        ),
                    )
                    for column, target_table, target in references
                }
                read_before = seen.lines(
                    0,
                    [
                        _digest(row[column])
                        for _line, row in batch
                        for column in own
                        if row.get(column) is not None
                    ],
                )
                remembered: list[tuple[int, bytes, int]] = []
                for (line, row), row_digests in zip(batch, digests, strict=True):
                    good = True
                    if rules is not None:
                        try:
                            # Each value passed `unstorable` as it was read: the record's rule
                            # _storable, run on every field, would only repeat that.
                            _validate(rules, {name: row[name] for name in named})
                        except ValidationError as error:
                            for problem in error.errors():
                                column = str(problem["loc"][0]) if problem["loc"] else None
                                self.problem(file, line, column, message(problem))
                            good = False
                    for column, target_table, target in references:
                        value = row.get(column)
                        if value is None:
                            continue
                        known = self.written_as(target_table, value) in stored[column] or (
                            column in own
                            and (_digest(value) in read_before or _digest(value) in earlier[0])
                        )
                        if not known and value not in self.unwritten.get(
                            (target_table, target), ()
                        ):
                            self.problem(
                                file,
                                line,
                                column,
                                f"refers to {target_table} {target} {value!r}, "
                                "which is neither stored nor in this import",
                            )
                            good = False
                    for index, key in enumerate(keys):
                        digest = row_digests[index]
                        if digest is not None and digest in earlier[index]:
                            self.problem(
                                file,
                                line,
                                key[0],
                                f"the same {', '.join(key)} as line {earlier[index][digest]}",
                            )
                            good = False
                    if good or not self.report.more_problems:
                        for index, digest in enumerate(row_digests):
                            if digest is not None:
                                earlier[index][digest] = line
                                remembered.append((index, digest, line))
                    if good:
                        yield line, row
                seen.remember(remembered)

    def written_as(self, table: str, value: Any) -> Any:
        """VALUE, a reference to TABLE, as stored: a file's id may be stored under another."""
        return self.ids.get(table, {}).get(value, value)

    def remember(self, table: str, rows: list[tuple[int, Row]]) -> None:
        """Keep what later rows may refer to of ROWS, which are checked but not written, and
        how many of them name each record that a rule across rows counts them for."""
        for column in metadata.tables[table].columns:
            if (table, column.name) in _REFERENCED:
                self.unwritten.setdefault((table, column.name), set()).update(
                    row[column.name] for _line, row in rows if row.get(column.name) is not None
                )
        for required in REQUIRED_ROWS:
            if required.rows_table == table:
                self.unwritten_rows.setdefault((table, required.column), Counter()).update(
                    self.written_as(required.table, row[required.column])
                    for _line, row in rows
                    if row.get(required.column) is not None
                )

    def write(self, table: str, file: str, rows: list[tuple[int, Row]]) -> None:
        """Store ROWS, read from FILE: a row matching a stored one by natural key (or else by
        id, if that id holds the same record) updates or skips it; any other is added, in
        batches. References follow the stored ids where a file's ids differ."""
        columns = metadata.tables[table]
        references = [
            (element.parent.name, element.column.table.name)
            for element in columns.foreign_keys
            if element.column.name == "id"
        ]
        ids = self.ids.setdefault(table, {})
        for _line, row in rows:
            for column, target in references:
                if row.get(column) is not None:
                    row[column] = self.ids.get(target, {}).get(row[column], row[column])
        taken = self.stored(
            table, "id", (row["id"] for _line, row in rows if row.get("id") is not None)
        )
        by_key = self._stored_keys(table, [row for _line, row in rows])
        stored_ids: list[int | None] = []  # each row's id as stored, once it is known
        keeping_ids: list[Row] = []  # new rows whose ids are free
        renumbered: list[Row] = []  # new rows the database numbers
        renumbered_at: list[int] = []  # and their places in ROWS
        matched: list[tuple[int, Row]] = []  # rows already stored, by their stored id
        for _line, row in rows:
            stored_id = self._match(table, row, taken, by_key)
            if stored_id is not None:
                if row.get("id") is not None and row["id"] != stored_id:
                    ids[row["id"]] = stored_id
                if self.policy is Policy.SKIP:
                    self.report.skipped[table] += 1
                else:
                    matched.append((stored_id, row))
            else:
                self.report.created[table] += 1
                if row.get("id") is not None and row["id"] not in taken:
                    keeping_ids.append(row)
                    taken.add(row["id"])
                    stored_id = row["id"]
                else:
                    renumbered.append(row)
                    renumbered_at.append(len(stored_ids))
            stored_ids.append(stored_id)
        connection = self.session.connection()
        new = _with_defaults(table, keeping_ids)
        insert_rows(connection, columns, new)
        numbered = _with_defaults(table, renumbered)
        if numbered:
            file_ids = [row.pop("id", None) for row in numbered]
            statement = sa.insert(columns).returning(columns.c.id, sort_by_parameter_order=True)
            returned = connection.execute(statement, numbered).scalars()
            for place, file_id, row, stored_id in zip(
                renumbered_at, file_ids, numbered, returned, strict=True
            ):
                row["id"] = stored_ids[place] = stored_id
                if file_id is not None:
                    ids[file_id] = stored_id
        self.change_set.created(table, [row["id"] for row in (*new, *numbered)])
        self.wrote |= bool(new or numbered)
        self._update(table, matched)
        for kept, wanted in (
            (self.records, table in _COUNTED),
            (self.spells, table in SPELLS),
            (self.ruled, table in _RULED),
        ):
            if wanted:
                records = kept.setdefault(table, _Records(file))
                records.ids.extend(stored_ids)
                records.lines.extend(line for line, _row in rows)

    def _update(self, table: str, matched: list[tuple[int, Row]]) -> None:
        """Bring the stored rows of MATCHED, (stored id, row) pairs, up to what the rows hold.
        A row whose record differs changes through the ORM, so the change keeps its history
        and moves the version. A row that holds the same record is unchanged: no new version,
        no history. Only if its times differ does it take the file's, as an added row keeps its
        own, so that an export imported into another database exports the same files."""
        model, columns = models_by_table()[table], metadata.tables[table]
        connection = self.session.connection()
        retimed: list[Row] = []
        for part in _batches(matched, _LOOKUP):
            wanted = [stored_id for stored_id, _row in part]
            stored = {
                found.id: found._mapping
                for found in connection.execute(sa.select(columns).where(columns.c.id.in_(wanted)))
            }
            for stored_id, row in part:
                current = stored[stored_id]
                times = {
                    name: row[name]
                    for name in _TIMES
                    if row.get(name) is not None and not _same(row[name], current[name])
                }
                changes = {
                    name: value
                    for name, value in row.items()
                    if name not in BOOKKEEPING and not _same(value, current[name])
                }
                if changes:
                    record = self.session.get(model, stored_id)
                    for name, value in {**changes, **times}.items():
                        setattr(record, name, value)
                    self.report.updated[table] += 1
                    self.wrote = True
                    continue
                self.report.unchanged[table] += 1
                if times:  # both set: a time left out would be moved to now
                    retimed.append(
                        {"stored_id": stored_id}
                        | {f"new_{name}": times.get(name, current[name]) for name in _TIMES}
                    )
        self.session.flush()
        if retimed:
            connection.execute(
                sa.update(columns)
                .where(columns.c.id == sa.bindparam("stored_id"))
                .values({name: sa.bindparam(f"new_{name}") for name in _TIMES}),
                retimed,
            )
        self.wrote |= bool(retimed)

    def refuse_records_missing_rows(self) -> None:
        """Refuse each record that lacks the rows a rule across rows (REQUIRED_ROWS) asks
        for, counting the rows stored (this import's included), then those checked but not
        written. Once writing has stopped, only what is certain is said: the records written
        are checked, and a rule is not checked if any row of the table it counts was refused,
        since that row may be the one missing."""
        connection = self.session.connection()
        quote = connection.dialect.identifier_preparer.quote
        for required in REQUIRED_ROWS:
            records = self.records.get(required.table)
            if records is None or required.rows_table in self.refused_tables:
                continue
            unwritten = self.unwritten_rows.get((required.rows_table, required.column), Counter())
            column = quote(required.column)
            for part in _batches(zip(records.ids, records.lines, strict=True), self.lookup_size):
                values, parameters = self.wanted_rows(
                    required.rows_table,
                    (required.column,),
                    [(record_id,) for record_id, _line in part],
                )
                sql = (
                    f"SELECT wanted.column1, count(named.{column}) FROM ({values}) AS wanted "
                    f"LEFT JOIN {quote(required.rows_table)} AS named "
                    f"ON named.{column} = wanted.column2 "
                    "GROUP BY wanted.column1 ORDER BY wanted.column1"
                )
                for number, stored in connection.exec_driver_sql(sql, parameters):
                    record_id, line = part[number]
                    found = stored + unwritten[record_id]
                    if found < required.at_least:
                        self.problem(records.file, line, "id", required.refusal(found))

    def refuse_overlapping_spells(self) -> None:
        """Refuse each spell row written that overlaps another spell of the same state in the
        same record, stored or written (SPELLS), as the forms do. Not checked for a table with
        a refused row, since the refused row may be the one that moved."""
        connection = self.session.connection()
        for table, states in SPELLS.items():
            written = self.spells.get(table)
            if written is None or table in self.refused_tables:
                continue
            lines = dict(zip(written.ids, written.lines, strict=True))
            first, second = aliased(states.table), aliased(states.table)
            _, meet = states.together(first, second)
            # From the rows written, each found by its id: asked for either side's ids at once,
            # SQLite read every spell of the same state, once a batch. A pair of rows written
            # is told once, at the later one's line.
            for part in _batches(list(lines), _LOOKUP):
                overlapping = connection.execute(
                    sa.select(first.id, second.id, first.state_code)
                    .join(
                        second,
                        sa.and_(
                            getattr(second, states.owner) == getattr(first, states.owner),
                            second.state_code == first.state_code,
                            second.id != first.id,
                        ),
                    )
                    .where(first.id.in_(part), *meet)
                )
                for row_id, other, code in overlapping:
                    if other < row_id or other not in lines:
                        self.problem(
                            written.file, lines[row_id], states.spells[0], spells_overlap(code)
                        )

    def refuse_rows_breaking_rules(self) -> None:
        """Refuse each row written that breaks a rule it keeps with its record (ROW_RULES), at
        its line, in the form's words. Not checked for a table with a refused row."""
        connection = self.session.connection()
        for rule in ROW_RULES:
            written = self.ruled.get(rule.table)
            if written is None or rule.table in self.refused_tables:
                continue
            lines = dict(zip(written.ids, written.lines, strict=True))
            for part in _batches(list(lines), _LOOKUP):
                for (row_id,) in connection.execute(rule.offending(part)):
                    self.problem(written.file, lines[row_id], rule.column, rule.reason)

    def _stored_keys(self, table: str, rows: list[Row]) -> dict[tuple[str, ...], dict[tuple, int]]:
        """For each natural key of TABLE, the stored rows holding ROWS' values of it: values
        -> id."""
        return {
            key: self.lookup(
                table, key, {values for row in rows if None not in (values := _values(row, key))}
            )
            for key in _natural_keys(table)
        }

    def _match(
        self, table: str, row: Row, taken: set[int], by_key: dict[tuple[str, ...], dict[tuple, int]]
    ) -> int | None:
        """The id of the stored row ROW is: by natural key (BY_KEY), or by id (TAKEN, the ids
        stored) if that row has the same natural key values."""
        for key, stored in by_key.items():
            values = _values(row, key)
            if None not in values and values in stored:
                return stored[values]
        if row.get("id") not in taken:
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
_LOOKUP = 500  # values looked up in the database at a time: SQLite binds at most 32,766
# The columns other tables refer to: the values an import must remember of rows it checks but
# does not write.
_REFERENCED = {
    (element.column.table.name, element.column.name)
    for table in metadata.tables.values()
    for element in table.foreign_keys
}


def _array_type(column_type: sa.types.TypeEngine, dialect: sa.Dialect) -> str:
    """The PostgreSQL type of an array of COLUMN_TYPE's values: text for text of any length,
    as a cast to varchar(n) would cut a longer value short and match it wrongly."""
    if isinstance(column_type, sa.String):
        return "text"
    return column_type.compile(dialect=dialect)


def _validate(rules: type[BaseModel], values: Row) -> None:
    """Validate VALUES by RULES, as `model_validate` does, with the values already checked by
    `unstorable` (STORABLE_CHECKED), into a new instance: SQLModel's model_validate would then
    copy the instance's fields once more, a third of the time a row's validation takes."""
    rules.__pydantic_validator__.validate_python(
        values, context=STORABLE_CHECKED, self_instance=rules.__new__(rules)
    )


def _natural_keys(table: str) -> list[tuple[str, ...]]:
    return [
        tuple(column.name for column in constraint.columns)
        for constraint in metadata.tables[table].constraints
        if isinstance(constraint, sa.UniqueConstraint)
    ]


def _values(row: Row, key: tuple[str, ...]) -> tuple:
    return tuple(row.get(name) for name in key)


def _digest(values: Any) -> bytes | None:
    """A key's values as 16 bytes: how the rows read so far are told apart, compactly."""
    if values is None:
        return None
    return hashlib.blake2b(repr(values).encode(), digest_size=16).digest()


class _SeenKeys:
    """The keys of the rows an import has read, each with the last line that had it, kept in a
    private SQLite database on disk (deleted when closed), so memory stays flat however many
    rows a file holds."""

    def __init__(self) -> None:
        self.database = sqlite3.connect("")  # "": a temporary file of its own
        self.database.execute(
            "CREATE TABLE seen (key INTEGER, digest BLOB, line INTEGER, PRIMARY KEY (key, digest))"
            " WITHOUT ROWID"
        )

    def __enter__(self) -> _SeenKeys:
        return self

    def __exit__(self, *_exception: object) -> None:
        self.database.close()

    def lines(self, key: int, digests: list[bytes | None]) -> dict[bytes, int]:
        """The line of the last row read with each of DIGESTS, for those read before."""
        wanted = [digest for digest in digests if digest is not None]
        found: dict[bytes, int] = {}
        for part in _batches(wanted, 500):
            markers = ", ".join("?" * len(part))
            found.update(
                self.database.execute(
                    f"SELECT digest, line FROM seen WHERE key = ? AND digest IN ({markers})",
                    (key, *part),
                )
            )
        return found

    def remember(self, keys: list[tuple[int, bytes, int]]) -> None:
        """Keep KEYS, each (key, digest, line), in the order read: a later line replaces an
        earlier one's."""
        self.database.executemany(
            "INSERT OR REPLACE INTO seen (key, digest, line) VALUES (?, ?, ?)", keys
        )


def _key_values(row: Row, key: tuple[str, ...]) -> Any:
    """ROW's values of KEY, compactly (a one-column key's bare value), or None if any is
    missing."""
    if len(key) == 1:
        return row.get(key[0])
    values = _values(row, key)
    return None if None in values else values


def _batches(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _same(value: Any, stored: Any) -> bool:
    """Whether a file's VALUE is what is STORED. Times are UTC, which SQLite keeps without
    their offset."""
    if isinstance(value, datetime) and isinstance(stored, datetime):
        return _utc(value) == _utc(stored)
    return value == stored


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _with_defaults(table: str, rows: list[Row]) -> list[Row]:
    """ROWS with every column the file left out, or left empty where the database needs a
    value (a creation time, a version), set as a new record's would be."""
    if not rows:
        return rows
    defaults = {
        column.name: column.default
        for column in metadata.tables[table].columns
        if column.default is not None
        and (column.name not in rows[0] or not (column.nullable or column.primary_key))
    }
    values = {
        name: default.arg(None) if default.is_callable else default.arg
        for name, default in defaults.items()
    }
    if not values:
        return rows
    return [
        {**row, **{name: value for name, value in values.items() if row.get(name) is None}}
        for row in rows
    ]


def import_data(
    engine: Engine,
    source: Path | str | IO[bytes],
    *,
    name: str | None = None,
    actor: Actor = SYSTEM,
    policy: Policy = Policy.UPDATE,
    dry_run: bool = False,
    progress: Callable[[str, int], None] = lambda table, rows: None,
) -> ImportReport:
    """Import the tables in SOURCE (a folder or .zip of an export, or one table's CSV file) in
    one transaction; with DRY_RUN, report what would happen and write nothing.

    SOURCE is a path, or a binary file open for reading (an upload) with its NAME: the name
    only labels the problems and tells a .zip from one table's CSV file (named after its
    table); it is never used as a path.

    Files are read, checked and written in batches, so memory stays flat however large they
    are; once any row is bad, writing stops, checking goes on to report the problems (the
    first MAX_PROBLEMS, and how many more), and the transaction is rolled back."""
    if isinstance(source, str | os.PathLike):
        source = Path(source)
        label = str(source)
    elif name is None:
        raise TypeError("import_data needs the NAME of a file it is given open")
    else:
        label = PurePath(name).name
    report = ImportReport(dry_run=dry_run)
    with (
        bulk_writing(engine) as connection,
        Session(bind=connection) as session,
        ExitStack() as stack,
    ):
        session.info["actor"] = require_editor(session=session, actor=actor)
        work = _Import(session, report, Policy(policy), label)
        tables = []
        try:
            for table, file, stream in work.files(source, label, stack):
                if table not in RULES:
                    work.problem(
                        file,
                        1,
                        None,
                        f"no table is called {table!r}: "
                        f"name the file after one of {', '.join(TABLES)}",
                    )
                    continue
                tables.append(table)
                count, problems_before = 0, report.total_problems
                for batch in _batches(
                    work.check(table, file, work.parse(table, file, stream)), BATCH
                ):
                    count += len(batch)
                    if not report.problems:
                        work.write(table, file, batch)
                    else:
                        work.remember(table, batch)
                if report.total_problems > problems_before:
                    work.refused_tables.add(table)
                progress(table, count)
            if not tables and not report.problems:
                work.problem(
                    label,
                    1,
                    None,
                    "there are no table files here: expected files such as state.csv",
                )
            if work.wrote and session.get_bind().dialect.name == "postgresql":
                # PostgreSQL plans by statistics that describe the tables before the import,
                # which its own rows (counted by ANALYZE in its transaction) may have grown a
                # hundredfold: refresh them before the checks across rows and the rollups'
                # recount, which would otherwise scan whole tables once per batch. (SQLite plans
                # well without; its ANALYZE made the dashboard's queries two to three times
                # slower in the benchmarks.)
                session.execute(sa.text("ANALYZE"))
            work.refuse_records_missing_rows()
            work.refuse_overlapping_spells()
            work.refuse_rows_breaking_rules()
            if report.problems:
                session.rollback()
                return report
            _reset_sequences(session, tables)
            work.change_set.close()
            if work.wrote:
                bump(session.connection(), report.created.keys() | report.updated.keys())
        except sa.exc.IntegrityError as error:
            session.rollback()
            work.problem(label, 1, None, describe(error))
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
