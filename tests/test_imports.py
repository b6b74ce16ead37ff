"""Importing CSV: the export's files come back exactly; bad files are refused row by row;
records keep the promises the forms make of them; what is already stored is left as it is."""

from __future__ import annotations

import csv
import filecmp
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from support.plans import plan_of, plans_of
from test_exports import each_filtered_export
from typer.testing import CliRunner

from tracker.cli import app
from tracker.database import create_engine, downgrade, init_database, migrate
from tracker.errors import TrackerError
from tracker.exchange.exports import TABLES, export, filtered
from tracker.exchange.imports import Policy, import_data, max_upload_bytes
from tracker.exchange.rules import ROW_RULES, RowRule
from tracker.filters import Filters
from tracker.history import Change, ChangeSet, ChangeSetRun, history_of
from tracker.kinds.engagements import Engagement
from tracker.kinds.sources import Source
from tracker.models import metadata
from tracker.records import as_record, revert, save
from tracker.users import SYSTEM, Actor, Role
from tracker.versions import data_version


def snapshot(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            name: connection.execute(
                sa.select(sa.func.count()).select_from(metadata.tables[name])
            ).scalar_one()
            for name in TABLES
        }


def differing_files(first: Path, second: Path) -> list[str]:
    """The files that differ between two exports, every file compared byte for byte but
    datapackage.json, which is compared without the time of the export ("created")."""
    names = sorted(
        str(path.relative_to(folder))
        for folder in (first, second)
        for path in folder.rglob("*")
        if path.is_file()
    )
    return sorted(
        {
            name
            for name in names
            if not (first / name).exists()
            or not (second / name).exists()
            or (
                _without_export_time(first / name) != _without_export_time(second / name)
                if name == "datapackage.json"
                else not filecmp.cmp(first / name, second / name, shallow=False)
            )
        }
    )


def _without_export_time(package: Path) -> dict[str, Any]:
    described = json.loads(package.read_text(encoding="utf-8"))
    del described["created"]
    return described


def bookkeeping(engine: Engine) -> dict[str, Any]:
    """What any write moves: each row's updated_at (and a record's version), the change
    history and the data version."""
    rows = {}
    with Session(engine) as session:
        for name in TABLES:
            table = metadata.tables[name]
            columns = [table.c[name] for name in ("id", "updated_at", "version") if name in table.c]
            rows[name] = session.execute(sa.select(*columns).order_by(table.c.id)).all()
        changes = session.exec(select(sa.func.count()).select_from(Change)).one()
        return {"rows": rows, "changes": changes, "data version": data_version(session)}


def test_export_import_into_an_empty_database_export_gives_identical_files(
    seeded_engine: Engine, empty_engine: Engine, tmp_path: Path
) -> None:
    export(seeded_engine, tmp_path / "first")
    migrate(empty_engine)
    report = import_data(empty_engine, tmp_path / "first")
    assert report.problems == [] and report.written
    export(empty_engine, tmp_path / "second")
    assert differing_files(tmp_path / "first", tmp_path / "second") == []


def test_export_import_into_an_initialised_database_export_gives_identical_files(
    seeded_engine: Engine, engine: Engine, tmp_path: Path
) -> None:
    """The database already holds the ISO states and CAMEO codes, loaded at another time than
    the exported ones: they hold the same records, so they stay at version 1 and take the
    exported rows' times."""
    export(seeded_engine, tmp_path / "first")
    report = import_data(engine, tmp_path / "first")
    assert report.problems == [] and report.written
    assert report.unchanged["state"] == 249 and report.updated["state"] == 0
    export(engine, tmp_path / "second")
    assert differing_files(tmp_path / "first", tmp_path / "second") == []


def test_importing_an_unchanged_export_again_changes_nothing(
    seeded_engine: Engine, tmp_path: Path
) -> None:
    export(seeded_engine, tmp_path / "out")
    before = bookkeeping(seeded_engine)
    report = import_data(seeded_engine, tmp_path / "out")
    assert report.problems == [] and report.written
    assert dict(report.unchanged) == {
        name: rows for name, rows in snapshot(seeded_engine).items() if rows
    }
    assert not (report.created or report.updated or report.skipped)
    assert bookkeeping(seeded_engine) == before
    url = seeded_engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, ["--database-url", url, "import", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    rows = sum(snapshot(seeded_engine).values())
    assert f"Created 0 rows, updated 0, left {rows:,} unchanged and skipped 0." in result.stdout
    assert bookkeeping(seeded_engine) == before


def test_a_row_whose_record_differs_is_updated_with_a_new_version_and_its_history(
    seeded_engine: Engine, tmp_path: Path
) -> None:
    export(seeded_engine, tmp_path / "out", tables=["engagement"])
    first = rows_of(tmp_path / "out", "engagement")[0]
    _corrupt(tmp_path / "out", "engagement", _edit_cell("summary", "Revised after a new readout"))
    report = import_data(seeded_engine, tmp_path / "out" / "engagement.csv")
    assert report.problems == []
    assert report.updated == {"engagement": 1} and report.unchanged == {"engagement": 7}
    with Session(seeded_engine) as session:
        engagement = session.get(Engagement, int(first["id"]))
        assert engagement.summary == "Revised after a new readout"
        assert engagement.version == int(first["version"]) + 1
        [change, *_] = history_of(session=session, table="engagement", record_id=engagement.id)
    assert change.action == "update" and set(change.changed) == {"summary"}


# Every record keeps the promises its form makes (its Create model): at least one citation, a
# treaty's two parties, an engagement's participants. The rows may be in the import or stored.

MISSING_ROWS = [
    (
        "an engagement with no citation",
        "engagement",
        "citation",
        "engagement_id",
        "citations: at least 1 needed, 0 given (rows of "
        "citation.csv naming this engagement in engagement_id, in this import or stored)",
    ),
    (
        "a treaty with no parties",
        "treaty",
        "treaty_party",
        "treaty_id",
        "parties: at least 2 needed, 0 given (rows of "
        "treaty_party.csv naming this treaty in treaty_id, in this import or stored)",
    ),
    (
        "an engagement with no participants",
        "engagement",
        "engagement_participant",
        "engagement_id",
        "participants: at least 1 needed, 0 given (rows of "
        "engagement_participant.csv naming this engagement in engagement_id, in this import "
        "or stored)",
    ),
]


@pytest.mark.parametrize(
    ("case", "table", "rows_table", "column", "reason"),
    MISSING_ROWS,
    ids=[case[0] for case in MISSING_ROWS],
)
def test_a_record_without_the_rows_its_form_requires_is_refused_at_its_line(
    seeded_engine: Engine,
    engine: Engine,
    tmp_path: Path,
    case: str,
    table: str,
    rows_table: str,
    column: str,
    reason: str,
) -> None:
    export(seeded_engine, tmp_path / "out")
    record = rows_of(tmp_path / "out", table)[0]
    _corrupt(tmp_path / "out", rows_table, _without(column, record["id"]))
    before = snapshot(engine)
    report = import_data(engine, tmp_path / "out")
    assert [str(problem) for problem in report.problems] == [
        f"{table}.csv, line 2, column id: {reason}"
    ]
    assert not report.written and snapshot(engine) == before


def test_a_record_cited_by_a_stored_citation_needs_none_in_the_import(
    seeded_engine: Engine, tmp_path: Path
) -> None:
    """The engagements alone, without their citations or participants: those stored count."""
    export(seeded_engine, tmp_path / "out", tables=["engagement"])
    _corrupt(tmp_path / "out", "engagement", _edit_cell("place", "Vladivostok, as revised"))
    report = import_data(seeded_engine, tmp_path / "out" / "engagement.csv")
    assert report.problems == [] and report.written
    assert report.updated == {"engagement": 1}


def test_a_spell_that_overlaps_another_of_the_same_state_is_refused_at_its_line(
    seeded_engine: Engine, tmp_path: Path
) -> None:
    """Russia is a party to the 2024 treaty from June 2024 with no exit: a second spell from
    2025 would make it a member twice over, which the form refuses too."""
    export(seeded_engine, tmp_path / "out", tables=["treaty_party"])
    parties = rows_of(tmp_path / "out", "treaty_party")
    russia = next(row for row in parties if row["state_code"] == "RUS" and row["joined"] >= "2024")
    again = {
        **russia,
        "id": str(max(int(row["id"]) for row in parties) + 1),
        "joined": "2025-01-01",
        "joined_precision": "year",
        "joined_latest": "2025-12-31",
    }
    _corrupt(tmp_path / "out", "treaty_party", _rows_changed(lambda rows: [*rows, again]))
    before = snapshot(seeded_engine)
    report = import_data(seeded_engine, tmp_path / "out" / "treaty_party.csv")
    assert [str(problem) for problem in report.problems] == [
        f"treaty_party.csv, line {len(parties) + 2}, column joined: RUS's spells of membership "
        "overlap: one must end before the next begins"
    ]
    assert not report.written and snapshot(seeded_engine) == before


def test_overlapping_spells_are_looked_for_from_the_rows_written_by_their_ids(
    seeded_engine: Engine, backend: str, tmp_path: Path
) -> None:
    """A million-event import writes thousands of spells. Each batch of them is found by id and
    compared with the same state's spells in its own record. Asked for either side's ids at
    once, SQLite read every spell of each state, once a batch."""
    if backend != "sqlite":
        pytest.skip("PostgreSQL plans from its statistics")
    export(seeded_engine, tmp_path / "out", tables=["treaty_party"])

    def read() -> None:
        assert import_data(seeded_engine, tmp_path / "out" / "treaty_party.csv").problems == []

    plans = plans_of(seeded_engine, read, mentioning="treaty_party_2")
    assert plans
    for plan in plans:
        assert plan[0] == "SEARCH treaty_party_1 USING INTEGER PRIMARY KEY (rowid=?)", plan
        assert not any(line.startswith("SCAN") for line in plan), plan


@pytest.mark.parametrize("rule", ROW_RULES, ids=lambda rule: f"{rule.table}.{rule.column}")
def test_the_rules_a_row_keeps_with_its_record_look_each_row_up_by_its_id(
    engine: Engine, backend: str, rule: RowRule
) -> None:
    """A chain of relays must name its originator. Asked as a join, SQLite read every citation
    without one (nearly all of them) for each batch of relays: two minutes of a million-event
    import. Each row is found by its id, and its record from it. Asked for a batch, as the
    import asks: for a few ids SQLite started from the rows either way."""
    if backend != "sqlite":
        pytest.skip("PostgreSQL plans from its statistics")
    plan = plan_of(engine, rule.offending(range(1, 501)))
    assert plan[0] == f"SEARCH {rule.table} USING INTEGER PRIMARY KEY (rowid=?)", plan
    record = rule.record.__tablename__
    assert f"SEARCH {record} USING INTEGER PRIMARY KEY (rowid=?)" in plan, plan


def test_after_a_bad_row_the_records_written_are_checked_where_the_answer_is_certain(
    seeded_engine: Engine, engine: Engine, tmp_path: Path
) -> None:
    """Writing stops at the first bad row, here in treaty_party.csv. The people written before
    it are still checked against every citation read, and the one left uncited is named; the
    treaties are not checked for parties, as the refused row may be the party missing."""
    export(seeded_engine, tmp_path / "out")
    person = rows_of(tmp_path / "out", "person")[0]
    _corrupt(tmp_path / "out", "citation", _without("person_id", person["id"]))
    _corrupt(tmp_path / "out", "treaty_party", _edit_cell("joined", "soon"))
    before = snapshot(engine)
    report = import_data(engine, tmp_path / "out")
    assert [(problem.file, problem.line, problem.column) for problem in report.problems] == [
        ("treaty_party.csv", 2, "joined"),
        ("person.csv", 2, "id"),
    ]
    assert report.problems[1].reason.startswith("citations: at least 1 needed, 0 given")
    assert snapshot(engine) == before


@each_filtered_export
def test_a_filtered_export_imports_into_an_empty_database_and_exports_back_the_same(
    seeded_engine: Engine, empty_engine: Engine, tmp_path: Path, filters: Filters
) -> None:
    export(seeded_engine, tmp_path / "filtered", where=filtered(filters))
    migrate(empty_engine)
    report = import_data(empty_engine, tmp_path / "filtered")
    assert report.problems == [] and report.written
    export(empty_engine, tmp_path / "whole")
    assert differing_files(tmp_path / "filtered", tmp_path / "whole") == []


@pytest.mark.parametrize("table", TABLES)
def test_any_table_exported_alone_imports_into_an_empty_database(
    seeded_engine: Engine, empty_engine: Engine, tmp_path: Path, table: str
) -> None:
    export(seeded_engine, tmp_path / "alone", tables=[table])
    migrate(empty_engine)
    report = import_data(empty_engine, tmp_path / "alone")
    assert report.problems == [] and report.written


def test_imported_records_have_their_creation_in_the_history(
    seeded_engine: Engine, empty_engine: Engine, tmp_path: Path
) -> None:
    export(seeded_engine, tmp_path / "out")
    migrate(empty_engine)
    editor = Actor(id=None, name="Importer", role=Role.EDITOR)
    assert import_data(empty_engine, tmp_path / "out", actor=editor).written
    with Session(empty_engine) as session:
        engagement = session.exec(select(Engagement).order_by(Engagement.id)).first()
        changes = history_of(session=session, table="engagement", record_id=engagement.id)
    created = {change.row_table for change in changes if change.action == "create"}
    assert created == {"engagement", "engagement_participant", "citation"}
    assert {change.user_name for change in changes} == {"Importer"}
    mine = next(change for change in changes if change.row_table == "engagement")
    assert mine.after["title"] == engagement.title
    assert mine.after["occurred"] == engagement.occurred.isoformat()
    assert mine.note == f"imported from {tmp_path / 'out'}"


def change_sets(engine: Engine) -> list[tuple[str, str | None, dict[str, int]]]:
    """Each change set's user, note and rows created by table."""
    with engine.connect() as connection:
        sets = connection.execute(
            sa.select(ChangeSet.id, ChangeSet.user_name, ChangeSet.note).order_by(ChangeSet.id)
        ).all()
        runs = connection.execute(
            sa.select(
                ChangeSetRun.change_set_id,
                ChangeSetRun.row_table,
                ChangeSetRun.first_id,
                ChangeSetRun.last_id,
            )
        ).all()
    created: dict[int, dict[str, int]] = {change_set.id: {} for change_set in sets}
    for change_set_id, table, first, last in runs:
        created[change_set_id][table] = created[change_set_id].get(table, 0) + last - first + 1
    return [(user, note, created[change_set_id]) for change_set_id, user, note in sets]


def test_an_import_is_one_change_set_that_each_created_row_belongs_to(
    seeded_engine: Engine, empty_engine: Engine, tmp_path: Path
) -> None:
    export(seeded_engine, tmp_path / "out.zip")
    migrate(empty_engine)
    editor = Actor(id=None, name="Importer", role=Role.EDITOR)
    report = import_data(empty_engine, tmp_path / "out.zip", actor=editor)
    assert report.written
    [(user, note, created)] = change_sets(empty_engine)
    assert (user, note) == ("Importer", f"imported from {tmp_path / 'out.zip'}")
    assert created == {table: count for table, count in report.created.items() if count}
    with Session(empty_engine) as session:
        assert session.exec(select(sa.func.count()).select_from(Change)).one() == 0


def test_a_records_history_starts_with_its_import_however_it_changed_since(
    seeded_engine: Engine, empty_engine: Engine, tmp_path: Path
) -> None:
    export(seeded_engine, tmp_path / "out", tables=["engagement"])
    migrate(empty_engine)
    editor = Actor(id=None, name="Importer", role=Role.EDITOR)
    assert import_data(empty_engine, tmp_path / "out", actor=editor).written
    with Session(empty_engine) as session:
        engagement = session.exec(select(Engagement).order_by(Engagement.id)).first()
        imported_title = engagement.title
        record = as_record(session=session, kind="engagement", record_id=engagement.id)
        record["title"] = "Renamed after the import"
        save(
            session=session, actor=SYSTEM, kind="engagement", record=record, record_id=engagement.id
        )
        session.commit()
        changes = history_of(session=session, table="engagement", record_id=engagement.id)
    own = [change for change in changes if change.row_table == "engagement"]
    assert [(change.action, change.user_name) for change in own] == [
        ("update", SYSTEM.name),
        ("create", "Importer"),
    ]
    assert own[0].changed["title"] == (imported_title, "Renamed after the import")
    assert own[1].after["title"] == imported_title
    assert changes[-1].action == "create"
    with Session(empty_engine) as session:  # and the version imported can be restored
        revert(
            session=session,
            actor=editor,
            kind="engagement",
            record_id=engagement.id,
            change_id=own[1].id,
        )
        session.commit()
        assert session.get(Engagement, engagement.id).title == imported_title


def test_downgrading_below_change_sets_is_refused_while_an_import_has_one(
    seeded_engine: Engine, empty_engine: Engine, tmp_path: Path
) -> None:
    """Without its change set, an imported record would have no history at all."""
    export(seeded_engine, tmp_path / "out", tables=["state"])
    migrate(empty_engine)
    assert import_data(empty_engine, tmp_path / "out").written
    with pytest.raises(TrackerError, match="would lose 1 rows of change_set"):
        downgrade(empty_engine, "0008")
    assert change_sets(empty_engine)


def test_an_import_that_writes_nothing_makes_no_change_set(
    seeded_engine: Engine, engine: Engine, tmp_path: Path
) -> None:
    export(seeded_engine, tmp_path / "out")
    assert not import_data(engine, tmp_path / "out", dry_run=True).written
    _corrupt(tmp_path / "out", "pledge", _edit_cell("kind", "not a kind", row=3))
    refused = import_data(engine, tmp_path / "out")
    assert refused.problems and not refused.written
    assert change_sets(engine) == []


def test_importing_into_a_database_with_its_own_ids_duplicates_nothing(
    seeded_engine: Engine, engine: Engine, tmp_path: Path
) -> None:
    export(seeded_engine, tmp_path / "out.zip")
    report = import_data(engine, tmp_path / "out.zip")
    assert report.problems == []
    assert report.unchanged["state"] == 249 and report.created["engagement"] == 8
    assert snapshot(engine) == snapshot(seeded_engine)
    again = import_data(engine, tmp_path / "out.zip", policy=Policy.SKIP)
    assert sum(again.created.values()) == 0 and again.skipped["engagement"] == 8
    assert snapshot(engine) == snapshot(seeded_engine)


def test_a_dry_run_reports_and_writes_nothing(
    seeded_engine: Engine, engine: Engine, tmp_path: Path
) -> None:
    export(seeded_engine, tmp_path / "out")
    before = snapshot(engine)
    report = import_data(engine, tmp_path / "out", dry_run=True)
    assert report.created["pledge"] == 5 and not report.written
    assert snapshot(engine) == before


@pytest.fixture(scope="module")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two SQLite files to copy, one holding the schema and reference data, one the schema
    alone: the property below runs once, on one backend (the round trips above run on both)."""
    folder = tmp_path_factory.mktemp("templates")
    initialised, schema_only = folder / "initialised.db", folder / "schema.db"
    for path, prepare in ((initialised, init_database), (schema_only, migrate)):
        engine = create_engine(f"sqlite:///{path}")
        prepare(engine)
        engine.dispose()
    return initialised, schema_only


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(min_size=1, max_size=60).filter(lambda text: text.strip() and "\x00" not in text)
)
def test_awkward_text_comes_back_exactly(
    sqlite_templates: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    folder = tmp_path_factory.mktemp("awkward")
    for template, copy in zip(sqlite_templates, ("source.db", "target.db"), strict=True):
        shutil.copyfile(template, folder / copy)
    source = create_engine(f"sqlite:///{folder / 'source.db'}")
    target = create_engine(f"sqlite:///{folder / 'target.db'}")
    try:
        with Session(source) as session:
            session.add(
                Source(outlet=text, title=f'={text}, "quoted"\n-{text}', type="news_report")
            )
            session.commit()
        export(source, folder / "first", tables=["state", "source"])
        assert import_data(target, folder / "first").problems == []
        export(target, folder / "second", tables=["state", "source"])
        assert differing_files(folder / "first", folder / "second") == []
        with Session(target) as session:
            assert session.exec(select(Source.outlet).where(Source.outlet == text)).one() == text
    finally:
        source.dispose()
        target.dispose()


Rows = list[dict[str, str]]


def rows_of(folder: Path, table: str) -> Rows:
    with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def _corrupt(folder: Path, table: str, change: Callable[[bytes], bytes]) -> Path:
    path = folder / f"{table}.csv"
    path.write_bytes(change(path.read_bytes()))
    return folder


def _rows_changed(change: Callable[[Rows], Rows]) -> Callable[[bytes], bytes]:
    """A change to a CSV file: CHANGE made to its rows."""

    def rewrite(content: bytes) -> bytes:
        rows = list(csv.DictReader(io.StringIO(content.decode(), newline="")))
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(change(rows))
        return out.getvalue().encode()

    return rewrite


def _edit_cell(column: str, value: str, row: int = 0) -> Callable[[bytes], bytes]:
    return _rows_changed(lambda rows: [*rows[:row], {**rows[row], column: value}, *rows[row + 1 :]])


def _without(column: str, value: str) -> Callable[[bytes], bytes]:
    """Leave out the rows whose COLUMN holds VALUE."""
    return _rows_changed(lambda rows: [row for row in rows if row[column] != value])


BAD_FILES = [
    (
        "wrong header",
        "estimate",
        lambda c: c.replace(b"qualifier", b"qualifer", 1),
        "line 1, column qualifer: there is no column 'qualifer'",
    ),
    (
        "an export from before measures and scopes",
        "estimate",
        lambda c: c.replace(b"measure", b"counting_basis", 1),
        "column counting_basis: counting_basis became measure and scope",
    ),
    (
        "a pledge to its own pledger",
        "pledge_recipient",
        _edit_cell("state_code", "PRK"),  # Kim's pledge of 12 August, made by North Korea
        "pledge_recipient.csv, line 2, column state_code: a state cannot pledge to itself",
    ),
    (
        "a chain of relays with no originator",
        "citation_relay",
        lambda c: c + b"1,2025-01-01T00:00:00,2025-01-01T00:00:00,2,1,1\r\n",
        "citation_relay.csv, line 2, column citation_id: name the originator the chain of relays",
    ),
    (
        "missing column",
        "estimate",
        lambda c: c.replace(b",qualifier", b"", 1),
        "line 1, column qualifier: the column 'qualifier' is missing",
    ),
    (
        "bad date",
        "estimate",
        _edit_cell("as_of", "13/08/2025"),
        "line 2, column as_of: '13/08/2025' is not a date",
    ),
    (
        "low above high",
        "estimate",
        _edit_cell("low", "99999", row=1),
        "line 3, column low: low (99,999) is above high (15,000)",
    ),
    (
        "unknown state",
        "deployment",
        _edit_cell("sending_state_code", "XXX"),
        "line 2, column sending_state_code: refers to state code 'XXX'",
    ),
    (
        "reference to nothing",
        "estimate",
        _edit_cell("source_id", "999"),
        "line 2, column source_id: refers to source id 999",
    ),
    (
        "duplicate rows",
        "engagement",
        lambda c: c + c.split(b"\r\n", 2)[1] + b"\r\n",
        "column id: the same id as line 2",
    ),
    (
        "truncated file",
        "pledge",
        lambda c: (
            c[: c.index(b'"', c.index(b"always")) if b'"' in c[c.index(b"always") :] else len(c)]
            + b'"North Korea will'
        ),
        "is not valid CSV",
    ),
    (
        "not UTF-8",
        "source",
        lambda c: c.replace("Şafak".encode(), "Şafak".encode("cp1254"), 1),
        "not UTF-8 text",
    ),
    ("empty file", "person", lambda c: b"", "person.csv, line 1: the file is empty"),
]


@pytest.mark.parametrize(
    ("case", "table", "change", "reason"), BAD_FILES, ids=[case[0] for case in BAD_FILES]
)
def test_a_bad_file_is_reported_in_words_and_changes_nothing(
    seeded_engine: Engine,
    engine: Engine,
    tmp_path: Path,
    case: str,
    table: str,
    change,
    reason: str,
) -> None:
    export(seeded_engine, tmp_path / "out")
    before = snapshot(engine)
    report = import_data(engine, _corrupt(tmp_path / "out", table, change))
    assert any(reason in str(problem) for problem in report.problems), [
        str(problem) for problem in report.problems
    ]
    assert not report.written
    assert snapshot(engine) == before


def test_one_tables_csv_can_be_imported_alone(
    seeded_engine: Engine, engine: Engine, tmp_path: Path
) -> None:
    export(seeded_engine, tmp_path / "out", tables=["cameo_event"])
    report = import_data(engine, tmp_path / "out" / "cameo_event.csv")
    assert report.problems == [] and report.unchanged["cameo_event"] == 10


def test_an_open_file_imports_as_its_path_does_its_name_only_a_label(
    seeded_engine: Engine, engine: Engine, tmp_path: Path
) -> None:
    export(seeded_engine, tmp_path / "out.zip")
    upload = io.BytesIO((tmp_path / "out.zip").read_bytes())
    report = import_data(engine, upload, name="../../elsewhere/out.zip")
    assert report.problems == [] and report.created["engagement"] == 8
    assert snapshot(engine) == snapshot(seeded_engine)
    export(seeded_engine, tmp_path / "out", tables=["cameo_event"])
    upload = io.BytesIO((tmp_path / "out" / "cameo_event.csv").read_bytes())
    assert (
        import_data(engine, upload, name="C:/exports/cameo_event.csv").unchanged["cameo_event"]
        == 10
    )


def test_the_dashboards_upload_limit_is_200_mb_unless_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TRACKER_MAX_UPLOAD_MB", raising=False)
    assert max_upload_bytes() == 200 * 2**20
    monkeypatch.setenv("TRACKER_MAX_UPLOAD_MB", "5")
    assert max_upload_bytes() == 5 * 2**20
    monkeypatch.setenv("TRACKER_MAX_UPLOAD_MB", "lots")
    with pytest.raises(
        TrackerError, match="must be a whole number of megabytes above 0, not 'lots'"
    ):
        max_upload_bytes()


def test_the_command_lists_every_problem_and_exits_non_zero(
    seeded_engine: Engine, engine: Engine, tmp_path: Path
) -> None:
    export(seeded_engine, tmp_path / "out")
    _corrupt(tmp_path / "out", "estimate", _edit_cell("as_of", "soon"))
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, ["--database-url", url, "import", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "estimate.csv, line 2, column as_of: 'soon' is not a date" in result.stderr
    assert result.stderr.strip().endswith("problem(s) above.")
    shutil.rmtree(tmp_path / "out")
    export(seeded_engine, tmp_path / "out")
    result = CliRunner().invoke(
        app, ["--database-url", url, "import", str(tmp_path / "out"), "--dry-run"]
    )
    assert result.exit_code == 0 and "dry run: nothing written" in result.stdout
