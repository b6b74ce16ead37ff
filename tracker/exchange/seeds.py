"""Seed data: the facts of the seed articles as structured records, loaded from TOML files.

A seed file refers to things the way an analyst would: a state by its code, name or alias
(keys ending in `state_code`), a person by name (`person`, keys ending in `_person`), a source
by the `ref` given to it in the same file (`source`, keys ending in `_source`, and the list
`relayed_via`), a treaty by name; a date in its text form ("2025-08"). Besides the fields of
each record, a source may have a `ref` and the `file` of the article it is.

Loading keeps what analysts entered:

- Nothing is kept unless every file loads. An unknown key anywhere in an entry is refused with
  its file, its line and the key meant; every problem in every file is listed, and if there is
  any, the session is rolled back.
- An entry that names a stored record (by its natural key) changes only the fields it gives;
  the rows it nests (estimates, parties, citations...) are added to the record's, or update the
  row with the same key, field by field too. Nothing is removed.
- A record someone else changed since the seed loader last wrote it is left as they left it,
  and listed in the report when the seeds would have changed it; so is an estimate, and an
  alias someone gave to another state or removed.
- The seed loader writes as its own actor, SEED_LOADER: a change whose user is "seed", with no
  user id, is the seed loader's (a signed-in user called "seed" has an id). The command line,
  CLI imports and the reference data write as "system", and count as someone else; so do
  records seeded before the loader had its own name, which the seeds then change no more.
- Loading the same files twice changes nothing.
"""

from __future__ import annotations

import bisect
import difflib
import json
import re
import tomllib
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlmodel import Session, select

from tracker.citations import CitationCreate
from tracker.database import project_path
from tracker.dates import FuzzyDate
from tracker.errors import TrackerError, describe, message
from tracker.history import Change, ChangeSet, created_by
from tracker.kinds import KINDS, kind_of
from tracker.kinds.kind import Kind
from tracker.kinds.people import find_person
from tracker.kinds.states import ALIAS, StateAlias, find_state
from tracker.kinds.treaties import find_treaty
from tracker.records import as_record, save
from tracker.schema import Table, upsert
from tracker.users import Actor, Role, require_editor

SEED_LOADER = Actor(id=None, name="seed", role=Role.EDITOR)

# The sections of a seed file, in the order they load (later ones refer to earlier ones).
SECTIONS = {kind.section: kind.name for kind in KINDS.values() if kind.section}
# A table of extra names for states: `PRK = ["DPRK", "Pyongyang"]`.
ALIASES = "aliases"
# Keys a section's entries may have besides their record's fields.
FILE_KEYS = {"sources": ("ref", "file")}
# A citation is the same citation when it quotes the same passage of the same source relaying
# the same originator, as tracker.citations.cite stores them.
CITATION_KEY = ("source_id", "quote", "relayed_source_id")
# Keys that hold a list of references: a citation's chain of relays, by the sources' refs.
REFERENCE_LISTS = {"relayed_via": "source"}

KeyPath = tuple[str | int, ...]


def seed_paths() -> list[Path]:
    """The seed files shipped with the tracker, in name order."""
    return sorted(project_path("seeds").glob("*.toml"))


@dataclass(frozen=True)
class SeedProblem:
    """Something in a seed file that stops it loading."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}, line {self.line}"
        return f"{where}: {self.message}"


class SeedProblems(TrackerError):
    """The seed files hold problems (all of them listed); nothing was written."""

    def __init__(self, problems: list[SeedProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass(frozen=True)
class LeftAlone:
    """A stored record the seeds would have changed, left as someone else last left it."""

    record: str
    user_name: str
    changed: date
    removed: bool = False

    def __str__(self) -> str:
        done = "removed" if self.removed else "changed"
        return f"left alone: {self.record}, {done} by {self.user_name} on {self.changed:%Y-%m-%d}"


@dataclass
class SeedReport:
    """What the seed files hold (entries by section, and aliases) and what was left alone."""

    counts: Counter[str] = field(default_factory=Counter)
    left_alone: list[LeftAlone] = field(default_factory=list)


class _KeyLines:
    """The line of every key, table and array item of a TOML document, by its path
    (("engagements", 0, "citations", 1, "quote")). tomllib gives no positions, so this scans
    the text, which tomllib has read already (so it is valid TOML): strings and comments are
    stepped over whole, and arrays of tables counted as tomllib counts them."""

    _BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
    _SCALAR = re.compile(r"[^,\]}#\n]+")  # numbers, booleans, dates: up to what ends them

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0
        self.newlines = [index for index, char in enumerate(text) if char == "\n"]
        self.lines: dict[KeyPath, int] = {}
        self.array_tables: dict[KeyPath, int] = {}
        # Should the scan meet anything it does not know, the lines found so far still serve.
        with suppress(ValueError, IndexError):
            self._document()

    def line_of(self, path: KeyPath) -> int | None:
        """The line PATH is written on, or else that of the nearest table or key holding it."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None

    def _line(self) -> int:
        return bisect.bisect_left(self.newlines, self.position) + 1

    def _at(self, text: str) -> bool:
        return self.text.startswith(text, self.position)

    def _skip(self, *, line_ends: bool) -> None:
        """Step over blanks and comments, and line ends too if LINE_ENDS."""
        blanks = " \t\r\n" if line_ends else " \t"
        while self.position < len(self.text):
            if self.text[self.position] in blanks:
                self.position += 1
            elif self._at("#"):
                end = self.text.find("\n", self.position)
                self.position = len(self.text) if end < 0 else end
            else:
                return

    def _document(self) -> None:
        table: KeyPath = ()
        while True:
            self._skip(line_ends=True)
            if self.position >= len(self.text):
                return
            line = self._line()
            if self._at("[["):
                self.position += 2
                *parents, name = self._key()
                self.position = self.text.index("]]", self.position) + 2
                array = (*self._resolve(parents), name)
                self.lines.setdefault(array, line)
                index = self.array_tables.get(array, 0)
                self.array_tables[array] = index + 1
                table = (*array, index)
                self.lines[table] = line
            elif self._at("["):
                self.position += 1
                table = self._resolve(self._key())
                self.position = self.text.index("]", self.position) + 1
                self.lines.setdefault(table, line)
            else:
                self._pair(table)

    def _resolve(self, keys: list[str]) -> KeyPath:
        """The path of a table header's KEYS: a name that is an array of tables stands for
        its latest table."""
        path: KeyPath = ()
        for key in keys:
            path = (*path, key)
            if path in self.array_tables:
                path = (*path, self.array_tables[path] - 1)
        return path

    def _key(self) -> list[str]:
        keys = []
        while True:
            self._skip(line_ends=False)
            if self._at('"') or self._at("'"):
                start = self.position
                self._string()
                keys.append(tomllib.loads(f"key = {self.text[start : self.position]}")["key"])
            else:
                bare = self._BARE_KEY.match(self.text, self.position)
                if bare is None:
                    raise ValueError(f"no key at {self.position}")
                keys.append(bare.group())
                self.position = bare.end()
            self._skip(line_ends=False)
            if not self._at("."):
                return keys
            self.position += 1

    def _pair(self, table: KeyPath) -> None:
        line = self._line()
        path = (*table, *self._key())
        self.lines[path] = line
        self.position = self.text.index("=", self.position) + 1
        self._value(path)

    def _value(self, path: KeyPath) -> None:
        self._skip(line_ends=False)
        if self.text[self.position] in "\"'":
            self._string()
        elif self._at("["):
            self._array(path)
        elif self._at("{"):
            self._inline_table(path)
        else:
            scalar = self._SCALAR.match(self.text, self.position)
            if scalar is None:
                raise ValueError(f"no value at {self.position}")
            self.position = scalar.end()

    def _array(self, path: KeyPath) -> None:
        self.position += 1
        index = 0
        while True:
            self._skip(line_ends=True)
            if self._at("]"):
                self.position += 1
                return
            self.lines[(*path, index)] = self._line()
            self._value((*path, index))
            index += 1
            self._skip(line_ends=True)
            if self._at(","):
                self.position += 1

    def _inline_table(self, path: KeyPath) -> None:
        self.position += 1
        while True:
            self._skip(line_ends=True)
            if self._at("}"):
                self.position += 1
                return
            self._pair(path)
            self._skip(line_ends=True)
            if self._at(","):
                self.position += 1

    def _string(self) -> None:
        quote = next(quote for quote in ('"""', "'''", '"', "'") if self._at(quote))
        self.position += len(quote)
        escapes = quote.startswith('"')
        while self.position < len(self.text) and not self._at(quote):
            self.position += 2 if escapes and self._at("\\") else 1
        self.position += len(quote)
        if len(quote) == 3:  # up to two quotes of the content may stand before the closing three
            for _ in range(2):
                if self._at(quote[0]):
                    self.position += 1


def _reference(key: str) -> str | None:
    """What a seed file's KEY names by code, name or ref, if anything."""
    if key.endswith("state_code"):
        return "state"
    if key == "person" or key.endswith("_person"):
        return "person"
    if key == "source" or key.endswith("_source"):
        return "source"
    if key in REFERENCE_LISTS:
        return REFERENCE_LISTS[key]
    if key == "treaty":
        return "treaty"
    return None


def _field_of(key: str) -> str:
    """The record's field a seed file's KEY fills: a person, source or treaty named in the
    file is stored as its id."""
    named = _reference(key) in ("person", "source", "treaty") and key not in REFERENCE_LISTS
    return f"{key}_id" if named else key


def _key_of(field_name: str) -> str:
    """The seed file's key for a record's FIELD_NAME (source_id is written `source`)."""
    named = field_name.removesuffix("_id")
    return named if named != field_name and _field_of(named) == field_name else field_name


@cache
def _field_adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    info = model.model_fields[name]
    return TypeAdapter(Annotated[info.annotation, info])


def _natural_key(
    model: type[BaseModel], names: Sequence[str], values: Mapping[str, Any]
) -> tuple[Any, ...] | None:
    """The natural key NAMES of VALUES, typed as the database holds it (a fuzzy date as its
    first day), or None if a value cannot be one: a lookup by it would fail in the database."""
    fuzzy = getattr(model, "fuzzy_dates", ())
    key = []
    for name in names:
        value = values.get(name)
        try:
            if name in fuzzy and isinstance(value, str):
                value = FuzzyDate.parse(value).earliest
            key.append(_field_adapter(model, name).validate_python(value))
        except (ValueError, ValidationError):
            return None
    return tuple(key)


@dataclass(frozen=True)
class _Shape:
    """What an entry, or a row nested in one, may hold; how it is told apart from its
    siblings; the rows nested in it; and, for a record in its own right, its kind."""

    label: str
    model: type[BaseModel]
    key: tuple[str, ...]
    rows: dict[str, _Shape]
    kind: Kind | None

    @classmethod
    def of(cls, kind: Kind) -> _Shape:
        # Aliases are names, not rows: they are added one by one (see _Loader.add_aliases).
        rows = {name: cls.of(child) for name, child in kind.parts if child.plain is None}
        if "citations" in kind.nested():
            rows["citations"] = cls("citation", CitationCreate, CITATION_KEY, {}, None)
        parent = kind.parent[0] if kind.parent else None
        return cls(
            kind.label,
            kind.model,
            tuple(name for name in kind.key if name != parent),
            rows,
            kind if kind.name in KINDS else None,
        )

    @property
    def keys(self) -> set[str]:
        """The keys a seed file may give: the model's fields as a file writes them, without
        the ids a file cannot know or the columns a fuzzy date's text form stands for."""
        fuzzy = getattr(self.model, "fuzzy_dates", ())
        columns = {f"{name}_{part}" for name in fuzzy for part in ("precision", "latest")}
        return {
            key
            for name in self.model.model_fields
            if name not in columns and not (key := _key_of(name)).endswith("_id")
        }

    def row_key(self, values: Mapping[str, Any]) -> tuple[Any, ...] | None:
        return _natural_key(self.model, self.key, values)

    def merge(self, stored: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
        """STORED with the fields GIVEN; a given nested row updates the stored row with the
        same key, or is added. Given rows come first, so an error's position is the file's."""
        merged = stored | {name: value for name, value in given.items() if name not in self.rows}
        for name, shape in self.rows.items():
            twins = {shape.row_key(row): row for row in stored.get(name, [])}
            rows = []
            for row in given.get(name, []):
                twin = twins.pop(shape.row_key(row), None)
                rows.append(row if twin is None else shape.merge(twin, row))
            if name in stored or name in given:
                merged[name] = rows + list(twins.values())
        return merged

    def unknown_keys(
        self, values: Mapping[str, Any], path: KeyPath, where: str, extra: Sequence[str] = ()
    ) -> Iterator[tuple[KeyPath, str]]:
        """Each key of VALUES (at PATH, described as WHERE) that is not one of this shape's,
        and each nested list that is not a list of tables, with what is wrong."""
        known = self.keys | set(extra)
        for key, value in values.items():
            if key not in known:
                yield (*path, key), f"unknown key {key!r} in {where}{_meant(key, known)}"
            elif key in self.rows:
                if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
                    yield (*path, key), f"{key} in {where} should be a list of tables"
                    continue
                shape = self.rows[key]
                article = "an" if shape.label[0] in "aeiou" else "a"
                for index, row in enumerate(value):
                    yield from shape.unknown_keys(
                        row, (*path, key, index), f"{article} {shape.label} of {where}"
                    )


def _meant(key: str, known: set[str]) -> str:
    close = difflib.get_close_matches(key, sorted(known), n=1)
    if close:
        return f": did you mean {close[0]!r}?"
    return f": the keys are {', '.join(sorted(known))}"


SHAPES = {section: _Shape.of(kind_of(kind)) for section, kind in SECTIONS.items()}


def _same(record: BaseModel, other: BaseModel) -> bool:
    """Whether two records hold the same values, whatever the order of their nested rows."""

    def canonical(value: Any) -> Any:
        if isinstance(value, dict):
            return {name: canonical(item) for name, item in value.items()}
        if isinstance(value, list):
            return sorted(
                (canonical(item) for item in value),
                key=lambda item: json.dumps(item, sort_keys=True),
            )
        return value

    return canonical(record.model_dump(mode="json")) == canonical(other.model_dump(mode="json"))


def _is_seed_loader(change: Change | ChangeSet) -> bool:
    return change.user_id is None and change.user_name == SEED_LOADER.name


@dataclass
class _SeedFile:
    label: str
    data: dict[str, Any]
    lines: _KeyLines
    refused: set[KeyPath] = field(default_factory=set)  # sections and entries found wrong


class _WritingStopped(Exception):
    """The database refused a write: the transaction cannot go on."""


class _RefusedSource(Exception):
    """A reference to a source that was refused: its own problem is listed already."""


class _References:
    """Turns a seed file's references into the ids and codes the records store."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.source_ids: dict[str, int | None] = {}  # None: that source was refused

    def resolve(self, data: Any, path: KeyPath, problems: list[tuple[KeyPath, str | None]]) -> Any:
        """DATA with every reference replaced by what it names; each one that names nothing
        is added to PROBLEMS with its path and what is wrong (None for a refused source,
        whose own problem is listed)."""
        if isinstance(data, list):
            return [self.resolve(item, (*path, index), problems) for index, item in enumerate(data)]
        if isinstance(data, date) and not isinstance(data, datetime):
            return data.isoformat()  # an unquoted TOML date names a day: "2025-08-12"
        if not isinstance(data, dict):
            return data
        resolved: dict[str, Any] = {}
        for key, value in data.items():
            try:
                resolved[_field_of(key)] = (
                    self.resolve(value, (*path, key), problems)
                    if (target := _reference(key)) is None
                    else self._find(target, key, value)
                )
            except TrackerError as error:
                problems.append(((*path, key), str(error)))
            except _RefusedSource:
                problems.append(((*path, key), None))
        return resolved

    def _find(self, target: str, key: str, name: Any) -> Any:
        if key in REFERENCE_LISTS and isinstance(name, list):
            return [self._find(target, f"{key}[{index}]", each) for index, each in enumerate(name)]
        if not isinstance(name, str):
            raise TrackerError(f"{key} = {name!r}: write the {target}'s name in quotes")
        match target:
            case "state":
                return find_state(session=self.session, name=name).code
            case "person":
                return find_person(session=self.session, name=name).id
            case "treaty":
                return find_treaty(session=self.session, name=name).id
            case _:  # a source, by the ref the file gave it
                if name not in self.source_ids:
                    raise TrackerError(f"no source has ref {name!r}")
                if self.source_ids[name] is None:
                    raise _RefusedSource
                return self.source_ids[name]


_ALIAS_LIST = TypeAdapter(list[str])


class _Loader:
    """Checks and loads seed files into one session, collecting every problem."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.problems: list[SeedProblem] = []
        self.report = SeedReport()
        self._removed_aliases: dict[str, Change] | None = None

    def problem(self, seed_file: _SeedFile, path: KeyPath, text: str) -> None:
        self.problems.append(SeedProblem(seed_file.label, seed_file.lines.line_of(path), text))

    def read(self, path: Path, label: str) -> _SeedFile | None:
        try:
            text = path.read_bytes().decode("utf-8")
        except OSError as error:
            self.problems.append(SeedProblem(label, None, f"cannot be read: {error.strerror}"))
            return None
        except UnicodeDecodeError:
            self.problems.append(SeedProblem(label, None, "not UTF-8 text"))
            return None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            self.problems.append(SeedProblem(label, None, f"not valid TOML: {error}"))
            return None
        return _SeedFile(label, data, _KeyLines(text))

    def check(self, seed_file: _SeedFile) -> None:
        """Refuse unknown sections and keys, sections of the wrong form, and a source's ref
        that is not text or names two sources."""
        for section, entries in seed_file.data.items():
            if section == ALIASES:
                form = isinstance(entries, dict)
            else:
                form = isinstance(entries, list) and all(isinstance(e, dict) for e in entries)
            if section not in SHAPES and section != ALIASES:
                known = {*SECTIONS, ALIASES}
                self.refuse(
                    seed_file, (section,), f"unknown section {section!r}{_meant(section, known)}"
                )
            elif not form:
                header = f"a table, [{section}]" if section == ALIASES else f"[[{section}]] tables"
                self.refuse(seed_file, (section,), f"{section} should be written as {header}")
            elif section != ALIASES:
                for index, entry in enumerate(entries):
                    self._check_entry(seed_file, section, index, entry)
        sources = [] if ("sources",) in seed_file.refused else seed_file.data.get("sources", [])
        refs = Counter(
            source.get("ref") for source in sources if isinstance(source.get("ref"), str)
        )
        for index, source in enumerate(sources):
            if isinstance(ref := source.get("ref"), str) and refs[ref] > 1:
                self.refuse(seed_file, ("sources", index, "ref"), f"ref {ref!r} names two sources")

    def _check_entry(
        self, seed_file: _SeedFile, section: str, index: int, entry: dict[str, Any]
    ) -> None:
        where = f"{section} {_label(entry, index)!r}"
        file_keys = FILE_KEYS.get(section, ())
        for key_path, text in SHAPES[section].unknown_keys(
            entry, (section, index), where, file_keys
        ):
            self.refuse(seed_file, key_path, text)
        for key in file_keys:
            if key in entry and not isinstance(entry[key], str):
                self.refuse(seed_file, (section, index, key), f"{key} in {where} should be text")

    def refuse(self, seed_file: _SeedFile, path: KeyPath, text: str) -> None:
        """A problem with the section or entry at PATH found before loading: it is not loaded."""
        self.problem(seed_file, path, text)
        seed_file.refused.add(path[:2])

    def load(self, seed_file: _SeedFile) -> None:
        """Save what SEED_FILE holds, section by section; the problems found are collected."""
        references = _References(self.session)
        aliases_by_state = (
            {} if (ALIASES,) in seed_file.refused else seed_file.data.get(ALIASES, {})
        )
        for name, aliases in aliases_by_state.items():
            path = (ALIASES, name)
            with self._reporting(seed_file, path, f"{ALIASES} {name!r}"):
                state = find_state(session=self.session, name=name)
                self.add_aliases(state.code, _ALIAS_LIST.validate_python(aliases), state.name)
        for section in SECTIONS:
            if (section,) in seed_file.refused:
                continue
            for index, entry in enumerate(seed_file.data.get(section, [])):
                self.report.counts[section] += 1
                self._load_entry(seed_file, references, section, index, entry)

    def _load_entry(
        self,
        seed_file: _SeedFile,
        references: _References,
        section: str,
        index: int,
        entry: dict[str, Any],
    ) -> None:
        path = (section, index)
        ref = entry.get("ref") if section == "sources" else None
        if isinstance(ref, str):
            references.source_ids[ref] = None  # until the source is saved
        if path in seed_file.refused:
            return
        what = f"{section} {_label(entry, index)!r}"
        given = {
            key: value for key, value in entry.items() if key not in FILE_KEYS.get(section, ())
        }
        parts = dict(kind_of(SECTIONS[section]).parts)
        aliases = given.pop(ALIASES, []) if ALIASES in parts else []
        problems: list[tuple[KeyPath, str | None]] = []
        resolved = references.resolve(given, path, problems)
        for key_path, text in problems:
            if text is not None:
                self.problem(seed_file, key_path, f"{what}: {text}")
        if problems:
            return
        with self._reporting(seed_file, path, what):
            row = self._save(SHAPES[section], resolved, _label(entry, index))
            if ref is not None:
                references.source_ids[ref] = row.id
            if aliases:
                with self._reporting(seed_file, (*path, ALIASES), what):
                    self.add_aliases(row.code, _ALIAS_LIST.validate_python(aliases), row.name)

    @contextmanager
    def _reporting(self, seed_file: _SeedFile, path: KeyPath, what: str) -> Iterator[None]:
        """Run the block for the entry at PATH (described as WHAT); a problem with it ends the
        block and is collected. A database error ends the loading: its transaction cannot go
        on."""
        try:
            yield
        except ValidationError as error:
            for problem in error.errors():
                where = tuple(
                    _key_of(part) if isinstance(part, str) else part for part in problem["loc"]
                )
                shown = [".".join(str(part) for part in where)] if where else []
                self.problem(
                    seed_file, (*path, *where), ": ".join([what, *shown, message(problem)])
                )
        except TrackerError as error:
            self.problem(seed_file, path, f"{what}: {error}")
        except sa.exc.SQLAlchemyError as error:
            self.problem(seed_file, path, f"{what}: {describe(error)}")
            raise _WritingStopped from None

    def _save(self, shape: _Shape, given: dict[str, Any], label: Any) -> Table:
        """Save the record an entry GIVES: created, or the stored one with the same natural
        key updated field by field, unless someone else changed it last."""
        kind = shape.kind
        assert kind is not None, f"{shape.label} is not a record in its own right"
        row = self._find(kind, given)
        if row is not None:
            self._rekey_rows_stored_before(shape, row, given)
        stored = self._stored(kind, row)
        record = kind.model.model_validate(shape.merge(stored, given))
        if row is None and (row := self._find(kind, dict(record))) is not None:
            # Found by its validated key only: "nato" is stored as NATO.
            stored = self._stored(kind, row)
            record = kind.model.model_validate(shape.merge(stored, given))
        if row is not None:
            if self._unchanged(kind, record, stored):
                return row
            if change := self._others_change(kind, row.id):
                self._leave_alone(f"{kind.label} {label!r}", change)
                return row
            self._keep_others_rows(shape, row, record, f"{kind.label} {label!r}")
        return save(session=self.session, actor=SEED_LOADER, kind=kind.name, record=record)

    def _stored(self, kind: Kind, row: Table | None) -> dict[str, Any]:
        """ROW as its Create model's fields, with its rows and citations; nothing for None."""
        return (
            {} if row is None else as_record(session=self.session, kind=kind.name, record_id=row.id)
        )

    def _find(self, kind: Kind, values: Mapping[str, Any]) -> Table | None:
        key = _natural_key(kind.model, kind.key, values)
        if key is None:
            return None
        return self.session.exec(
            select(kind.table).filter_by(**dict(zip(kind.key, key, strict=True)))
        ).one_or_none()

    def _unchanged(self, kind: Kind, record: BaseModel, stored: dict[str, Any]) -> bool:
        try:
            return _same(record, kind.model.model_validate(stored))
        except ValidationError:  # stored before a rule the record now meets
            return False

    def _others_change(self, kind: Kind, record_id: int) -> Change | ChangeSet | None:
        """The latest change to a record, if someone other than the seed loader made it: a
        record an import created and no one changed since is the importer's."""
        latest = self.session.exec(
            select(Change)
            .where(Change.record_table == kind.name, Change.record_id == record_id)
            .order_by(Change.id.desc())
            .limit(1)
        ).first() or created_by(self.session, kind.name, record_id)
        return None if latest is None or _is_seed_loader(latest) else latest

    def _keep_others_rows(self, shape: _Shape, row: Table, record: BaseModel, what: str) -> None:
        """Put back, in RECORD, each nested record in its own right (an estimate) that the
        entry would change but someone else changed last."""
        for name, rows in shape.rows.items():
            if rows.kind is None:
                continue
            column, parent_column = rows.kind.parent
            items = getattr(record, name)
            for index, item in enumerate(items):
                twin = self._find(rows.kind, {**dict(item), column: getattr(row, parent_column)})
                if twin is None:
                    continue
                stored = as_record(session=self.session, kind=rows.kind.name, record_id=twin.id)
                if self._unchanged(rows.kind, item, stored):
                    continue
                if change := self._others_change(rows.kind, twin.id):
                    items[index] = rows.kind.model.model_validate(stored)
                    self._leave_alone(f"{rows.kind.label} {index + 1} of {what}", change)

    def _rekey_rows_stored_before(self, shape: _Shape, row: Table, given: dict[str, Any]) -> None:
        """Give each nested record in its own right (an estimate) that the entry names by a key
        its stored twin gained only in a later schema (Kind.key_added) the entry's value, so
        that it is updated rather than added beside it. Only a twin found alone, by the rest of
        the key, whose last change was the seed loader's (a migration writes no history)."""
        for name, rows in shape.rows.items():
            kind = rows.kind
            if kind is None or not kind.key_added:
                continue
            column, parent_column = kind.parent
            rest = [field for field in kind.key if field not in kind.key_added]
            for item in given.get(name, []):
                values = {**item, column: getattr(row, parent_column)}
                if self._find(kind, values) is not None:
                    continue
                key = _natural_key(kind.model, rest, values)
                if key is None:
                    continue
                twins = self.session.exec(
                    select(kind.table).filter_by(**dict(zip(rest, key, strict=True)))
                ).all()
                if len(twins) != 1 or self._others_change(kind, twins[0].id):
                    continue
                stored = as_record(session=self.session, kind=kind.name, record_id=twins[0].id)
                save(
                    session=self.session,
                    actor=SEED_LOADER,
                    kind=kind.name,
                    record=stored | {added: item.get(added) for added in kind.key_added},
                    record_id=twins[0].id,
                )

    def _leave_alone(self, record: str, change: Change | ChangeSet) -> None:
        self.report.left_alone.append(
            LeftAlone(
                record,
                change.user_name,
                change.created_at.date(),
                removed=isinstance(change, Change) and change.action == "delete",
            )
        )

    def add_aliases(self, state_code: str, aliases: list[str], state_name: str) -> None:
        """Give the state with STATE_CODE each of ALIASES, unless someone else gave the alias
        to another state or removed it."""
        for alias in aliases:
            self.report.counts[ALIASES] += 1
            row = self.session.exec(select(StateAlias).where(StateAlias.alias == alias)).first()
            if row is not None and row.state_code == state_code:
                continue
            change = (
                self._removed_aliases_by_others().get(alias)
                if row is None
                else self._others_change(ALIAS, row.id)
            )
            if change is not None:
                self._leave_alone(f"alias {alias!r} of {state_name}", change)
            else:
                upsert(self.session, StateAlias, {"alias": alias}, {"state_code": state_code})

    def _removed_aliases_by_others(self) -> dict[str, Change]:
        """The aliases someone removed (the seed loader never does), with their removal."""
        if self._removed_aliases is None:
            removals = self.session.exec(
                select(Change)
                .where(Change.row_table == ALIAS.name, Change.action == "delete")
                .order_by(Change.id)
            ).all()
            self._removed_aliases = {change.before["alias"]: change for change in removals}
        return self._removed_aliases


def _label(entry: Mapping[str, Any], index: int) -> Any:
    return entry.get("name") or entry.get("title") or entry.get("ref") or index + 1


def _seed_files(paths: Sequence[Path] | None, loader: _Loader) -> list[tuple[Path, str]]:
    """Each seed file PATHS name, with how to name it in a message: a .toml file as given, the
    .toml files of a folder in name order; by default the tracker's own seeds."""
    if not paths:
        return [(path, path.name) for path in seed_paths()]
    files = []
    for path in paths:
        if path.is_dir():
            found = sorted(path.glob("*.toml"))
            if not found:
                loader.problems.append(SeedProblem(str(path), None, "holds no .toml files"))
            files += [(file, str(file)) for file in found]
        elif not path.exists():
            loader.problems.append(SeedProblem(str(path), None, "no such file or folder"))
        elif path.suffix != ".toml":
            loader.problems.append(SeedProblem(str(path), None, "is not a .toml file"))
        else:
            files.append((path, str(path)))
    return files


def load_seeds(*, session: Session, paths: Sequence[Path] | None = None) -> SeedReport:
    """Load the seed files at PATHS (.toml files, or folders of them; by default the tracker's
    own) in SESSION's transaction, as the SEED_LOADER. Returns how many entries of each section
    they hold and the records left alone. If any file holds a problem, SESSION is rolled back
    and SeedProblems lists every problem found."""
    loader = _Loader(session)
    seed_files = [
        seed_file
        for path, label in _seed_files(paths, loader)
        if (seed_file := loader.read(path, label)) is not None
    ]
    for seed_file in seed_files:
        loader.check(seed_file)
    session.info["actor"] = require_editor(session=session, actor=SEED_LOADER)
    with suppress(_WritingStopped):
        for seed_file in seed_files:
            loader.load(seed_file)
    if loader.problems:
        session.rollback()
        raise SeedProblems(loader.problems)
    return loader.report
