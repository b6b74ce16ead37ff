"""The seed data: the two articles' facts, each cited with a verbatim quote, loaded idempotently."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.database import project_path
from tracker.errors import TrackerError
from tracker.exchange.seeds import load_seeds, seed_paths
from tracker.kinds.states import find_state
from tracker.models import metadata

SEED = project_path("seeds") / "russia_north_korea.toml"


def _snapshot(engine: Engine) -> dict[str, tuple[int, Any]]:
    """Each table's row count and latest change."""
    with engine.connect() as connection:
        return {
            name: connection.execute(
                sa.select(sa.func.count(), sa.func.max(table.c.updated_at)).select_from(table)
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
        "pledges": 4,
    }


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


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.toml"
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
counting_basis = "total_present"
as_of = "2025"
citations = [{ source = "s", quote = "q" }]
""",
    )
    reason = r"estimates.0.low: .*low \(30,000\) is above high \(25,000\)"
    with pytest.raises(TrackerError, match=rf"bad.toml: deployments 'Backwards': {reason}"):
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
        ("[[people]\n", "bad.toml is not valid TOML"),
    ],
)
def test_broken_seed_files_are_refused_in_words(
    session: Session, tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(TrackerError, match=message):
        load_seeds(session=session, paths=[_write(tmp_path, text)])
