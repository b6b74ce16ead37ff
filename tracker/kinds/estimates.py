"""One source's figure for a deployment at a point in time.

Estimates are ranges, not points, as in Wikidata (tracker.figures). Each says what it measures
(personnel present, cumulative sent, killed or wounded ...) and its scope, the place the figure is
about ("Russia", "Kursk region"): only figures of the same measure and scope, dated close
together, can disagree. Sources that disagree are all kept, side by side; an analyst may rank
one preferred and one deprecated (Wikidata's ranks) without deleting anything, and a later
source may correct or retract one (tracker.citations), which is shown, never deleted.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from pydantic import field_validator, model_validator
from sqlmodel import Field, SQLModel

from tracker.citations import CitationCreate, CitationPublic, Stance
from tracker.dates import DatePrecision
from tracker.figures import (
    Qualifier,
    describe_figure,
    figure_checks,
    figure_in_words,
    fitted,
    misfit,
)
from tracker.kinds.kind import Input, Kind, ThroughParent
from tracker.kinds.sources import Source
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


class Measure(StrEnum):
    """What a figure counts. Only figures of the same measure (and scope) can disagree."""

    PERSONNEL_PRESENT = "personnel_present"  # how many are there at the as-of date
    CUMULATIVE_SENT = "cumulative_sent"  # how many have been sent since the deployment began
    ADDITIONAL_PLANNED = "additional_planned"  # how many more are expected
    REINFORCEMENT_OR_ROTATION = "reinforcement_or_rotation"  # a further contingent sent
    KILLED = "killed"
    WOUNDED = "wounded"
    KILLED_OR_WOUNDED = "killed_or_wounded"
    CAPTURED = "captured"

    @property
    def casualties(self) -> bool:
        """Whether the figure counts losses rather than people sent: its own series."""
        return self in CASUALTIES

    @property
    def words(self) -> str:
        return self.value.replace("_", " ")


CASUALTIES = (Measure.KILLED, Measure.WOUNDED, Measure.KILLED_OR_WOUNDED, Measure.CAPTURED)


class Rank(StrEnum):
    PREFERRED = "preferred"
    NORMAL = "normal"
    DEPRECATED = "deprecated"


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
    measure: Measure = Field(sa_type=vocabulary(Measure, "measure"))
    scope: str = Field(
        min_length=1,
        max_length=200,
        description="the place the figure is about, as the source says: Russia, Kursk region",
    )
    as_of: date = Field(index=True)
    as_of_precision: DatePrecision = Field(sa_type=vocabulary(DatePrecision, "as_of_precision"))
    as_of_latest: date
    as_of_words: str | None = date_words()
    rank: Rank = Field(default=Rank.NORMAL, sa_type=vocabulary(Rank, "rank"))
    note: str | None = Field(default=None, max_length=4000)

    @field_validator("scope")
    @classmethod
    def _one_spelling(cls, scope: str) -> str:
        """Spaces tidied, so one place is always written the same way and compares equal."""
        return " ".join(scope.split())

    @check
    def _figures_fit_qualifier(self) -> Iterator[Problem]:
        if (problem := misfit(self.qualifier, self.low, self.high)) is not None:
            yield problem

    @model_validator(mode="after")
    def _vague_figure_floored(self) -> EstimateBase:
        """A vague word's figure ("thousands") as its conventional floor, where none is given."""
        self.low, self.high = fitted(self.qualifier, self.low, self.high)
        return self


class Estimate(EstimateBase, Editable, Table, table=True):
    __table_args__ = (
        sa.UniqueConstraint("deployment_id", "source_id", "measure", "scope", "as_of"),
        # A date range is matched on the latest day a record may date from (tracker.filters);
        # the index also carries what the spreads of estimates filter and group by
        # (tracker.activity), so they read the estimates in view from it alone.
        sa.Index(
            "ix_estimate_as_of_latest",
            "as_of_latest",
            "as_of",
            "rank",
            "retired_at",
            "deployment_id",
            "measure",
            "scope",
        ),
        *figure_checks(),
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
    measure: Measure
    scope: str
    as_of: str
    as_of_words: str | None
    rank: Rank
    note: str | None
    citations: list[CitationPublic]

    @property
    def figure(self) -> str:
        """The estimate in words: "over 11,000", "roughly 15,000", "25,000 to 30,000"."""
        return describe_figure(self.qualifier, self.low, self.high)

    @property
    def corrections(self) -> list[CitationPublic]:
        """The later sources that correct or retract it, in the order recorded."""
        return [citation for citation in self.citations if Stance(citation.stance).against]

    @property
    def standing(self) -> str:
        """Whether the figure stands: "current", or how a later source took it back."""
        if not self.corrections:
            return "current"
        last = self.corrections[-1]
        return f"{Stance(last.stance).done} by {last.source}, {last.stated}"

    def as_json(self) -> dict[str, Any]:
        """The estimate for other tools: its figure, what it measures and where, whose it is,
        and the chain of relays through which it reached the reader (from its first
        supporting citation): `relayed_via` from the cited source outward, then `originator`,
        whoever first said it."""
        supporting = [c for c in self.citations if not Stance(c.stance).against]
        first = supporting[0] if supporting else None
        return {
            "id": self.id,
            "deployment": self.deployment,
            "measure": self.measure,
            "scope": self.scope,
            "qualifier": self.qualifier,
            "low": self.low,
            "high": self.high,
            "as_of": self.as_of,
            "as_of_words": self.as_of_words,
            "rank": self.rank,
            "source": self.source,
            "relayed_via": first.chain if first else [],
            "originator": first.originator if first else self.source,
            "standing": self.standing,
            "corrections": [
                {
                    "stance": correction.stance,
                    "source": correction.source,
                    "stated": correction.stated,
                    "quote": correction.quote,
                }
                for correction in self.corrections
            ],
        }


def _names() -> sa.Select:
    from tracker.kinds.deployments import Deployment  # which lists its estimates as its rows

    label = (
        Deployment.name
        + ": "
        + figure_in_words(Estimate.qualifier, Estimate.low, Estimate.high)
        + " "
        + sa.func.replace(Estimate.measure, "_", " ")
        + " in "
        + Estimate.scope
        + ", per "
        + Source.outlet
        + ", as of "
        + sa.cast(Estimate.as_of, sa.String)
    )
    return (
        sa.select(Estimate.id, label)
        .join(Deployment, Deployment.id == Estimate.deployment_id)
        .join(Source, Source.id == Estimate.source_id)
    )


ESTIMATE = Kind(
    "estimate",
    Estimate,
    EstimateCreate,
    ("deployment_id", "source_id", "measure", "scope", "as_of"),
    key_added=("scope",),  # by migration 0006, from the deployment's region or state
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
        Input.choice("measure", "What it counts", Measure),
        Input("scope", "Where", help="The place the figure is about: Russia, Kursk region."),
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
