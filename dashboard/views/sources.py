"""Sources: what the records rest on, and which rest on too little."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st
import ui

from tracker.kinds.sources import Reliability, perspectives
from tracker.provenance import source_usage, thinly_sourced

LABEL_WIDTH = 30  # characters a line of a source's label on the chart

st.title("Sources")
st.caption(
    "Reliability is the Admiralty code's source grade: A completely reliable, B usually reliable, "
    "C fairly reliable, D not usually reliable, E unreliable, F cannot be judged."
)

# The first rows of each list only (the most used sources; the thinly sourced records by kind
# and name), and how long each is: the chart and the tables show no more, and the downloads
# read them all when they are pressed. The second read starts now, beside the first.
weak_ahead = ui.start(thinly_sourced, first=ui.TABLE_ROWS)
usage = ui.load(source_usage, first=ui.TABLE_ROWS)
used = usage.sources[usage.sources["records"] > 0]
st.subheader("How many records rest on each source")
if used.empty:
    ui.nothing_to_show("sourced records")
else:
    shown = used.head(25)
    # The outlet, and where it has several documents, which one (its title, less the outlet's
    # name it often begins with), in two short lines: the bars keep most of the width.
    several = shown["outlet"].duplicated(keep=False)
    named = [
        outlet + (": " + title.removeprefix(outlet).strip(" :,") if twice else "")
        for outlet, title, twice in zip(shown["outlet"], shown["title"], several, strict=True)
    ]
    shown = shown.assign(
        label=ui.short_labels(
            named, LABEL_WIDTH, tails=[f" [{grade}]" for grade in shown["reliability"]]
        )
    )
    # A colour for every perspective assessed, whichever are in view: "Russian state" keeps
    # its colour when the dates leave only two perspectives. The legend lists those in view.
    colours = ui.category_colours([*ui.load(perspectives, filtered=False), *shown["perspective"]])
    chart = (
        alt.Chart(
            shown,
            title="Cited directly or relayed; [A] to [F]: the source's reliability grade",
        )
        .mark_bar()
        .encode(
            x=alt.X("records:Q", title="Records (count)", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("label:N", title=None, sort="-x", axis=ui.short_label_axis(LABEL_WIDTH)),
            # The legend below the bars (beside them, on a narrow screen, it left them no room),
            # one perspective a line: it starts where the bars do, and two columns ran off the
            # right edge at 1000 pixels wide.
            color=alt.Color(
                "perspective:N",
                title="Perspective",
                scale=colours,
                legend=alt.Legend(
                    orient="bottom",
                    columns=1,
                    labelLimit=0,
                    values=[name for name in colours.domain if name in set(shown["perspective"])],
                ),
            ),
            tooltip=[
                alt.Tooltip("outlet:N", title="Outlet"),
                alt.Tooltip("title:N", title="Title"),
                alt.Tooltip("type:N", title="Type"),
                alt.Tooltip("reliability:N", title="Reliability"),
                alt.Tooltip("records:Q", title="Records"),
            ],
        )
        .properties(height=alt.Step(34))
    )
    st.altair_chart(chart, width="stretch", alt="Records per source")
    if usage.used > len(shown):
        st.caption(f"The 25 most used of {usage.used:,} sources; every source is in the table.")
    outlets = list(shown["outlet"].drop_duplicates())
    ui.show_sources(outlets, usage.outlets_used - len(outlets))

# Looked up, not worked out row by row: there are tens of thousands of sources at scale.
GRADES = {grade.value: f"{grade.value} ({grade.meaning})" for grade in Reliability}


def as_table(sources: pd.DataFrame) -> pd.DataFrame:
    """SOURCES as the table shows and downloads them: reliability and use beside the outlet,
    the long title last."""
    return sources.assign(grade=sources["reliability"].map(GRADES))[
        ["outlet", "grade", "records", "type", "perspective", "title"]
    ]


st.subheader("Every source")
# The chosen source is shown in full under the table, where a narrow screen leaves the title
# out of the grid's view.
ui.evidence_table(
    ui.first_rows(as_table(usage.sources), "sources, the most used first", total=usage.in_all),
    key="sources.table",
    what="source",
    column_config={
        "outlet": st.column_config.TextColumn("Outlet", width=170),
        "grade": st.column_config.TextColumn("Reliability", width=150),
        "records": st.column_config.NumberColumn("Records on it", format="%d", width=90),
        "type": st.column_config.TextColumn("Type", width=130),
        "perspective": st.column_config.TextColumn("Perspective", width=150),
        "title": st.column_config.TextColumn("Title", width=320),
    },
)
every_source = ui.later(source_usage)
ui.download(lambda: as_table(every_source().sources), "sources", rows=usage.in_all)

weak = weak_ahead.result()
every_weak = ui.later(thinly_sourced)
columns = {
    # All three in view at 1000 pixels wide; the chosen record in full under the table.
    "kind": st.column_config.TextColumn("Kind", width=90),
    "record": st.column_config.TextColumn("Record", width=260),
    "origins": st.column_config.TextColumn("Originating source", width=170),
}


def thin_list(on_list: str, total: int, key: str, file_name: str) -> None:
    """The records on one list (ON_LIST, a column of `thinly_sourced` saying whether a record
    is on it), TOTAL of them: a table of the first, and a download of them all."""

    def listed(records: pd.DataFrame) -> pd.DataFrame:
        return records[records[on_list]][list(columns)]

    ui.evidence_table(
        ui.first_rows(listed(weak.records), "records, by kind and name", total=total),
        key=key,
        column_config=columns,
        what="record",
    )
    ui.download(lambda: listed(every_weak().records), file_name, rows=total)


st.subheader("Records resting on a single source")
if not weak.single_source:
    st.success("Every record in view rests on two or more independent sources.")
else:
    st.caption(
        "One originator only: a relayed report counts as whoever first said it (KCNA, as "
        "reported by …), and one outlet's several documents count once."
    )
    thin_list("single_source", weak.single_source, "sources.single", "single-source-records")

st.subheader("Records resting only on the involved states' own voices")
st.caption(
    "Every originator is the state media, a government readout or an agency of a state the "
    "record involves."
)
if not weak.state_sources_only:
    st.success("No record in view rests only on the involved states' own voices.")
else:
    thin_list(
        "state_sources_only",
        weak.state_sources_only,
        "sources.state_only",
        "state-sources-only-records",
    )
