"""Hostile imports: files made to exhaust memory, escape the upload folder or crash the import
are refused in words, with their file and line, and write nothing.

The limits are lowered here so that a few kilobytes show what a gigabyte would;
benchmarks/hostile.py measures the real sizes.
"""

from __future__ import annotations

import io
import tempfile
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from streamlit.testing.v1 import AppTest
from test_data_entry import APP, PASSWORD, sign_in
from test_imports import snapshot
from typer.testing import CliRunner

from tracker.cli import app as tracker_app
from tracker.exchange import imports
from tracker.exchange.exports import export
from tracker.exchange.imports import import_data
from tracker.models import metadata
from tracker.users import SYSTEM, NewUser, add_user

STATE_HEADER = ",".join(column.name for column in metadata.tables["state"].columns) + "\r\n"
# A row that passes every rule: only the hostile part of each file is refused.
# A good row for state.csv, by column name, so it follows the table as it grows.
GOOD_CELLS = {
    "id": "9001",
    "created_at": "2026-11-01T12:00:00",
    "version": "1",
    "code": "TESTORG",
    "name": "Test Organisation",
    "kind": "organisation",
}
GOOD_STATE = (
    ",".join(GOOD_CELLS.get(column.name, "") for column in metadata.tables["state"].columns)
    + "\r\n"
)


def refused(engine: Engine, path: Path) -> str:
    """What `tracker import PATH` says as it refuses the file: it must exit 1 with its last
    line the one "Error:" line, and raise nothing (no traceback)."""
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(tracker_app, ["--database-url", url, "import", str(path)])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.strip().splitlines()
    assert [line for line in lines if line.startswith("Error:")] == [lines[-1]], lines
    assert "Traceback" not in result.output
    return result.stderr


def write_zip(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def test_a_csv_not_named_after_a_table_is_refused_in_words(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "foo.csv"
    path.write_text(STATE_HEADER + GOOD_STATE)
    before = snapshot(engine)
    assert "foo.csv, line 1: no table is called 'foo'" in refused(engine, path)
    assert snapshot(engine) == before


def test_a_file_named_zip_that_is_not_a_zip_is_refused_in_words(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "out.zip"
    path.write_text(STATE_HEADER + GOOD_STATE)
    before = snapshot(engine)
    assert f"{path}: is not a zip file, though its name ends in .zip" in refused(engine, path)
    assert snapshot(engine) == before


@pytest.mark.parametrize(
    ("column", "value", "refusal"),
    [
        ("id", str(2**63), "out of range: the database stores numbers up to 2,147,483,647"),
        ("cow_code", str(2**31), "out of range"),
        ("version", "-7", "must be 1 or more"),
        ("name", "Test\x00Organisation", "NUL character"),
        ("retired_at", "9999-12-31T00:00:00", None),
    ],
)
def test_a_value_no_database_can_hold_is_refused_in_words(
    engine: Engine, tmp_path: Path, column: str, value: str, refusal: str | None
) -> None:
    columns = [column.name for column in metadata.tables["state"].columns]
    cells = GOOD_STATE.strip().split(",")
    cells[columns.index(column)] = value
    path = tmp_path / "state.csv"
    path.write_text(STATE_HEADER + ",".join(cells) + "\r\n")
    before = snapshot(engine)
    if refusal is None:  # a time, not a date: far, but within what the database holds
        assert import_data(engine, path).written
        return
    assert f"state.csv, line 2, column {column}: " in refused(engine, path)
    assert refusal in refused(engine, path)
    assert snapshot(engine) == before


def test_a_zip_with_two_entries_of_the_same_name_is_refused(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "out.zip"
    with zipfile.ZipFile(path, "w") as archive, pytest.warns(UserWarning, match="Duplicate"):
        archive.writestr("state.csv", STATE_HEADER)
        archive.writestr("state.csv", STATE_HEADER + GOOD_STATE)
    before = snapshot(engine)
    assert f"{path}: holds 2 entries named 'state.csv'" in refused(engine, path)
    assert snapshot(engine) == before


def test_a_zip_listing_far_more_entries_than_an_export_is_refused_before_they_are_listed(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "MAX_ZIP_DIRECTORY_BYTES", 4096)
    entries = {f"filler-{number}.txt": b"" for number in range(200)}
    path = write_zip(tmp_path / "out.zip", {"state.csv": STATE_HEADER.encode(), **entries})
    before = snapshot(engine)
    error = refused(engine, path)
    assert f"{path}: lists 11.7 KiB of entries, where an export lists 17 files" in error
    assert snapshot(engine) == before


def test_a_header_naming_a_column_twice_is_refused_with_both_positions(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "state.csv"
    path.write_text(STATE_HEADER.replace("\r\n", ",name\r\n") + GOOD_STATE.strip() + ",Other\r\n")
    before = snapshot(engine)
    message = "state.csv, line 1, column name: the header names 'name' more than once"
    width = len(metadata.tables["state"].columns)
    assert f"{message}: as columns 7 and {width + 1}" in refused(engine, path)
    assert snapshot(engine) == before


def test_a_zip_member_declaring_more_than_the_limit_is_refused_unread(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "MAX_MEMBER_BYTES", 4096)
    content = (STATE_HEADER + GOOD_STATE * 100).encode()
    path = write_zip(tmp_path / "out.zip", {"state.csv": content}, zipfile.ZIP_STORED)
    before = snapshot(engine)
    error = refused(engine, path)
    size = f"{len(content) / 1024:.1f} KiB"
    assert f"state.csv: would unpack to {size}, over the 4 KiB a table's file may hold" in error
    assert snapshot(engine) == before


def test_a_zip_member_compressed_far_more_than_csv_is_refused_as_a_zip_bomb(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "RATIO_CHECKED_ABOVE", 64 * 1024)
    path = write_zip(
        tmp_path / "out.zip", {"state.csv": (STATE_HEADER + "x\r\n" * 200_000).encode()}
    )
    before = snapshot(engine)
    error = refused(engine, path)
    assert "state.csv: would unpack from " in error
    assert (
        "times its size, where CSV shrinks at most 100 times: refused as a likely zip bomb" in error
    )
    assert snapshot(engine) == before


def test_a_zip_member_compressed_other_than_by_deflate_is_refused_unread(
    engine: Engine, tmp_path: Path
) -> None:
    content = (STATE_HEADER + GOOD_STATE).encode()
    path = write_zip(tmp_path / "out.zip", {"state.csv": content}, zipfile.ZIP_BZIP2)
    before = snapshot(engine)
    assert "state.csv: is compressed by a method other than deflate" in refused(engine, path)
    assert snapshot(engine) == before


def test_a_damaged_zip_member_is_reported_in_words(engine: Engine, tmp_path: Path) -> None:
    content = (STATE_HEADER + GOOD_STATE).encode()
    path = write_zip(tmp_path / "out.zip", {"state.csv": content}, zipfile.ZIP_STORED)
    path.write_bytes(path.read_bytes().replace(b"TESTORG", b"TESTORX"))  # its checksum fails
    before = snapshot(engine)
    message = (
        "state.csv, line 1: the file cannot be read from this line on "
        "(Bad CRC-32 for file 'state.csv'): is the zip damaged?"
    )
    assert message in refused(engine, path)
    assert snapshot(engine) == before


@pytest.mark.parametrize("zipped", [False, True], ids=["as a CSV", "in a zip"])
@pytest.mark.parametrize(
    "row",
    ["9001," + "y" * 5000 + "\r\n", '9001,"' + ("z" * 40 + "\n") * 100 + '"\r\n'],
    ids=["one long line", "a quoted cell over many short lines"],
)
def test_a_row_longer_than_the_limit_stops_the_file_at_its_first_line(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, row: str, zipped: bool
) -> None:
    monkeypatch.setattr(imports, "MAX_ROW_BYTES", 1024)
    monkeypatch.setattr(imports, "_CHUNK", 256)
    content = STATE_HEADER + GOOD_STATE + row + GOOD_STATE.replace("9001", "9002")
    path = tmp_path / "state.csv"
    path.write_text(content)
    if zipped:
        path = write_zip(tmp_path / "out.zip", {"state.csv": content.encode()})
    before = snapshot(engine)
    message = "state.csv, line 3: the row starting on this line is longer than 1 KiB"
    assert message in refused(engine, path)
    assert snapshot(engine) == before


class CountingReads(io.BytesIO):
    """A file that remembers how many bytes were read from it, and the most at once."""

    def __init__(self, content: bytes) -> None:
        super().__init__(content)
        self.total = self.largest = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.total += len(data)
        self.largest = max(self.largest, len(data))
        return data


def test_a_long_line_is_not_read_much_past_the_limit(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "MAX_ROW_BYTES", 64 * 1024)
    upload = CountingReads((STATE_HEADER + "a" * 10_000_000 + "\r\n").encode())
    report = import_data(engine, upload, name="state.csv")
    assert [str(problem) for problem in report.problems] == [
        "state.csv, line 2: the row starting on this line is longer than 64 KiB, far more than "
        "any record holds: the rest of the file was not read"
    ]
    assert upload.largest <= imports._CHUNK
    assert upload.total <= 64 * 1024 + 2 * imports._CHUNK


def test_a_cell_over_the_csv_modules_field_limit_is_reported_in_words(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "state.csv"
    path.write_text(STATE_HEADER + f'9001,"{"y" * 140_000}"\r\n')
    before = snapshot(engine)
    message = "state.csv, line 2: a cell is longer than 131,072 characters"
    assert message in refused(engine, path)
    assert snapshot(engine) == before


def test_a_problem_quoting_a_long_cell_keeps_its_start_and_end(engine: Engine) -> None:
    row = GOOD_STATE.replace(",1,,", ",1," + "9" * 100_000 + ",")  # retired_at: not a date
    report = import_data(engine, io.BytesIO((STATE_HEADER + row).encode()), name="state.csv")
    [problem] = report.problems
    assert (problem.line, problem.column) == (2, "retired_at")
    assert problem.reason.startswith("'9999") and problem.reason.endswith(
        "9' is not a date and time (ISO 8601)"
    )
    assert len(problem.reason) < 600


def test_problems_past_the_first_thousand_are_counted_not_kept(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "state.csv"
    path.write_text(STATE_HEADER + "x\r\n" * 3000)
    before = snapshot(engine)
    report = import_data(engine, path)
    assert len(report.problems) == 1000 and report.more_problems == 2000
    assert report.total_problems == 3000 and not report.written
    width = len(metadata.tables["state"].columns)
    assert str(report.problems[0]) == (
        f"state.csv, line 2: the row has 1 cells; the header names {width}"
    )
    error = refused(engine, path)
    assert "state.csv, line 1001: the row has 1 cells" in error
    assert "line 1002:" not in error
    assert error.strip().splitlines()[-2:] == [
        "... and 2,000 more problems",
        "Error: nothing was written: 3,000 problem(s), the first 1,000 above.",
    ]
    assert snapshot(engine) == before


@pytest.fixture
def editor(seeded_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    """The dashboard, signed in as an editor, on the Import CSV page."""
    monkeypatch.setenv(
        "TRACKER_DATABASE_URL", seeded_engine.url.render_as_string(hide_password=False)
    )
    with Session(seeded_engine) as session:
        add_user(
            session=session,
            actor=SYSTEM,
            user=NewUser(name="ana", password=PASSWORD, role="editor"),
        )
        session.commit()
    page = sign_in(AppTest.from_file(str(APP), default_timeout=120), "ana")
    page.switch_page("views/imports.py").run()
    yield page


def upload(page: AppTest, name: str, content: bytes) -> AppTest:
    page.file_uploader(key="import.file").set_value((name, content, "text/csv"))
    return page.run()


def temporary_folders() -> set[str]:
    return {path.name for path in Path(tempfile.gettempdir()).glob("tracker-import-*")}


def test_an_upload_named_to_escape_its_folder_is_read_from_memory_and_writes_no_file(
    editor: AppTest, seeded_engine: Engine, tmp_path: Path
) -> None:
    export(seeded_engine, tmp_path / "out", tables=["cameo_event"])
    target = tmp_path / "elsewhere" / "cameo_event.csv"
    target.parent.mkdir()
    folders = temporary_folders()
    upload(editor, f"../../../..{target}", (tmp_path / "out" / "cameo_event.csv").read_bytes())
    assert not editor.exception and not editor.error, [error.value for error in editor.error]
    assert editor.dataframe[0].value.to_dict("records") == [
        {"table": "cameo_event", "new": 0, "updated": 0, "unchanged": 10, "kept": 0}
    ]
    next(button for button in editor.button if button.label == "Import these rows").click().run()
    assert [message.value for message in editor.success] == [
        "Imported. The dashboard shows the new data now."
    ]
    assert not target.exists() and not list(target.parent.iterdir())
    assert temporary_folders() == folders


def test_an_upload_not_named_after_a_table_is_refused_in_the_page(
    editor: AppTest, seeded_engine: Engine
) -> None:
    name = f"evil-{uuid.uuid4().hex[:8]}"
    before = snapshot(seeded_engine)
    upload(editor, f"../../../../tmp/{name}.csv", (STATE_HEADER + GOOD_STATE).encode())
    assert not editor.exception
    assert [error.value for error in editor.error] == ["Nothing can be imported: 1 problem(s)."]
    problem = editor.dataframe[0].value.to_dict("records")[0]
    assert (problem["file"], problem["line"]) == (f"{name}.csv", 1)
    assert problem["reason"].startswith(f"no table is called '{name}'")
    assert not Path(f"/tmp/{name}.csv").exists()
    assert snapshot(seeded_engine) == before


def test_the_page_lists_the_first_thousand_problems_and_counts_the_rest(
    editor: AppTest, seeded_engine: Engine
) -> None:
    before = snapshot(seeded_engine)
    upload(editor, "state.csv", (STATE_HEADER + "x\r\n" * 3000).encode())
    assert not editor.exception
    assert [error.value for error in editor.error] == ["Nothing can be imported: 3,000 problem(s)."]
    assert "The first 1,000 are listed; 2,000 more are not." in [
        caption.value for caption in editor.caption
    ]
    assert len(editor.dataframe[0].value) == 1000
    assert snapshot(seeded_engine) == before


def test_an_upload_over_the_size_limit_is_refused_before_it_is_read(
    editor: AppTest, seeded_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_MAX_UPLOAD_MB", "1")
    before = snapshot(seeded_engine)
    upload(editor, "big.csv", b"x" * (3 * 2**19))
    assert not editor.exception
    [error] = [error.value for error in editor.error]
    assert "is 1.5 MiB, and the dashboard imports files of up to 1 MiB" in error
    assert not editor.dataframe
    assert snapshot(seeded_engine) == before
