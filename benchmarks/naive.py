"""The dashboard's answers computed the naive way, as an analyst with pandas would: read the
tables whole into data frames, then filter, join and group in memory. Each function returns
what its service returns (or the part a page shows), so the benchmark can check both agree."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy.engine import Engine

from tracker.citations import Stance
from tracker.filters import Filters
from tracker.kinds import RecordKind, kind_of


def read(engine: Engine, *tables: str) -> dict[str, pd.DataFrame]:
    """TABLES, whole, as data frames with their date columns parsed."""
    frames = {}
    with engine.connect() as connection:
        for table in tables:
            frame = pd.read_sql_table(table, connection)
            for column in frame.columns:
                if column in _DATES:
                    frame[column] = pd.to_datetime(frame[column]).dt.date
            frames[table] = frame
    return frames


_DATES = {
    f"{name}{suffix}"
    for name in ("occurred", "signed", "in_force", "ended", "made", "started", "as_of", "changed")
    for suffix in ("", "_latest")
}


def retractions(engine: Engine) -> pd.DataFrame:
    """The citations by which a later source retracts a record: one column per kind's id."""
    columns = [f"{kind.value}_id" for kind in RecordKind]
    with engine.connect() as connection:
        citations = pd.read_sql_table("citation", connection, columns=["stance", *columns])
    return citations.loc[citations["stance"] == "retracts", columns]


def _in_view(
    frame: pd.DataFrame,
    kind: RecordKind,
    filters: Filters,
    retracted: pd.DataFrame,
    *,
    spans: bool,
) -> pd.Series:
    """Rows of FRAME (records of KIND) that pass the date range, the kinds and retirement, and
    are not kept apart from the present: kept only as historical context, or retracted by a
    later source (a citation among RETRACTED)."""
    declared = kind_of(kind)
    keep = frame["retired_at"].isna() & (kind in filters.kinds)
    keep &= ~frame["id"].isin(retracted[f"{kind.value}_id"].dropna())
    if declared.context is not None:
        keep &= ~frame[declared.context].astype(bool)
    begins = frame[declared.starts]
    if filters.end:
        keep &= begins.isna() | (begins <= filters.end)
    if filters.start:
        reaches = (
            frame[f"{declared.ends}_latest"].fillna(date.max)
            if spans and declared.ends
            else frame[f"{declared.starts}_latest"]
        )
        keep &= begins.isna() | (reaches >= filters.start)
    return keep


def activity_by_period(engine: Engine, filters: Filters) -> pd.DataFrame:
    """Records of each kind in each month: columns period, kind, records."""
    frames = read(engine, *(kind.value for kind in RecordKind))
    retracted = retractions(engine)
    counts = []
    for kind in RecordKind:
        frame = frames[kind.value]
        shown = frame[_in_view(frame, kind, filters, retracted, spans=False)]
        months = pd.to_datetime(shown[kind_of(kind).starts]).dt.to_period("M").dt.start_time
        counts.append(months.value_counts().rename("records").rename_axis("period").reset_index())
        counts[-1]["kind"] = kind.value
    frame = pd.concat(counts, ignore_index=True)
    return frame[["period", "kind", "records"]].sort_values(["period", "kind"], ignore_index=True)


def engagement_timeline(engine: Engine, filters: Filters, limit: int = 500) -> pd.DataFrame:
    """The newest engagements in view, a row per participant, with names."""
    frames = read(engine, "engagement", "engagement_participant", "state", "person")
    engagements = frames["engagement"]
    retracted = retractions(engine)
    shown = engagements[
        _in_view(engagements, RecordKind.ENGAGEMENT, filters, retracted, spans=False)
    ]
    newest = shown.sort_values(["occurred", "id"], ascending=False).head(limit)
    states = frames["state"][["code", "name"]].rename(columns={"name": "state"})
    people = frames["person"][["id", "name"]].rename(columns={"id": "person_id", "name": "person"})
    return (
        newest.rename(columns={"id": "engagement_id"})
        .merge(frames["engagement_participant"], on="engagement_id")
        .merge(states, left_on="state_code", right_on="code")
        .merge(people, on="person_id", how="left")
    )


def treaty_timeline(engine: Engine, filters: Filters, limit: int = 500) -> pd.DataFrame:
    """The latest treaties in force in the range, with their parties' names."""
    frames = read(engine, "treaty", "treaty_party", "state")
    treaties = frames["treaty"]
    retracted = retractions(engine)
    shown = treaties[_in_view(treaties, RecordKind.TREATY, filters, retracted, spans=True)].copy()
    shown["begins"] = shown["signed"].fillna(shown["in_force"])
    latest = shown.sort_values(["begins", "id"], ascending=False, na_position="last").head(limit)
    parties = (
        frames["treaty_party"]
        .merge(frames["state"][["code", "name"]], left_on="state_code", right_on="code")
        .groupby("treaty_id")["name"]
        .agg(lambda names: ", ".join(sorted(names)))
        .rename("parties")
    )
    return latest.merge(parties, left_on="id", right_index=True, how="left")


def pledge_timeline(engine: Engine, filters: Filters, limit: int = 500) -> pd.DataFrame:
    """The latest pledges in view, with their recipients' names and their status steps."""
    frames = read(engine, "pledge", "pledge_recipient", "pledge_status", "state")
    pledges = frames["pledge"]
    retracted = retractions(engine)
    shown = pledges[_in_view(pledges, RecordKind.PLEDGE, filters, retracted, spans=False)]
    latest = shown.sort_values(["made", "id"], ascending=False).head(limit)
    states = frames["state"][["code", "name"]]
    recipients = (
        frames["pledge_recipient"]
        .merge(states, left_on="state_code", right_on="code")
        .groupby("pledge_id")["name"]
        .agg(lambda names: ", ".join(sorted(names)))
        .rename("recipients")
    )
    return (
        latest.merge(states, left_on="pledger_state_code", right_on="code")
        .merge(recipients, left_on="id", right_index=True, how="left")
        .merge(
            frames["pledge_status"], left_on="id", right_on="pledge_id", suffixes=("", "_status")
        )
    )


def deployments_in_view(engine: Engine, filters: Filters) -> pd.DataFrame:
    """Deployments lasting into the range, with how many estimates each has, most first."""
    frames = read(engine, "deployment", "estimate", "state")
    deployments = frames["deployment"]
    retracted = retractions(engine)
    shown = deployments[
        _in_view(deployments, RecordKind.DEPLOYMENT, filters, retracted, spans=True)
    ]
    counts = frames["estimate"].groupby("deployment_id").size().rename("estimates")
    return (
        shown.merge(counts, left_on="id", right_index=True, how="left")
        .fillna({"estimates": 0})
        .sort_values(["estimates", "name"], ascending=[False, True])
    )


def source_usage(engine: Engine, filters: Filters) -> pd.DataFrame:
    """Every current source with how many records in view rest on it: cited, relayed as the
    originator, or in the chain of relays between."""
    kinds = list(RecordKind)
    frames = read(engine, "source", "citation", "citation_relay", *(kind.value for kind in kinds))
    citations = frames["citation"]
    relays = frames["citation_relay"][["citation_id", "source_id"]].rename(
        columns={"citation_id": "id", "source_id": "via"}
    )
    retracted = citations.loc[
        citations["stance"] == "retracts", [f"{kind.value}_id" for kind in kinds]
    ]
    evidence = []
    for kind in kinds:
        frame = frames[kind.value]
        ids = frame.loc[_in_view(frame, kind, filters, retracted, spans=False), "id"]
        # Only a supporting citation backs a record: a correction or retraction backs nothing.
        cited = citations[
            citations[f"{kind.value}_id"].isin(ids) & (citations["stance"] == Stance.SUPPORTS)
        ]
        record = cited[f"{kind.value}_id"]
        evidence.append(pd.DataFrame({"kind": kind.value, "id": record, "source": cited.source_id}))
        relayed = cited.dropna(subset=["relayed_source_id"])
        evidence.append(
            pd.DataFrame(
                {
                    "kind": kind.value,
                    "id": relayed[f"{kind.value}_id"],
                    "source": relayed.relayed_source_id,
                }
            )
        )
        via = cited.merge(relays, on="id")
        evidence.append(
            pd.DataFrame({"kind": kind.value, "id": via[f"{kind.value}_id"], "source": via.via})
        )
        own = frame[frame["id"].isin(ids)]
        for column in kind_of(kind).sources:  # a source the record names itself
            evidence.append(pd.DataFrame({"kind": kind.value, "id": own.id, "source": own[column]}))
    used = pd.concat(evidence).drop_duplicates().groupby("source").size().rename("records")
    sources = frames["source"]
    current = sources[sources["retired_at"].isna()]
    usage = current.merge(used, left_on="id", right_index=True, how="left")
    return usage.fillna({"records": 0}).sort_values(
        ["records", "outlet", "title"], ascending=[False, True, True]
    )
