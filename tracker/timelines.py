"""Records over time, as the timeline views show them: treaties, engagements, pledges and the
estimates of each deployment. Each function applies the shared filters in SQL and returns a
small frame, one row per item shown (capped, newest first, so no view ships a whole table)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session

from tracker.dates import FuzzyDate
from tracker.filters import Filters
from tracker.kinds import RecordKind
from tracker.kinds.deployments import Deployment, list_estimates
from tracker.kinds.engagements import Engagement, EngagementParticipant
from tracker.kinds.estimates import Estimate
from tracker.kinds.people import Person
from tracker.kinds.pledges import Pledge, PledgeStatus
from tracker.kinds.states import State
from tracker.kinds.treaties import OBLIGATIONS, Treaty, TreatyParty

LIMIT = 500


def _with_timestamps(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """FRAME with the date COLUMNS as timestamps, the type charts plot on a time axis."""
    return frame.assign(**{column: pd.to_datetime(frame[column]) for column in columns})


def _text(earliest: date | None, precision: str | None, latest: date | None) -> str | None:
    fuzzy = FuzzyDate.from_columns(earliest, precision, latest)
    return None if fuzzy is None else str(fuzzy)


def treaty_timeline(
    *, session: Session, filters: Filters, today: date | None = None, limit: int = LIMIT
) -> pd.DataFrame:
    """Treaties in force at some point in the range: each with its parties, obligations and the
    bar to draw, from signature (or entry into force) to its end, or to today if none is known."""
    today = today or date.today()
    parties = (
        sa.select(
            TreatyParty.treaty_id,
            sa.func.aggregate_strings(State.name, ", ").label("parties"),
        )
        .join(State, State.code == TreatyParty.state_code)
        .group_by(TreatyParty.treaty_id)
        .subquery()
    )
    rows = session.exec(
        sa.select(Treaty, parties.c.parties)
        .outerjoin(parties, parties.c.treaty_id == Treaty.id)
        .where(*filters.conditions(RecordKind.TREATY, spans=True))
        .order_by(
            sa.func.coalesce(Treaty.signed, Treaty.in_force).desc().nulls_last(), Treaty.id.desc()
        )
        .limit(limit)
    ).all()
    records = []
    for treaty, party_names in rows:
        begins = treaty.fuzzy("signed") or treaty.fuzzy("in_force")
        ended = treaty.fuzzy("ended")
        records.append(
            {
                "id": treaty.id,
                "treaty": treaty.name,
                "kind": treaty.kind,
                "parties": sorted_list(party_names),
                "obligations": ", ".join(o for o in OBLIGATIONS if getattr(treaty, o))
                or "none recorded",
                "signed": str(treaty.fuzzy("signed") or ""),
                "ended": str(ended or ""),
                "start": begins.earliest if begins else None,
                "end": ended.latest if ended else today,
                "status": "ended" if ended else "no end recorded",
            }
        )
    return pd.DataFrame(
        records,
        columns=[
            "id",
            "treaty",
            "kind",
            "parties",
            "obligations",
            "signed",
            "ended",
            "start",
            "end",
            "status",
        ],
    )


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
    pledger_state, recipient_state = aliased(State), aliased(State)
    pledger, recipient = aliased(Person), aliased(Person)
    rows = session.exec(
        sa.select(
            Pledge,
            pledger_state.name,
            pledger.name,
            recipient_state.name,
            recipient.name,
            Treaty.name,
        )
        .join(pledger_state, pledger_state.code == Pledge.pledger_state_code)
        .outerjoin(recipient_state, recipient_state.code == Pledge.recipient_state_code)
        .outerjoin(pledger, pledger.id == Pledge.pledger_person_id)
        .outerjoin(recipient, recipient.id == Pledge.recipient_person_id)
        .outerjoin(Treaty, Treaty.id == Pledge.treaty_id)
        .where(*filters.conditions(RecordKind.PLEDGE))
        .order_by(Pledge.made.desc(), Pledge.id.desc())
        .limit(limit)
    ).all()
    ids = [pledge.id for pledge, *_ in rows]
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

    def who(state: str | None, person: str | None) -> str | None:
        return f"{person} ({state})" if person else state

    pledges = pd.DataFrame(
        [
            {
                "id": pledge.id,
                "pledge": pledge.title,
                "made": str(pledge.fuzzy("made")),
                "date": pledge.made,
                "by": who(by_state, by_person),
                "to": who(to_state, to_person),
                "quote": pledge.quote,
                "kind": pledge.kind,
                "conditionality": pledge.conditionality,
                "treaty": treaty,
                "status": current.get(pledge.id),
            }
            for pledge, by_state, by_person, to_state, to_person, treaty in rows
        ],
        columns=[
            "id",
            "pledge",
            "made",
            "date",
            "by",
            "to",
            "quote",
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
    rows = session.exec(
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
        .order_by(estimates.desc(), Deployment.name)
    ).all()
    return pd.DataFrame(
        rows,
        columns=[
            "id",
            "deployment",
            "sending",
            "receiving",
            "region",
            "personnel_kind",
            "estimates",
        ],
    )


def estimate_series(*, session: Session, filters: Filters, deployment_id: int) -> pd.DataFrame:
    """Every estimate of one deployment that passes the filters, each with its source, figure
    in words, date range and quoted evidence."""
    estimates = list_estimates(
        session=session, deployment_id=deployment_id, where=filters.conditions(RecordKind.ESTIMATE)
    )
    frame = pd.DataFrame(
        [
            {
                "id": estimate.id,
                "as_of": FuzzyDate.parse(estimate.as_of).earliest,
                "as_of_latest": FuzzyDate.parse(estimate.as_of).latest,
                "when": estimate.as_of,
                "low": estimate.low,
                "high": estimate.high,
                "figure": estimate.figure,
                "qualifier": estimate.qualifier,
                "counting_basis": estimate.counting_basis.replace("_", " "),
                "rank": estimate.rank,
                "source": estimate.source,
                "perspective": estimate.perspective or "not assessed",
                "reliability": estimate.reliability,
                "quotes": "\n".join(f"“{citation.quote}”" for citation in estimate.citations),
                "outlets": sorted(
                    {estimate.source}
                    | {citation.source for citation in estimate.citations}
                    | {
                        citation.relayed_source
                        for citation in estimate.citations
                        if citation.relayed_source
                    }
                ),
                "cited_in": "; ".join(
                    citation.source
                    + (f", relaying {citation.relayed_source}" if citation.relayed_source else "")
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
            "low",
            "high",
            "figure",
            "qualifier",
            "counting_basis",
            "rank",
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
