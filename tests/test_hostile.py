"""Hostile and careless input, on both databases: whatever a user types, uploads or links to,
the tracker refuses it in words, in place, and changes nothing; it never shows a traceback.

The imports' own hostile files (zip bombs, endless lines, floods of bad rows) are in
test_hostile_imports.py.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, func, select
from streamlit.testing.v1 import AppTest
from test_data_entry import (
    APP,
    PASSWORD,
    SAVE,
    counts,
    field,
    fill_pledge,
    save_as_colleague,
    sign_in,
)

from tracker.database import create_engine, downgrade, init_database, migrate, session_for
from tracker.errors import NotFound, TrackerError, describe
from tracker.exchange.exports import export
from tracker.exchange.imports import import_data
from tracker.exchange.seeds import load_seeds
from tracker.kinds.deployments import Deployment
from tracker.kinds.engagements import Engagement
from tracker.kinds.sources import Source
from tracker.kinds.treaties import Treaty
from tracker.records import as_record, revert, save
from tracker.users import SYSTEM, Actor, NewUser, NotAllowed, add_user

EDITOR = Actor(id=None, name="ana", role="editor")
SOURCE = {"outlet": "Yonhap", "title": "A report", "type": "news_report"}
CITED = [{"source_id": 1, "quote": "a passage"}]


def count(engine: Engine, table: type) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(table)).one()


def an_estimate(session: Session, **figures: object) -> dict[str, object]:
    deployment = session.exec(select(Deployment.id)).first()
    source = session.exec(select(Source.id)).first()
    return {
        "deployment_id": deployment,
        "source_id": source,
        "qualifier": "exactly",
        "measure": "personnel_present",
        "scope": "Russia",
        "as_of": "2025-08",
        "citations": [{"source_id": source, "quote": "so many"}],
        **figures,
    }


# Far dates: one calendar for every date, in the rules and in the database.


def move_engagement(session: Session, record_id: int, day: str) -> None:
    """Save the engagement RECORD_ID as happening on DAY."""
    engagement = as_record(session=session, kind="engagement", record_id=record_id)
    save(
        session=session,
        actor=EDITOR,
        kind="engagement",
        record=engagement | {"occurred": day},
        record_id=record_id,
    )
    session.commit()


def test_a_date_past_the_calendar_is_refused_by_the_rules(seeded: Session) -> None:
    with pytest.raises(ValidationError, match="outside the dates the tracker keeps"):
        move_engagement(seeded, 1, "9999-12-31")


@pytest.mark.parametrize("day", ["9999-12-31", "0999-12-31"])
def test_the_database_refuses_a_date_outside_the_calendar(seeded_engine: Engine, day: str) -> None:
    with seeded_engine.begin() as connection, pytest.raises(IntegrityError) as refusal:
        connection.execute(
            sa.text("UPDATE engagement SET occurred = :day, occurred_latest = :day"), {"day": day}
        )
    assert "in_calendar" in str(refusal.value)


def test_the_database_refuses_a_version_below_one(seeded_engine: Engine) -> None:
    with seeded_engine.begin() as connection, pytest.raises(IntegrityError) as refusal:
        connection.execute(sa.text("UPDATE treaty SET version = -7"))
    assert "version_positive" in str(refusal.value)


@pytest.fixture
def dashboard(seeded_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.setenv(
        "TRACKER_DATABASE_URL", seeded_engine.url.render_as_string(hide_password=False)
    )
    with Session(seeded_engine) as session:
        for name, role in (("ana", "editor"), ("ada", "admin")):
            add_user(
                session=session, actor=SYSTEM, user=NewUser(name=name, password=PASSWORD, role=role)
            )
        session.commit()
    yield AppTest.from_file(str(APP), default_timeout=120)


def test_a_record_on_the_calendars_last_day_takes_no_page_down(
    dashboard: AppTest, seeded: Session
) -> None:
    move_engagement(seeded, 1, "2999-12-31")
    dashboard.run()
    assert not dashboard.exception
    for page in ("account", "engagements", "treaties"):
        dashboard.switch_page(f"views/{page}.py").run()
        assert not dashboard.exception, page


def test_every_page_stands_records_at_both_ends_of_the_calendar(
    dashboard: AppTest, seeded: Session
) -> None:
    move_engagement(seeded, 1, "1000-01-01")
    move_engagement(seeded, 2, "2999-12-31")
    dashboard.query_params["dates"] = ["1000-01-01", "2999-12-31"]
    dashboard.run()
    for page in ("overview", "deployments", "treaties", "engagements", "pledges", "sources"):
        dashboard.switch_page(f"views/{page}.py").run()
        assert not dashboard.exception, (page, [error.value for error in dashboard.exception])


def test_a_link_with_its_dates_the_wrong_way_round_shows_them_in_order(
    dashboard: AppTest,
) -> None:
    dashboard.query_params["dates"] = ["2025-12-31", "2025-01-01"]
    dashboard.run()
    assert not dashboard.exception
    assert any("the link gave them the other way" in caption.value for caption in dashboard.caption)


def test_a_link_with_dates_past_the_calendar_falls_back_to_the_default_range(
    dashboard: AppTest,
) -> None:
    dashboard.query_params["dates"] = ["9999-01-01", "9999-12-31"]
    dashboard.run()
    assert not dashboard.exception
    _, end = dashboard.date_input(key="dates").value
    assert end == date(2025, 8, 15)


# Numbers and text a database cannot hold are refused by the rules, before the database.


@pytest.mark.parametrize("low", [2**63, 2**31])
def test_a_count_too_large_to_store_is_refused_in_words(seeded: Session, low: int) -> None:
    with pytest.raises(ValidationError, match="out of range: the database stores numbers up to"):
        save(session=seeded, actor=EDITOR, kind="estimate", record=an_estimate(seeded, low=low))


def test_an_id_too_large_to_store_is_refused_in_words(seeded: Session) -> None:
    with pytest.raises(ValidationError, match="out of range"):
        save(
            session=seeded,
            actor=EDITOR,
            kind="estimate",
            record=an_estimate(seeded, low=5, deployment_id=2**63),
        )


def test_a_nul_character_is_refused_in_words(seeded: Session) -> None:
    record = an_estimate(seeded, low=5)
    record["citations"] = [{"source_id": record["source_id"], "quote": "so\x00many"}]
    with pytest.raises(ValidationError, match="NUL character"):
        save(session=seeded, actor=EDITOR, kind="estimate", record=record)


@pytest.mark.parametrize(
    ("name", "typed", "refusal"),
    [
        ("quote", "We will send\x00grain", "NUL character"),
        ("made", "9999-12", "outside the dates the tracker keeps"),
    ],
)
def test_the_form_refuses_what_the_database_cannot_hold_next_to_its_field(
    dashboard: AppTest, seeded_engine: Engine, name: str, typed: str, refusal: str
) -> None:
    before = counts(seeded_engine)
    sign_in(dashboard, "ana")
    dashboard.switch_page("views/edit.py").run()
    fill_pledge(dashboard, made="2025-09")
    widget = dashboard.text_area if name == "quote" else dashboard.text_input
    widget(key=field(name)).input(typed)
    dashboard.button(key=SAVE).click().run()
    assert not dashboard.exception
    assert any(refusal in error.value for error in dashboard.error)
    assert counts(seeded_engine) == before


# Editing: conflicts and rights are refused in words, in the order that tells the least.


def test_a_viewer_asking_to_revert_a_change_that_does_not_exist_is_told_not_allowed(
    seeded: Session,
) -> None:
    viewer = Actor(id=None, name="vic", role="viewer")
    with pytest.raises(NotAllowed):
        revert(session=seeded, actor=viewer, kind="treaty", record_id=1, change_id=10**6)
    with pytest.raises(NotFound):
        revert(session=seeded, actor=EDITOR, kind="treaty", record_id=1, change_id=10**6)


def test_retiring_a_record_another_editor_just_saved_is_refused_in_place(
    dashboard: AppTest, seeded_engine: Engine
) -> None:
    sign_in(dashboard, "ana")
    dashboard.switch_page("views/edit.py").run()
    dashboard.selectbox(key="edit.kind").set_value("treaty").run()
    choice = dashboard.selectbox(key="edit.record.treaty")
    choice.select_index(choice.options.index("Treaty of Rapallo")).run()
    with Session(seeded_engine) as session:
        treaty_id = session.exec(select(Treaty.id).where(Treaty.name == "Treaty of Rapallo")).one()
    # meanwhile, a colleague saves the same treaty
    save_as_colleague(seeded_engine, "treaty", treaty_id, summary="Germany and Soviet Russia")
    retire = next(button for button in dashboard.button if button.label == "Retire this treaty")
    retire.click().run()
    assert not dashboard.exception
    assert any("was changed by ben" in error.value for error in dashboard.error)
    with Session(seeded_engine) as session:
        assert session.get(Treaty, treaty_id).retired_at is None


def test_an_editor_demoted_while_signed_in_loses_the_data_entry_page_at_once(
    dashboard: AppTest, seeded_engine: Engine
) -> None:
    sign_in(dashboard, "ana")
    dashboard.switch_page("views/edit.py").run()
    assert dashboard.title[0].value == "Add or edit records"
    with session_for(seeded_engine) as session:
        demoted = NewUser(name="ana", password=PASSWORD, role="viewer")
        add_user(session=session, actor=SYSTEM, user=demoted, reset=True)
    dashboard.run()
    assert not dashboard.exception
    assert [title.value for title in dashboard.title] != ["Add or edit records"]
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        dashboard.switch_page("views/edit.py")


def test_a_user_deactivated_on_the_users_page_is_signed_out_of_their_open_session(
    dashboard: AppTest, seeded_engine: Engine
) -> None:
    sign_in(dashboard, "ana")
    admin = AppTest.from_file(str(APP), default_timeout=120)
    sign_in(admin, "ada")
    admin.switch_page("views/users.py").run()
    assert admin.selectbox(key="users.chosen").value.name == "ana"  # the only other user
    admin.button(key="users.toggle").click().run()
    assert [message.value for message in admin.success] == ["ana can no longer sign in."]
    dashboard.run()
    assert "actor" not in dashboard.session_state
    assert any("an admin deactivated the account" in warning.value for warning in dashboard.warning)


# The command line: one line in words and exit code 1, never a traceback.


def tracker_process(*arguments: str | bytes, database: str) -> subprocess.CompletedProcess:
    command = Path(sys.executable).parent / "tracker"
    return subprocess.run(
        [command, "--database-url", database, *arguments], capture_output=True, timeout=120
    )


def one_error_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 1
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("Error: ")
    return lines[0]


def test_an_argument_that_is_not_utf8_is_refused_in_words(tmp_path: Path) -> None:
    result = tracker_process("estimates", "--from", b"\xff", database=f"sqlite:///{tmp_path}/t.db")
    assert "is not UTF-8 text" in one_error_line(result)


def test_a_database_the_tracker_cannot_use_is_refused_in_words() -> None:
    result = tracker_process("init", database="mysql://analyst@db.example.org/alliances")
    assert "mysql databases are not supported" in one_error_line(result)


def test_export_refuses_to_overwrite_a_file_as_backup_does(
    seeded_engine: Engine, tmp_path: Path
) -> None:
    existing = tmp_path / "report.zip"
    existing.write_bytes(b"an analyst's own file")
    result = tracker_process(
        "export", str(existing), database=seeded_engine.url.render_as_string(hide_password=False)
    )
    assert "already exists" in one_error_line(result)
    assert existing.read_bytes() == b"an analyst's own file"


# Migrations going down never drop what was entered without being told to.


def test_going_down_a_migration_that_drops_users_and_history_is_refused(
    empty_engine: Engine,
) -> None:
    init_database(empty_engine)
    with session_for(empty_engine) as session:
        add_user(session=session, actor=SYSTEM, user=NewUser(name="ana", password=PASSWORD))
        save(session=session, actor=EDITOR, kind="source", record=SOURCE)
    with pytest.raises(
        TrackerError, match=r"would lose 1 rows of user_account, \d+ rows of change"
    ):
        downgrade(empty_engine, "0002")
    downgrade(empty_engine, "0002", accept_data_loss=True)
    assert not sa.inspect(empty_engine).has_table("user_account")
    migrate(empty_engine)


# SQLite during a long import: readers read on, a second writer waits, then says so in words.


def test_readers_keep_reading_during_an_import_and_a_second_writer_is_told_to_wait(
    tmp_path: Path,
) -> None:
    seeded = create_engine(f"sqlite:///{tmp_path}/seeded.db")
    init_database(seeded)
    with session_for(seeded) as session:
        load_seeds(session=session)
    export(seeded, tmp_path / "export")
    seeded.dispose()
    url = f"sqlite:///{tmp_path}/target.db"
    target = create_engine(url)
    init_database(target)

    sources_written, finish = threading.Event(), threading.Event()

    def hold_after(table: str, _rows: int) -> None:
        if table == "source":  # its rows are written: the import holds the write lock
            sources_written.set()
            assert finish.wait(60)

    importing = threading.Thread(
        target=import_data, args=(target, tmp_path / "export"), kwargs={"progress": hold_after}
    )
    importing.start()
    try:
        assert sources_written.wait(60)
        reader = create_engine(url)  # a new connection, made while the import writes
        assert count(reader, Source) == 0  # what was committed before the import
        writer = create_engine(url, busy_timeout=0.5)
        with pytest.raises(OperationalError) as refusal, session_for(writer) as session:
            save(session=session, actor=EDITOR, kind="source", record=SOURCE)
        assert describe(refusal.value).startswith("the database is busy with another write")
    finally:
        finish.set()
        importing.join(60)
    assert count(reader, Engagement) == count(target, Engagement) > 0
    for engine in (reader, writer, target):
        engine.dispose()
