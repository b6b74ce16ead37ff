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
LABEL_WIDTH = 36  # characters a line of a pledge's label on the chart

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
    # Each pledge's title in two short lines, cut where longer (in full in its tooltip and
    # below), so the time axis keeps the width; a row to each pledge, even of the same title.
    titles = charted.drop_duplicates("pledge_id")
    rows = dict(
        zip(titles["pledge_id"], ui.short_labels(titles["pledge"], LABEL_WIDTH), strict=True)
    )
    charted = charted.assign(row=charted["pledge_id"].map(rows))
    base = alt.Chart(charted)
    y = alt.Y("row:N", title=None, axis=ui.short_label_axis(LABEL_WIDTH))
    spans = base.mark_rule(strokeWidth=2, opacity=0.5).encode(
        x=alt.X(
            "date:T",
            title="Date of the status change",
            scale=alt.Scale(padding=20),
            axis=ui.dated_axis(),
        ),
        x2="date_latest:T",
        y=y,
        color=alt.Color("status:N", scale=ui.PLEDGE_STATUS_COLOURS),
    )
    chart = base.mark_point(size=150, filled=True).encode(
        x=alt.X("middle:T"),
        y=y,
        color=alt.Color(
            "status:N",
            title="Status",
            scale=ui.PLEDGE_STATUS_COLOURS,
            legend=alt.Legend(orient="bottom", columns=2),
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
    ui.evidence_table(
        table,
        key="pledges.table",
        what="pledge",
        column_config={
            "pledge": st.column_config.TextColumn("Pledge", width=260),
            "made": st.column_config.TextColumn("Made", width=90),
            "by": st.column_config.TextColumn("Pledged by", width=160),
            "to": st.column_config.TextColumn("Pledged to", width=160),
            "quote": st.column_config.TextColumn("In their words", width=400),
            "figure": st.column_config.TextColumn("Figure pledged", width=160),
            "kind": st.column_config.TextColumn("Kind", width=80),
            "conditionality": st.column_config.TextColumn("Conditions", width=110),
            "treaty": st.column_config.TextColumn("Under the treaty", width=200),
            "status": st.column_config.TextColumn("Status now", width=100),
            "status_history": st.column_config.TextColumn("Status history", width=260),
        },
    )
    ui.download(
        table.assign(
            low=pledges["low"].astype("Int64"),
            high=pledges["high"].astype("Int64"),
            **ui.possible_days(pledges["date"], pledges["date_latest"], "made_"),
        ),
        "pledges",
    )
