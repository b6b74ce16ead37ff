"""Pledges: who pledged what to whom, in their words, and what became of it."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st
import ui

from tracker.kinds import RecordKind
from tracker.timelines import pledge_timeline

st.title("Pledges")
st.caption(
    "Pledged is not delivered: each pledge keeps its exact words and a dated history of its status."
)

# A row per pledge reads up to a few dozen; the table further down lists every pledge in view.
CHARTED, QUOTED = 30, 10

pledges, history = ui.load(pledge_timeline)
st.subheader("Status over time")
if history.empty:
    ui.nothing_to_show("pledges")
else:
    charted = history[history["pledge_id"].isin(pledges["id"].head(CHARTED))]
    if len(pledges) > CHARTED:
        st.caption(
            f"The {CHARTED} latest of the {len(pledges):,} pledges in view; "
            "the table below lists them all."
        )
    # An imprecise date is drawn at its middle, with a line across the days it may be.
    charted = charted.assign(
        middle=charted["date"] + (charted["date_latest"] - charted["date"]) / 2
    )
    base = alt.Chart(charted)
    y = alt.Y("pledge:N", title=None, axis=alt.Axis(labelLimit=420, labelOverlap=False))
    spans = base.mark_rule(strokeWidth=2, opacity=0.5).encode(
        x=alt.X(
            "date:T",
            title="Date of the status change",
            scale=alt.Scale(padding=20),
            axis=ui.dated_axis(),
        ),
        x2="date_latest:T",
        y=y,
        color=alt.Color("status:N"),
    )
    chart = base.mark_point(size=150, filled=True).encode(
        x=alt.X("middle:T"),
        y=y,
        color=alt.Color(
            "status:N",
            title="Status",
            scale=alt.Scale(
                domain=["announced", "in progress", "fulfilled", "withdrawn"],
                range=["#4c78a8", "#f58518", "#54a24b", "#e45756"],
            ),
        ),
        tooltip=[
            alt.Tooltip("pledge:N", title="Pledge"),
            alt.Tooltip("status:N", title="Status"),
            alt.Tooltip("when:N", title="When"),
        ],
    )
    st.altair_chart(
        (spans + chart).properties(
            title="Each pledge's status changes, from announcement on", height=alt.Step(36)
        ),
        width="stretch",
        alt="Pledge status history",
    )
ui.sources_line((RecordKind.PLEDGE,))

steps: dict[int, list[str]] = {}
for step in history.itertuples():
    steps.setdefault(step.pledge_id, []).append(f"{step.status} ({step.when})")
pledges["status_history"] = pledges["id"].map(lambda pledge: "; then ".join(steps.get(pledge, [])))

st.subheader("The latest pledges, in their words")
for pledge in pledges.head(QUOTED).itertuples():
    with st.container(border=True):
        st.markdown(f"**{ui.plain(pledge.pledge)}**")
        recipient = f" to {pledge.to}" if pd.notna(pledge.to) else ""
        st.caption(
            ui.plain(
                f"{pledge.by}{recipient}, {pledge.made} · {pledge.kind} · {pledge.conditionality}"
                + (f" · under the {pledge.treaty}" if pd.notna(pledge.treaty) else "")
                + (f" · pledges {pledge.figure}" if pd.notna(pledge.figure) else "")
                + f" · now {pledge.status}"
            )
        )
        if pd.notna(pledge.quote):
            st.markdown(f"> “{ui.plain(pledge.quote)}”")
        st.caption(ui.plain(f"Status history: {pledge.status_history}"))
if not pledges.empty:
    st.subheader("Every pledge in view")
    table = pledges.drop(columns=["id", "date", "date_latest", "low", "high"])
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={"status_history": "Status history"},
    )
    ui.download(
        table.assign(
            low=pledges["low"].astype("Int64"),
            high=pledges["high"].astype("Int64"),
            **ui.possible_days(pledges["date"], pledges["date_latest"], "made_"),
        ),
        "pledges",
    )
