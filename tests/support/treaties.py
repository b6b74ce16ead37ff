"""A treaty saved for a test the way an analyst's form would save it, citing a stored source."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from tracker.kinds.sources import Source
from tracker.kinds.treaties import Treaty
from tracker.records import save
from tracker.users import SYSTEM


def add_treaty(
    session: Session, name: str, parties: list[dict[str, str]], **fields: object
) -> Treaty:
    """Save treaty NAME with PARTIES (spells: state_code, joined, exited) and FIELDS."""
    source = session.scalar(sa.select(Source.id).limit(1))
    return save(
        session=session,
        actor=SYSTEM,
        kind="treaty",
        record={
            "name": name,
            "parties": parties,
            "citations": [{"source_id": source, "quote": f"The parties to the {name}"}],
            **fields,
        },
    )
