"""Records over time, as the timeline views show them: treaties, engagements, pledges and the
estimates of each deployment. Each function applies the shared filters in SQL and returns a
small frame, one row per item shown (capped, newest first, so no view ships a whole table)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session

from tracker.citations import Citation, Stance
from tracker.dates import FuzzyDate
from tracker.figures import describe_figure
from tracker.filters import Filters
from tracker.frames import read_frame
from tracker.kinds import DATED, RecordKind
from tracker.kinds.deployments import Deployment, list_estimates
from tracker.kinds.engagements import Engagement, EngagementParticipant
from tracker.kinds.estimates import Estimate, Measure
from tracker.kinds.people import Person
from tracker.kinds.pledges import Pledge, PledgeRecipient, PledgeStatus
from tracker.kinds.sources import Source
from tracker.kinds.states import State
from tracker.kinds.treaties import OBLIGATIONS, Treaty, TreatyParty, status_on

LIMIT = 500


def _with_timestamps(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """FRAME with the date COLUMNS as timestamps, the type charts plot on a time axis."""
    return frame.assign(**{column: pd.to_datetime(frame[column]) for column in columns})


def _fuzzy_columns(table: Any, name: str) -> tuple[Any, ...]:
    """The columns TABLE keeps the fuzzy date NAME in: its earliest day, precision, latest day."""
    return tuple(getattr(table, column) for column in (name, f"{name}_precision", f"{name}_latest"))


def _text(earliest: date | None, precision: str | None, latest: date | None) -> str | None:
    fuzzy = FuzzyDate.from_columns(earliest, precision, latest)
    return None if fuzzy is None else str(fuzzy)


# What the bar of a treaty on the timeline rests on.
EVIDENCE = {
    "ended": "ended",
    "in force": "in force (entry into force recorded, no end)",
    "known": "in force to its last evidence, then not recorded",
    "not known": "signed; entry into force not recorded",
}
SHOWN_PARTIES = 5  # names listed in a cell before "and N more"


def treaty_timeline(
    *, session: Session, filters: Filters, today: date | None = None, limit: int = LIMIT
) -> pd.DataFrame:
    """Treaties known to be in force at some point in the range (or signed in it, where nothing
    says they came into force), newest first, each with its members, obligations, status on the
    range's last day, and the bar to draw: from signature (or entry into force) to its end, to
    the last day a source says it was in force, or to today where it entered into force and no
    end is recorded. A treaty whose entry into force is not recorded gets no bar."""
    today = today or date.today()
    as_of = min(filters.end or today, today)
    parties = (
        sa.select(
            TreatyParty.treaty_id,
            sa.func.count(sa.distinct(TreatyParty.state_code)).label("members"),
            sa.func.aggregate_strings(State.name, ", ").label("parties"),
        )
        .join(State, State.code == TreatyParty.state_code)
        .group_by(TreatyParty.treaty_id)
        .subquery()
    )
    rows = session.exec(
        sa.select(Treaty, parties.c.members, parties.c.parties)
        .outerjoin(parties, parties.c.treaty_id == Treaty.id)
        .where(*filters.conditions(RecordKind.TREATY, spans=True), *_known_in(filters))
        .order_by(
            sa.func.coalesce(Treaty.signed, Treaty.in_force).desc().nulls_last(), Treaty.id.desc()
        )
        .limit(limit)
    ).all()
    records = []
    for treaty, members, party_names in rows:
        signed = treaty.fuzzy("signed")
        begins = signed or treaty.fuzzy("in_force")
        ended = treaty.fuzzy("ended")
        if ended:
            evidence, end = "ended", ended.latest
        elif treaty.known_in_force_until and treaty.known_in_force_until < today:
            evidence, end = "known", treaty.known_in_force_until
        elif treaty.in_force:
            evidence, end = "in force", today
        else:
            evidence, end = "not known", None
        names = sorted(party_names.split(", ")) if party_names else []
        shown = ", ".join(names[:SHOWN_PARTIES]) + (
            f" and {len(names) - SHOWN_PARTIES} more" if len(names) > SHOWN_PARTIES else ""
        )
        records.append(
            {
                "id": treaty.id,
                "treaty": treaty.name,
                "kind": treaty.kind,
                "members": members or 0,
                "parties": ", ".join(names) or None,
                "parties_shown": shown or None,
                "obligations": _obligations(treaty),
                "obligation": next(
                    (name for name in OBLIGATIONS if getattr(treaty, name)), "none recorded"
                ),
                "decade": f"{begins.earliest.year // 10 * 10}s" if begins else "undated",
                "signed": str(signed or ""),
                "signed_first": signed.earliest if signed else None,
                "signed_last": signed.latest if signed else None,
                "ended": str(ended or ""),
                "ended_first": ended.earliest if ended else None,
                "ended_last": ended.latest if ended else None,
                "start": begins.earliest if begins else None,
                "end": end,
                "evidence": EVIDENCE[evidence],
                "status": str(status_on(treaty, as_of)),
                "cow_id": treaty.cow_id,
            }
        )
    _years_in_force(session, filters, records)
    return pd.DataFrame(records, columns=_TREATY_COLUMNS)


def _years_in_force(session: Session, filters: Filters, records: list[dict[str, Any]]) -> None:
    """Give each of RECORDS the years of its bar in which it bound the states FILTERS name: at
    least one of them, or two together when two or more are named, by their own spells (every
    year of the bar, with no state named)."""
    needed = min(2, len(filters.states))
    spells: dict[int, dict[str, list[tuple[date | None, date | None]]]] = {}
    if filters.states:
        for treaty_id, code, joined, exited in session.exec(
            sa.select(
                TreatyParty.treaty_id,
                TreatyParty.state_code,
                TreatyParty.joined,
                TreatyParty.exited_latest,
            ).where(
                TreatyParty.treaty_id.in_([record["id"] for record in records]),
                TreatyParty.state_code.in_(filters.states),
            )
        ):
            spells.setdefault(treaty_id, {}).setdefault(code, []).append((joined, exited))
    for record in records:
        start, end = record["start"], record["end"]
        if start is None or end is None:
            record["years"] = []
            continue
        bar = range(start.year, end.year + 1)
        if not filters.states:
            record["years"] = list(bar)
            continue
        members = Counter(
            year
            for own in spells.get(record["id"], {}).values()
            for year in {
                year
                for joined, exited in own
                for year in range((joined or start).year, (exited or end).year + 1)
                if year in bar
            }
        )
        record["years"] = sorted(year for year, count in members.items() if count >= needed)


_TREATY_COLUMNS = [
    "id",
    "treaty",
    "kind",
    "members",
    "parties",
    "parties_shown",
    "obligations",
    "obligation",
    "decade",
    "signed",
    "signed_first",
    "signed_last",
    "ended",
    "ended_first",
    "ended_last",
    "start",
    "end",
    "evidence",
    "status",
    "cow_id",
    "years",
]


def _known_in(filters: Filters) -> list[sa.ColumnElement[bool]]:
    """A treaty's known span reaches into the range: a treaty last known in force before the
    range began, with no end recorded, is not shown as if it still were."""
    if filters.start is None:
        return []
    return [
        sa.or_(
            Treaty.ended.is_not(None),  # the shared filters have placed its end already
            Treaty.known_in_force_until >= filters.start,
            sa.and_(Treaty.known_in_force_until.is_(None), Treaty.in_force.is_not(None)),
            sa.func.coalesce(Treaty.signed_latest, Treaty.in_force_latest) >= filters.start,
        )
    ]


def _obligations(treaty: Treaty) -> str:
    """TREATY's obligations in words: those it has, and those not recorded."""
    held = [name for name in OBLIGATIONS if getattr(treaty, name)]
    unknown = [name for name in OBLIGATIONS if getattr(treaty, name) is None]
    words = ", ".join(held) or "none"
    return words + (f" (not recorded: {', '.join(unknown)})" if unknown else "")


def treaties_per_year(
    treaties: pd.DataFrame, by: str, filters: Filters | None = None
) -> pd.DataFrame:
    """How many of TREATIES (a `treaty_timeline` frame) were in force in each year of their
    bars (for the states the filters name, only while they were members), within the years of
    FILTERS' range, by BY (obligation or decade): columns year, BY, treaties."""
    first = filters.start.year if filters and filters.start else 0
    last = filters.end.year if filters and filters.end else 9999
    years = treaties.explode("years").rename(columns={"years": "year"}).dropna(subset=["year"])
    years = years[(years["year"] >= first) & (years["year"] <= last)]
    if years.empty:
        return pd.DataFrame(columns=["year", by, "treaties"])
    # Every year of the span and every group: a year without a treaty is 0, not a gap a line
    # or an area would be drawn across.
    every = pd.MultiIndex.from_product(
        [range(int(years["year"].min()), int(years["year"].max()) + 1), sorted(years[by].unique())],
        names=["year", by],
    )
    counted = (
        years.groupby(["year", by]).size().reindex(every, fill_value=0).rename("treaties")
    ).reset_index()
    counted["year"] = pd.to_datetime(counted["year"].astype(int).astype(str) + "-01-01")
    return counted


def engagement_timeline(*, session: Session, filters: Filters, limit: int = LIMIT) -> pd.DataFrame:
    """The engagements in view, newest first, one row per participant (person and state)."""
    engagements = (
        sa.select(Engagement.id)
        .where(*filters.conditions(RecordKind.ENGAGEMENT))
        .order_by(Engagement.occurred.desc(), Engagement.id.desc())
        .limit(limit)
        .subquery()
    )
    place = aliased(State)
    rows = session.exec(
        sa.select(
            Engagement.id,
            Engagement.title,
            Engagement.kind,
            Engagement.status,
            Engagement.occurred,
            Engagement.occurred_precision,
            Engagement.occurred_latest,
            sa.func.coalesce(Engagement.place, place.name).label("place"),
            Person.name,
            State.name,
            EngagementParticipant.role,
        )
        .join(engagements, engagements.c.id == Engagement.id)
        .join(EngagementParticipant, EngagementParticipant.engagement_id == Engagement.id)
        .join(State, State.code == EngagementParticipant.state_code)
        .outerjoin(Person, Person.id == EngagementParticipant.person_id)
        .outerjoin(place, place.code == Engagement.place_state_code)
        .order_by(Engagement.occurred.desc(), Engagement.id, EngagementParticipant.id)
    ).all()
    frame = pd.DataFrame(
        [
            {
                "id": row[0],
                "engagement": row[1],
                "kind": row[2].replace("_", " "),
                "status": row[3],
                "date": row[4],
                "date_latest": row[6],
                "when": _text(row[4], row[5], row[6]),
                "place": row[7],
                "person": row[8] or f"({row[9]})",
                "state": row[9],
                "role": row[10],
            }
            for row in rows
        ],
        columns=[
            "id",
            "engagement",
            "kind",
            "status",
            "date",
            "date_latest",
            "when",
            "place",
            "person",
            "state",
            "role",
        ],
    )
    return _with_timestamps(frame, "date", "date_latest")


def pledge_timeline(
    *, session: Session, filters: Filters, limit: int = LIMIT
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The pledges in view (who to whom, the words, what became of them) and their status
    histories: one frame with a row per pledge, one with a row per status change."""
    rows = session.exec(
        sa.select(Pledge, State.name, Person.name, Treaty.name)
        .join(State, State.code == Pledge.pledger_state_code)
        .outerjoin(Person, Person.id == Pledge.pledger_person_id)
        .outerjoin(Treaty, Treaty.id == Pledge.treaty_id)
        .where(*filters.conditions(RecordKind.PLEDGE))
        .order_by(Pledge.made.desc(), Pledge.id.desc())
        .limit(limit)
    ).all()
    ids = [pledge.id for pledge, *_ in rows]
    recipients: dict[int, list[str]] = {pledge_id: [] for pledge_id in ids}
    for pledge_id, state, person in session.exec(
        sa.select(PledgeRecipient.pledge_id, State.name, Person.name)
        .join(State, State.code == PledgeRecipient.state_code)
        .outerjoin(Person, Person.id == PledgeRecipient.person_id)
        .where(PledgeRecipient.pledge_id.in_(ids))
        .order_by(PledgeRecipient.pledge_id, PledgeRecipient.id)
    ):
        recipients[pledge_id].append(_who(state, person))
    history = pd.DataFrame(
        [
            {
                "pledge_id": status.pledge_id,
                "status": status.status.replace("_", " "),
                "date": status.changed,
                "date_latest": status.changed_latest,
                "when": str(status.fuzzy("changed")),
                "note": status.note,
            }
            for status in session.exec(
                sa.select(PledgeStatus)
                .where(PledgeStatus.pledge_id.in_(ids))
                .order_by(PledgeStatus.pledge_id, PledgeStatus.changed, PledgeStatus.id)
            ).scalars()
        ],
        columns=["pledge_id", "status", "date", "date_latest", "when", "note"],
    )
    current = (
        history.groupby("pledge_id")["status"].last() if len(history) else pd.Series(dtype=str)
    )

    pledges = pd.DataFrame(
        [
            {
                "id": pledge.id,
                "pledge": pledge.title,
                "made": str(pledge.fuzzy("made")),
                "date": pledge.made,
                "date_latest": pledge.made_latest,
                "by": _who(by_state, by_person),
                "to": "; ".join(recipients[pledge.id]) or None,
                "quote": pledge.quote,
                "low": pledge.low,
                "high": pledge.high,
                "figure": (
                    None
                    if pledge.qualifier is None
                    else " ".join(
                        filter(
                            None,
                            (
                                describe_figure(pledge.qualifier, pledge.low, pledge.high),
                                pledge.figure_of,
                            ),
                        )
                    )
                ),
                "kind": pledge.kind,
                "conditionality": pledge.conditionality,
                "treaty": treaty,
                "status": current.get(pledge.id),
            }
            for pledge, by_state, by_person, treaty in rows
        ],
        columns=[
            "id",
            "pledge",
            "made",
            "date",
            "date_latest",
            "by",
            "to",
            "quote",
            "low",
            "high",
            "figure",
            "kind",
            "conditionality",
            "treaty",
            "status",
        ],
    )
    history["pledge"] = history["pledge_id"].map(
        dict(zip(pledges["id"], pledges["pledge"], strict=True))
    )
    return pledges, _with_timestamps(history, "date", "date_latest")


def deployments_in_view(*, session: Session, filters: Filters) -> pd.DataFrame:
    """The deployments that last into the range and pass the filters, the most estimated first,
    with how many estimates each has. A deployment whose own sources fail the perspective or
    reliability filters still shows when one of its estimates passes them."""
    sending, receiving = aliased(State), aliased(State)
    estimates = (
        sa.select(sa.func.count(Estimate.id))
        .where(Estimate.deployment_id == Deployment.id)
        .scalar_subquery()
    )
    return read_frame(
        session,
        sa.select(
            Deployment.id,
            Deployment.name,
            sending.name,
            receiving.name,
            Deployment.region,
            Deployment.personnel_kind,
            estimates,
        )
        .join(sending, sending.code == Deployment.sending_state_code)
        .join(receiving, receiving.code == Deployment.receiving_state_code)
        .where(
            sa.or_(
                sa.and_(sa.true(), *filters.conditions(RecordKind.DEPLOYMENT, spans=True)),
                sa.and_(
                    *filters.conditions(RecordKind.DEPLOYMENT, spans=True, evidence=False),
                    sa.exists(
                        sa.select(Estimate.id).where(
                            Estimate.deployment_id == Deployment.id,
                            *filters.conditions(RecordKind.ESTIMATE),
                        )
                    ),
                ),
            )
        )
        .order_by(estimates.desc(), Deployment.name),
        ["id", "deployment", "sending", "receiving", "region", "personnel_kind", "estimates"],
    )


def _who(state: str | None, person: str | None) -> str | None:
    return f"{person} ({state})" if person else state


def estimate_series(*, session: Session, filters: Filters, deployment_id: int) -> pd.DataFrame:
    """Every estimate of one deployment that passes the filters, each with its source, figure
    in words, what it measures and where, date range, quoted evidence and whether it stands
    (retracted and corrected ones are shown too)."""
    estimates = list_estimates(
        session=session,
        deployment_id=deployment_id,
        where=filters.conditions(RecordKind.ESTIMATE, kept_apart=True),
    )
    frame = pd.DataFrame(
        [
            {
                "id": estimate.id,
                "as_of": FuzzyDate.parse(estimate.as_of).earliest,
                "as_of_latest": FuzzyDate.parse(estimate.as_of).latest,
                "when": estimate.as_of,
                "as_of_words": estimate.as_of_words,
                "low": estimate.low,
                "high": estimate.high,
                "figure": estimate.figure,
                "qualifier": estimate.qualifier,
                "measure": Measure(estimate.measure).words,
                "casualties": Measure(estimate.measure).casualties,
                "scope": estimate.scope,
                "series": f"{Measure(estimate.measure).words}, {estimate.scope}",
                "rank": estimate.rank,
                "standing": estimate.standing,
                "source": estimate.source,
                "perspective": estimate.perspective or "not assessed",
                "reliability": estimate.reliability,
                "quotes": "\n".join(f"“{citation.quote}”" for citation in estimate.citations),
                "outlets": sorted(
                    {estimate.source}
                    | {
                        outlet
                        for citation in estimate.citations
                        for outlet in (citation.originator, *citation.chain)
                    }
                ),
                "cited_in": "; ".join(
                    citation.provenance
                    + ("" if citation.stance == Stance.SUPPORTS else f" ({citation.stance})")
                    for citation in estimate.citations
                ),
                "note": estimate.note,
            }
            for estimate in estimates
        ],
        columns=[
            "id",
            "as_of",
            "as_of_latest",
            "when",
            "as_of_words",
            "low",
            "high",
            "figure",
            "qualifier",
            "measure",
            "casualties",
            "scope",
            "series",
            "rank",
            "standing",
            "source",
            "perspective",
            "reliability",
            "quotes",
            "outlets",
            "cited_in",
            "note",
        ],
    )
    return _with_timestamps(frame, "as_of", "as_of_latest")


def sorted_list(joined: str | None, separator: str = ", ") -> str | None:
    """A database-joined list in a stable order (string aggregation has none of its own)."""
    return None if joined is None else separator.join(sorted(joined.split(separator)))


@dataclass(frozen=True)
class KeptApart:
    """The records kept apart, oldest first (with `first`, only the first), and how many there
    are in all."""

    records: pd.DataFrame
    total: int


# What a retraction is named by: its source's outlet, its date, its words for the date, its
# quoted passage.
_RETRACTION = ("outlet", "stated", "stated_precision", "stated_latest", "stated_words", "quote")


def kept_apart(*, session: Session, first: int | None = None) -> KeptApart:
    """The records kept apart from the present, oldest first: those kept only as historical
    context (analogies a source recalls) and those a later source retracted. Shown, never
    counted, never deleted. Columns kind, record, date, first_day and last_day (the days it
    may fall on), words (the source's own for the date), why ("historical context", or who
    first retracted it, when, in which words). With FIRST, only the FIRST oldest: a page's
    table, without reading the thousands it does not show."""
    parts = []
    for place, kind in enumerate(DATED):
        names = kind.reader_names().subquery()
        record_id, name = names.c
        table = kind.table
        cited = getattr(Citation, f"{kind.name}_id")
        # Each retraction, numbered by date: the first is the one a record's line names.
        retractions = (
            sa.select(
                cited.label("record_id"),
                Source.outlet,
                *_fuzzy_columns(Citation, "stated"),
                Citation.stated_words,
                Citation.quote,
                sa.func.row_number()
                .over(partition_by=cited, order_by=(Citation.stated, Citation.id))
                .label("nth"),
            )
            .join(Source, Source.id == Citation.source_id)
            .where(cited.is_not(None), Citation.stance == Stance.RETRACTS)
            .subquery()
        )
        first_day, precision, last_day = _fuzzy_columns(table, kind.starts)
        record = sa.select(
            sa.literal(kind.label).label("kind"),
            sa.literal(place).label("place"),
            table.id,
            name.label("record"),
            first_day.label("first_day"),
            precision.label("precision"),
            last_day.label("last_day"),
            getattr(table, f"{kind.starts}_words").label("words"),
        ).join(table, table.id == record_id)
        context = getattr(table, kind.context) if kind.context else None
        # Kept as context, whether retracted or not; else retracted: each found from what
        # marks it, never by reading every record.
        if context is not None:
            parts.append(
                record.add_columns(
                    sa.true().label("in_context"),
                    *(
                        sa.type_coerce(sa.null(), retractions.c[column].type).label(column)
                        for column in _RETRACTION
                    ),
                ).where(table.retired_at.is_(None), context)
            )
        parts.append(
            record.add_columns(
                sa.false().label("in_context"), *(retractions.c[column] for column in _RETRACTION)
            )
            .join(retractions, retractions.c.record_id == table.id)
            .where(
                table.retired_at.is_(None),
                retractions.c.nth == 1,
                *([sa.not_(context)] if context is not None else []),
            )
        )
    apart = sa.union_all(*parts).subquery()
    columns = [column.key for column in apart.c]
    frame = read_frame(
        session,
        sa.select(*apart.c, sa.func.count().over().label("total"))
        .order_by(apart.c.first_day.asc().nulls_last(), apart.c.place, apart.c.id)
        .limit(first),
        [*columns, "total"],
    )
    frame["date"] = list(map(_text, frame["first_day"], frame["precision"], frame["last_day"]))
    frame["why"] = [
        "historical context"
        if in_context
        else f"retracted by {outlet}, {_text(*stated)}"
        + (f" (“{words}”)" if isinstance(words, str) and words else "")
        + f": “{quote}”"
        for in_context, outlet, *stated, words, quote in zip(
            frame["in_context"].astype(bool),
            *(frame[column] for column in _RETRACTION),
            strict=True,
        )
    ]
    return KeptApart(
        frame[["kind", "record", "date", "first_day", "last_day", "words", "why"]],
        int(frame["total"].iloc[0]) if len(frame) else 0,
    )
