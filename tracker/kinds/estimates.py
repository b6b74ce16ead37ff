"""One source's figure for a deployment at a point in time.

Estimates are ranges, not points, as in Wikidata: "between 25,000 and 30,000" is low 25000 and
high 30000; "over 11,000" is low 11000 with no high; "roughly 15,000" is 15000 with its
qualifier kept. Vague words take ACLED's conventional floors ("thousands" is at least 1000).
Sources that disagree are all kept, side by side; an analyst may rank one preferred and one
deprecated (Wikidata's ranks) without deleting anything.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from pydantic import model_validator
from sqlmodel import Field, SQLModel

from tracker.citations import CitationCreate, CitationPublic
from tracker.dates import DatePrecision
from tracker.kinds.kind import Input, Kind, ThroughParent
from tracker.kinds.sources import Source
from tracker.schema import Editable, Record, Table, date_checks, field_error, vocabulary


class Qualifier(StrEnum):
    EXACTLY = "exactly"
    ROUGHLY = "roughly"
    OVER = "over"
    AT_LEAST = "at_least"
    UNDER = "under"
    UP_TO = "up_to"
    BETWEEN = "between"
    DOZENS = "dozens"
    HUNDREDS = "hundreds"
    THOUSANDS = "thousands"

    @property
    def floor(self) -> int | None:
        """ACLED's conventional lower bound for a vague word."""
        return {"dozens": 12, "hundreds": 100, "thousands": 1000}.get(self.value)


# What each qualifier requires of the figures; the same rules back the database's CHECKs.
_POINT = (Qualifier.EXACTLY, Qualifier.ROUGHLY)
_LOW_ONLY = (
    Qualifier.OVER,
    Qualifier.AT_LEAST,
    Qualifier.DOZENS,
    Qualifier.HUNDREDS,
    Qualifier.THOUSANDS,
)
_HIGH_ONLY = (Qualifier.UNDER, Qualifier.UP_TO)


class CountingBasis(StrEnum):
    TOTAL_PRESENT = "total_present"  # how many are there at the as-of date
    CUMULATIVE = "cumulative"  # how many have been sent since the deployment began
    ADDITIONAL_PLANNED = "additional_planned"  # how many more are expected


class Rank(StrEnum):
    PREFERRED = "preferred"
    NORMAL = "normal"
    DEPRECATED = "deprecated"


def _codes(qualifiers: tuple[Qualifier, ...]) -> str:
    return ", ".join(f"'{qualifier}'" for qualifier in qualifiers)


class EstimateBase(Record):
    fuzzy_dates = ("as_of",)

    source_id: int = Field(
        foreign_key="source.id",
        ondelete="RESTRICT",
        index=True,
        description="whose figure this is; the citations say where it was read",
    )
    low: int | None = Field(
        default=None, ge=0, description="the lowest figure the source gives, in people"
    )
    high: int | None = Field(
        default=None, ge=0, description="the highest figure the source gives, in people"
    )
    qualifier: Qualifier = Field(sa_type=vocabulary(Qualifier, "qualifier"))
    counting_basis: CountingBasis = Field(sa_type=vocabulary(CountingBasis, "counting_basis"))
    as_of: date = Field(index=True)
    as_of_precision: DatePrecision = Field(sa_type=vocabulary(DatePrecision, "as_of_precision"))
    as_of_latest: date
    rank: Rank = Field(default=Rank.NORMAL, sa_type=vocabulary(Rank, "rank"))
    note: str | None = Field(default=None, max_length=4000)

    @model_validator(mode="after")
    def _figures_fit_qualifier(self) -> EstimateBase:
        qualifier = Qualifier(self.qualifier)
        if qualifier.floor is not None and self.low is None:
            self.low = qualifier.floor
        if self.low is not None and self.high is not None and self.low > self.high:
            raise field_error("low", f"low ({self.low:,}) is above high ({self.high:,})", self.low)
        if qualifier is Qualifier.BETWEEN and (self.low is None or self.high is None):
            raise field_error("high", "'between' needs both a low and a high figure", self.high)
        if qualifier in _POINT and (self.low is None or self.high != self.low):
            raise field_error(
                "high",
                f"{qualifier.value!r} is one figure: give it as both low and high",
                self.high,
            )
        if qualifier in _LOW_ONLY and (self.low is None or self.high is not None):
            raise field_error(
                "low", f"{qualifier.value!r} gives a low figure and no high", self.low
            )
        if qualifier in _HIGH_ONLY and (self.high is None or self.low is not None):
            raise field_error(
                "high", f"{qualifier.value!r} gives a high figure and no low", self.high
            )
        return self


class Estimate(EstimateBase, Editable, Table, table=True):
    __table_args__ = (
        sa.UniqueConstraint("deployment_id", "source_id", "counting_basis", "as_of"),
        sa.CheckConstraint("low >= 0 AND high >= 0", name="counts_not_negative"),
        sa.CheckConstraint("low <= high", name="low_not_above_high"),
        sa.CheckConstraint(
            f"qualifier NOT IN ({_codes(_POINT)}) OR (low IS NOT NULL AND high = low)",
            name="point_has_one_figure",
        ),
        sa.CheckConstraint(
            f"qualifier NOT IN ({_codes(_LOW_ONLY)}) OR (low IS NOT NULL AND high IS NULL)",
            name="lower_bound_only",
        ),
        sa.CheckConstraint(
            f"qualifier NOT IN ({_codes(_HIGH_ONLY)}) OR (high IS NOT NULL AND low IS NULL)",
            name="upper_bound_only",
        ),
        sa.CheckConstraint(
            "qualifier <> 'between' OR (low IS NOT NULL AND high IS NOT NULL)",
            name="between_has_both",
        ),
        *date_checks(EstimateBase),
    )

    deployment_id: int = Field(foreign_key="deployment.id", ondelete="CASCADE", index=True)


class EstimateCreate(EstimateBase):
    deployment_id: int | None = Field(
        default=None,
        description="the deployment estimated (given by the deployment when nested in one)",
    )
    citations: list[CitationCreate] = Field(min_length=1)


class EstimatePublic(SQLModel):
    """One source's estimate, with its deployment and source named and its quoted evidence."""

    id: int
    deployment: str
    sending_state_code: str
    receiving_state_code: str
    source: str
    source_title: str
    source_type: str
    perspective: str | None
    reliability: str
    low: int | None
    high: int | None
    qualifier: Qualifier
    counting_basis: CountingBasis
    as_of: str
    rank: Rank
    note: str | None
    citations: list[CitationPublic]

    @property
    def figure(self) -> str:
        """The estimate in words: "over 11,000", "roughly 15,000", "25,000 to 30,000"."""
        return describe_figure(Qualifier(self.qualifier), self.low, self.high)


def describe_figure(qualifier: Qualifier, low: int | None, high: int | None) -> str:
    """A figure in words, keeping the source's qualifier."""
    match qualifier:
        case Qualifier.BETWEEN:
            return f"{low:,} to {high:,}"
        case Qualifier.EXACTLY:
            return f"{low:,}"
        case _ if qualifier.floor is not None:
            return f"{qualifier.value} (at least {low:,})"
        case _ if qualifier in _HIGH_ONLY:
            return f"{qualifier.value.replace('_', ' ')} {high:,}"
        case _:
            return f"{qualifier.value.replace('_', ' ')} {low:,}"


def _names() -> sa.Select:
    from tracker.kinds.deployments import Deployment  # which lists its estimates as its rows

    label = Deployment.name + ": " + Source.outlet + ", as of " + sa.cast(Estimate.as_of, sa.String)
    return (
        sa.select(Estimate.id, label)
        .join(Deployment, Deployment.id == Estimate.deployment_id)
        .join(Source, Source.id == Estimate.source_id)
    )


ESTIMATE = Kind(
    "estimate",
    Estimate,
    EstimateCreate,
    ("deployment_id", "source_id", "counting_basis", "as_of"),
    rules=EstimateBase,
    parent=("deployment_id", "id"),
    plural="Estimates",
    names=_names,
    starts="as_of",
    states=ThroughParent("deployment", "deployment_id"),
    # A report about a deployment, not an act between states: nothing in the activity index.
    sources=("source_id",),  # whose figure it is
    colour="#b279a2",
    form=(
        Input("deployment_id", "Deployment", "deployment"),
        Input("source_id", "Whose figure", "source"),
        Input.choice(
            "qualifier", "Qualifier", Qualifier, help="The source's words: over, roughly, between …"
        ),
        Input("low", "Low", "number"),
        Input("high", "High", "number"),
        Input.choice("counting_basis", "Counting", CountingBasis),
        Input.date("as_of", "As of"),
        Input.choice(
            "rank",
            "Rank",
            Rank,
            help="Rank an estimate preferred or deprecated rather than deleting it.",
        ),
        Input("note", "Note", "area"),
    ),
)
