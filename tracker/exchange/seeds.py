"""Seed data: the facts of the seed articles as structured records, loaded from seeds/*.toml.

Loading is idempotent: every record is saved by its natural key, so loading twice changes
nothing. Seed files refer to things the way an analyst would: a state by its code, name or
alias, a person by name, a source by the `ref` given to it in the file, a treaty by name.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from tracker.database import project_path
from tracker.errors import TrackerError, describe
from tracker.kinds import KINDS, kind_of
from tracker.kinds.people import find_person
from tracker.kinds.states import StateAlias, find_state
from tracker.kinds.treaties import find_treaty
from tracker.records import save
from tracker.schema import upsert
from tracker.users import SYSTEM


def seed_paths() -> list[Path]:
    """The seed files shipped with the tracker, in name order."""
    return sorted(project_path("seeds").glob("*.toml"))


class _References:
    """Turns a seed file's references into the ids and codes the records store."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.source_ids: dict[str, int] = {}

    def resolve(self, data: Any) -> Any:
        if isinstance(data, list):
            return [self.resolve(item) for item in data]
        if not isinstance(data, dict):
            return data
        resolved: dict[str, Any] = {}
        for key, value in data.items():
            if key.endswith("state_code"):
                resolved[key] = find_state(session=self.session, name=value).code
            elif key == "person" or key.endswith("_person"):
                resolved[f"{key}_id"] = find_person(session=self.session, name=value).id
            elif key in ("source", "relayed_source"):
                if value not in self.source_ids:
                    raise TrackerError(f"no source has ref {value!r}")
                resolved[f"{key}_id"] = self.source_ids[value]
            elif key == "treaty":
                resolved["treaty_id"] = find_treaty(session=self.session, name=value).id
            else:
                resolved[key] = self.resolve(value)
        return resolved


# The sections of a seed file, in the order they load (later ones refer to earlier ones).
SECTIONS = {kind.section: kind.name for kind in KINDS.values() if kind.section}


def load_seeds(*, session: Session, paths: list[Path] | None = None) -> Counter[str]:
    """Load the seed files (by default the tracker's own); returns how many records of each
    kind they hold."""
    counts: Counter[str] = Counter()
    for path in paths or seed_paths():
        with path.open("rb") as file:
            try:
                data = tomllib.load(file)
            except tomllib.TOMLDecodeError as error:
                raise TrackerError(f"{path.name} is not valid TOML: {error}") from None
        counts += _load_file(session, path.name, data)
    return counts


def _load_file(session: Session, filename: str, data: dict[str, Any]) -> Counter[str]:
    references = _References(session)
    counts: Counter[str] = Counter()
    for code, aliases in data.get("aliases", {}).items():
        state_code = find_state(session=session, name=code).code
        for alias in aliases:
            upsert(session, StateAlias, {"alias": alias}, {"state_code": state_code})
            counts["aliases"] += 1
    for section, kind in SECTIONS.items():
        for number, entry in enumerate(data.get(section, []), start=1):
            fields = {key: value for key, value in entry.items() if key not in ("ref", "file")}
            try:
                row = save(
                    session=session,
                    actor=SYSTEM,
                    kind=kind,
                    record=kind_of(kind).model.model_validate(references.resolve(fields)),
                )
            except (ValidationError, TrackerError) as error:
                label = entry.get("name") or entry.get("title") or entry.get("ref") or number
                raise TrackerError(f"{filename}: {section} {label!r}: {describe(error)}") from None
            if "ref" in entry:
                references.source_ids[entry["ref"]] = row.id
            counts[section] += 1
    return counts
