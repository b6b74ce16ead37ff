"""Exporting the database as CSV: one file per table and a Frictionless Data Package
(datapackage.json) that describes every table and column, when it was exported, by which
version of the tracker, and with which filters.

- Each value is written as a cell by the rules of `tracker.exchange.cells`: empty for missing,
  ISO dates, formulas neutralised. Each fuzzy date has its precision and last-day columns
  beside it.
- The database writes each row's CSV line itself (`csv_line_sql`), and the lines stream to
  the file as Arrow record batches through ADBC: memory stays flat however many rows.
- An export is self-contained, however it is filtered or whichever tables are chosen: every row
  a written row refers to is written too, so the package validates and imports on its own.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, Any, NamedTuple

import adbc_driver_postgresql.dbapi
import adbc_driver_sqlite.dbapi
import pyarrow as pa
import sqlalchemy as sa
from adbc_driver_manager.dbapi import Connection as ArrowConnection
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlmodel import SQLModel

from tracker import __version__
from tracker.citations import CITED_TABLES, Citation, CitationRelay
from tracker.errors import TrackerError
from tracker.exchange.cells import csv_line_sql, sql_text
from tracker.exchange.rules import OWNED_ROWS
from tracker.filters import Filters
from tracker.kinds import DATED, with_parts
from tracker.kinds.deployments import Deployment
from tracker.kinds.engagements import Engagement, EngagementParticipant
from tracker.kinds.estimates import Estimate
from tracker.kinds.kind import Kind
from tracker.kinds.people import Person
from tracker.kinds.sources import Source
from tracker.kinds.states import State
from tracker.models import metadata
from tracker.schema import utcnow

# The tables an export holds, in an order that lets an import meet every reference before it
# is used. Users (password hashes), the change history and the data version stay behind.
TABLES = ("cameo_event", *(kind.name for kind in with_parts()), "citation", "citation_relay")
BATCH = 5000
# Per query, not on the connection, which also runs the export's other statements.
_STREAMED = {"stream_results": True, "yield_per": BATCH}


_TYPES = {
    sa.Integer: "integer",
    sa.Float: "number",
    sa.Boolean: "boolean",
    sa.DateTime: "datetime",
    sa.Date: "date",
    sa.JSON: "object",
}


_SHARED = {
    "id": "the row's identifier",
    "created_at": "when the row was created (UTC)",
    "updated_at": "when the row last changed (UTC)",
    "version": "the record's version: every saved change moves it",
    "retired_at": "when the record was retired; empty while it is current",
}


def models_by_table() -> dict[str, type]:
    """Each table's SQLModel class, whose fields carry the columns' meanings."""
    return {mapper.local_table.name: mapper.class_ for mapper in SQLModel._sa_registry.mappers}


def _description(model: type | None, name: str) -> str | None:
    if name in _SHARED:
        return _SHARED[name]
    for suffix, meaning in (
        ("_precision", "how precise {} is: day, month, quarter, year or range"),
        ("_latest", "the last day {} may fall on (its first day is in the {} column)"),
    ):
        if name.endswith(suffix):
            base = name.removesuffix(suffix)
            return meaning.format(base.replace("_", " "), base)
    field = getattr(model, "model_fields", {}).get(name)
    return field.description if field is not None else None


def _field(column: sa.Column, model: type | None) -> dict[str, Any]:
    kind = next((name for base, name in _TYPES.items() if isinstance(column.type, base)), "string")
    field: dict[str, Any] = {"name": column.name, "type": kind}
    if description := _description(model, column.name):
        field["description"] = description
    if kind == "date":
        field["format"] = "%Y-%m-%d"
    constraints: dict[str, Any] = {}
    if not column.nullable and not column.primary_key:
        constraints["required"] = True
    if isinstance(column.type, sa.Enum):
        constraints["enum"] = list(column.type.enums)
    if constraints:
        field["constraints"] = constraints
    return field


def describe_table(name: str, written: Collection[str] = TABLES) -> dict[str, Any]:
    """A Frictionless tabular data resource describing table NAME, in a package of the tables
    WRITTEN: a foreign key to a table left out is not declared, as no row uses it."""
    table = metadata.tables[name]
    model = models_by_table().get(name)
    schema: dict[str, Any] = {
        "fields": [_field(column, model) for column in table.columns],
        "missingValues": [""],
        "primaryKey": [column.name for column in table.primary_key.columns],
    }
    foreign = [
        {
            "fields": [element.parent.name for element in constraint.elements],
            "reference": {
                "resource": constraint.referred_table.name,
                "fields": [element.column.name for element in constraint.elements],
            },
        }
        # A set in SQLAlchemy: sorted, so the same schema always writes the same file.
        for constraint in sorted(
            table.foreign_key_constraints, key=lambda constraint: constraint.column_keys
        )
        if constraint.referred_table.name in written
    ]
    if foreign:
        schema["foreignKeys"] = foreign
    return {
        "name": name,
        "path": f"{name}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"delimiter": ",", "doubleQuote": True, "header": True},
        "schema": schema,
    }


def lines(table: sa.Table, dialect: str, where: Iterable[Any] = ()) -> sa.Select:
    """The query for TABLE's rows as CSV lines (`csv_line_sql`), in id order."""
    return (
        sa.select(csv_line_sql(list(table.columns), dialect))
        .select_from(table)
        .where(*where)
        .order_by(*table.primary_key.columns)
    )


def line_batches(
    query: sa.Select, connection: sa.Connection, columnar: ArrowConnection | None
) -> Iterator[tuple[int, bytes | memoryview]]:
    """The lines QUERY selects, a batch at a time: each batch's number of rows and its text.

    Through COLUMNAR, an ADBC connection to the same database, the lines come as Arrow
    record batches and each batch's text is the one buffer they sit in, written as it is;
    otherwise (a query that needs CONNECTION's temporary tables) through the driver, joined
    in Python, one string a row."""
    if columnar is None:
        result = connection.execute(query, execution_options=_STREAMED)
        for batch in result.scalars().partitions():
            yield len(batch), "".join(batch).encode()
        return
    with columnar.cursor() as cursor:
        cursor.execute(sql_text(query, connection.dialect.name))
        for batch in cursor.fetch_record_batch():
            if batch.num_rows:
                yield batch.num_rows, _characters(batch.column(0))


def _characters(texts: pa.Array) -> memoryview:
    """The characters of TEXTS, an Arrow array of strings none of which is missing: the span
    of its data buffer that they fill, one after another, with no copy."""
    _, offsets, data = texts.buffers()
    offset = memoryview(offsets).cast("q" if pa.types.is_large_string(texts.type) else "i")
    return memoryview(data)[offset[texts.offset] : offset[texts.offset + len(texts)]]


@contextmanager
def _streaming(engine: Engine) -> Iterator[sa.Connection]:
    """A connection for reading a table through once. SQLite's page cache (64 MB, for the
    dashboard's queries) would only fill with pages never read again and, with the sorter
    that takes as much, make an export's memory grow with the database: a small one keeps it
    flat (195 MB at 100k events and 197 MB at 1M, against 253 MB and 313 MB)."""
    with engine.connect() as connection:
        if engine.dialect.name != "sqlite":
            yield connection
            return
        cache = connection.exec_driver_sql("PRAGMA cache_size").scalar()
        connection.exec_driver_sql("PRAGMA cache_size=-8192")
        try:
            yield connection
        finally:
            connection.exec_driver_sql(f"PRAGMA cache_size={int(cache)}")


def write_csv(
    output: IO[bytes], header: Sequence[str], batches: Iterable[tuple[int, bytes | memoryview]]
) -> int:
    """Write HEADER, the columns' names, and BATCHES of CSV lines (see `line_batches`) to
    OUTPUT; returns how many rows were written."""
    output.write((",".join(header) + "\r\n").encode())
    count = 0
    for rows_in_batch, text in batches:
        output.write(text)
        count += rows_in_batch
    return count


@contextmanager
def columnar_connection(engine: Engine) -> Iterator[ArrowConnection]:
    """An ADBC connection to ENGINE's database, which hands query results over as Arrow record
    batches. It reads in one transaction, so every table comes from the same moment."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        connection = adbc_driver_sqlite.dbapi.connect(url.database)
    else:
        address = url.set(drivername="postgresql").render_as_string(hide_password=False)
        connection = adbc_driver_postgresql.dbapi.connect(address)
    with connection:
        try:
            yield connection
        finally:
            connection.rollback()


def new_export_target(out: Path) -> Path:
    """OUT, if an export may be written there: never over an existing file or into a folder
    that holds anything, so an export cannot overwrite what someone keeps there."""
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise TrackerError(
            f"{out} already exists: choose a new file, or a new or empty folder, for the export"
        )
    return out


def export(
    engine: Engine,
    out: Path,
    *,
    tables: Iterable[str] = TABLES,
    filters: dict[str, Any] | None = None,
    where: Callable[[str], Iterable[Any]] = lambda name: (),
    progress: Callable[[str, int], None] = lambda name, count: None,
) -> dict[str, int]:
    """Export TABLES to OUT, a folder or a .zip file, with its datapackage.json; returns the
    number of rows written per table. WHERE gives the conditions that pick a table's rows (none:
    all of them); the rows they refer to go along, and so do the tables those are in (see
    `self_contained`). PROGRESS is told each table as it is written."""
    names = list(tables)
    unknown = [name for name in names if name not in TABLES]
    if unknown:
        raise TrackerError(f"no table called {', '.join(unknown)}: choose from {', '.join(TABLES)}")
    out = new_export_target(out)
    counts: dict[str, int] = {}
    dialect = engine.dialect.name
    with ExitStack() as stack:
        connection = stack.enter_context(_streaming(engine))
        selection = stack.enter_context(self_contained(connection, names, where))
        columnar = stack.enter_context(columnar_connection(engine))

        def reader(conditions: list[Any]) -> ArrowConnection | None:
            # Only the connection that made them sees the temporary tables of kept ids.
            return None if conditions else columnar

        if out.suffix == ".zip":
            archive = stack.enter_context(zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED))

            def open_member(path: str) -> IO[bytes]:
                return archive.open(path, "w", force_zip64=True)
        else:
            out.mkdir(parents=True, exist_ok=True)

            def open_member(path: str) -> IO[bytes]:
                return (out / path).open("wb")

        for name, conditions in selection.items():
            table = metadata.tables[name]
            with open_member(f"{name}.csv") as output:
                counts[name] = write_csv(
                    output,
                    [column.name for column in table.columns],
                    line_batches(lines(table, dialect, conditions), connection, reader(conditions)),
                )
            progress(name, counts[name])
        views = _views(selection, dialect) if set(names) == set(TABLES) else {}
        if views and out.suffix != ".zip":
            (out / "views").mkdir(exist_ok=True)
        for name, view in views.items():
            with open_member(f"views/{name}.csv") as output:
                write_csv(
                    output,
                    [column.name for column in view.query.selected_columns],
                    line_batches(_view_lines(view, dialect), connection, reader(view.conditions)),
                )
        package = {
            "profile": "tabular-data-package",
            "name": "alliance-tracker",
            "title": "Alliance tracker export",
            "created": utcnow().isoformat(timespec="seconds"),
            "tracker": {"version": __version__, "filters": filters or {}, "rows": counts},
            "resources": [describe_table(name, selection) for name in selection]
            + [_describe_view(name, view.query) for name, view in views.items()],
        }
        with open_member("datapackage.json") as output:
            text = json.dumps(package, indent=2, ensure_ascii=False) + "\n"
            output.write(text.encode())
    return counts


@contextmanager
def self_contained(
    connection: sa.Connection, tables: Collection[str], where: Callable[[str], Iterable[Any]]
) -> Iterator[dict[str, list[Any]]]:
    """The conditions that pick each table's rows for an export of TABLES filtered by WHERE,
    widened so that the export imports whole into an empty database; its keys, in TABLES'
    order, are the tables the export writes: TABLES and those the widening reaches.

    A table keeps the rows WHERE picks (none, if it was not chosen), every row that a kept
    row refers to by one of the schema's foreign keys, and the rows a kept record carries
    (OWNED_ROWS: what its rules require, its parts, its citations' chains): an estimate brings
    its deployment and source, the deployment its citations and states, the citations their
    sources and chains. The database works this
    out on CONNECTION into a temporary table per table of the kept rows' ids, sweeping the
    tables until a sweep adds none; no id passes through Python, and the temporary tables go
    when the block ends. A table WHERE keeps whole gets no condition and no temporary table,
    so an unfiltered export reads each table exactly as a plain SELECT."""
    # The schema's dependency order, reversed: each table comes after all that refer to it.
    referrers_first = [table for table in reversed(metadata.sorted_tables) if table.name in TABLES]
    written = set(tables)
    while True:
        reached = written | {
            reached
            for table in referrers_first
            if table.name in written
            for reached in (
                *(key.column.table.name for key in table.foreign_keys),
                *(rows.rows_table for rows in OWNED_ROWS if rows.table == table.name),
            )
        }
        if reached == written:
            break
        written = reached
    conditions: dict[str, list[Any]] = {}
    kept: dict[str, sa.Table] = {}
    try:
        for table in referrers_first:
            if table.name not in written:
                continue
            own = list(where(table.name)) if table.name in tables else None
            if own == []:
                conditions[table.name] = []
                continue
            ids = kept[table.name] = sa.Table(
                f"kept_{table.name}",
                sa.MetaData(),
                sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
                prefixes=["TEMPORARY"],
            )
            ids.create(connection)
            if own:
                connection.execute(
                    ids.insert().from_select(["id"], sa.select(table.c.id).where(*own))
                )
            conditions[table.name] = [table.c.id.in_(sa.select(ids.c.id))]
        # Sweep until a sweep adds nothing: a row brought in may refer to, or need, more.
        # (Counted, as drivers need not count the rows an INSERT ... SELECT adds.)
        rows, before = 0, None
        while rows != before:
            before = rows
            for name, ids in kept.items():
                _widen(connection, metadata.tables[name], ids, conditions)
            rows = sum(
                connection.scalar(sa.select(sa.func.count()).select_from(ids))
                for ids in kept.values()
            )
        # A table the widening reached but found no row in (the schema's every cited table,
        # reached through the citations) is not written.
        yield {
            name: conditions[name]
            for name in TABLES
            if name in conditions
            and (name in tables or connection.scalar(sa.select(sa.exists(kept[name].select()))))
        }
    finally:
        connection.rollback()  # PostgreSQL's transaction, after an error, refuses the drops
        for ids in kept.values():
            connection.execute(sa.schema.DropTable(ids, if_exists=True))
        connection.commit()


def _widen(
    connection: sa.Connection, table: sa.Table, ids: sa.Table, conditions: dict[str, list[Any]]
) -> None:
    """Add to IDS, TABLE's kept rows, those that the kept rows of other tables (by CONDITIONS)
    refer to or that a kept record carries. One query for each
    foreign key and rule, each a plain join the database plans well at any size (an OR of IN
    lists is not, on PostgreSQL, once a list outgrows its working memory)."""
    referred = [
        sa.select(table.c.id).where(
            key.column.in_(sa.select(key.parent).where(*conditions[referrer.name]))
        )
        for referrer in map(metadata.tables.get, conditions)
        for key in _foreign_keys(referrer)
        if key.column.table is table
    ]
    needed = [
        sa.select(table.c.id).where(
            table.c[rule.column].in_(
                sa.select(metadata.tables[rule.table].c.id).where(*conditions[rule.table])
            )
        )
        for rule in OWNED_ROWS
        if rule.rows_table == table.name and rule.table in conditions
    ]
    if referred or needed:
        found = sa.union(*referred, *needed).subquery()
        added = sa.select(found.c.id).where(found.c.id.not_in(sa.select(ids.c.id)))
        connection.execute(ids.insert().from_select(["id"], added))


def _foreign_keys(table: sa.Table) -> list[sa.ForeignKey]:
    # A set in SQLAlchemy: sorted, so the same export always sends the same SQL.
    return sorted(table.foreign_keys, key=lambda key: key.parent.name)


def filtered(filters: Filters) -> Callable[[str], list[Any]]:
    """The conditions that keep, in each table, the rows the dashboard's FILTERS show: records
    in view (treaties and deployments while they last), the rows that belong to them, and the
    citations of any of them. States, aliases, CAMEO codes, sources and people are reference
    data and go along whole. The export adds the rows these refer to (`self_contained`): the
    deployment of an estimate in view, say, though deployments were filtered out."""

    def in_view(kind: Kind) -> sa.Select:
        return sa.select(kind.table.id).where(
            *filters.conditions(kind, spans=True, kept_apart=True)
        )

    # Each table of dated records, and each table of rows that belong to one, with the
    # rows in view. A part that is a dated kind itself (a deployment's estimates) is in view
    # by its own filters.
    kept: dict[str, sa.Select] = {kind.name: in_view(kind) for kind in DATED}
    for kind in DATED:
        for _, part in kind.parts:
            column, _ = part.parent
            kept.setdefault(
                part.name,
                sa.select(part.table.id).where(getattr(part.table, column).in_(in_view(kind))),
            )

    cited = sa.or_(
        *(
            getattr(Citation, f"{table}_id").in_(kept[table])
            if table in kept
            else getattr(Citation, f"{table}_id").is_not(None)  # reference data
            for table in CITED_TABLES
        )
    )

    def where(name: str) -> list[Any]:
        if name in kept:
            return [metadata.tables[name].c.id.in_(kept[name])]
        if name == "citation":
            return [cited]
        if name == "citation_relay":  # the chains of the citations kept
            return [CitationRelay.citation_id.in_(sa.select(Citation.id).where(cited))]
        return []

    return where


class _View(NamedTuple):
    query: sa.Select
    conditions: list[Any]  # those that pick its rows: none, when it shows them all
    order: tuple[str, ...]  # the columns its rows are in the order of


def _views(selection: dict[str, list[Any]], dialect: str) -> dict[str, _View]:
    """Flat tables for analysts, readable names beside the ids: every estimate with its
    deployment, states, source and quoted evidence; every engagement with its participants.
    Each with the conditions in SELECTION that pick its rows."""
    sending, receiving, place = aliased(State), aliased(State), aliased(State)
    quotes = _joined(
        sa.select(Citation.quote.label("item"))
        .where(Citation.estimate_id == Estimate.id)
        .correlate(Estimate),
        " | ",
        dialect,
    )
    participant = (
        sa.func.coalesce(Person.name + " (" + State.name + ")", State.name)
        + ", "
        + EngagementParticipant.role
    )
    participants = _joined(
        sa.select(participant.label("item"))
        .select_from(EngagementParticipant)
        .join(State, State.code == EngagementParticipant.state_code)
        .outerjoin(Person, Person.id == EngagementParticipant.person_id)
        .where(EngagementParticipant.engagement_id == Engagement.id)
        .correlate(Engagement),
        "; ",
        dialect,
    )
    estimates = (
        sa.select(
            Estimate.id.label("estimate_id"),
            Deployment.id.label("deployment_id"),
            Deployment.name.label("deployment"),
            Deployment.sending_state_code,
            sending.name.label("sending_state"),
            Deployment.receiving_state_code,
            receiving.name.label("receiving_state"),
            Deployment.region,
            Estimate.low,
            Estimate.high,
            Estimate.qualifier,
            Estimate.measure,
            Estimate.scope,
            Estimate.as_of,
            Estimate.as_of_precision,
            Estimate.as_of_latest,
            Estimate.as_of_words,
            Estimate.rank,
            Source.id.label("source_id"),
            Source.outlet.label("source"),
            Source.type.label("source_type"),
            Source.perspective,
            Source.reliability,
            quotes.label("quotes"),
        )
        .join(Deployment, Deployment.id == Estimate.deployment_id)
        .join(sending, sending.code == Deployment.sending_state_code)
        .join(receiving, receiving.code == Deployment.receiving_state_code)
        .join(Source, Source.id == Estimate.source_id)
        .where(*selection["estimate"])
    )
    engagements = (
        sa.select(
            Engagement.id.label("engagement_id"),
            Engagement.title,
            Engagement.kind,
            Engagement.cameo_code,
            Engagement.occurred,
            Engagement.occurred_precision,
            Engagement.occurred_latest,
            Engagement.status,
            Engagement.place,
            Engagement.place_state_code,
            place.name.label("place_state"),
            participants.label("participants"),
        )
        .outerjoin(place, place.code == Engagement.place_state_code)
        .where(*selection["engagement"])
    )
    return {
        "estimates": _View(
            estimates, selection["estimate"], ("deployment", "as_of", "estimate_id")
        ),
        "engagements": _View(engagements, selection["engagement"], ("occurred", "engagement_id")),
    }


def _joined(items: sa.Select, separator: str, dialect: str) -> sa.ScalarSelect:
    """The texts ITEMS selects (one column, called item) joined by SEPARATOR in code point
    order, as Python's sort put them: the database joins them in no set order otherwise, and
    the files must come out the same every time."""
    item = items.selected_columns.item
    ordered = items.order_by(item.collate("C") if dialect == "postgresql" else item).subquery()
    return sa.select(sa.func.aggregate_strings(ordered.c.item, separator)).scalar_subquery()


def _view_lines(view: _View, dialect: str) -> sa.Select:
    """VIEW's rows as CSV lines (`csv_line_sql`), in its order. The lines are built over its
    query as a subquery, read once: built into the query itself, each list it joins would be
    joined again for every use the cell's rules make of it."""
    rows = view.query.subquery()
    return (
        sa.select(csv_line_sql(list(rows.c), dialect))
        .select_from(rows)
        .order_by(*(rows.c[name] for name in view.order))
    )


def _describe_view(name: str, query: sa.Select) -> dict[str, Any]:
    fields = []
    for column in query.selected_columns:
        kind = next(
            (label for base, label in _TYPES.items() if isinstance(column.type, base)), "string"
        )
        fields.append({"name": column.name, "type": kind})
    return {
        "name": f"{name}-view",
        "path": f"views/{name}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "description": f"A flat view of the {name} for analysts: readable names beside the ids.",
        "schema": {"fields": fields, "missingValues": [""]},
    }
