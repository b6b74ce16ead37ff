"""Where claims come from: articles, readouts, state media, intelligence assessments.

Each source carries the NATO Admiralty code's reliability grade, A (completely reliable) to E
(unreliable) and F (cannot be judged); the credibility of each piece of information is graded
separately, on the citation.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from pydantic import HttpUrl, field_validator
from sqlmodel import Field, Session, select

from tracker.dates import DatePrecision
from tracker.kinds.kind import Input, Kind
from tracker.schema import (
    Editable,
    Problem,
    Record,
    Table,
    check,
    date_checks,
    date_words,
    vocabulary,
)


class SourceType(StrEnum):
    STATE_MEDIA = "state_media"
    GOVERNMENT_READOUT = "government_readout"
    INTELLIGENCE_ASSESSMENT = "intelligence_assessment"
    NEWS_REPORT = "news_report"
    ANALYSIS = "analysis"
    DATASET = "dataset"  # a published data set, such as the Correlates of War's alliances


class Reliability(StrEnum):
    """Admiralty code source reliability."""

    A = "A"  # completely reliable
    B = "B"  # usually reliable
    C = "C"  # fairly reliable
    D = "D"  # not usually reliable
    E = "E"  # unreliable
    F = "F"  # reliability cannot be judged

    @property
    def meaning(self) -> str:
        return {
            "A": "completely reliable",
            "B": "usually reliable",
            "C": "fairly reliable",
            "D": "not usually reliable",
            "E": "unreliable",
            "F": "cannot be judged",
        }[self.value]


class SourceBase(Record):
    fuzzy_dates = ("published",)

    outlet: str = Field(min_length=1, max_length=200, index=True)
    author: str | None = Field(default=None, max_length=200)
    title: str = Field(min_length=1, max_length=500)
    url: str | None = Field(default=None, max_length=2000, unique=True)
    published: date | None = None
    published_precision: DatePrecision | None = Field(
        default=None, sa_type=vocabulary(DatePrecision, "published_precision")
    )
    published_latest: date | None = None
    published_words: str | None = date_words()
    retrieved: date | None = None
    type: SourceType = Field(sa_type=vocabulary(SourceType, "type"))
    perspective: str | None = Field(
        default=None,
        max_length=100,
        index=True,
        description="the outlet's alignment, e.g. Mainstream Western",
    )
    perspective_source_id: int | None = Field(
        default=None,
        foreign_key="source.id",
        ondelete="RESTRICT",
        description="whose classification the perspective is (a digest that sorts outlets "
        "by alignment); none: the analyst's own",
    )
    reliability: Reliability = Field(
        default=Reliability.F,
        sa_type=vocabulary(Reliability, "reliability"),
        description="Admiralty source reliability: A completely reliable to E unreliable, "
        "F cannot be judged",
    )
    state_code: str | None = Field(
        default=None,
        foreign_key="state.code",
        ondelete="RESTRICT",
        index=True,
        description="the state a state-media or government source speaks for",
    )

    @check
    def _perspective_attributed(self) -> Iterator[Problem]:
        if self.perspective_source_id is not None and self.perspective is None:
            yield "perspective", "say which perspective the classification gives", None

    @field_validator("url")
    @classmethod
    def _real_url(cls, url: str | None) -> str | None:
        return None if url is None else str(HttpUrl(url))


class Source(SourceBase, Editable, Table, table=True):
    __table_args__ = (
        sa.UniqueConstraint("outlet", "title"),
        sa.CheckConstraint(
            "perspective_source_id IS NULL OR perspective IS NOT NULL",
            name="perspective_attributed",
        ),
        *date_checks(SourceBase),
    )


class SourceCreate(SourceBase):
    pass


def perspectives(*, session: Session) -> list[str]:
    """The perspectives sources have been assessed with, in order."""
    return list(
        session.exec(
            select(Source.perspective)
            .where(Source.perspective.is_not(None), Source.retired_at.is_(None))
            .distinct()
            .order_by(Source.perspective)
        )
    )


SOURCE = Kind(
    "source",
    Source,
    SourceCreate,
    ("outlet", "title"),
    rules=SourceBase,
    plural="Sources",
    names=lambda: sa.select(Source.id, Source.outlet + ": " + Source.title),
    section="sources",
    form=(
        Input("outlet", "Outlet or author"),
        Input("title", "Title"),
        Input("author", "Author"),
        Input("url", "Address (URL)"),
        Input.date("published", "Published"),
        Input("retrieved", "Retrieved", "day"),
        Input.choice("type", "Type", SourceType),
        Input(
            "perspective", "Perspective", help="The outlet's alignment, e.g. Mainstream Western."
        ),
        Input(
            "perspective_source_id",
            "Perspective: whose classification",
            "source",
            help="The source that sorts the outlet so; empty when it is your own assessment.",
        ),
        Input.choice(
            "reliability",
            "Reliability (Admiralty)",
            Reliability,
            help="A completely reliable … E unreliable; F cannot be judged.",
        ),
        Input("state_code", "Speaks for (state media, readouts)", "state"),
    ),
)
