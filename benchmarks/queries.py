"""The queries behind each dashboard page: the same service functions the pages call, with the
filters a page opens with (the two years to the latest record, every state and kind), timed
against the same answers computed the naive way (benchmarks/naive.py), which must agree."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pandas as pd
from sqlalchemy.engine import Engine
from sqlmodel import Session

from benchmarks import naive
from benchmarks.timing import best_of
from tracker.activity import Period, activity_by_period, activity_index, headlines, record_span
from tracker.filters import Filters
from tracker.kinds import RecordKind, kind_of
from tracker.provenance import (
    source_usage,
    sources_behind,
    sources_behind_each,
    thinly_sourced,
)
from tracker.timelines import (
    deployments_in_view,
    engagement_timeline,
    estimate_series,
    pledge_timeline,
    treaty_timeline,
)

# The rows a dashboard table shows (dashboard/ui.py's TABLE_ROWS): a page reads no more of a
# long list, and neither do its queries here.
TABLE_ROWS = 500


def opening_filters(engine: Engine) -> Filters:
    """The filters the dashboard opens with: the two years to the latest record."""
    with Session(engine) as session:
        earliest, latest = record_span(session=session)
    return Filters(start=max(earliest, latest - timedelta(days=730)), end=latest)


def _busiest_deployment(session: Session, filters: Filters) -> dict[str, Any]:
    shown = deployments_in_view(session=session, filters=filters)
    return {"deployment_id": int(shown["id"].iloc[0])}


# Each page's queries: (name, service, its arguments given a session and the filters).
PAGES: dict[str, list[tuple[str, Callable[..., Any], Callable[..., dict[str, Any]]]]] = {
    "overview": [
        ("headlines", headlines, lambda session, filters: {}),
        ("activity_by_period", activity_by_period, lambda s, f: {"period": Period.MONTH}),
        ("activity_index", activity_index, lambda s, f: {"period": Period.MONTH}),
        # Under the chart by month, and under the activity index (the kinds it counts).
        (
            "sources_behind_each",
            sources_behind_each,
            lambda s, f: {
                "groups": (
                    f.kinds,
                    tuple(kind for kind in f.kinds if kind_of(kind).activity is not None),
                ),
                "dated": True,
            },
        ),
    ],
    "deployments": [
        ("deployments_in_view", deployments_in_view, lambda s, f: {}),
        ("estimate_series", estimate_series, _busiest_deployment),
        ("sources_behind", sources_behind, lambda s, f: {"kinds": (RecordKind.ESTIMATE,)}),
    ],
    "treaties": [
        ("treaty_timeline", treaty_timeline, lambda s, f: {}),
        ("sources_behind", sources_behind, lambda s, f: {"kinds": (RecordKind.TREATY,)}),
    ],
    "engagements": [
        ("engagement_timeline", engagement_timeline, lambda s, f: {}),
        ("sources_behind", sources_behind, lambda s, f: {"kinds": (RecordKind.ENGAGEMENT,)}),
    ],
    "pledges": [
        ("pledge_timeline", pledge_timeline, lambda s, f: {}),
        ("sources_behind", sources_behind, lambda s, f: {"kinds": (RecordKind.PLEDGE,)}),
    ],
    "sources": [
        ("source_usage", source_usage, lambda s, f: {"first": TABLE_ROWS}),
        ("thinly_sourced", thinly_sourced, lambda s, f: {"first": TABLE_ROWS}),
    ],
}


def _ids(frame: pd.DataFrame, column: str) -> list[int]:
    return sorted(int(value) for value in frame[column].unique())


# Each page's main query done naively, and how its answer is compared with the service's.
NAIVE: dict[str, tuple[str, Callable[..., Any], Callable[[Any, Any], bool]]] = {
    "overview": (
        "activity_by_period",
        lambda engine, filters: naive.activity_by_period(engine, filters),
        lambda served, naive_answer: (
            served.groupby("kind")["records"].sum().to_dict()
            == naive_answer.groupby("kind")["records"].sum().to_dict()
            and len(served) == len(naive_answer)
        ),
    ),
    "deployments": (
        "deployments_in_view",
        naive.deployments_in_view,
        lambda served, naive_answer: (
            _ids(served, "id") == _ids(naive_answer, "id")
            and served["estimates"].sum() == naive_answer["estimates"].sum()
        ),
    ),
    "treaties": (
        "treaty_timeline",
        naive.treaty_timeline,
        lambda served, naive_answer: _ids(served, "id") == _ids(naive_answer, "id"),
    ),
    "engagements": (
        "engagement_timeline",
        naive.engagement_timeline,
        lambda served, naive_answer: (
            _ids(served, "id") == _ids(naive_answer, "engagement_id")
            and len(served) == len(naive_answer)
        ),
    ),
    "pledges": (
        "pledge_timeline",
        naive.pledge_timeline,
        lambda served, naive_answer: (
            _ids(served[0], "id") == _ids(naive_answer, "pledge_id")
            and len(served[1]) == len(naive_answer)
        ),
    ),
    "sources": (
        "source_usage",
        naive.source_usage,
        lambda served, naive_answer: (
            served.sources["records"].tolist()
            == naive_answer["records"].nlargest(TABLE_ROWS).tolist()
            and served.in_all == len(naive_answer)
            and served.used == (naive_answer["records"] > 0).sum()
        ),
    ),
}


def measure(engine: Engine, *, repeat: int = 3) -> list[dict[str, Any]]:
    """Every page's queries timed (best of REPEAT), and each page's main one done naively."""
    filters = opening_filters(engine)
    results = []
    for page, queries in PAGES.items():
        main, naive_way, agree = NAIVE[page]
        for name, service, arguments in queries:
            with Session(engine) as session:
                extra = arguments(session, filters)
            with Session(engine) as session:
                seconds, served = best_of(
                    lambda service=service, extra=extra, session=session: service(
                        session=session, filters=filters, **extra
                    ),
                    repeat,
                )
            row: dict[str, Any] = {"page": page, "query": name, "seconds": seconds}
            if name == main:
                naive_seconds, naive_answer = best_of(
                    lambda naive_way=naive_way: naive_way(engine, filters), repeat
                )
                row |= {
                    "naive_seconds": naive_seconds,
                    "speedup": naive_seconds / seconds,
                    "same_answer": bool(agree(served, naive_answer)),
                }
            results.append(row)
    return results
