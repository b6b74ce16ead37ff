"""Synthetic alliance data at a chosen scale, written as the tracker's CSV export format so the
project's own import loads it.

The scale is a number of events: the dated records analysts count (engagements, deployment
estimates and pledges, 60/25/15). Everything around them scales with it, in the shapes real
data has: all the world's states, a few of them in most of the activity (a Zipf-like spread of
dyads, Russia and North Korea the busiest), activity growing towards the present since 1992,
treaties with two to a dozen parties (a few old ones kept only as historical context),
deployments reported again and again by many sources (mostly how many are there or have been
sent, some how many more are planned, a few casualty counts, each about the receiving state or a
region of it), pledges to none, one or two recipients with their status steps (a few with a
figure), and a citation with a quoted passage behind every record: a few relaying an originator,
some through a chain of relays, and a few events corrected or retracted by a later source.
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
from countrycode import countrycode

from tracker.citations import Stance
from tracker.exchange.cells import cell
from tracker.figures import Qualifier
from tracker.kinds.deployments import PersonnelKind
from tracker.kinds.engagements import EngagementKind, EngagementStatus
from tracker.kinds.estimates import CASUALTIES, Measure
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
        """NAME's columns for a date known to the day, most often, or to its month, quarter or
        year, with the source's own words for a date it gives only roughly."""
        precision = self.rng.choices(("day", "month", "quarter", "year"), (85, 10, 3, 2))[0]
        words = None
        if precision == "day":
            first = last = day
        elif precision == "month":
            first = day.replace(day=1)
            last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            words = f"in {first:%B %Y}"
        elif precision == "quarter":
            first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
            last = (first + timedelta(days=93)).replace(day=1) - timedelta(days=1)
            words = f"in the {_QUARTERS[(day.month - 1) // 3]} quarter of {day.year}"
        else:
            first, last = date(day.year, 1, 1), date(day.year, 12, 31)
            words = f"in {day.year}"
        return {
            name: first,
            f"{name}_precision": precision,
            f"{name}_latest": last,
            f"{name}_words": words,
        }


_QUARTERS = ("first", "second", "third", "fourth")


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


def current(folder: Path) -> bool:
    """Whether FOLDER holds a whole dataset written for the schema as it is now: every file's
    header the table's columns (data made before a migration is made again)."""
    if not (folder / "citation.csv").exists():
        return False
    for path in folder.glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle), [])
        table = metadata.tables.get(path.stem)
        if table is None or header != [column.name for column in table.columns]:
            return False
    return True


def generate(events: int, folder: Path, *, seed: int = 1) -> dict[str, int]:
    """Write a synthetic dataset of EVENTS events to FOLDER; returns the rows per table."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    shape, dates, out = Shape(events), _Dates(rng), _Writer(folder)

    countries = sorted(pycountry.countries, key=lambda country: country.alpha_3)
    codes = [country.alpha_3 for country in countries]
    # The states' names as the tracker stores them (tracker.reference): an estimate's scope.
    short = countrycode(codes, origin="iso3c", destination="country.name.en")
    names = {
        country.alpha_3: name or country.name
        for country, name in zip(countries, short, strict=True)
    }
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
    relay = 0

    def cite(table: str, record_id: int, subject: str, day: date | None = None) -> None:
        """A citation or two behind the record; an event (dated DAY) is now and then corrected
        or retracted by a later source."""
        nonlocal citations, relay
        stances = [Stance.SUPPORTS] * (2 if rng.random() < 0.1 else 1)
        if day is not None and table in _AGAINST and rng.random() < 0.02:
            stances.append(rng.choices((Stance.CORRECTS, Stance.RETRACTS), (4, 1))[0])
        for stance in stances:
            source = rng.randint(1, shape.sources)
            relayed = rng.randint(1, shape.sources) if rng.random() < 0.05 else None
            relayed = None if relayed == source else relayed
            # Some relayed claims reach the source through others first (Yonhap, a lawmaker).
            chain = (
                rng.sample(range(1, shape.sources + 1), rng.randint(1, 2))
                if relayed and rng.random() < 0.4
                else []
            )
            chain = [link for link in chain if link not in (source, relayed)]
            citations += 1
            out.row(
                "citation",
                id=citations,
                source_id=source,
                quote=_quote(rng, subject),
                credibility=rng.choices(range(1, 7), (10, 35, 30, 10, 5, 10))[0],
                relayed_source_id=relayed,
                stance=stance,
                **(
                    dates.fuzzy("stated", dates.day(min(day, LAST_DAY)))
                    if day is not None and stance.against
                    else {}
                ),
                **{f"{name}_id": None for name in _CITED if name != table},
                **{f"{table}_id": record_id},
            )
            for position, link in enumerate(chain, start=1):
                relay += 1
                out.row(
                    "citation_relay",
                    id=relay,
                    citation_id=citations,
                    position=position,
                    source_id=link,
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
        # A few treaties are recalled only as history, an analogy an article draws.
        recalled = rng.random() < 0.03
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
            historical_context=recalled,
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
        region = f"Region {rng.randint(1, 40)}"
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
            region=region,
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
            measure = rng.choices(list(_MEASURES), list(_MEASURES.values()))[0]
            figure = max(1, int(size * rng.uniform(*_SHARE[measure])))
            qualifier = rng.choices(list(Qualifier), (5, 30, 10, 10, 5, 10, 20, 2, 3, 5))[0]
            low, high = _figures(qualifier, figure, rng)
            out.row(
                "estimate",
                id=estimate,
                deployment_id=number,
                # A deployment's estimates share no (source, day), so none share the natural
                # key (deployment, source, measure, scope, day).
                source_id=(number * 7919 + index) % shape.sources + 1,
                low=low,
                high=high,
                qualifier=qualifier,
                measure=measure,
                # Most figures are about the state the troops went to; some about a region.
                scope=names[receiving] if rng.random() < 0.75 else region,
                **dates.exact("as_of", as_of),
                rank=rng.choices(("preferred", "normal", "deprecated"), (10, 85, 5))[0],
            )
            cite("estimate", estimate, f"Deployment {number}", as_of)

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
        cite("engagement", number, f"Engagement {number}", occurred)

    status_step = 0
    recipient = 0
    for number in range(1, shape.pledges + 1):
        pledger, to = pair()
        made = dates.day()
        # Some pledges give a figure: "a brigade of about 5,000", "up to a million shells".
        qualifier, figure_of = None, None
        low = high = None
        if rng.random() < 0.2:
            qualifier = rng.choices(list(Qualifier), (5, 30, 10, 10, 5, 10, 20, 2, 3, 5))[0]
            figure_of, scale = rng.choice(_PLEDGED)
            low, high = _figures(qualifier, max(1, int(scale * rng.uniform(0.1, 2))), rng)
        out.row(
            "pledge",
            id=number,
            title=f"Pledge {number} by {pledger}",
            pledger_state_code=pledger,
            **dates.exact("made", made),
            kind=rng.choice(list(PledgeKind)),
            conditionality=rng.choice(list(Conditionality)),
            treaty_id=rng.randint(1, shape.treaties) if rng.random() < 0.1 else None,
            qualifier=qualifier,
            low=low,
            high=high,
            figure_of=figure_of,
            historical_context=rng.random() < 0.01,
        )
        # Most pledges are made to one state, some to two at once, a few to no state named.
        count = rng.choices((0, 1, 2), (5, 80, 15))[0]
        recipients = [to][:count]
        while len(recipients) < count:
            other = rng.choices(active, weights)[0]
            if other not in (pledger, *recipients):
                recipients.append(other)
        for state in recipients:
            person = (
                rng.choice(people_of[state]) if state in people_of and rng.random() < 0.2 else None
            )
            recipient += 1
            out.row(
                "pledge_recipient",
                id=recipient,
                pledge_id=number,
                state_code=state,
                person_id=person,
            )
        cite("pledge", number, f"Pledge {number}", made)
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
_AGAINST = ("engagement", "estimate", "pledge")  # the events a later source may correct or retract
# How often sources give each measure: mostly how many are there or have been sent.
_MEASURES = {
    Measure.PERSONNEL_PRESENT: 45,
    Measure.CUMULATIVE_SENT: 25,
    Measure.ADDITIONAL_PLANNED: 10,
    Measure.REINFORCEMENT_OR_ROTATION: 5,
    Measure.KILLED: 5,
    Measure.WOUNDED: 3,
    Measure.KILLED_OR_WOUNDED: 5,
    Measure.CAPTURED: 2,
}
# Each measure's figure as a share of the deployment's size: losses are a small part of it.
_SHARE = {
    Measure.PERSONNEL_PRESENT: (0.5, 1.6),
    Measure.CUMULATIVE_SENT: (0.8, 2.5),
    Measure.ADDITIONAL_PLANNED: (0.1, 0.8),
    Measure.REINFORCEMENT_OR_ROTATION: (0.1, 0.6),
    **{measure: (0.005, 0.2) for measure in CASUALTIES},
}
# What a pledge's figure counts, and its usual size (at most four times it fits an INTEGER).
_PLEDGED = (
    ("troops", 10_000),
    ("artillery shells", 1_000_000),
    ("US dollars", 100_000_000),
    ("tonnes of food aid", 50_000),
)
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
