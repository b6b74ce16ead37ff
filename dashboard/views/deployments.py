"""Deployments: every source's estimate of one deployment over time, with its evidence."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st
import ui

from tracker.timelines import deployments_in_view, estimate_series

st.title("Deployments")
st.caption(
    "Each source's estimate, side by side: sources that disagree are all kept. "
    "An analyst may rank an estimate preferred or deprecated, and a later source may correct "
    "or retract one; nothing is deleted. Only figures of the same measure and scope (what they "
    "count, and where) are compared."
)

deployments = ui.load(deployments_in_view)
if deployments.empty:
    ui.nothing_to_show("deployments")
    st.stop()

names = dict(zip(deployments["id"], deployments["deployment"], strict=True))
left, right = st.columns([3, 2])
chosen = left.selectbox(
    "Deployment",
    options=list(names),
    format_func=names.get,
    key="deployment",
    bind="query-params",
)
colour_by = right.radio(
    "Colour estimates by",
    ["series", "source", "perspective"],
    format_func=lambda choice: "measure and scope" if choice == "series" else choice,
    horizontal=True,
    key="colour_by",
)
show_withdrawn = right.toggle(
    "Show withdrawn",
    value=True,
    key="show_deprecated",
    help="Deprecated estimates, and those a later source corrected or retracted, are kept and "
    "drawn faded; switch off to hide them.",
)

row = deployments.set_index("id").loc[chosen]
st.markdown(
    ui.plain(
        f"{row['sending']} to {row['receiving']}"
        + (f", {row['region']}" if row["region"] else "")
        + f": {row['personnel_kind'].replace('_', ' ')}."
    )
)

estimates = ui.load(estimate_series, deployment_id=int(chosen))
standing = estimates["rank"].ne("deprecated") & estimates["standing"].eq("current")
if not show_withdrawn:
    estimates = estimates[standing]
    standing = standing[standing]

SHAPES = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down", "wedge"]


def estimate_chart(shown: pd.DataFrame, stands: pd.Series, title: str, y_title: str) -> None:
    """SHOWN's estimates over time, one series per measure and scope, with the band of each."""
    points = shown.assign(
        # An imprecise date is drawn at its middle, with a dashed line across the days it may be.
        middle=shown["as_of"] + (shown["as_of_latest"] - shown["as_of"]) / 2,
        top=shown["high"].fillna(shown["low"]),
        bottom=shown["low"].fillna(shown["high"]),
        faded=stands.map({True: 1.0, False: 0.3}),
    )
    # The band: for each measure and scope, the range from the lowest to the highest estimate
    # that stands, across the days those estimates date from.
    band = (
        points[stands]
        .groupby("series", as_index=False)
        .agg(
            first=("as_of", "min"),
            last=("as_of_latest", "max"),
            bottom=("bottom", "min"),
            top=("top", "max"),
            sources=("source", "nunique"),
        )
    )
    series = ui.category_colours(points["series"])
    y_scale = alt.Scale(zero=True)
    y_axis = alt.Axis(format=",d", title=y_title)
    x_scale = alt.Scale(padding=70)
    x = alt.X("middle:T", title="As of (date of the estimate)", scale=x_scale, axis=ui.dated_axis())
    band_layer = (
        alt.Chart(band)
        .mark_rect(opacity=0.15)
        .encode(
            x=alt.X("first:T", scale=x_scale),
            x2="last:T",
            y=alt.Y("bottom:Q", scale=y_scale, axis=y_axis),
            y2="top:Q",
            color=alt.Color(
                "series:N",
                title="Measure, scope" if colour_by == "series" else "Range across sources",
                scale=series,
                legend=alt.Legend(labelLimit=320),
            ),
            tooltip=[
                alt.Tooltip("series:N", title="Measure, scope"),
                alt.Tooltip("bottom:Q", title="Lowest", format=","),
                alt.Tooltip("top:Q", title="Highest", format=","),
                alt.Tooltip("sources:Q", title="Sources"),
            ],
        )
    )
    colour = alt.Color(
        f"{colour_by}:N",
        title="Measure, scope" if colour_by == "series" else f"Estimate by {colour_by}",
        scale=series if colour_by == "series" else ui.category_colours(points[colour_by]),
        legend=alt.Legend(labelLimit=320),
    )
    opacity = alt.Opacity("faded:Q", legend=None, scale=None)
    tooltip = [
        alt.Tooltip("figure:N", title="Figure"),
        alt.Tooltip("measure:N", title="What it counts"),
        alt.Tooltip("scope:N", title="Where"),
        alt.Tooltip("when:N", title="As of"),
        alt.Tooltip("source:N", title="Source"),
        alt.Tooltip("perspective:N", title="Perspective"),
        alt.Tooltip("reliability:N", title="Reliability"),
        alt.Tooltip("rank:N", title="Rank"),
        alt.Tooltip("standing:N", title="Stands"),
    ]
    ranges = (
        alt.Chart(points)
        .mark_rule(strokeWidth=3)
        .encode(
            x=x,
            y=alt.Y("bottom:Q", scale=y_scale, axis=y_axis),
            y2="top:Q",
            color=colour,
            opacity=opacity,
        )
    )
    dates = (
        alt.Chart(points)
        .mark_rule(strokeDash=[4, 3], strokeWidth=2)
        .encode(
            x=alt.X("as_of:T", scale=x_scale),
            x2="as_of_latest:T",
            y="bottom:Q",
            color=colour,
            opacity=opacity,
        )
    )
    domain = sorted(set(points["series"]))
    marks = (
        alt.Chart(points)
        .mark_point(size=160, filled=True)
        .encode(
            x=x,
            y=alt.Y("bottom:Q", scale=y_scale, axis=y_axis),
            color=colour,
            shape=alt.Shape(
                "series:N",
                title="Measure, scope",
                legend=alt.Legend(labelLimit=320),
                scale=alt.Scale(
                    domain=domain, range=[SHAPES[i % len(SHAPES)] for i in range(len(domain))]
                ),
            ),
            opacity=opacity,
            tooltip=tooltip,
        )
    )
    labels = (
        alt.Chart(points)
        .mark_text(align="center", dy=-16, fontSize=13, fontWeight="bold")
        .encode(x=x, y="top:Q", text="figure:N", opacity=opacity)
    )
    chart = (
        alt.layer(band_layer, alt.layer(ranges, dates, marks, labels))
        .resolve_scale(color="independent" if colour_by != "series" else "shared")
        .properties(title=title, height=440)
        # A series' name and the legend's title are never cut short.
        .configure_legend(labelLimit=0, titleLimit=0)
    )
    st.altair_chart(chart, width="stretch", alt=title)


is_casualty = estimates["casualties"].astype(bool)
st.subheader("Personnel estimates over time")
if estimates[~is_casualty].empty:
    ui.nothing_to_show("estimates of personnel in this deployment")
else:
    personnel = estimates[~is_casualty]
    estimate_chart(
        personnel,
        standing[~is_casualty],
        f"Estimates of {names[chosen]}: personnel, by measure and scope",
        "Personnel (people)",
    )
    st.caption(
        "Each point is one source's estimate at its lowest figure, labelled in the source's words; "
        "a vertical line runs up to its highest figure, a dashed line across the days it may date "
        "from. Each measure and scope (personnel present, sent so far, additional planned, in "
        "Russia or in one region) is its own series, with a shaded band spanning the range "
        "across sources. Deprecated, corrected and retracted estimates are faded."
    )
    ui.show_sources(sorted(set(personnel["outlets"].explode())))

if is_casualty.any():
    st.subheader("Casualty estimates over time")
    losses = estimates[is_casualty]
    estimate_chart(
        losses,
        standing[is_casualty],
        f"Estimates of {names[chosen]}: casualties, by measure and scope",
        "Casualties (people)",
    )
    st.caption(
        "Killed, wounded or captured, kept apart from the personnel figures: a loss is not a "
        "count of people sent. Drawn as above."
    )
    ui.show_sources(sorted(set(losses["outlets"].explode())))

st.subheader("The estimates and their evidence")
if not estimates.empty:
    columns = {
        "when": "As of",
        "as_of_words": "As of, in the source's words",
        "figure": "Figure",
        "measure": "What it counts",
        "scope": "Where",
        "source": "Source of the figure",
        "perspective": "Perspective",
        "reliability": st.column_config.TextColumn("Reliability", help="Admiralty grade, A to F"),
        "rank": "Rank",
        "standing": st.column_config.TextColumn(
            "Stands", help="Current, or which later source corrected or retracted it, and when"
        ),
        "quotes": st.column_config.TextColumn("Quoted passage", width="large"),
        "cited_in": st.column_config.TextColumn(
            "Said by, and read in", help="Whoever first said it, via each source that relayed it"
        ),
        "note": "Note",
    }
    table = estimates[[name for name in columns if name in estimates.columns]].fillna(
        {"as_of_words": "—", "note": ""}
    )
    st.dataframe(
        table,
        hide_index=True,
        column_config={name: label for name, label in columns.items() if name in table.columns},
    )
    ui.download(
        table.assign(
            deployment=names[chosen],
            low=estimates["low"].astype("Int64"),
            high=estimates["high"].astype("Int64"),
            **ui.possible_days(estimates["as_of"], estimates["as_of_latest"], "as_of_"),
        ),
        "estimates",
    )
