"""Sources: what the records rest on, and which rest on too little."""

from __future__ import annotations

import altair as alt
import streamlit as st
import ui

from tracker.kinds.sources import Reliability
from tracker.provenance import source_usage, thinly_sourced

st.title("Sources")
st.caption(
    "Reliability is the Admiralty code's source grade: A completely reliable, B usually reliable, "
    "C fairly reliable, D not usually reliable, E unreliable, F cannot be judged."
)

usage = ui.load(source_usage)
used = usage[usage["records"] > 0]
st.subheader("How many records rest on each source")
if used.empty:
    ui.nothing_to_show("sourced records")
else:
    shown = used.head(25).assign(
        label=lambda frame: (
            frame["outlet"]
            + frame["outlet"].duplicated(keep=False).map({True: ": ", False: ""})
            + frame["title"].where(frame["outlet"].duplicated(keep=False), "").str.slice(0, 48)
            + " ["
            + frame["reliability"]
            + "]"
        )
    )
    chart = (
        alt.Chart(
            shown,
            title="Cited directly or relayed; [A] to [F]: the source's reliability grade",
        )
        .mark_bar()
        .encode(
            x=alt.X("records:Q", title="Records (count)", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y(
                "label:N", title=None, sort="-x", axis=alt.Axis(labelLimit=300, labelOverlap=False)
            ),
            # The legend below the bars: beside them, on a narrow screen, it left them no room.
            color=alt.Color(
                "perspective:N",
                title="Perspective",
                scale=ui.category_colours(shown["perspective"]),
                legend=alt.Legend(orient="bottom", columns=2, labelLimit=180),
            ),
            tooltip=[
                alt.Tooltip("outlet:N", title="Outlet"),
                alt.Tooltip("title:N", title="Title"),
                alt.Tooltip("type:N", title="Type"),
                alt.Tooltip("reliability:N", title="Reliability"),
                alt.Tooltip("records:Q", title="Records"),
            ],
        )
        .properties(height=alt.Step(30))
    )
    st.altair_chart(chart, width="stretch", alt="Records per source")
    if len(used) > len(shown):
        st.caption(f"The 25 most used of {len(used)} sources; the table below lists them all.")
    ui.show_sources(
        list(shown["outlet"].drop_duplicates()), max(0, used["outlet"].nunique() - len(shown))
    )

st.subheader("Every source")
# Reliability and use beside the outlet, the long title last: all in view at 1000 pixels.
table = usage.assign(
    grade=usage["reliability"].map(lambda grade: f"{grade} ({Reliability(grade).meaning})")
)[["outlet", "grade", "records", "type", "perspective", "title"]]
ui.evidence_table(
    table,
    key="sources.table",
    detail=False,
    column_config={
        "outlet": st.column_config.TextColumn("Outlet", width=170),
        "grade": st.column_config.TextColumn("Reliability", width=150),
        "records": st.column_config.NumberColumn("Records on it", format="%d", width=90),
        "type": st.column_config.TextColumn("Type", width=130),
        "perspective": st.column_config.TextColumn("Perspective", width=150),
        "title": st.column_config.TextColumn("Title", width=320),
    },
)
ui.download(table, "sources")

weak = ui.load(thinly_sourced)
columns = {
    "kind": st.column_config.TextColumn("Kind", width=90),
    "record": st.column_config.TextColumn("Record", width=360),
    "origins": st.column_config.TextColumn("Originating source", width=220),
}
st.subheader("Records resting on a single source")
single = weak[weak["single_source"]][["kind", "record", "origins"]]
if single.empty:
    st.success("Every record in view rests on two or more independent sources.")
else:
    st.caption(
        "One originator only: a relayed report counts as whoever first said it (KCNA, as "
        "reported by …), and one outlet's several documents count once."
    )
    ui.evidence_table(single, key="sources.single", column_config=columns, detail=False)
    ui.download(single, "single-source-records")

st.subheader("Records resting only on the involved states' own voices")
st.caption(
    "Every originator is the state media, a government readout or an agency of a state the "
    "record involves."
)
state_only = weak[weak["state_sources_only"]][["kind", "record", "origins"]]
if state_only.empty:
    st.success("No record in view rests only on the involved states' own voices.")
else:
    ui.evidence_table(state_only, key="sources.state_only", column_config=columns, detail=False)
    ui.download(state_only, "state-sources-only-records")
