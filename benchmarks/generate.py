"""Synthetic alliance data at a chosen scale, written as the tracker's CSV export format so the
project's own import loads it.

The scale is a number of events: the dated records analysts count (engagements, deployment
estimates and pledges, 60/25/15). Everything around them scales with it, in the shapes real
data has: all the world's states, a few of them in most of the activity (a Zipf-like spread of
dyads, Russia and North Korea the busiest), activity growing towards the present since 1992,
treaties with two to a dozen parties, deployments reported again and again by many sources,
pledges with their status steps, and a citation with a quoted passage behind every record.
The same seed gives the same files.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import pycountry

from tracker.exchange.cells import cell
from tracker.kinds.deployments import PersonnelKind
from tracker.kinds.engagements import EngagementKind, EngagementStatus
from tracker.kinds.estimates import CountingBasis, Qualifier
from tracker.kinds.pledges import Conditionality, PledgeKind
from tracker.kinds.sources import Reliability, SourceType
from tracker.models import metadata

FIRST_DAY = date(1992, 1, 1)
LAST_DAY = date(2026, 10, 31)
PERSPECTIVES = (
    "Russian state",
    "North Korean state",
    "South Korean",
    "Ukrainian",
    "Western",
    "Chinese state",
    "Japanese",
    "Independent",
)
FOCUS = ("RUS", "PRK")  # the seed dyad: the busiest pair in the synthetic data too
ACTIVE_STATES = 90


@dataclass(frozen=True)
class Shape:
    """How many rows of each kind of record a scale of EVENTS holds."""

    events: int

    @property
    def engagements(self) -> int:
        return self.events * 60 // 100

    @property
    def estimates(self) -> int:
        return self.events * 25 // 100

    @property
    def pledges(self) -> int:
        return self.events - self.engagements - self.estimates

    @property
    def deployments(self) -> int:
        return max(10, self.events // 200)  # about fifty estimates each

    @property
    def treaties(self) -> int:
        return max(20, self.events // 200)

    @property
    def sources(self) -> int:
        return max(50, self.events // 20)

    @property
    def people(self) -> int:
        return max(20, self.events // 500)


class _Writer:
    """One CSV file per table in the export's format: every column in the table's order,
    header first, cells by the export's rules; bookkeeping columns as a first save sets them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files: dict[str, IO[str]] = {}
        self.writers: dict[str, Any] = {}
        self.counts: dict[str, int] = {}

    def row(self, table: str, **values: object) -> int:
        if table not in self.writers:
            handle = (self.folder / f"{table}.csv").open("w", encoding="utf-8", newline="")
            self.files[table] = handle
            self.writers[table] = csv.writer(handle, lineterminator="\r\n")
            self.writers[table].writerow(column.name for column in metadata.tables[table].columns)
            self.counts[table] = 0
        self.counts[table] += 1
        values = {"id": self.counts[table], **_BOOKKEEPING, **values}
        self.writers[table].writerow(
            cell(values.get(column.name)) for column in metadata.tables[table].columns
        )
        return self.counts[table]

    def close(self) -> dict[str, int]:
        for handle in self.files.values():
            handle.close()
        return self.counts


_BOOKKEEPING = {
    "created_at": datetime(2026, 11, 1, 12, 0),
    "updated_at": datetime(2026, 11, 1, 12, 0),
    "version": 1,
}


class _Dates:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.span = (LAST_DAY - FIRST_DAY).days

    def day(self, after: date = FIRST_DAY) -> date:
        """A day after AFTER, more often near the present (activity grows over the years)."""
        start = max(after, FIRST_DAY)
        span = max((LAST_DAY - start).days, 0)
        return start + timedelta(days=int(span * self.rng.random() ** 0.6))

    @staticmethod
    def exact(name: str, day: date) -> dict[str, object]:
        return {name: day, f"{name}_precision": "day", f"{name}_latest": day}

    def fuzzy(self, name: str, day: date) -> dict[str, object]:
        """NAME's three columns for a date known to the day, most often, or to its month,
        quarter or year."""
        precision = self.rng.choices(("day", "month", "quarter", "year"), (85, 10, 3, 2))[0]
        if precision == "day":
            first = last = day
        elif precision == "month":
            first = day.replace(day=1)
            last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        elif precision == "quarter":
            first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
            last = (first + timedelta(days=93)).replace(day=1) - timedelta(days=1)
        else:
            first, last = date(day.year, 1, 1), date(day.year, 12, 31)
        return {name: first, f"{name}_precision": precision, f"{name}_latest": last}


def _quote(rng: random.Random, subject: str) -> str:
    words = rng.randint(12, 40)
    filler = " ".join(rng.choice(_WORDS) for _ in range(words))
    return f"{subject}: {filler}."


_PASSAGE = (
    "officials said the delegation agreed to expand cooperation on defence, trade, energy and "
    "security, according to a readout published after talks that lasted several hours while "
    "analysts cautioned that figures could not be independently verified"
)
_WORDS = _PASSAGE.split()


def generate(events: int, folder: Path, *, seed: int = 1) -> dict[str, int]:
    """Write a synthetic dataset of EVENTS events to FOLDER; returns the rows per table."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    shape, dates, out = Shape(events), _Dates(rng), _Writer(folder)

    codes = sorted(country.alpha_3 for country in pycountry.countries)
    active = list(FOCUS) + rng.sample([c for c in codes if c not in FOCUS], ACTIVE_STATES)
    # Activity falls off with rank, as it does in event data: a few states in most of it.
    weights = [1 / (rank + 1) ** 1.1 for rank in range(len(active))]

    def pair() -> tuple[str, str]:
        if rng.random() < 0.15:
            return FOCUS if rng.random() < 0.5 else FOCUS[::-1]
        first, second = rng.choices(active, weights, k=2)
        while second == first:
            second = rng.choice(active)
        return first, second

    citations = 0

    def cite(table: str, record_id: int, subject: str) -> None:
        nonlocal citations
        for _ in range(2 if rng.random() < 0.1 else 1):
            source = rng.randint(1, shape.sources)
            relayed = rng.randint(1, shape.sources) if rng.random() < 0.05 else None
            citations += 1
            out.row(
                "citation",
                id=citations,
                source_id=source,
                quote=_quote(rng, subject),
                credibility=rng.choices(range(1, 7), (10, 35, 30, 10, 5, 10))[0],
                relayed_source_id=None if relayed == source else relayed,
                **{f"{name}_id": None for name in _CITED if name != table},
                **{f"{table}_id": record_id},
            )

    outlets = [f"Outlet {number}" for number in range(1, 201)]
    for number in range(1, shape.sources + 1):
        published = dates.day()
        out.row(
            "source",
            id=number,
            outlet=rng.choice(outlets),
            author=f"Author {rng.randint(1, 2000)}" if rng.random() < 0.6 else None,
            title=f"Report {number}",
            url=f"https://news.example.org/{number}",
            **dates.fuzzy("published", published),
            retrieved=published,
            type=rng.choice(list(SourceType)),
            perspective=rng.choice(PERSPECTIVES) if rng.random() < 0.9 else None,
            reliability=rng.choices(list(Reliability), (5, 30, 35, 15, 5, 10))[0],
            state_code=rng.choice(active) if rng.random() < 0.5 else None,
        )

    people_of: dict[str, list[int]] = {}
    for number in range(1, shape.people + 1):
        state = rng.choices(active, weights)[0]
        people_of.setdefault(state, []).append(number)
        out.row(
            "person",
            id=number,
            name=f"Person {number}",
            state_code=state,
            office=rng.choice(("President", "Foreign Minister", "Defence Minister", "Envoy")),
        )
        cite("person", number, f"Person {number}")

    for number in range(1, shape.treaties + 1):
        signed = dates.day(date(1950, 1, 1) if rng.random() < 0.3 else FIRST_DAY)
        signed = max(signed, date(1950, 1, 1))
        in_force = signed + timedelta(days=rng.randint(0, 400))
        ended = in_force + timedelta(days=rng.randint(365, 9000)) if rng.random() < 0.3 else None
        obligation = rng.choice(("defense", "consultation", "nonaggression", "neutrality"))
        out.row(
            "treaty",
            id=number,
            name=f"Treaty {number}",
            kind=rng.choice(("alliance", "friendship", "cooperation", "non-aggression pact")),
            **dates.exact("signed", signed),
            **dates.exact("in_force", in_force),
            **(dates.exact("ended", ended) if ended else {}),
            defense=obligation == "defense",
            offense=obligation == "defense" and rng.random() < 0.2,
            neutrality=obligation == "neutrality",
            nonaggression=obligation in ("nonaggression", "defense"),
            consultation=True,
        )
        parties = {*pair()}
        while rng.random() < 0.35 and len(parties) < 12:
            parties.add(rng.choice(active))
        for state in sorted(parties):
            out.row(
                "treaty_party",
                treaty_id=number,
                state_code=state,
            )
        cite("treaty", number, f"Treaty {number}")

    estimates_per = shape.estimates // shape.deployments
    estimate = 0
    for number in range(1, shape.deployments + 1):
        sending, receiving = pair()
        count = estimates_per + (shape.estimates % shape.deployments if number == 1 else 0)
        # Long enough to hold a day for each of its estimates.
        started = min(dates.day(), LAST_DAY - timedelta(days=count))
        ended = started + timedelta(days=rng.randint(count, 2000)) if rng.random() < 0.4 else None
        ended = ended if ended and ended <= LAST_DAY else None
        out.row(
            "deployment",
            id=number,
            name=f"Deployment {number}: {sending} to {receiving}",
            sending_state_code=sending,
            receiving_state_code=receiving,
            region=f"Region {rng.randint(1, 40)}",
            personnel_kind=rng.choice(list(PersonnelKind)),
            **dates.exact("started", started),
            **(dates.exact("ended", ended) if ended else {}),
        )
        cite("deployment", number, f"Deployment {number}")
        size = rng.choice((300, 1500, 5000, 12000, 40000))
        last = ended or LAST_DAY
        days = sorted(rng.sample(range((last - started).days + 1), count))
        for index in range(count):
            estimate += 1
            as_of = started + timedelta(days=days[index])
            figure = max(1, int(size * rng.uniform(0.5, 1.6)))
            qualifier = rng.choices(list(Qualifier), (5, 30, 10, 10, 5, 10, 20, 2, 3, 5))[0]
            low, high = _figures(qualifier, figure, rng)
            out.row(
                "estimate",
                id=estimate,
                deployment_id=number,
                # A deployment's estimates share no (source, basis, day): the natural key.
                source_id=(number * 7919 + index) % shape.sources + 1,
                low=low,
                high=high,
                qualifier=qualifier,
                counting_basis=rng.choice(list(CountingBasis)),
                **dates.exact("as_of", as_of),
                rank=rng.choices(("preferred", "normal", "deprecated"), (10, 85, 5))[0],
            )
            cite("estimate", estimate, f"Deployment {number}")

    participant = 0
    for number in range(1, shape.engagements + 1):
        first, second = pair()
        kind = rng.choices(list(EngagementKind), (40, 35, 15, 10))[0]
        occurred = dates.day()
        status = (
            rng.choices(list(EngagementStatus), (3, 95, 2))[0] if occurred < LAST_DAY else "planned"
        )
        out.row(
            "engagement",
            id=number,
            title=f"{kind.value.replace('_', ' ').capitalize()} {first}–{second} {number}",
            kind=kind,
            cameo_code=rng.choice(_CAMEO[kind]),
            **dates.fuzzy("occurred", occurred),
            place_state_code=second if kind == "visit" else None,
            status=status,
        )
        roles = _ROLES[kind]
        states = [first, second] + ([rng.choice(active)] if rng.random() < 0.15 else [])
        for index, state in enumerate(dict.fromkeys(states)):
            person = (
                rng.choice(people_of[state]) if state in people_of and rng.random() < 0.3 else None
            )
            participant += 1
            out.row(
                "engagement_participant",
                id=participant,
                engagement_id=number,
                state_code=state,
                person_id=person,
                role=roles[min(index, len(roles) - 1)],
            )
        cite("engagement", number, f"Engagement {number}")

    status_step = 0
    for number in range(1, shape.pledges + 1):
        pledger, recipient = pair()
        made = dates.day()
        out.row(
            "pledge",
            id=number,
            title=f"Pledge {number} by {pledger}",
            pledger_state_code=pledger,
            recipient_state_code=recipient,
            **dates.exact("made", made),
            kind=rng.choice(list(PledgeKind)),
            conditionality=rng.choice(list(Conditionality)),
            treaty_id=rng.randint(1, shape.treaties) if rng.random() < 0.1 else None,
        )
        cite("pledge", number, f"Pledge {number}")
        changed = made
        for status in _steps(rng):
            status_step += 1
            out.row(
                "pledge_status",
                id=status_step,
                pledge_id=number,
                status=status,
                **dates.exact("changed", changed),
            )
            cite("pledge_status", status_step, f"Pledge {number}")
            changed = min(changed + timedelta(days=rng.randint(1, 400)), LAST_DAY + timedelta(1))
    return out.close()


_CITED = ("person", "treaty", "engagement", "deployment", "estimate", "pledge", "pledge_status")
_CAMEO = {
    "phone_call": ("041",),
    "visit": ("042", "043"),
    "summit": ("043", "057"),
    "third_place_meeting": ("044",),
}
_ROLES = {
    "phone_call": ("initiator", "recipient", "participant"),
    "visit": ("guest", "host", "participant"),
    "summit": ("participant",),
    "third_place_meeting": ("participant",),
}


def _figures(
    qualifier: Qualifier, figure: int, rng: random.Random
) -> tuple[int | None, int | None]:
    """LOW and HIGH in the shape the QUALIFIER gives an estimate."""
    match qualifier:
        case Qualifier.EXACTLY | Qualifier.ROUGHLY:
            return figure, figure
        case Qualifier.UNDER | Qualifier.UP_TO:
            return None, figure
        case Qualifier.BETWEEN:
            return figure, figure + rng.randint(0, figure)
        case _:
            return figure, None


def _steps(rng: random.Random) -> Iterator[str]:
    yield "announced"
    if rng.random() < 0.5:
        yield "in_progress"
        if rng.random() < 0.5:
            yield rng.choice(("fulfilled", "withdrawn"))
