"""What each perspective says about one record, side by side, and which perspectives say nothing:
the comparison a multi-perspective digest makes by hand.

A passage speaks for the perspective of whoever first said it (its originator: the source a
citation relays, else the cited source), as that outlet is classified: by the analyst, or by
the source that sorted it so (a digest's classification, kept as such). For a deployment, what
each source says includes its estimates; for a pledge, its status steps.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.orm import aliased
from sqlmodel import Session

from tracker.citations import CITED_TABLES, CitationPublic, Stance, citations_for
from tracker.kinds import kind_of
from tracker.kinds.sources import Source, perspectives

NOT_ASSESSED = "not assessed"
COLUMNS = ["perspective", "classified_by", "originator", "via", "about", "says", "stance"]


class Perspectives(BaseModel):
    """What each perspective says of one record (a frame with COLUMNS, one row per passage,
    perspectives in order, the unassessed last) and the perspectives that say nothing."""

    record: str
    said: list[dict[str, str | None]]
    silent: list[str]

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.said, columns=COLUMNS)


def _classification(session: Session) -> dict[str, tuple[str, str | None]]:
    """Each outlet's perspective and whose classification it is (None: the analyst's own)."""
    by = aliased(Source)
    rows = session.execute(
        sa.select(Source.outlet, Source.perspective, by.outlet)
        .outerjoin(by, by.id == Source.perspective_source_id)
        .where(Source.perspective.is_not(None), Source.retired_at.is_(None))
        .order_by(Source.outlet, Source.id)
    ).all()
    classified: dict[str, tuple[str, str | None]] = {}
    for outlet, perspective, classified_by in rows:
        classified.setdefault(outlet, (perspective, classified_by))
    return classified


def _passage(
    citation: CitationPublic,
    about: str,
    classified: dict[str, tuple[str, str | None]],
) -> dict[str, str | None]:
    perspective, classified_by = classified.get(citation.originator, (NOT_ASSESSED, None))
    return {
        "perspective": perspective,
        "classified_by": classified_by,
        "originator": citation.originator,
        "via": ", ".join(reversed(citation.chain)) or None,
        "about": about,
        "says": citation.quote,
        "stance": None if citation.stance == Stance.SUPPORTS else citation.stance,
    }


def what_each_perspective_says(*, session: Session, kind: str, record_id: int) -> Perspectives:
    """The passages behind the record of KIND with RECORD_ID (and the rows of it that are
    cited: a deployment's estimates, a pledge's steps), each under its originator's
    perspective; and the perspectives that sources are classified by but none of them here."""
    spec = kind_of(kind)
    names = dict(session.execute(spec.reader_names().where(spec.table.id == record_id)).all())
    classified = _classification(session)
    said = [
        _passage(citation, spec.label, classified)
        for citation in citations_for(session=session, table=spec.name, ids=[record_id])[record_id]
    ]
    for _, part in spec.parts:
        if part.name not in CITED_TABLES:
            continue
        column, _ = part.parent
        labels = dict(
            session.execute(
                part.reader_names().where(getattr(part.table, column) == record_id)
            ).all()
        )
        for row_id, citations in citations_for(
            session=session, table=part.name, ids=list(labels)
        ).items():
            about = f"{part.label}: {labels[row_id]}"
            said += [_passage(citation, about, classified) for citation in citations]
    known = perspectives(session=session)
    order = {perspective: index for index, perspective in enumerate(known)}
    said.sort(key=lambda row: (order.get(row["perspective"], len(order)), row["originator"]))
    heard = {row["perspective"] for row in said}
    return Perspectives(
        record=names.get(record_id, f"{spec.label} {record_id}"),
        said=said,
        silent=[perspective for perspective in known if perspective not in heard],
    )
