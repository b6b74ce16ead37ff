"""The `tracker` command: each command a thin layer over a library function."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from tracker.cli import app
from tracker.errors import TrackerError
from tracker.models import Engagement, Person
from tracker.records import for_editing, save
from tracker.schema import utcnow
from tracker.users import Actor, authenticate


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def tracker(*arguments: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(arguments))
    return result.exit_code, result.stdout, result.stderr


def test_init_creates_the_schema_and_says_what_it_loaded(empty_engine: Engine) -> None:
    code, out, _ = tracker("--database-url", _url(empty_engine), "init")
    assert code == 0
    assert "249 states, 10 CAMEO event codes" in out


def test_seed_twice_reports_the_same_records(empty_engine: Engine) -> None:
    first = tracker("--database-url", _url(empty_engine), "seed")
    second = tracker("--database-url", _url(empty_engine), "seed")
    assert first == second
    assert first[0] == 0
    assert "8 engagements, 2 deployments, 5 pledges" in first[1]


PEOPLE = """
[[sources]]
ref = "wire"
outlet = "Wire"
title = "Who is who"
type = "news_report"

[[people]]
name = "Choe Son Hui"
state_code = "North Korea"
office = "Foreign Minister"
citations = [{ source = "wire", quote = "Foreign Minister Choe Son Hui" }]
"""
# Refers to a person by name: loads only after the file that records her.
TALKS = """
[[sources]]
ref = "wire"
outlet = "Wire"
title = "Lavrov meets Choe"
type = "news_report"

[[engagements]]
title = "Lavrov–Choe talks"
kind = "third_place_meeting"
occurred = "2025-07"
status = "held"
participants = [{ person = "Choe Son Hui", state_code = "PRK" }, { state_code = "RUS" }]
citations = [{ source = "wire", quote = "Lavrov met Choe" }]
"""


def test_seed_loads_a_file_from_elsewhere_or_a_folder_of_them_in_name_order(
    engine: Engine, tmp_path: Path
) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "1_people.toml").write_text(PEOPLE)
    (tmp_path / "folder" / "2_talks.toml").write_text(TALKS)
    (tmp_path / "folder" / "notes.txt").write_text("not a seed file")
    code, out, _ = tracker("--database-url", _url(engine), "seed", str(tmp_path / "folder"))
    assert (code, out.strip()) == (0, "Seed data loaded: 2 sources, 1 people, 1 engagements")
    (tmp_path / "more.toml").write_text(PEOPLE.replace("Foreign Minister", "Minister"))
    code, out, _ = tracker("--database-url", _url(engine), "seed", str(tmp_path / "more.toml"))
    assert (code, out.strip()) == (0, "Seed data loaded: 1 sources, 1 people")
    # Loading them again changes nothing, and says the same.
    again = tracker("--database-url", _url(engine), "seed", str(tmp_path / "more.toml"))
    assert again == (0, out, "")


def test_seed_lists_each_problem_on_its_line_and_writes_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "people.toml"
    path.write_text(PEOPLE.replace("office =", "ofice ="))
    code, out, err = tracker(
        "--database-url", _url(engine), "seed", str(tmp_path / "nope"), str(path)
    )
    assert code == 1
    assert err.splitlines() == [
        f"{tmp_path / 'nope'}: no such file or folder",
        f"{path}, line 11: unknown key 'ofice' in people 'Choe Son Hui': did you mean 'office'?",
        "Error: nothing was written: 2 problem(s) above.",
    ]
    assert "Traceback" not in out + err
    with Session(engine) as session:
        assert session.exec(select(Person).where(Person.name == "Choe Son Hui")).first() is None


def test_seed_leaves_what_an_editor_changed_and_lists_it(seeded_engine: Engine) -> None:
    with Session(seeded_engine) as session:
        call = session.exec(
            select(Engagement).where(Engagement.title == "Putin–Kim phone call")
        ).one()
        editing = for_editing(session=session, kind="engagement", record_id=call.id)
        save(
            session=session,
            actor=Actor(id=None, name="ana", role="editor"),
            kind="engagement",
            record=editing.record | {"status": "planned"},
            record_id=call.id,
            expected_version=editing.version,
        )
        session.commit()
    code, out, _ = tracker("--database-url", _url(seeded_engine), "seed")
    assert code == 0
    assert out.splitlines()[1:] == [
        f"left alone: engagement 'Putin–Kim phone call', changed by ana on {utcnow():%Y-%m-%d}"
    ]


def test_estimates_tells_what_every_source_says(seeded_engine: Engine) -> None:
    code, out, _ = tracker(
        "--database-url", _url(seeded_engine), "estimates", "--from", "DPRK", "--to", "Russia"
    )
    assert code == 0
    assert "over 11,000 cumulative sent in Kursk region" in out
    assert "roughly 15,000 cumulative sent in Russia" in out
    assert (
        '25,000 to 30,000 additional planned in Russia (as of 2025-06-01/2025-08-13 ("earlier'
        in out
    )
    assert "(South Korean intelligence, via Unnamed multi-perspective news digest;" in out


def test_estimates_as_json_say_what_each_measures_and_who_first_said_it(
    seeded_engine: Engine,
) -> None:
    code, out, _ = tracker("--database-url", _url(seeded_engine), "estimates", "--json")
    assert code == 0
    by_figure = {estimate["low"]: estimate for estimate in json.loads(out)}
    relayed = by_figure[15000]
    assert {key: relayed[key] for key in ESTIMATE_KEYS} == {
        "measure": "cumulative_sent",
        "scope": "Russia",
        "qualifier": "roughly",
        "low": 15000,
        "high": 15000,
        "as_of": "2025-08-12/2025-08-14",
        "rank": "normal",
        "source": "South Korean intelligence",
        "relayed_via": ["Unnamed multi-perspective news digest"],
        "originator": "South Korean intelligence",
    }
    assert (by_figure[11000]["relayed_via"], by_figure[11000]["originator"]) == (
        [],
        "Unnamed news outlet",
    )


ESTIMATE_KEYS = (
    "measure",
    "scope",
    "qualifier",
    "low",
    "high",
    "as_of",
    "rank",
    "source",
    "relayed_via",
    "originator",
)


def test_overview_as_json_gives_the_headlines_for_the_filters(seeded_engine: Engine) -> None:
    code, out, _ = tracker(
        "--database-url", _url(seeded_engine), "overview", "--to-date", "2025-08-15", "--json"
    )
    assert code == 0
    figures = json.loads(out)
    assert (
        figures["treaties_in_force"],
        figures["engagements_last_90_days"],
        figures["open_pledges"],
    ) == (0, 8, 3)
    spreads = {
        (spread["deployment"], spread["measure"], spread["scope"]): (
            spread["low"],
            spread["high"],
            spread["sources"],
        )
        for spread in figures["estimates"]
    }
    troops = "North Korean troops in Russia (Kursk)"
    assert spreads[(troops, "cumulative_sent", "Kursk region")] == (11000, None, 1)
    assert spreads[(troops, "cumulative_sent", "Russia")] == (15000, 15000, 1)
    code, out, _ = tracker(
        "--database-url",
        _url(seeded_engine),
        "overview",
        "--to-date",
        "2025-08-15",
        "--state",
        "China",
        "--json",
    )
    assert (json.loads(out)["engagements_last_90_days"], json.loads(out)["estimates"]) == (1, [])


def test_backup_writes_a_file(seeded_engine: Engine, tmp_path: Path) -> None:
    code, out, _ = tracker("--database-url", _url(seeded_engine), "backup", str(tmp_path / "copy"))
    assert code == 0
    assert (tmp_path / "copy").stat().st_size > 0
    assert "Backup written" in out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["estimates", "--from", "Narnia"], "Error: no state is known as 'Narnia'"),
        (["backup", "/"], "Error: / already exists"),
    ],
)
def test_errors_are_one_line_and_a_non_zero_exit(
    seeded_engine: Engine, arguments: list[str], message: str
) -> None:
    code, out, err = tracker("--database-url", _url(seeded_engine), *arguments)
    assert code == 1
    assert err.strip().startswith(message)
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in out + err


def test_an_unreachable_database_is_one_line_too() -> None:
    code, _, err = tracker("--database-url", "postgresql://nobody@127.0.0.1:1/none", "init")
    assert code == 1
    assert err.startswith("Error: the database could not be used: connection failed")
    assert len(err.strip().splitlines()) == 1


def test_user_add_reads_the_password_from_the_environment(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_PASSWORD", "correct horse battery")
    code, out, _ = tracker("--database-url", _url(engine), "user", "add", "ana", "--role", "editor")
    assert (code, out.strip()) == (0, "ana can now sign in as an editor.")


def test_user_add_of_a_name_taken_refuses_unless_told_to_reset_the_password(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_PASSWORD", "correct horse battery")
    tracker("--database-url", _url(engine), "user", "add", "ana", "--role", "editor")
    monkeypatch.setenv("TRACKER_PASSWORD", "another long password")
    code, _, err = tracker("--database-url", _url(engine), "user", "add", "ana")
    assert code == 1
    assert err.startswith("Error: a user called 'ana' exists already: nothing was changed")
    with Session(engine) as session:
        assert authenticate(session=session, name="ana", password="correct horse battery")
    code, out, _ = tracker("--database-url", _url(engine), "user", "add", "ana", "--reset-password")
    assert (code, out.strip()) == (0, "ana can now sign in as a viewer.")
    with Session(engine) as session:
        assert authenticate(session=session, name="ana", password="another long password")


def test_user_add_refuses_a_short_password_in_words(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_PASSWORD", "short")
    code, _, err = tracker("--database-url", _url(engine), "user", "add", "ana")
    assert code == 1
    assert err.strip() == (
        "Error: password: a password needs at least 10 characters, not counting spaces at its ends"
    )


def test_a_deactivated_user_cannot_sign_in_until_activated_again(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_PASSWORD", "correct horse battery")
    tracker("--database-url", _url(engine), "user", "add", "ana", "--role", "editor")
    code, out, _ = tracker("--database-url", _url(engine), "user", "deactivate", "ana")
    assert (code, out.strip()) == (0, "ana can no longer sign in.")
    with Session(engine) as session, pytest.raises(TrackerError, match="do not match"):
        authenticate(session=session, name="ana", password="correct horse battery")
    code, out, _ = tracker("--database-url", _url(engine), "user", "activate", "ana")
    assert (code, out.strip()) == (0, "ana can sign in again as an editor.")
    code, _, err = tracker("--database-url", _url(engine), "user", "deactivate", "nobody")
    assert (code, err.strip()) == (1, "Error: there is no user called 'nobody'")


def test_extract_prints_each_proposal_with_its_quote(seeded_engine: Engine, tmp_path: Path) -> None:
    article = tmp_path / "call.txt"
    article.write_text(
        "On Tuesday night, the Kremlin revealed that Putin had spoken with Kim Jong-un. "
        "According to South Korean intelligence, the North deployed over 11,000 soldiers to "
        "fight on the Kursk front."
    )
    code, out, _ = tracker(
        "--database-url", _url(seeded_engine), "extract", str(article), "--published", "2025-08-13"
    )
    assert code == 0
    assert (
        'engagement, 2025-08-12 ("Tuesday night"): Putin–Kim phone call, held; states PRK, '
        "RUS; Kim Jong Un, Vladimir Putin; via the Kremlin; repeats engagement 1: Putin–Kim "
        "phone call"
    ) in out
    assert '    "On Tuesday night, the Kremlin revealed' in out

    code, out, _ = tracker(
        "--database-url",
        _url(seeded_engine),
        "extract",
        str(article),
        "--published",
        "2025-08-13",
        "--json",
    )
    call, estimate = json.loads(out)
    assert {"kind", "quote", "date", "states", "people", "relayed_via"} <= call.keys()
    assert (estimate["kind"], estimate["low"], estimate["high"], estimate["qualifier"]) == (
        "estimate",
        11000,
        None,
        "over",
    )
    assert (estimate["measure"], estimate["date"]) == ("cumulative_sent", "2025-08-13")
    assert estimate["relayed_via"] == ["South Korean intelligence"]


def test_extract_refuses_a_publication_date_it_cannot_read(seeded_engine: Engine) -> None:
    code, _, err = tracker(
        "--database-url", _url(seeded_engine), "extract", "-", "--published", "last week"
    )
    assert code == 2 and "'last week' is not a date" in err


def test_the_help_prints_every_word_of_its_text_including_what_is_in_brackets() -> None:
    # Rich's markup would read "[default: ...]" as a style tag and drop it.
    _, top, _ = tracker("--help")
    _, seed, _ = tracker("seed", "--help")
    assert "[default: sqlite:///tracker.db]" in " ".join(top.split())
    assert "[default: the tracker's own seeds]" in " ".join(seed.split())
