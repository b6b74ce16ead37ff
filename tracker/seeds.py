"""Seed data: the facts of the seed articles as structured records, loaded from seeds/*.toml.

Loading is idempotent: every record is saved by its natural key, so loading twice changes
nothing. Seed files refer to things the way an analyst would: a state by its code, name or
alias, a person by name, a source by the `ref` given to it in the file, a treaty by name.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from tracker.deployments import DeploymentCreate, save_deployment
from tracker.engagements import EngagementCreate, save_engagement
from tracker.errors import TrackerError, describe
from tracker.people import PersonCreate, find_person, save_person
from tracker.pledges import PledgeCreate, save_pledge
from tracker.schema import upsert
from tracker.sources import SourceCreate, save_source
from tracker.states import StateAlias, StateCreate, find_state, save_state
from tracker.treaties import TreatyCreate, find_treaty, save_treaty


def seed_paths() -> list[Path]:
    """The seed files shipped with the tracker, in name order."""
    from tracker.database import project_path

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

    def each(section: str, save: Callable[[dict[str, Any]], object]) -> None:
        for number, record in enumerate(data.get(section, []), start=1):
            try:
                save(record)
            except (ValidationError, TrackerError) as error:
                label = record.get("name") or record.get("title") or record.get("ref") or number
                raise TrackerError(f"{filename}: {section} {label!r}: {describe(error)}") from None
            counts[section] += 1

    def state(record: dict[str, Any]) -> None:
        save_state(session=session, state=StateCreate.model_validate(record))

    def source(record: dict[str, Any]) -> None:
        fields = {key: value for key, value in record.items() if key not in ("ref", "file")}
        row = save_source(
            session=session, source=SourceCreate.model_validate(references.resolve(fields))
        )
        references.source_ids[record["ref"]] = row.id

    each("states", state)
    for code, aliases in data.get("aliases", {}).items():
        state_code = find_state(session=session, name=code).code
        for alias in aliases:
            upsert(session, StateAlias, {"alias": alias}, {"state_code": state_code})
            counts["aliases"] += 1
    each("sources", source)
    for section, model, save in (
        ("people", PersonCreate, lambda row: save_person(session=session, person=row)),
        ("treaties", TreatyCreate, lambda row: save_treaty(session=session, treaty=row)),
        (
            "engagements",
            EngagementCreate,
            lambda row: save_engagement(session=session, engagement=row),
        ),
        (
            "deployments",
            DeploymentCreate,
            lambda row: save_deployment(session=session, deployment=row),
        ),
        ("pledges", PledgeCreate, lambda row: save_pledge(session=session, pledge=row)),
    ):
        each(
            section,
            lambda record, model=model, save=save: save(
                model.model_validate(references.resolve(record))
            ),
        )
    return counts
