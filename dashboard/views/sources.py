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
            title="Records resting on each source [reliability grade], cited directly or relayed",
        )
        .mark_bar()
        .encode(
            x=alt.X("records:Q", title="Records (count)", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y(
                "label:N", title=None, sort="-x", axis=alt.Axis(labelLimit=420, labelOverlap=False)
            ),
            color=alt.Color(
                "perspective:N",
                title="Perspective",
                scale=ui.category_colours(shown["perspective"]),
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
table = usage.assign(
    grade=usage["reliability"].map(lambda grade: f"{grade} ({Reliability(grade).meaning})")
)[["outlet", "title", "type", "perspective", "grade", "records"]]
st.dataframe(
    table,
    hide_index=True,
    column_config={
        "outlet": "Outlet",
        "title": st.column_config.TextColumn("Title", width="large"),
        "type": "Type",
        "perspective": "Perspective",
        "grade": "Reliability",
        "records": st.column_config.NumberColumn("Records resting on it", format="%d"),
    },
)
ui.download(table, "sources")

weak = ui.load(thinly_sourced)
columns = {
    "kind": "Kind",
    "record": st.column_config.TextColumn("Record", width="large"),
    "origins": "Originating source",
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
    st.dataframe(single, hide_index=True, column_config=columns)
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
    st.dataframe(state_only, hide_index=True, column_config=columns)
    ui.download(state_only, "state-sources-only-records")
