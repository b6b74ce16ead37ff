"""The link between one record and one source: the quoted passage that supports the record, the
credibility of that information (Admiralty code 1-6), and where the claim comes from when the
source repeats another.

Provenance is a chain: "South Korea's intelligence service, via a lawmaker, via Yonhap, via the
article" is a citation of the article (`source_id`) that relays the intelligence service
(`relayed_source_id`, the originator: whoever first said it) through Yonhap and the lawmaker
(`relayed_via`, the sources in between, from the article outward, kept as `citation_relay`
rows). Ten articles relaying one KCNA statement are then one originator, not ten.

A citation may also take a stance against its record: a later source that corrects or retracts
it, with the date it did so (`stated`). The record stays, shown with its correction; nothing
is deleted.

Every record kind can be cited. A citation has one nullable foreign key per kind of record, and a
CHECK constraint makes exactly one of them set, so each link is a real foreign key.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from enum import IntEnum, StrEnum

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, select

from tracker.dates import DatePrecision
from tracker.schema import (
    Problem,
    Record,
    Table,
    check,
    date_checks,
    date_words,
    upsert,
    vocabulary,
)

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


class Stance(StrEnum):
    """How the cited passage bears on the record."""

    SUPPORTS = "supports"
    CORRECTS = "corrects"  # a later source says the record is wrong in part (a revised figure)
    RETRACTS = "retracts"  # a later source withdraws it

    @property
    def against(self) -> bool:
        return self is not Stance.SUPPORTS

    @property
    def done(self) -> str:
        """What the source did, in words: supported, corrected, retracted."""
        return self.value.removesuffix("s") + "ed"


class CitationBase(Record):
    fuzzy_dates = ("stated",)

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
        default=None,
        foreign_key="source.id",
        ondelete="RESTRICT",
        index=True,
        description="the originator the source relays: whoever first said it",
    )
    stance: Stance = Field(
        default=Stance.SUPPORTS,
        sa_type=vocabulary(Stance, "stance"),
        sa_column_kwargs={"server_default": Stance.SUPPORTS.value},
        index=True,  # corrections and retractions are few: found by the index, not a scan
        description="supports the record, or a later source corrects or retracts it",
    )
    stated: date | None = None
    stated_precision: DatePrecision | None = Field(
        default=None, sa_type=vocabulary(DatePrecision, "stated_precision")
    )
    stated_latest: date | None = None
    stated_words: str | None = date_words()

    @check
    def _relays_another(self) -> Iterator[Problem]:
        if self.relayed_source_id is not None and self.relayed_source_id == self.source_id:
            yield "relayed_source_id", "a source cannot relay itself", self.relayed_source_id

    @check
    def _correction_dated(self) -> Iterator[Problem]:
        if Stance(self.stance).against and self.stated is None:
            yield "stated", f"say when the source {Stance(self.stance).done} the record", None


def _exactly_one_target() -> sa.CheckConstraint:
    is_set = " + ".join(f"CASE WHEN {table}_id IS NULL THEN 0 ELSE 1 END" for table in CITED_TABLES)
    return sa.CheckConstraint(f"{is_set} = 1", name="exactly_one_record")


class Citation(CitationBase, Table, table=True):
    __table_args__ = (
        _exactly_one_target(),
        sa.CheckConstraint("credibility BETWEEN 1 AND 6", name="credibility_range"),
        sa.CheckConstraint("relayed_source_id <> source_id", name="relays_another_source"),
        sa.CheckConstraint("length(quote) > 0", name="quote_not_empty"),
        sa.CheckConstraint("stance = 'supports' OR stated IS NOT NULL", name="correction_dated"),
        *date_checks(CitationBase),
        # The estimates corrected or retracted by a day, read from this index alone (the
        # spreads of estimates, tracker.activity), not a citation of every kind looked up.
        sa.Index(
            "ix_citation_estimate_stance",
            "stance",
            "stated",
            "estimate_id",
            sqlite_where=sa.text("estimate_id IS NOT NULL"),
            postgresql_where=sa.text("estimate_id IS NOT NULL"),
        ),
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


class CitationRelayBase(Record):
    source_id: int = Field(foreign_key="source.id", ondelete="RESTRICT", index=True)
    position: int = Field(ge=1, description="1 is the source the cited one took the claim from")


class CitationRelay(CitationRelayBase, Table, table=True):
    """One source between a citation's source and its originator."""

    __tablename__ = "citation_relay"
    __table_args__ = (
        sa.UniqueConstraint("citation_id", "position"),
        sa.UniqueConstraint("citation_id", "source_id"),
        sa.CheckConstraint("position >= 1", name="position_positive"),
    )

    citation_id: int = Field(foreign_key="citation.id", ondelete="CASCADE", index=True)


# Why a chain of relays is refused, on every path (the import checks it across rows).
CHAIN_WITHOUT_ORIGINATOR = "name the originator the chain of relays leads to"
STEP_REPEATED = "a source appears twice in the chain of relays: each is one step"


class CitationCreate(CitationBase):
    relayed_via: list[int] = Field(
        default_factory=list,
        description="the sources between the cited source and the originator, from the cited "
        "source outward: Yonhap, then the lawmaker Yonhap quotes",
    )

    @check
    def _chain_reaches_originator(self) -> Iterator[Problem]:
        if self.relayed_via and self.relayed_source_id is None:
            yield "relayed_source_id", CHAIN_WITHOUT_ORIGINATOR, None

    @check
    def _each_step_once(self) -> Iterator[Problem]:
        seen = {self.source_id, self.relayed_source_id}
        for source_id in self.relayed_via:
            if source_id in seen:
                yield "relayed_via", STEP_REPEATED, source_id
                return
            seen.add(source_id)


def cite(*, session: Session, record: Table, citations: list[CitationCreate]) -> list[Citation]:
    """Attach CITATIONS to RECORD; a citation it already has (same source, quote and
    originator) is kept as it is, so citing twice adds nothing. Each citation's chain of relays
    becomes the one given."""
    target = f"{type(record).__tablename__}_id"
    assert target.removesuffix("_id") in CITED_TABLES, f"{target} cannot be cited"
    stored = []
    for citation in citations:
        key = {
            target: record.id,
            "source_id": citation.source_id,
            "quote": citation.quote,
            "relayed_source_id": citation.relayed_source_id,
        }
        row = upsert(session, Citation, key, citation.model_dump(exclude={*key, "relayed_via"}))
        _relay_through(session, row, citation.relayed_via)
        stored.append(row)
    return stored


def _relay_through(session: Session, citation: Citation, chain: list[int]) -> None:
    relays = session.exec(
        select(CitationRelay)
        .where(CitationRelay.citation_id == citation.id)
        .order_by(CitationRelay.position)
    ).all()
    if [relay.source_id for relay in relays] == chain:
        return
    for relay in relays:
        session.delete(relay)
    session.flush()
    session.add_all(
        CitationRelay(citation_id=citation.id, source_id=source_id, position=position)
        for position, source_id in enumerate(chain, start=1)
    )
    session.flush()


def relay_chains(*, session: Session, citation_ids: list[int]) -> dict[int, list[int]]:
    """Each citation's chain of relays (source ids, from the cited source outward)."""
    chains: dict[int, list[int]] = {citation_id: [] for citation_id in citation_ids}
    for citation_id, source_id in session.exec(
        select(CitationRelay.citation_id, CitationRelay.source_id)
        .where(CitationRelay.citation_id.in_(citation_ids))
        .order_by(CitationRelay.citation_id, CitationRelay.position)
    ):
        chains[citation_id].append(source_id)
    return chains


class CitationPublic(SQLModel):
    """A citation as a reader sees it: who said it, through whom, in which words, and whether
    it supports the record or a later source corrects or retracts it."""

    record_id: int
    source: str
    source_title: str
    relayed_source: str | None  # the originator the source relays, if it relays one
    relayed_via: list[str]  # the sources in between, from the cited source outward
    quote: str
    credibility: int
    stance: Stance
    stated: str | None
    stated_words: str | None

    @property
    def originator(self) -> str:
        """Whoever first said it: the relayed originator, or the cited source itself."""
        return self.relayed_source or self.source

    @property
    def chain(self) -> list[str]:
        """The sources the claim passed through to the reader, from the cited source to the
        last before the originator: empty when the cited source is the originator."""
        return [self.source, *self.relayed_via] if self.relayed_source else []

    @property
    def provenance(self) -> str:
        """The chain in words: "South Korean intelligence, via Yonhap, via the article"."""
        return ", via ".join([self.originator, *reversed(self.chain)])


def citations_for(
    *, session: Session, table: str, ids: list[int]
) -> dict[int, list[CitationPublic]]:
    """The citations of the TABLE records with IDS, grouped by record, in two queries."""
    assert table in CITED_TABLES, f"{table} cannot be cited"
    from tracker.kinds.sources import Source

    target = getattr(Citation, f"{table}_id")
    relayed = sa.orm.aliased(Source)
    rows = session.exec(
        select(target, Citation, Source.outlet, Source.title, relayed.outlet)
        .join(Source, Source.id == Citation.source_id)
        .outerjoin(relayed, relayed.id == Citation.relayed_source_id)
        .where(target.in_(ids))
        .order_by(target, Citation.id)
    ).all()
    via = sa.orm.aliased(Source)
    chains: dict[int, list[str]] = {citation.id: [] for _, citation, *_ in rows}
    for citation_id, outlet in session.exec(
        select(CitationRelay.citation_id, via.outlet)
        .join(via, via.id == CitationRelay.source_id)
        .where(CitationRelay.citation_id.in_(list(chains)))
        .order_by(CitationRelay.citation_id, CitationRelay.position)
    ):
        chains[citation_id].append(outlet)
    grouped: dict[int, list[CitationPublic]] = {record_id: [] for record_id in ids}
    for record_id, citation, outlet, title, relayed_outlet in rows:
        stated = citation.fuzzy("stated")
        grouped[record_id].append(
            CitationPublic(
                record_id=record_id,
                source=outlet,
                source_title=title,
                relayed_source=relayed_outlet,
                relayed_via=chains[citation.id],
                quote=citation.quote,
                credibility=citation.credibility,
                stance=citation.stance,
                stated=None if stated is None else str(stated),
                stated_words=citation.stated_words,
            )
        )
    return grouped
