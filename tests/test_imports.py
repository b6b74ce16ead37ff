"""Importing CSV: the export's files come back exactly; bad files are refused row by row."""

from __future__ import annotations

import csv
import filecmp
import io
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import Databases
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from test_exports import each_filtered_export
from typer.testing import CliRunner

from tracker.cli import app
from tracker.database import create_engine, migrate
from tracker.engagements import Engagement
from tracker.errors import TrackerError
from tracker.exports import TABLES, export, filtered
from tracker.filters import Filters
from tracker.history import history_of
from tracker.imports import Policy, import_data, max_upload_bytes
from tracker.models import metadata
from tracker.sources import Source
from tracker.users import Actor, Role


def snapshot(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            name: connection.execute(
                sa.select(sa.func.count()).select_from(metadata.tables[name])
            ).scalar_one()
            for name in TABLES
        }


def same_files(first: Path, second: Path) -> list[str]:
    """The CSV files that differ between two exports."""
    return [
        path.name
        for path in sorted(first.glob("*.csv"))
        if not filecmp.cmp(path, second / path.name, shallow=False)
    ]


def test_export_import_export_gives_identical_files(
    seeded_engine: Engine, empty_engine: Engine, tmp_path: Path
) -> None:
    export(seeded_engine, tmp_path / "first")
    migrate(empty_engine)
    report = import_data(empty_engine, tmp_path / "first")
    assert report.problems == [] and report.written
    export(empty_engine, tmp_path / "second")
    assert same_files(tmp_path / "first", tmp_path / "second") == []


@each_filtered_export
def test_a_filtered_export_imports_into_an_empty_database_and_exports_back_the_same(
    seeded_engine: Engine, empty_engine: Engine, tmp_path: Path, filters: Filters
) -> None:
    export(seeded_engine, tmp_path / "filtered", where=filtered(filters))
    migrate(empty_engine)
    report = import_data(empty_engine, tmp_path / "filtered")
    assert report.problems == [] and report.written
    export(empty_engine, tmp_path / "whole")
    assert same_files(tmp_path / "filtered", tmp_path / "whole") == []


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


def test_importing_into_a_database_with_its_own_ids_duplicates_nothing(
    seeded_engine: Engine, engine: Engine, tmp_path: Path
) -> None:
    export(seeded_engine, tmp_path / "out.zip")
    report = import_data(engine, tmp_path / "out.zip")
    assert report.problems == []
    assert report.updated["state"] == 249 and report.created["engagement"] == 8
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
    assert report.created["pledge"] == 4 and not report.written
    assert snapshot(engine) == before


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(min_size=1, max_size=60).filter(lambda text: text.strip() and "\x00" not in text)
)
def test_awkward_text_comes_back_exactly(
    databases: Databases, tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    if databases.backend != "sqlite":
        pytest.skip("one backend is enough for the property; the round trip above runs on both")
    folder = tmp_path_factory.mktemp("awkward")
    source_url, target_url = databases.prepared(seeded=False), databases.empty()
    source, target = create_engine(source_url), create_engine(target_url)
    try:
        with Session(source) as session:
            session.add(
                Source(outlet=text, title=f'={text}, "quoted"\n-{text}', type="news_report")
            )
            session.commit()
        export(source, folder / "first", tables=["state", "source"])
        migrate(target)
        assert import_data(target, folder / "first").problems == []
        export(target, folder / "second", tables=["state", "source"])
        assert same_files(folder / "first", folder / "second") == []
        with Session(target) as session:
            assert session.exec(select(Source.outlet).where(Source.outlet == text)).one() == text
    finally:
        source.dispose()
        target.dispose()
        databases.drop(source_url)
        databases.drop(target_url)


def _corrupt(folder: Path, table: str, change) -> Path:
    path = folder / f"{table}.csv"
    path.write_bytes(change(path.read_bytes()))
    return folder


def _edit_cell(table: str, column: str, value: str, row: int = 0):
    def change(content: bytes) -> bytes:
        rows = list(csv.DictReader(content.decode().splitlines()))
        rows[row][column] = value
        out = [",".join(rows[0].keys())] + [
            ",".join(f'"{cell}"' for cell in record.values()) for record in rows
        ]
        return ("\r\n".join(out) + "\r\n").encode()

    return change


BAD_FILES = [
    (
        "wrong header",
        "estimate",
        lambda c: c.replace(b"qualifier", b"qualifer", 1),
        "line 1, column qualifer: there is no column 'qualifer'",
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
        _edit_cell("estimate", "as_of", "13/08/2025"),
        "line 2, column as_of: '13/08/2025' is not a date",
    ),
    (
        "low above high",
        "estimate",
        _edit_cell("estimate", "low", "99999", row=1),
        "line 3, column low: low (99,999) is above high (15,000)",
    ),
    (
        "unknown state",
        "deployment",
        _edit_cell("deployment", "sending_state_code", "XXX"),
        "line 2, column sending_state_code: refers to state code 'XXX'",
    ),
    (
        "reference to nothing",
        "estimate",
        _edit_cell("estimate", "source_id", "999"),
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
    assert report.problems == [] and report.updated["cameo_event"] == 10


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
        import_data(engine, upload, name="C:/exports/cameo_event.csv").updated["cameo_event"] == 10
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
    _corrupt(tmp_path / "out", "estimate", _edit_cell("estimate", "as_of", "soon"))
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
