"""The seed data: the two articles' facts, each cited with a verbatim quote, loaded idempotently;
seed files from anywhere, whose misspelt keys are refused, whose entries change only what they
give, and which never change what an editor changed."""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from tracker.database import project_path
from tracker.errors import TrackerError
from tracker.exchange.exports import export
from tracker.exchange.imports import import_data
from tracker.exchange.seeds import LeftAlone, SeedProblems, load_seeds, seed_paths
from tracker.kinds.states import StateAlias, find_state
from tracker.models import Deployment, Engagement, Estimate, metadata
from tracker.records import as_record, for_editing, save
from tracker.schema import utcnow
from tracker.users import Actor

SEED = project_path("seeds") / "russia_north_korea.toml"
EDITOR = Actor(id=None, name="ana", role="editor")


def _snapshot(engine: Engine) -> dict[str, tuple[int, Any]]:
    """Each table's row count and latest change (the rollups, which are counted, have none)."""
    with engine.connect() as connection:
        return {
            name: connection.execute(
                sa.select(
                    sa.func.count(),
                    sa.func.max(table.c.updated_at) if "updated_at" in table.c else sa.null(),
                ).select_from(table)
            ).one()
            for name, table in metadata.tables.items()
        }


def test_seeding_twice_changes_nothing(seeded_engine: Engine) -> None:
    before = _snapshot(seeded_engine)
    with Session(seeded_engine) as session:
        load_seeds(session=session)
        session.commit()
    assert _snapshot(seeded_engine) == before


def test_the_seed_file_holds_every_record_kind() -> None:
    assert seed_paths() == [SEED]
    data = tomllib.loads(SEED.read_text())
    sections = ("treaties", "engagements", "deployments", "pledges")
    assert {section: len(data[section]) for section in sections} == {
        "treaties": 2,
        "engagements": 8,
        "deployments": 2,
        "pledges": 5,
    }


def _words(node: Any) -> Iterator[str]:
    """Every date's words the seed file gives (keys ending in _words)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("_words"):
                yield value
            else:
                yield from _words(value)
    elif isinstance(node, list):
        for item in node:
            yield from _words(item)


def test_every_date_s_words_are_the_articles_own() -> None:
    articles = " ".join(path.read_text() for path in (SEED.parent / "articles").glob("*.txt"))
    words = list(_words(tomllib.loads(SEED.read_text())))
    assert len(words) >= 12
    assert [phrase for phrase in words if phrase not in articles] == []


def _citations(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if "quote" in node and "source" in node:
            yield node
        for value in node.values():
            yield from _citations(value)
    elif isinstance(node, list):
        for item in node:
            yield from _citations(item)


def test_every_quoted_passage_stands_word_for_word_in_its_article() -> None:
    data = tomllib.loads(SEED.read_text())
    articles = {
        source["ref"]: (SEED.parent / source["file"]).read_text()
        for source in data["sources"]
        if "file" in source
    }
    citations = list(_citations(data))
    assert len(citations) > 30
    for citation in citations:
        assert citation["source"] in articles, f"{citation['quote']!r} cites no article"
        assert citation["quote"] in articles[citation["source"]], citation["quote"]
    for pledge in data["pledges"]:
        if "quote" in pledge:
            assert any(pledge["quote"] in text for text in articles.values()), pledge["quote"]


def test_the_nine_states_the_articles_name_are_known(seeded: Session) -> None:
    names = [
        "Russia",
        "North Korea",
        "United States",
        "Ukraine",
        "South Korea",
        "China",
        "India",
        "Brazil",
        "South Africa",
    ]
    assert [find_state(session=seeded, name=name).code for name in names] == [
        "RUS",
        "PRK",
        "USA",
        "UKR",
        "KOR",
        "CHN",
        "IND",
        "BRA",
        "ZAF",
    ]


def _write(tmp_path: Path, text: str, name: str = "bad.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_bad_seed_record_is_refused_with_its_name_and_reason(
    session: Session, tmp_path: Path
) -> None:
    path = _write(
        tmp_path,
        """
[[sources]]
ref = "s"
outlet = "Wire"
title = "Report"
type = "news_report"

[[deployments]]
name = "Backwards"
sending_state_code = "PRK"
receiving_state_code = "Russia"
personnel_kind = "combat_troops"
citations = [{ source = "s", quote = "q" }]

[[deployments.estimates]]
source = "s"
qualifier = "between"
low = 30000
high = 25000
measure = "personnel_present"
scope = "Russia"
as_of = "2025"
citations = [{ source = "s", quote = "q" }]
""",
    )
    reason = r"estimates.0.low: .*low \(30,000\) is above high \(25,000\)"
    with pytest.raises(
        TrackerError, match=rf"bad.toml, line 18: deployments 'Backwards': {reason}"
    ):
        load_seeds(session=session, paths=[path])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[people]]\nname = "X"\nstate_code = "Narnia"\ncitations = []',
            "people 'X': no state is known as 'Narnia'",
        ),
        (
            '[[people]]\nname = "X"\nstate_code = "RUS"\n'
            'citations = [{ source = "nope", quote = "q" }]',
            "no source has ref 'nope'",
        ),
        (
            '[[people]]\nname = "X"\nstate_code = 643\ncitations = []',
            "bad.toml, line 3: people 'X': state_code = 643: write the state's name in quotes",
        ),
        ("[[people]\n", "bad.toml: not valid TOML"),
    ],
)
def test_broken_seed_files_are_refused_in_words(
    session: Session, tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(TrackerError, match=message):
        load_seeds(session=session, paths=[_write(tmp_path, text)])


# A seed file's keys are checked: a misspelt one is refused where it stands, never dropped.

WIRE = """
[[sources]]
ref = "wire"
outlet = "Wire"
title = "Putin calls Kim"
type = "news_report"
"""


def test_a_misspelt_key_is_refused_with_its_file_line_and_the_key_meant(
    session: Session, tmp_path: Path
) -> None:
    path = _write(
        tmp_path,
        WIRE
        + """
[[engagements]]
title = "Putin–Kim phone call"
kind = "phone_call"
occurred = "2025-08-12"
status = "held"
sumary = "Putin updates Kim on his coming meeting with Trump."
palce = "by telephone"
participants = [{ state_code = "RUS", role = "initiator" }, { state_code = "PRK" }]
citations = [{ source = "wire", qoute = "Putin spoke with Kim" }]
""",
        name="calls.toml",
    )
    before = _snapshot(session.get_bind())
    with pytest.raises(SeedProblems) as refused:
        load_seeds(session=session, paths=[path])
    call = "engagements 'Putin–Kim phone call'"
    assert [str(problem) for problem in refused.value.problems] == [
        f"{path}, line 13: unknown key 'sumary' in {call}: did you mean 'summary'?",
        f"{path}, line 14: unknown key 'palce' in {call}: did you mean 'place'?",
        f"{path}, line 16: unknown key 'qoute' in a citation of {call}: did you mean 'quote'?",
    ]
    assert _snapshot(session.get_bind()) == before  # not even the source before it


def test_the_line_is_found_however_the_entry_is_written(session: Session, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        WIRE
        + '''
[[engagements]]
"title" = "Putin–Kim phone call"
summary = """
sumary = a decoy, inside a string
"""
kind = "phone_call"
occurred = "2025-08-12"
participants = [
    { state_code = "RUS" },
    { state_code = "PRK", rloe = "recipient" },
]

[[engagements.citations]]
source = "wire"
quote = "Putin spoke with Kim"
credibilty = 1
''',
    )
    with pytest.raises(SeedProblems) as refused:
        load_seeds(session=session, paths=[path])
    call = "engagements 'Putin–Kim phone call'"
    assert [str(problem).removeprefix(f"{path}, ") for problem in refused.value.problems] == [
        f"line 17: unknown key 'rloe' in an engagement participant of {call}: did you mean 'role'?",
        f"line 23: unknown key 'credibilty' in a citation of {call}: did you mean 'credibility'?",
    ]


def test_every_problem_in_every_file_is_listed_and_nothing_is_written(
    session: Session, tmp_path: Path
) -> None:
    first = _write(tmp_path, WIRE + '\n[[engagement]]\ntitle = "Call"\n', name="1.toml")
    second = _write(
        tmp_path,
        WIRE + '\n[[people]]\nname = "Kim Jong Un"\nstate_code = "Narnia"\ncitations = []\n',
        name="2.toml",
    )
    before = _snapshot(session.get_bind())
    with pytest.raises(SeedProblems) as refused:
        load_seeds(session=session, paths=[first, second])
    assert [str(problem) for problem in refused.value.problems] == [
        f"{first}, line 8: unknown section 'engagement': did you mean 'engagements'?",
        f"{second}, line 10: people 'Kim Jong Un': no state is known as 'Narnia': "
        "use an ISO code such as PRK, a name, an alias or a Correlates of War abbreviation "
        "(cow:GFR)",
    ]
    assert _snapshot(session.get_bind()) == before


def test_an_unquoted_toml_date_is_the_day_it_names(session: Session, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        WIRE
        + """
[[engagements]]
title = "Putin–Kim phone call"
kind = "phone_call"
occurred = 2025-08-12
participants = [{ state_code = "RUS" }, { state_code = "PRK" }]
citations = [{ source = "wire", quote = "Putin spoke with Kim" }]
""",
    )
    load_seeds(session=session, paths=[path])
    call = session.exec(select(Engagement)).one()
    assert as_record(session=session, kind="engagement", record_id=call.id)["occurred"] == (
        "2025-08-12"
    )


def test_a_misspelt_source_is_one_problem_not_one_for_each_record_citing_it(
    session: Session, tmp_path: Path
) -> None:
    people = "".join(
        f'\n[[people]]\nname = "{name}"\nstate_code = "PRK"\n'
        'citations = [{ source = "wire", quote = "q" }]\n'
        for name in ("Kim Jong Un", "Choe Son Hui")
    )
    path = _write(tmp_path, WIRE.replace("outlet", "outlte") + people)
    with pytest.raises(SeedProblems) as refused:
        load_seeds(session=session, paths=[path])
    assert [str(problem) for problem in refused.value.problems] == [
        f"{path}, line 4: unknown key 'outlte' in sources 'Putin calls Kim': did you mean 'outlet'?"
    ]


# An entry changes only what it gives: repeating a record adds to it.


def test_a_repeated_deployment_adds_an_estimate_and_keeps_its_region_start_and_summary(
    session: Session, tmp_path: Path
) -> None:
    path = _write(
        tmp_path,
        WIRE
        + """
[[deployments]]
name = "North Korean troops in Kursk"
sending_state_code = "PRK"
receiving_state_code = "RUS"
region = "Kursk"
personnel_kind = "combat_troops"
started = "2024-10"
summary = "Sent to fight on the Kursk front."
citations = [{ source = "wire", quote = "troops in Kursk", credibility = 2 }]

[[deployments.estimates]]
source = "wire"
low = 11000
qualifier = "over"
measure = "cumulative_sent"
scope = "Russia"
as_of = "2025-08"
citations = [{ source = "wire", quote = "over 11,000" }]

# Later, a second figure: the entry repeats only the deployment's name.
[[deployments]]
name = "North Korean troops in Kursk"

[[deployments.estimates]]
source = "wire"
low = 15000
high = 15000
qualifier = "roughly"
measure = "personnel_present"
scope = "Russia"
as_of = "2025-08"
citations = [{ source = "wire", quote = "roughly 15,000" }]
""",
    )
    load_seeds(session=session, paths=[path])
    deployment = session.exec(select(Deployment)).one()
    stored = as_record(session=session, kind="deployment", record_id=deployment.id)
    assert (stored["region"], stored["started"], stored["summary"]) == (
        "Kursk",
        "2024-10",
        "Sent to fight on the Kursk front.",
    )
    assert [citation["credibility"] for citation in stored["citations"]] == [2]
    assert [(estimate["low"], estimate["qualifier"]) for estimate in stored["estimates"]] == [
        (11000, "over"),
        (15000, "roughly"),
    ]
    session.commit()
    before = _snapshot(session.get_bind())
    load_seeds(session=session, paths=[path])
    session.commit()
    assert _snapshot(session.get_bind()) == before  # loading it again changes nothing


# What an editor changed, the seeds leave as they left it, and say so.


def _edit(session: Session, kind: str, record_id: int, **fields: Any) -> None:
    editing = for_editing(session=session, kind=kind, record_id=record_id)
    save(
        session=session,
        actor=EDITOR,
        kind=kind,
        record=editing.record | fields,
        record_id=record_id,
        expected_version=editing.version,
    )
    session.commit()


def test_an_engagement_an_editor_changed_is_left_alone_and_listed(seeded: Session) -> None:
    call = seeded.exec(select(Engagement).where(Engagement.title == "Putin–Kim phone call")).one()
    _edit(seeded, "engagement", call.id, summary="Readouts differ on what was said.")
    report = load_seeds(session=seeded)
    seeded.commit()
    assert report.left_alone == [
        LeftAlone("engagement 'Putin–Kim phone call'", "ana", utcnow().date())
    ]
    assert str(report.left_alone[0]) == (
        f"left alone: engagement 'Putin–Kim phone call', changed by ana on {utcnow():%Y-%m-%d}"
    )
    seeded.refresh(call)
    assert call.summary == "Readouts differ on what was said."


def test_a_record_an_import_created_is_left_alone_and_listed(
    seeded_engine: Engine, engine: Engine, tmp_path: Path
) -> None:
    export(seeded_engine, tmp_path / "shared")
    engagements = tmp_path / "shared" / "engagement.csv"
    with engagements.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["title"] == "Putin–Kim phone call":
            row["summary"] = "A colleague's reading of the call."
    with engagements.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    assert not import_data(engine, tmp_path / "shared", actor=EDITOR).problems

    with Session(engine) as session:
        report = load_seeds(session=session)
        session.commit()
        assert LeftAlone("engagement 'Putin–Kim phone call'", "ana", utcnow().date()) in (
            report.left_alone
        )
        call = session.exec(select(Engagement).where(Engagement.title == "Putin–Kim phone call"))
        assert call.one().summary == "A colleague's reading of the call."


def test_an_estimate_an_editor_ranked_keeps_its_rank(seeded: Session, tmp_path: Path) -> None:
    kursk = seeded.exec(
        select(Deployment).where(Deployment.name == "North Korean troops in Russia (Kursk)")
    ).one()
    estimate_id = seeded.exec(
        select(Estimate.id).where(Estimate.deployment_id == kursk.id, Estimate.low == 11000)
    ).one()
    _edit(seeded, "estimate", estimate_id, rank="preferred")
    # The shipped seeds give no rank: the editor's stays, and there is nothing to report.
    assert load_seeds(session=seeded).left_alone == []
    # A seed that ranks the estimate itself is not let overwrite the editor's rank.
    path = _write(
        tmp_path,
        """
[[sources]]
ref = "article-000"
outlet = "Unnamed news outlet"
title = "Putin and Kim Jong-un strengthen their military alliance ahead of the summit with Trump"

[[deployments]]
name = "North Korean troops in Russia (Kursk)"

[[deployments.estimates]]
source = "article-000"
measure = "cumulative_sent"
scope = "Kursk region"
as_of = "2025-08-13/2025-08-14"
rank = "deprecated"
""",
    )
    report = load_seeds(session=seeded, paths=[path])
    seeded.commit()
    assert [str(record) for record in report.left_alone] == [
        "left alone: estimate 1 of deployment 'North Korean troops in Russia (Kursk)', "
        f"changed by ana on {utcnow():%Y-%m-%d}"
    ]
    assert as_record(session=seeded, kind="estimate", record_id=estimate_id)["rank"] == "preferred"


def test_an_alias_an_editor_removed_is_not_brought_back(seeded: Session) -> None:
    russia = find_state(session=seeded, name="RUS")
    aliases = as_record(session=seeded, kind="state", record_id=russia.id)["aliases"]
    _edit(seeded, "state", russia.id, aliases=[alias for alias in aliases if alias != "Russian"])
    report = load_seeds(session=seeded)
    seeded.commit()
    assert [str(record) for record in report.left_alone] == [
        f"left alone: alias 'Russian' of Russia, removed by ana on {utcnow():%Y-%m-%d}"
    ]
    assert seeded.exec(select(StateAlias).where(StateAlias.alias == "Russian")).first() is None


def test_seeding_again_after_the_upgrade_updates_the_scope_it_derived(
    seeded: Session, seeded_engine: Engine
) -> None:
    """Migration 0006 gave each stored estimate a scope from its deployment (its region, say
    "Kursk"); the seeds, loaded again, name the same estimates with their own scope ("Russia")
    and update them rather than add copies beside them."""
    with seeded_engine.begin() as connection:  # as the migration writes: no history
        connection.execute(sa.text("UPDATE estimate SET scope = 'Kursk'"))
    before = seeded.exec(select(sa.func.count()).select_from(Estimate)).one()
    load_seeds(session=seeded)
    seeded.commit()
    scopes = seeded.exec(select(Estimate.low, Estimate.scope).order_by(Estimate.low)).all()
    assert seeded.exec(select(sa.func.count()).select_from(Estimate)).one() == before
    assert [tuple(row) for row in scopes] == [
        (1000, "Kursk region"),
        (11000, "Kursk region"),
        (15000, "Russia"),
        (25000, "Russia"),
    ]
