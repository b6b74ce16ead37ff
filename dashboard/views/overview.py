"""Overview: the headline figures and alliance activity over time."""

from __future__ import annotations

from typing import Any

import altair as alt
import streamlit as st
import ui

from tracker.activity import (
    SPREAD_WINDOW_DAYS,
    Period,
    Spread,
    activity_by_period,
    activity_index,
    activity_weights,
    headlines,
)
from tracker.kinds import kind_of
from tracker.kinds.estimates import Measure
from tracker.kinds.states import state_names
from tracker.provenance import sources_behind_each
from tracker.timelines import kept_apart

# How many of the records kept apart are listed in words above the table of them all.
KEPT_APART_LISTED = 10

filters = ui.current_filters()
period = Period.for_span(filters.start, filters.end)
# The kinds the activity index counts: those that are acts between states.
acts = tuple(kind for kind in filters.kinds if kind_of(kind).activity is not None)

# The page's reads after the first, started now, side by side with it and with each other;
# each is taken where it is shown.
activity_ahead = ui.start(activity_by_period, period=period)
# The charts over time place only dated records: an undated one, in view whatever the dates,
# is not drawn, and neither are its sources named.
# The sources under the chart by month and under the activity index, counted in one read.
sources_ahead = ui.start(sources_behind_each, groups=(filters.kinds, acts), dated=True)
index_ahead = ui.start(activity_index, period=period)
apart_ahead = ui.start(kept_apart, filtered=False, first=ui.TABLE_ROWS)

st.title("Alliance activity")
st.caption("What the records show, for the dates, states and sources chosen in the sidebar.")


top = ui.load(headlines)
counts = st.columns(3)
counts[0].metric(
    "Treaties in force",
    top.treaties_in_force,
    help=f"Treaties in force on {ui.day(top.as_of)} on the evidence: entered into force, or said "
    "by a source to be in force up to that day, with no end recorded before it. A treaty whose "
    "status after its last evidence is not recorded is not counted.",
)
if top.treaties_status_not_recorded:
    counts[0].caption(
        f"{top.treaties_status_not_recorded} more last known in force before "
        f"{ui.day(top.as_of)}, with no end recorded: later status not recorded."
    )
# A short label: a metric cuts its label to one line, and the day goes in the caption.
counts[1].metric(
    "Engagements, 90 days",
    top.engagements_last_90_days,
    help="Calls, visits and summits held or planned (not cancelled) "
    "in the 90 days to the end of the date range.",
)
counts[1].caption(f"The 90 days to {ui.day(top.as_of)}.")
counts[2].metric(
    "Open pledges",
    top.open_pledges,
    help="Pledges whose latest status is announced or in progress: not yet fulfilled or withdrawn.",
)


def show_spreads(spreads: list[Spread]) -> None:
    """Each spread as a figure under its deployment, with what it compares and over which days."""
    by_deployment: dict[str, list[Spread]] = {}
    for spread in spreads:
        by_deployment.setdefault(spread.deployment, []).append(spread)
    for deployment, listed in by_deployment.items():
        st.markdown(f"**{ui.plain(deployment)}**")
        # Two across, and the figure as text that wraps: a metric cuts "25,000 to 30,000" short
        # on a narrow screen.
        for start in range(0, len(listed), 2):
            for column, spread in zip(st.columns(2), listed[start : start + 2], strict=False):
                with column.container(border=True):
                    measure = Measure(spread.measure).words
                    st.markdown(
                        ui.plain(f"{measure.capitalize()}, {spread.scope}"),
                        help=f"The lowest and highest figures of {measure} in {spread.scope} "
                        f"that current estimates of {deployment} give; deprecated, corrected "
                        "and retracted estimates are left out.",
                    )
                    st.markdown(f"### {spread.figures}")
                    st.caption(
                        ui.plain(
                            f"{spread.sources} source{'s' if spread.sources != 1 else ''}; "
                            f"the estimates dated within {SPREAD_WINDOW_DAYS} days of the "
                            "latest; only the same measure and scope are compared."
                        )
                    )
                    with st.expander(
                        f"The {len(spread.compared)} estimate"
                        f"{'s' if len(spread.compared) != 1 else ''} compared"
                    ):
                        st.markdown("\n".join(f"- {ui.plain(line)}" for line in spread.compared))


personnel = [spread for spread in top.estimates if not spread.casualties]
casualties = [spread for spread in top.estimates if spread.casualties]
st.subheader("Deployments: the spread of current estimates")
st.caption(
    "Like is compared with like: each figure is the range that sources give for one deployment, "
    f"one measure and one scope, over the {SPREAD_WINDOW_DAYS} days to the latest estimate of "
    "it. Figures of different measures or places are never merged. The Deployments page shows "
    "every source's figure."
)
if personnel:
    show_spreads(personnel)
else:
    st.caption("No current estimate of personnel is in view.")
if casualties:
    st.markdown("**Casualties** · killed, wounded or captured, kept apart from personnel sent")
    show_spreads(casualties)
if top.more_spreads:
    st.caption(
        f"{top.more_spreads} more spread{'s' if top.more_spreads != 1 else ''} of estimates "
        "in view: the Deployments page shows them."
    )

st.subheader("Activity over time")
activity = activity_ahead.result()
if activity.empty:
    ui.nothing_to_show("records")
else:
    activity["kind"] = activity["kind"].map(ui.KIND_LABELS)
    activity["when"] = ui.period_label(activity["period"], period)
    chart = (
        alt.Chart(activity, title=f"Records per {period}, by kind")
        .mark_bar()
        .encode(
            x=ui.period_axis("when", period, activity["period"], filters.start, filters.end),
            y=alt.Y("sum(records):Q", title="Records (count)", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("kind:N", title="Record kind", scale=ui.KIND_COLOURS),
            tooltip=[
                alt.Tooltip("when:N", title=period.title()),
                alt.Tooltip("kind:N", title="Kind"),
                alt.Tooltip("sum(records):Q", title="Records"),
            ],
        )
        .properties(height=340)
    )
    st.altair_chart(chart, width="stretch", alt="Bar chart of records per period by kind")
activity_sources, index_sources = sources_ahead.result()
ui.show_sources(*activity_sources)

st.subheader("Activity index by pair of states")
index = index_ahead.result()
if index.empty:
    ui.nothing_to_show("records between two states")
else:
    names = ui.load(state_names, filtered=False)
    index["pair"] = index["state_a"].map(names) + " – " + index["state_b"].map(names)
    # One row per pair, a cell per period shaded by its index: pairs never lie on top of each
    # other, and a period with no record between a pair is left blank (its cell is drawn
    # transparent, so the axis still spans every period in view).
    index["when"] = ui.period_label(index["period"], period)
    most_active = index.groupby("pair")["index"].sum().sort_values(ascending=False).index
    chart = (
        alt.Chart(
            index, title=f"Cooperation-weighted activity per {period}, most active pairs of states"
        )
        .mark_rect(stroke="white", strokeWidth=1)
        .encode(
            # The same bands as the chart above: a cell stands under its own period's label.
            x=ui.period_axis("when", period, index["period"], filters.start, filters.end),
            y=alt.Y(
                "pair:N",
                title=None,
                sort=list(most_active),
                axis=alt.Axis(labelLimit=320, labelOverlap=False),
            ),
            # From a visible light blue: the weakest activity is still seen, not near white.
            color=alt.Color(
                "index:Q", title="Activity index", scale=alt.Scale(range=["#9ecae1", "#08306b"])
            ),
            opacity=alt.condition(alt.datum.records > 0, alt.value(1), alt.value(0)),
            tooltip=[
                alt.Tooltip("pair:N", title="Pair"),
                alt.Tooltip("when:N", title=period.title()),
                alt.Tooltip("index:Q", title="Index", format=".1f"),
                alt.Tooltip("records:Q", title="Records"),
            ],
        )
        .properties(height=alt.Step(30), padding={"top": 14, "left": 5, "right": 5, "bottom": 5})
    )
    st.altair_chart(
        chart,
        width="stretch",
        alt="Heat map of the activity index per pair of states and period",
    )
    st.caption(
        f"Each row is a pair of states, the most active first; each cell one {period}, the "
        f"darker the more cooperative the records between them that {period} (the sum of their "
        f"Goldstein weights). A blank cell: no record between the pair that {period}."
    )
ui.show_sources(*index_sources)
with st.expander("How the activity index is weighted"):
    st.write(
        "Each record between two states adds the Goldstein cooperation score of its CAMEO event "
        "code (from -10, most conflictual, to +10, most cooperative). A treaty involving more than "
        "two states counts for every pair of its parties. Estimates are reports about a "
        "deployment, not acts between states, and add nothing."
    )
    weights = ui.load(activity_weights, filtered=False)
    st.dataframe(
        weights,
        hide_index=True,
        column_config={
            "record": "Record",
            "cameo_code": "CAMEO code",
            "cameo_event": "CAMEO event",
            "goldstein": st.column_config.NumberColumn("Goldstein weight", format="%.1f"),
        },
    )


def kept_apart_line(row: Any) -> str:
    """A record kept apart in words: what it is, when (in the source's words too) and why."""
    # A missing value is NaN in a column of text: not the words "nan".
    words = f" (“{row.words}”)" if isinstance(row.words, str) and row.words else ""
    return ui.plain(f"- {row.record}: {row.kind}, {row.date}{words}; {row.why}")


st.subheader("Kept apart: history and retractions (not counted)")
apart = apart_ahead.result()
if not apart.total:
    st.caption("No record is kept as historical context or was retracted.")
else:
    st.caption(
        "Analogies the sources recall, kept and cited as history, and records a later source "
        "retracted: shown here, never counted as in force, open or activity, never deleted."
    )
    # One block of the first few: a page drawing an element per record (thousands, at scale)
    # would take seconds on every visit; the table below it has the first hundreds, and its
    # download them all.
    listed = apart.records.head(KEPT_APART_LISTED)
    st.markdown("  \n".join(kept_apart_line(row) for row in listed.itertuples()))
    if apart.total > len(listed):
        below = "all are" if apart.total <= ui.TABLE_ROWS else "more are"
        st.caption(f"The first {len(listed)} of {apart.total:,}, oldest first; {below} below.")
        shown = ["kind", "record", "date", "words", "why"]
        ui.evidence_table(
            ui.first_rows(apart.records[shown], "records, oldest first", total=apart.total),
            key="kept-apart",
            what="record",
            column_config={
                "kind": "Kind",
                "record": st.column_config.TextColumn("Record", width="medium"),
                "date": "Date",
                "words": "The source's words for the date",
                "why": st.column_config.TextColumn("Why it is kept apart", width="large"),
            },
        )
        every = ui.later(kept_apart, filtered=False)
        ui.download(lambda: every().records, "kept-apart", rows=apart.total)
