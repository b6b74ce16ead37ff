"""Treaties: when each was in force, between whom, and what it obliges."""

from __future__ import annotations

import altair as alt
import streamlit as st
import ui

from tracker.kinds import RecordKind
from tracker.timelines import treaty_timeline

st.title("Treaties")
st.caption(
    "Treaties in force at some point in the date range. Obligations follow the ATOP project: "
    "defence, offence, neutrality, non-aggression, consultation."
)

treaties = ui.load(treaty_timeline)
st.subheader("Treaties over time")
if treaties.empty:
    ui.nothing_to_show("treaties")
else:
    dated = treaties.dropna(subset=["start"]).assign(
        row=lambda frame: (
            frame["treaty"] + " (" + frame["parties"].fillna("no parties recorded") + ")"
        )
    )
    order = list(dated.sort_values("start", ascending=False)["row"])
    y = alt.Y("row:N", title=None, sort=order, axis=alt.Axis(labelLimit=480, labelOverlap=False))
    status = alt.Color(
        "status:N",
        title="Status",
        legend=alt.Legend(orient="bottom"),
        scale=alt.Scale(domain=["no end recorded", "ended"], range=["#4c78a8", "#bab0ac"]),
    )
    tooltip = [
        alt.Tooltip("treaty:N", title="Treaty"),
        alt.Tooltip("parties:N", title="Parties"),
        alt.Tooltip("obligations:N", title="Obligations"),
        alt.Tooltip("signed:N", title="Signed"),
        alt.Tooltip("ended:N", title="Ended"),
    ]
    spans = (
        alt.Chart(dated)
        .mark_bar(cornerRadius=3, opacity=0.8)
        .encode(x=alt.X("start:T", title="Year"), x2="end:T", y=y, color=status, tooltip=tooltip)
    )
    signed = (
        alt.Chart(dated)
        .mark_point(shape="diamond", size=150, filled=True, color="#1f3b57")
        .encode(x="start:T", y=y, tooltip=tooltip)
    )
    chart = alt.layer(spans, signed).properties(
        title="Each treaty from its signature (diamond) to its end, "
        "or to today if no end is recorded",
        height=alt.Step(44),
    )
    st.altair_chart(chart, width="stretch", alt="Timeline of treaties")
    undated = len(treaties) - len(dated)
    if undated:
        st.caption(
            f"{undated} treaty(ies) with no signing date are listed below "
            "but cannot be placed in time."
        )
ui.sources_line((RecordKind.TREATY,))

st.subheader("Parties and obligations")
if not treaties.empty:
    table = treaties[["treaty", "parties", "obligations", "signed", "ended", "kind"]].fillna("")
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "treaty": st.column_config.TextColumn("Treaty", width="medium"),
            "parties": "Parties",
            "obligations": "Obligations (ATOP)",
            "signed": "Signed",
            "ended": "Ended",
            "kind": "Kind",
        },
    )
    ui.download(table, "treaties")
