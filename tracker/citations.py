"""The link between one record and one source: the quoted passage that supports the record, the
credibility of that information (Admiralty code 1-6), and the primary source it relays when the
source repeats another ("KCNA, as reported by ...").

Every record kind can be cited. A citation has one nullable foreign key per kind of record, and a
CHECK constraint makes exactly one of them set, so each link is a real foreign key.
"""

from __future__ import annotations

from enum import IntEnum

import sqlalchemy as sa
from pydantic import model_validator
from sqlmodel import Field, Session, SQLModel, select

from tracker.schema import Record, Table, field_error, upsert

CITED_TABLES = (
    "person",
    "treaty",
    "engagement",
    "deployment",
    "estimate",
    "pledge",
    "pledge_status",
)


class Credibility(IntEnum):
    """Admiralty code information credibility."""

    CONFIRMED = 1
    PROBABLY_TRUE = 2
    POSSIBLY_TRUE = 3
    DOUBTFUL = 4
    IMPROBABLE = 5
    CANNOT_BE_JUDGED = 6


class CitationBase(Record):
    source_id: int = Field(foreign_key="source.id", ondelete="RESTRICT", index=True)
    quote: str = Field(
        min_length=1, max_length=4000, description="the passage that supports the record"
    )
    credibility: int = Field(
        default=Credibility.CANNOT_BE_JUDGED,
        ge=1,
        le=6,
        description="Admiralty information credibility: 1 confirmed by other sources "
        "to 6 cannot be judged",
    )
    relayed_source_id: int | None = Field(
        default=None, foreign_key="source.id", ondelete="RESTRICT", index=True
    )

    @model_validator(mode="after")
    def _relays_another(self) -> CitationBase:
        if self.relayed_source_id is not None and self.relayed_source_id == self.source_id:
            raise field_error(
                "relayed_source_id", "a source cannot relay itself", self.relayed_source_id
            )
        return self


def _exactly_one_target() -> sa.CheckConstraint:
    is_set = " + ".join(f"CASE WHEN {table}_id IS NULL THEN 0 ELSE 1 END" for table in CITED_TABLES)
    return sa.CheckConstraint(f"{is_set} = 1", name="exactly_one_record")


class Citation(CitationBase, Table, table=True):
    __table_args__ = (
        _exactly_one_target(),
        sa.CheckConstraint("credibility BETWEEN 1 AND 6", name="credibility_range"),
        sa.CheckConstraint("relayed_source_id <> source_id", name="relays_another_source"),
        sa.CheckConstraint("length(quote) > 0", name="quote_not_empty"),
    )

    person_id: int | None = Field(
        default=None, foreign_key="person.id", ondelete="CASCADE", index=True
    )
    treaty_id: int | None = Field(
        default=None, foreign_key="treaty.id", ondelete="CASCADE", index=True
    )
    engagement_id: int | None = Field(
        default=None, foreign_key="engagement.id", ondelete="CASCADE", index=True
    )
    deployment_id: int | None = Field(
        default=None, foreign_key="deployment.id", ondelete="CASCADE", index=True
    )
    estimate_id: int | None = Field(
        default=None, foreign_key="estimate.id", ondelete="CASCADE", index=True
    )
    pledge_id: int | None = Field(
        default=None, foreign_key="pledge.id", ondelete="CASCADE", index=True
    )
    pledge_status_id: int | None = Field(
        default=None, foreign_key="pledge_status.id", ondelete="CASCADE", index=True
    )


class CitationCreate(CitationBase):
    pass


def cite(*, session: Session, record: Table, citations: list[CitationCreate]) -> list[Citation]:
    """Attach CITATIONS to RECORD; a citation it already has (same source and quote) is kept
    as it is, so citing twice adds nothing."""
    target = f"{type(record).__tablename__}_id"
    assert target.removesuffix("_id") in CITED_TABLES, f"{target} cannot be cited"
    return [
        upsert(
            session,
            Citation,
            {target: record.id, "source_id": citation.source_id, "quote": citation.quote},
            citation.model_dump(exclude={"source_id", "quote"}),
        )
        for citation in citations
    ]


class CitationPublic(SQLModel):
    """A citation as a reader sees it: who said it, through whom, in which words."""

    record_id: int
    source: str
    source_title: str
    relayed_source: str | None
    quote: str
    credibility: int


def citations_for(
    *, session: Session, table: str, ids: list[int]
) -> dict[int, list[CitationPublic]]:
    """The citations of the TABLE records with IDS, grouped by record, in one query."""
    assert table in CITED_TABLES, f"{table} cannot be cited"
    from tracker.kinds.sources import Source

    target = getattr(Citation, f"{table}_id")
    relayed = sa.orm.aliased(Source)
    rows = session.exec(
        select(
            target,
            Source.outlet,
            Source.title,
            relayed.outlet,
            Citation.quote,
            Citation.credibility,
        )
        .join(Source, Source.id == Citation.source_id)
        .outerjoin(relayed, relayed.id == Citation.relayed_source_id)
        .where(target.in_(ids))
        .order_by(target, Citation.id)
    )
    grouped: dict[int, list[CitationPublic]] = {record_id: [] for record_id in ids}
    for record_id, outlet, title, relayed_outlet, quote, credibility in rows:
        grouped[record_id].append(
            CitationPublic(
                record_id=record_id,
                source=outlet,
                source_title=title,
                relayed_source=relayed_outlet,
                quote=quote,
                credibility=credibility,
            )
        )
    return grouped
