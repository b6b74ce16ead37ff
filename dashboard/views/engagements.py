"""Engagements: calls, visits and summits, by person and state, planned ones marked."""

from __future__ import annotations

import altair as alt
import streamlit as st
import ui

from tracker.kinds import RecordKind
from tracker.timelines import engagement_timeline

st.title("Engagements")
st.caption("Diplomatic contacts: phone calls, visits, summits and meetings at a third place.")

participants = ui.load(engagement_timeline)
st.subheader("Who met or spoke, and when")
if participants.empty:
    ui.nothing_to_show("engagements")
else:
    participants["who"] = participants["person"] + " (" + participants["state"] + ")"
    # An imprecise date is drawn at its middle, with a line across the days it may be.
    participants["middle"] = (
        participants["date"] + (participants["date_latest"] - participants["date"]) / 2
    )
    participants["planned"] = participants["status"].map(
        {"planned": "planned", "held": "held", "cancelled": "cancelled"}
    )
    base = alt.Chart(
        participants, title="Engagements by participant (hollow marks: planned, not yet held)"
    )
    order = list(participants.groupby("who")["date"].max().sort_values(ascending=False).index)
    y = alt.Y(
        "who:N",
        title="Participant (state)",
        sort=order,
        axis=alt.Axis(labelLimit=280, labelOverlap=False),
    )
    states = ui.category_colours(participants["state"])
    spans = base.mark_rule(strokeWidth=2, opacity=0.5).encode(
        x=alt.X("date:T", title="Date", scale=alt.Scale(padding=20), axis=ui.dated_axis()),
        x2="date_latest:T",
        y=y,
        color=alt.Color("state:N", title="State", scale=states),
    )
    marks = base.mark_point(size=160, strokeWidth=2, filled=True).encode(
        x="middle:T",
        y=y,
        color=alt.Color("state:N", title="State", scale=states),
        shape=alt.Shape("kind:N", title="Kind of engagement"),
        stroke=alt.Color("state:N", scale=states, title="State"),
        fillOpacity=alt.condition(alt.datum.status == "planned", alt.value(0), alt.value(1)),
        tooltip=[
            alt.Tooltip("engagement:N", title="Engagement"),
            alt.Tooltip("when:N", title="When"),
            alt.Tooltip("kind:N", title="Kind"),
            alt.Tooltip("status:N", title="Status"),
            alt.Tooltip("role:N", title="Role"),
            alt.Tooltip("place:N", title="Place"),
        ],
    )
    st.altair_chart(
        (spans + marks).properties(
            title="Engagements by participant (hollow marks: planned, not yet held)",
            height=alt.Step(32),
        ),
        width="stretch",
        alt="Timeline of engagements by participant",
    )
    st.caption(
        "A mark stands at the middle of the days its date may fall on; the line across it spans "
        "them (a month, or a range) when the source gives no exact day."
    )
ui.sources_line((RecordKind.ENGAGEMENT,))

st.subheader("Every engagement")
if not participants.empty:
    table = (
        participants.assign(participant=participants["who"] + ", " + participants["role"])
        .groupby(["id", "when", "engagement", "kind", "status"], sort=False, dropna=False)
        .agg(
            place=("place", "first"),
            participants=("participant", "; ".join),
            date=("date", "first"),
            date_latest=("date_latest", "first"),
        )
        .fillna({"place": ""})
        .reset_index()
        .drop(columns="id")
    )
    days = ui.possible_days(table.pop("date"), table.pop("date_latest"))
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "when": "When",
            "engagement": st.column_config.TextColumn("Engagement", width="medium"),
            "kind": "Kind",
            "status": "Status",
            "place": "Place",
            "participants": st.column_config.TextColumn("Participants and roles", width="large"),
        },
    )
    ui.download(table.assign(**days), "engagements")
