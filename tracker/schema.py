"""What every table shares: constraint names, id and timestamps, vocabularies, fuzzy dates.

Importing this module sets the metadata naming convention, so it must come before any model
(every model module imports it first).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from enum import StrEnum
from functools import cache
from typing import Any, ClassVar, TypeVar

import sqlalchemy as sa
from pydantic import (
    BaseModel,
    ModelWrapValidatorHandler,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError, SchemaValidator
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, Session, SQLModel, select

from tracker.dates import EARLIEST, LATEST, FuzzyDate, fuzzy_columns, outside_calendar

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Table(SQLModel):
    """Columns every table has: a surrogate id and when the row was created and last changed."""

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(
        default_factory=utcnow,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"server_default": sa.func.now()},
        nullable=False,
    )
    updated_at: datetime = Field(
        default_factory=utcnow,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"server_default": sa.func.now(), "onupdate": utcnow},
        nullable=False,
    )


def vocabulary(enum: type[StrEnum], column: str) -> sa.Enum:
    """A column type for a closed vocabulary: stored as its values in a plain VARCHAR with a
    named CHECK constraint (ck_TABLE_COLUMN), never as member names or a native PostgreSQL type."""
    return sa.Enum(
        enum,
        name=column,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def _fuzzy_date_checks(name: str) -> tuple[sa.CheckConstraint, ...]:
    precision, latest = f"{name}_precision", f"{name}_latest"
    return (
        sa.CheckConstraint(
            f"({name} IS NULL) = ({precision} IS NULL)", name=f"{name}_has_precision"
        ),
        sa.CheckConstraint(f"({name} IS NULL) = ({latest} IS NULL)", name=f"{name}_has_latest"),
        sa.CheckConstraint(f"{latest} >= {name}", name=f"{name}_in_order"),
    )


def shared_checks(metadata: sa.MetaData) -> None:
    """Add the rules every table shares to each table of METADATA (once all are declared):
    every date lies in the calendar the tracker keeps; every record's version is positive."""
    editable = {
        mapper.local_table
        for mapper in SQLModel._sa_registry.mappers
        if issubclass(mapper.class_, Editable)
    }
    for table in metadata.tables.values():
        wanted = [
            sa.CheckConstraint(
                f"{column.name} BETWEEN '{EARLIEST}' AND '{LATEST}'",
                name=f"{column.name}_in_calendar",
            )
            for column in table.columns
            if isinstance(column.type, sa.Date) and not isinstance(column.type, sa.DateTime)
        ]
        if table in editable:
            wanted.append(sa.CheckConstraint("version >= 1", name="version_positive"))
        present = {constraint.name for constraint in table.constraints}
        for check in wanted:
            if sa.schema.conv(f"ck_{table.name}_{check.name}") not in present:
                table.append_constraint(check)


def date_checks(record: type[Record]) -> tuple[sa.CheckConstraint, ...]:
    """The database's side of RECORD's date rules: each fuzzy date's three columns agree, and
    each later date does not fall wholly before the date it follows."""
    return (
        *(check for name in record.fuzzy_dates for check in _fuzzy_date_checks(name)),
        *(
            sa.CheckConstraint(f"{end}_latest >= {start}", name=f"{end}_after_{start}")
            for start, end in record.dates_in_order
        ),
    )


# One problem a rule finds: (the field it concerns, what is wrong in words, the value at fault).
Problem = tuple[str, str, Any]


def field_error(field: str, message: str, value: Any) -> ValidationError:
    """A validation error placed on FIELD, so a form can show MESSAGE next to it."""
    return field_errors([(field, message, value)])


def field_errors(problems: Iterable[Problem]) -> ValidationError:
    """One validation error holding each (field, message, value) of PROBLEMS."""
    return ValidationError.from_exception_data(
        "validation",
        [
            InitErrorDetails(
                type=PydanticCustomError("invalid", message), loc=(field,), input=value
            )
            for field, message, value in problems
        ],
    )


def _line_error(problem: ErrorDetails) -> InitErrorDetails:
    """A problem of a ValidationError as it was, to be raised again among others."""
    return InitErrorDetails(
        type=PydanticCustomError(problem["type"], problem["msg"], problem.get("ctx")),
        loc=problem["loc"],
        input=problem["input"],
    )


CheckT = TypeVar("CheckT", bound=Callable[..., Iterable[Problem]])


def check(rule: CheckT) -> CheckT:
    """Mark a method of a Record as one of its rules across fields: it yields each Problem it
    finds. A record runs all its rules (its own and its bases') and reports every problem at
    once; where some fields did not validate, each rule still runs if it reads only fields that
    did (see `Record.problems`), so forms, imports and seeds tell everything in one round."""
    rule.__tracker_check__ = True  # type: ignore[attr-defined]
    return rule


_CHECKS: dict[type, tuple[Callable[[Any], Iterable[Problem]], ...]] = {}


def _checks(model: type[Record]) -> tuple[Callable[[Any], Iterable[Problem]], ...]:
    """MODEL's rules across fields, its bases' first (a rule a subclass redefines runs once)."""
    if model not in _CHECKS:
        rules: dict[str, Callable[[Any], Iterable[Problem]]] = {}
        for klass in reversed(model.__mro__):
            for name, member in vars(klass).items():
                if getattr(member, "__tracker_check__", False):
                    rules[name] = member
        _CHECKS[model] = tuple(rules.values())
    return _CHECKS[model]


@cache
def _field_validators(model: type[BaseModel]) -> dict[str, SchemaValidator]:
    """A validator for each of MODEL's fields alone, with its constraints and field validators,
    taken from the model's own core schema (so it validates each field as the model does).
    Empty where that schema is not shaped as expected: then no rule runs on a record whose
    fields do not all validate, and its fields' own problems are told alone."""
    schema: Any = model.__pydantic_core_schema__
    definitions: list[Any] = []
    try:
        if schema["type"] == "definitions":
            definitions, schema = schema["definitions"], schema["schema"]
        while schema["type"] != "model":  # model validators wrap the model
            schema = schema["schema"]
        config = schema.get("config")
        fields = schema["schema"]
        while fields["type"] != "model-fields":  # before validators wrap its fields
            fields = fields["schema"]
    except (KeyError, TypeError):
        return {}
    return {
        name: SchemaValidator(
            {"type": "definitions", "schema": field["schema"], "definitions": definitions}
            if definitions
            else field["schema"],
            config,
        )
        for name, field in fields["fields"].items()
    }


# The three columns a fuzzy date NAME is stored as.
def _columns(name: str) -> tuple[str, str, str]:
    return name, f"{name}_precision", f"{name}_latest"


# The range of the databases' INTEGER columns (PostgreSQL's are 32 bits).
INTEGER_LIMIT = 2**31 - 1
# The one character no database of the tracker's keeps in text (PostgreSQL refuses it).
UNSTORABLE_CHARACTER = "\x00"
# The validation context for values each already checked by `unstorable` (an import checks
# every cell of a file, a column at a time): a record's rule _storable is not run again.
_STORABLE_CHECKED = "storable checked"
STORABLE_CHECKED = {_STORABLE_CHECKED: True}


def unstorable(value: Any) -> str | None:
    """Why a field's VALUE cannot be stored in any of the tracker's databases, or None."""
    match value:
        case bool():
            return None
        case int() if not -INTEGER_LIMIT - 1 <= value <= INTEGER_LIMIT:
            return f"{value:,} is out of range: the database stores numbers up to {INTEGER_LIMIT:,}"
        case str() if UNSTORABLE_CHARACTER in value:
            return "contains a NUL character (\\0), which cannot be stored: remove it"
        case datetime():
            return None
        case date():
            return outside_calendar(value)
        case _:
            return None


class Record(SQLModel):
    """Base of every record's fields, with its date rules declared once: which fields are fuzzy
    dates (each accepted as its text form, "2025-08", or as its three columns) and which pairs
    must come in order. `date_checks` turns the same declaration into CHECK constraints.

    Its rules across fields are methods marked `check`; validating a record reports every
    problem at once, each field's own and each rule's, even where some fields did not validate.
    """

    fuzzy_dates: ClassVar[tuple[str, ...]] = ()
    dates_in_order: ClassVar[tuple[tuple[str, str], ...]] = ()

    @model_validator(mode="wrap")
    @classmethod
    def _every_problem(
        cls, data: Any, handler: ModelWrapValidatorHandler[Record], info: ValidationInfo
    ) -> Record:
        checked = bool(info.context and info.context.get(_STORABLE_CHECKED))
        data, unreadable = cls._spread_fuzzy_dates(data)
        try:
            record = handler(data)
        except ValidationError as error:
            raise cls._with_rules(error, data, unreadable, checked) from None
        if problems := [*unreadable, *record.problems(storable_checked=checked)]:
            raise field_errors(problems)
        return record

    @classmethod
    def _spread_fuzzy_dates(cls, data: Any) -> tuple[Any, list[Problem]]:
        """DATA with each fuzzy date given as text spread into its three columns; and the dates
        that cannot be read, as problems (their text is left for the fields to refuse)."""
        if not isinstance(data, Mapping) or not cls.fuzzy_dates:
            return data, []
        data, unreadable = dict(data), []
        for name in cls.fuzzy_dates:
            value = data.get(name)
            if isinstance(value, FuzzyDate) or (
                isinstance(value, str) and data.get(f"{name}_precision") is None
            ):
                try:
                    data.update(fuzzy_columns(name, value))
                except ValueError as error:
                    unreadable.append((name, str(error), value))
        return data, unreadable

    @classmethod
    def _with_rules(
        cls, error: ValidationError, data: Any, unreadable: list[Problem], storable_checked: bool
    ) -> ValidationError:
        """ERROR's problems (an unreadable date told once, in the tracker's words), with every
        problem the rules find among the fields that did validate."""
        told = {column for name, _, _ in unreadable for column in _columns(name)}
        problems = [
            problem
            for problem in error.errors()
            if not (problem["loc"] and problem["loc"][0] in told)
        ]
        failed = told | {str(problem["loc"][0]) for problem in problems if problem["loc"]}
        found = (
            cls._validated(data, failed).problems(
                unvalidated=failed, storable_checked=storable_checked
            )
            if isinstance(data, Mapping) and all(problem["loc"] for problem in problems)
            else []
        )
        return ValidationError.from_exception_data(
            cls.__name__,
            [
                *(_line_error(problem) for problem in problems),
                *(_line_error(problem) for problem in field_errors([*unreadable, *found]).errors()),
            ],
        )

    @classmethod
    def _validated(cls, data: Mapping[str, Any], failed: set[str]) -> Record:
        """A record of DATA's fields that validate, each validated alone; FAILED (to which any
        that does not is added) left unset, so a rule that reads one of them is not run."""
        validators = _field_validators(cls)
        values: dict[str, Any] = {}
        for name, value in data.items():
            if name in validators and name not in failed:
                try:
                    values[name] = validators[name].validate_python(value)
                except ValidationError:
                    failed.add(name)
        partial = cls.model_construct(**values)
        for name in failed:
            partial.__dict__.pop(name, None)
        return partial

    def problems(
        self, unvalidated: Collection[str] = (), storable_checked: bool = False
    ) -> list[Problem]:
        """Every problem the record's rules find. UNVALIDATED names the fields that did not
        validate (left unset): a rule that reads one of them is skipped. STORABLE_CHECKED: the
        values were each checked by `unstorable` already (see STORABLE_CHECKED)."""
        found: list[Problem] = []
        for rule in _checks(type(self)):
            if storable_checked and rule is Record._storable:
                continue
            try:
                found.extend(list(rule(self)))
            except AttributeError:
                if not unvalidated:
                    raise
        return found

    def validated(self, *names: str) -> bool:
        """Whether each field of NAMES validated (a rule of several parts reads only those)."""
        return all(name in self.__dict__ for name in names)

    @check
    def _storable(self) -> Iterator[Problem]:
        """Every value fits the database, whatever the record: numbers in range, dates within
        the calendar the tracker keeps, text without NUL characters."""
        for name, value in self:
            if (problem := unstorable(value)) is not None:
                yield name, problem, value

    @check
    def _dates_readable_and_in_order(self) -> Iterator[Problem]:
        dates: dict[str, FuzzyDate | None] = {}
        for name in self.fuzzy_dates:
            if self.validated(*_columns(name)):
                try:
                    dates[name] = self.fuzzy(name)
                except ValueError as error:
                    yield name, str(error), getattr(self, name)
        for start, end in self.dates_in_order:
            start_date, end_date = dates.get(start), dates.get(end)
            if start_date and end_date and end_date.latest < start_date.earliest:
                yield (
                    end,
                    f"{_words(end)} ({end_date}) is before {_words(start)} ({start_date})",
                    str(end_date),
                )

    def fuzzy(self, name: str) -> FuzzyDate | None:
        """The fuzzy date stored under NAME."""
        return FuzzyDate.from_columns(*(getattr(self, column) for column in _columns(name)))


def date_words() -> Any:
    """A field for the source's own words for a date ("late 2024", "earlier this summer"),
    kept beside the date's normalised form: every fuzzy date NAME has one, NAME_words."""
    return Field(default=None, max_length=200, description="the source's own words for the date")


def _words(field: str) -> str:
    return field.replace("_", " ")


TableT = TypeVar("TableT", bound=Table)


def upsert(
    session: Session, table: type[TableT], key: Mapping[str, Any], values: Mapping[str, Any]
) -> TableT:
    """The row of TABLE with natural KEY, created or brought up to date with VALUES.

    A row that already holds VALUES is left untouched (its updated_at does not move), so
    loading the same data twice changes nothing.
    """
    row = session.exec(select(table).filter_by(**key)).one_or_none()
    if row is None:
        row = table(**key, **values)
        session.add(row)
    else:
        for column, value in values.items():
            if getattr(row, column) != value:
                setattr(row, column, value)
    session.flush()
    return row


def insert_rows(connection: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert ROWS, dicts with the same keys, in bulk: PostgreSQL's COPY, or one executemany
    elsewhere. Each value goes through its column's bind processor for this dialect, as
    SQLAlchemy would store it, but past its per-row bookkeeping, which costs more than the
    database's own work at this scale."""
    if not rows:
        return
    dialect = connection.dialect
    names = list(rows[0])
    processors = [
        (index, process)
        for index, name in enumerate(names)
        if (process := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
    ]
    values = [list(row.values()) for row in rows]
    for row in values:
        for index, process in processors:
            if row[index] is not None:
                row[index] = process(row[index])
    if dialect.name == "postgresql":
        quote = dialect.identifier_preparer
        columns = ", ".join(quote.quote(name) for name in names)
        statement = f"COPY {quote.format_table(table)} ({columns}) FROM STDIN"
        driver = connection.connection.driver_connection
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in values:
                copy.write_row(row)
        return
    compiled = sa.insert(table).compile(dialect=dialect, column_keys=names)
    order = [names.index(name) for name in compiled.positiontup or names]
    connection.exec_driver_sql(
        compiled.string, [tuple(row[index] for index in order) for row in values]
    )


class Editable(SQLModel):
    """Columns of a record analysts edit: a version that every update moves, so a save based on
    an older version is refused rather than overwriting someone else's (optimistic locking),
    and when it was retired, since records are retired, never deleted."""

    version: int = Field(default=1, ge=1)
    retired_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), index=True
    )

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}
