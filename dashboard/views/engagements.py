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
    # Engagements of one participant, kind and status on the same days would be drawn on top
    # of each other (four calls "between 1 and 12 August"): one mark, with their count.
    together = ["who", "state", "kind", "status", "date", "date_latest", "middle", "when"]
    # Each engagement and each place once, joined in order: columns, not a function per group.
    named = participants.drop_duplicates([*together, "engagement"]).sort_values("engagement")
    placed = participants.dropna(subset=["place"]).drop_duplicates([*together, "place"])
    drawn = (
        named.groupby(together, as_index=False)
        .agg(engagements=("engagement", "size"), titles=("engagement", "; ".join))
        .merge(
            placed.sort_values("place").groupby(together)["place"].agg("; ".join).rename("places"),
            on=together,
            how="left",
        )
        .fillna({"places": ""})
        .assign(count=lambda frame: frame["engagements"].map(lambda n: f"×{n}" if n > 1 else ""))
    )
    base = alt.Chart(drawn)
    y = alt.Y(
        "who:N",
        title="Participant (state)",
        # The most recently engaged first; sorted by the chart, not listed in its spec, where
        # every name would be validated one by one.
        sort=alt.EncodingSortField(field="date", op="max", order="descending"),
        axis=alt.Axis(labelLimit=280, labelOverlap=False),
    )
    states = ui.category_colours(drawn["state"])
    x = alt.X("middle:T", title="Date", scale=alt.Scale(padding=24), axis=ui.dated_axis())
    spans = base.mark_rule(strokeWidth=2, opacity=0.5).encode(
        x=alt.X("date:T", title="Date", scale=alt.Scale(padding=24), axis=ui.dated_axis()),
        x2="date_latest:T",
        y=y,
        color=alt.Color("state:N", title="State", scale=states),
    )
    marks = base.mark_point(size=200, strokeWidth=2.5, filled=True).encode(
        x=x,
        y=y,
        # Stroke and fill share one State legend (legend=None on either would hide it).
        stroke=alt.Stroke("state:N", title="State", scale=states),
        color=alt.Color("state:N", title="State", scale=states),
        # Filled: held; hollow: planned; a faint fill: cancelled, as the Status legend shows.
        fillOpacity=alt.FillOpacity("status:O", scale=ui.STATUS_FILL, legend=None),
        shape=alt.Shape("kind:N", title="Kind of engagement", scale=ui.ENGAGEMENT_SHAPES),
        tooltip=[
            alt.Tooltip("titles:N", title="Engagements"),
            alt.Tooltip("engagements:Q", title="How many"),
            alt.Tooltip("when:N", title="When"),
            alt.Tooltip("kind:N", title="Kind"),
            alt.Tooltip("status:N", title="Status"),
            alt.Tooltip("places:N", title="Place"),
        ],
    )
    # The count above its mark, between the rows, on a white halo: beside the mark it ran into
    # the next engagement of the same participant.
    count = {"align": "center", "baseline": "bottom", "dy": -10, "fontSize": 12}
    halo = base.mark_text(
        **count, fontWeight="bold", stroke="white", strokeWidth=4, strokeJoin="round"
    ).encode(x=x, y=y, text="count:N")
    counts = base.mark_text(**count, fontWeight="bold", color="#222").encode(
        x=x, y=y, text="count:N"
    )
    st.altair_chart(
        # Its settings given at once: each method call on a chart copies it whole.
        alt.LayerChart(
            layer=[spans, marks, halo, counts, ui.status_key(base, x=x, y=y)],
            # Short enough not to be cut at 1000 pixels wide: the Status legend says the rest.
            title="Each participant's engagements: filled if held, hollow if planned",
            height=alt.Step(34),
            config=ui.LEGENDS_UNDER,
        ),
        width="stretch",
        alt="Timeline of engagements by participant",
    )
    st.caption(
        "A mark stands at the middle of the days its date may fall on; the line across it spans "
        "them (a month, or a range) when the source gives no exact day. Engagements of one "
        "participant on the same days are one mark, with their number above it."
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
    ui.evidence_table(
        table,
        key="engagements.table",
        what="engagement",
        column_config={
            "when": st.column_config.TextColumn("When", width=120),
            "engagement": st.column_config.TextColumn("Engagement", width=210),
            "kind": st.column_config.TextColumn("Kind", width=90),
            "status": st.column_config.TextColumn("Status", width=70),
            "place": st.column_config.TextColumn("Place", width=110),
            "participants": st.column_config.TextColumn("Participants and roles", width=300),
        },
    )
    ui.download(table.assign(**days), "engagements")
