"""Treaties: when each was in force on the evidence, between whom, what it obliges, and the
network of alliances on a chosen day."""

from __future__ import annotations

from datetime import date, timedelta

import altair as alt
import streamlit as st
import ui

from tracker.kinds import RecordKind
from tracker.networks import alliance_network
from tracker.timelines import EVIDENCE, LIMIT, treaties_per_year, treaty_timeline

SHOWN = 60  # treaties drawn on the timeline; the rest are counted and listed in the table
# Year ticks, never finer: a tick a month labelled with its year would repeat the year.
YEARS = alt.Axis(format="%Y", tickMinStep=365 * 24 * 3600 * 1000, labelOverlap=True)
GROUPS = {"obligation": "Obligation", "decade": "Decade signed"}
# Characters a line of a treaty's label on the timeline: "Non-Aggression Pact, 2002 (2 members)".
LABEL_WIDTH = 38

st.title("Treaties")
st.caption(
    "Treaties known to be in force at some point in the date range. A state is a member only "
    "for its own spells, and two states are allied only while both are members. Obligations "
    "follow the ATOP project: defence, offence, neutrality, non-aggression, consultation."
)

treaties = ui.load(treaty_timeline)
if len(treaties) == LIMIT:
    st.warning(
        f"Only the newest {LIMIT} treaties in the range are shown and counted here: narrow the "
        "dates or choose states in the sidebar to see the rest."
    )
controls = st.columns([2, 2, 1])
search = controls[0].text_input("Treaty name contains", key="treaties.search")
obligations = controls[1].multiselect(
    "Obligation",
    sorted(treaties["obligation"].unique()) if not treaties.empty else [],
    key="treaties.obligations",
    help="A treaty's first obligation, in ATOP's order: defence, offence, neutrality, "
    "non-aggression, consultation.",
)
group = controls[2].radio(
    "Group by", list(GROUPS), format_func=GROUPS.get, key="treaties.group", horizontal=True
)
shown = treaties
if search:
    shown = shown[shown["treaty"].str.contains(search, case=False, regex=False)]
if obligations:
    shown = shown[shown["obligation"].isin(obligations)]

st.subheader("Treaties in force each year")
filters = ui.current_filters()
per_year = treaties_per_year(shown, group, filters)
if per_year.empty:
    ui.nothing_to_show("treaties with a known span")
else:
    st.altair_chart(
        alt.Chart(per_year)
        .mark_area(opacity=0.85)
        .encode(
            x=alt.X("year:T", title="Year", axis=YEARS),
            y=alt.Y(
                "treaties:Q",
                title="Treaties in force",
                stack="zero",
                axis=alt.Axis(tickMinStep=1, format="d"),
            ),
            # Obligations keep their colours whichever are in view; decades follow in order.
            color=alt.Color(
                f"{group}:N",
                title=GROUPS[group],
                legend=alt.Legend(orient="bottom", columns=3),
                scale=ui.OBLIGATION_COLOURS
                if group == "obligation"
                else alt.Scale(scheme="viridis"),
            ),
            tooltip=[
                alt.Tooltip("year:T", title="Year", format="%Y"),
                alt.Tooltip(f"{group}:N", title=GROUPS[group]),
                alt.Tooltip("treaties:Q", title="Treaties in force"),
            ],
        )
        .properties(
            title=f"Counted if in force at any time in the year, by {GROUPS[group].lower()}"
        ),
        width="stretch",
        alt="Treaties in force each year",
    )
    st.caption(
        "A treaty counts only while it is known to be in force: data sets end where their "
        "evidence does (the Correlates of War's alliances at the end of 2012), and what they "
        "leave open is not recorded after that."
    )
    ui.sources_line((RecordKind.TREATY,))

st.subheader("Treaties over time")
today = date.today()
dated = shown.dropna(subset=["start"])
if dated.empty:
    ui.nothing_to_show("treaties")
else:
    drawn = dated.head(SHOWN)
    # Each treaty's name in two short lines, cut where longer: the bars keep most of the width;
    # the tooltip and the table below give the name in full.
    drawn = drawn.assign(
        row=ui.short_labels(
            drawn["treaty"] + " (" + drawn["members"].astype(str) + " members)", LABEL_WIDTH
        )
    )
    order = list(drawn.sort_values([group, "start"])["row"])
    y = alt.Y("row:N", title=None, sort=order, axis=ui.short_label_axis(LABEL_WIDTH))
    tooltip = [
        alt.Tooltip("treaty:N", title="Treaty"),
        alt.Tooltip("parties_shown:N", title="Members"),
        alt.Tooltip("obligations:N", title="Obligations"),
        alt.Tooltip("signed:N", title="Signed"),
        alt.Tooltip("ended:N", title="Ended"),
        alt.Tooltip("evidence:N", title="Bar"),
        alt.Tooltip(f"{group}:N", title=GROUPS[group]),
    ]
    evidence = alt.Color(
        "evidence:N",
        title="The bar rests on",
        # One line each, under the bars: the legend starts where they do, after the labels.
        legend=alt.Legend(orient="bottom", columns=1, labelLimit=0),
        scale=alt.Scale(
            domain=list(EVIDENCE.values()), range=["#bab0ac", "#4c78a8", "#9ecae9", "#f58518"]
        ),
    )
    # From a year before the earliest treaty drawn, or the range's start if that is later:
    # with two centuries in the range and the most recent treaties drawn, the bars would
    # otherwise be squeezed into its last few years.
    earliest = drawn["start"].min() - timedelta(days=365)
    in_range = alt.Scale(
        domain=[
            max(filters.start or earliest, earliest).isoformat(),
            (filters.end or today).isoformat(),
        ]
    )
    spans = (
        alt.Chart(drawn.dropna(subset=["end"]))
        .mark_bar(cornerRadius=3, opacity=0.8, clip=True)
        .encode(
            x=alt.X("start:T", title="Year", axis=YEARS, scale=in_range),
            x2="end:T",
            y=y,
            color=evidence,
            tooltip=tooltip,
        )
    )
    signed = (
        alt.Chart(drawn)
        # Outlined, so the diamond stands out from the bar it begins, of the same colour.
        .mark_point(
            shape="diamond", size=130, filled=True, clip=True, stroke="#1f3b57", strokeWidth=1
        )
        .encode(x="start:T", y=y, color=evidence, tooltip=tooltip)
    )
    grouped = "obligation" if group == "obligation" else "decade signed"
    chart = alt.layer(spans, signed).properties(
        # Short enough not to be cut at 1000 pixels wide, grouped by decade too.
        title=f"Signature (diamond) to the last day known in force, by {grouped}",
        height=alt.Step(30),  # two lines of a label a row
    )
    st.altair_chart(chart, width="stretch", alt="Timeline of treaties")
    left_out = len(dated) - len(drawn)
    st.caption(
        (
            f"The {SHOWN} most recent of {len(dated):,} treaties are drawn; all are in the table. "
            if left_out
            else ""
        )
        + "A treaty whose entry into force is not recorded has a diamond and no bar: "
        "no end recorded is not the same as in force."
    )
    ui.sources_line((RecordKind.TREATY,))

st.subheader("The alliance network on a day")
day = st.date_input(
    "Day",
    value=min(filters.end or today, today),
    min_value=date(1000, 1, 1),
    max_value=date(2999, 12, 31),
    key="treaties.day",
    help="States joined by a line were both members of a treaty in force on this day.",
)
nodes, edges = ui.load(alliance_network, filtered=False, on=day, states=filters.states)
if edges.empty:
    st.info(
        f"No treaty is recorded as in force between two members on {ui.day(day)}. Data sets end "
        "where their evidence does: COW's alliances, for instance, at the end of 2012."
    )
else:
    lines = (
        alt.Chart(edges)
        .mark_rule(opacity=0.35)
        .encode(
            x=alt.X("x:Q", axis=None),
            y=alt.Y("y:Q", axis=None),
            x2="x2:Q",
            y2="y2:Q",
            strokeWidth=alt.StrokeWidth(
                "treaties:Q",
                title="Treaties binding the pair",
                legend=alt.Legend(
                    values=list(range(1, int(edges["treaties"].max()) + 1))[:6], format="d"
                ),
            ),
            color=alt.condition("datum.defence > 0", alt.value("#4c78a8"), alt.value("#bab0ac")),
            tooltip=[
                alt.Tooltip("state_a:N", title="State"),
                alt.Tooltip("state_b:N", title="State"),
                alt.Tooltip("treaties:Q", title="Treaties in force"),
                alt.Tooltip("defence:Q", title="Of them, defence pacts"),
            ],
        )
    )
    points = (
        alt.Chart(nodes)
        .mark_circle(color="#1f3b57")
        .encode(
            x="x:Q",
            y="y:Q",
            size=alt.Size("allies:Q", title="Allies"),
            tooltip=[alt.Tooltip("name:N", title="State"), alt.Tooltip("allies:Q", title="Allies")],
        )
    )
    labels = (
        alt.Chart(nodes)
        .mark_text(dy=-10, fontSize=11)
        .encode(x="x:Q", y="y:Q", text="code:N", tooltip=[alt.Tooltip("name:N", title="State")])
    )
    st.altair_chart(
        alt.layer(lines, points, labels).properties(
            # Two lines: one was cut short at 1000 pixels wide.
            title=[
                f"{len(nodes)} states allied on {ui.day(day)}",
                "A blue line where two share a defence pact, grey for other treaties",
            ],
            height=560,
        ),
        width="stretch",
        alt="Alliance network",
    )
    ui.sources_line((RecordKind.TREATY,))

st.subheader("Members and obligations")
if not shown.empty:
    table = shown[
        ["treaty", "members", "parties_shown", "obligations", "signed", "ended", "status", "kind"]
    ].fillna("")
    ui.evidence_table(
        table,
        key="treaties.table",
        what="treaty",
        column_config={
            # Cells wrap; the chosen treaty is shown in full under the table.
            "treaty": st.column_config.TextColumn("Treaty", width=260),
            "members": st.column_config.NumberColumn("Members", width=75),
            "parties_shown": st.column_config.TextColumn("Members' names", width=300),
            "obligations": st.column_config.TextColumn("Obligations (ATOP)", width=260),
            "signed": st.column_config.TextColumn("Signed", width=90),
            "ended": st.column_config.TextColumn("Ended", width=90),
            "status": st.column_config.TextColumn(
                f"Status on {ui.day(min(filters.end or today, today))}", width=260
            ),
            "kind": st.column_config.TextColumn("Kind", width=120),
        },
    )
    # The download names every member, where the table shows the first few.
    ui.download(
        shown[["treaty", "members", "parties", "obligations", "signed"]].assign(
            **ui.possible_days(shown["signed_first"], shown["signed_last"], "signed_"),
            ended=shown["ended"],
            **ui.possible_days(shown["ended_first"], shown["ended_last"], "ended_"),
            status=shown["status"],
            kind=shown["kind"],
        ),
        "treaties",
    )
