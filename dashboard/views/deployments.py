"""Deployments: every source's estimate of one deployment over time, with its evidence."""

from __future__ import annotations

import altair as alt
import streamlit as st
import ui

from tracker.timelines import deployments_in_view, estimate_series

st.title("Deployments")
st.caption(
    "Each source's estimate, side by side: sources that disagree are all kept. "
    "An analyst may rank an estimate preferred or deprecated; nothing is deleted."
)

deployments = ui.load(deployments_in_view)
if deployments.empty:
    ui.nothing_to_show("deployments")
    st.stop()

names = dict(zip(deployments["id"], deployments["deployment"], strict=True))
left, middle, right = st.columns([3, 1.2, 1.2])
chosen = left.selectbox(
    "Deployment",
    options=list(names),
    format_func=names.get,
    key="deployment",
    bind="query-params",
)
colour_by = middle.radio(
    "Colour estimates by", ["source", "perspective"], horizontal=True, key="colour_by"
)
show_deprecated = right.toggle(
    "Show deprecated",
    value=True,
    key="show_deprecated",
    help="Deprecated estimates are kept, drawn faded; switch off to hide them.",
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
if not show_deprecated:
    estimates = estimates[estimates["rank"] != "deprecated"]

st.subheader("Estimates over time")
if estimates.empty:
    ui.nothing_to_show("estimates of this deployment")
else:
    points = estimates.assign(
        # An imprecise date is drawn at its middle, with a dashed line across the days it may be.
        middle=estimates["as_of"] + (estimates["as_of_latest"] - estimates["as_of"]) / 2,
        top=estimates["high"].fillna(estimates["low"]),
        bottom=estimates["low"].fillna(estimates["high"]),
        faded=estimates["rank"].eq("deprecated").map({True: 0.3, False: 1.0}),
    )
    # The band: for each counting basis, the range from the lowest to the highest current
    # estimate, across the days those estimates date from.
    band = (
        points[points["rank"] != "deprecated"]
        .groupby("counting_basis", as_index=False)
        .agg(
            first=("as_of", "min"),
            last=("as_of_latest", "max"),
            bottom=("bottom", "min"),
            top=("top", "max"),
            sources=("source", "nunique"),
        )
    )
    bases = ["cumulative", "total present", "additional planned"]
    y_scale = alt.Scale(zero=True)
    y_axis = alt.Axis(format=",d", title="Personnel (people)")
    x_scale = alt.Scale(padding=70)
    x = alt.X("middle:T", title="As of (date of the estimate)", scale=x_scale)
    band_layer = (
        alt.Chart(band)
        .mark_rect(opacity=0.15)
        .encode(
            x=alt.X("first:T", scale=x_scale),
            x2="last:T",
            y=alt.Y("bottom:Q", scale=y_scale, axis=y_axis),
            y2="top:Q",
            color=alt.Color(
                "counting_basis:N",
                title="Range across sources",
                scale=alt.Scale(domain=bases, range=["#4c78a8", "#54a24b", "#e45756"]),
            ),
            tooltip=[
                alt.Tooltip("counting_basis:N", title="Counting basis"),
                alt.Tooltip("bottom:Q", title="Lowest", format=","),
                alt.Tooltip("top:Q", title="Highest", format=","),
                alt.Tooltip("sources:Q", title="Sources"),
            ],
        )
    )
    colour = alt.Color(
        f"{colour_by}:N",
        title=f"Estimate by {colour_by}",
        scale=ui.category_colours(points[colour_by]),
    )
    opacity = alt.Opacity("faded:Q", legend=None, scale=None)
    tooltip = [
        alt.Tooltip("figure:N", title="Figure"),
        alt.Tooltip("counting_basis:N", title="Counting"),
        alt.Tooltip("when:N", title="As of"),
        alt.Tooltip("source:N", title="Source"),
        alt.Tooltip("perspective:N", title="Perspective"),
        alt.Tooltip("reliability:N", title="Reliability"),
        alt.Tooltip("rank:N", title="Rank"),
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
    marks = (
        alt.Chart(points)
        .mark_point(size=160, filled=True)
        .encode(
            x=x,
            y=alt.Y("bottom:Q", scale=y_scale, axis=y_axis),
            color=colour,
            shape=alt.Shape(
                "counting_basis:N",
                title="Counting basis",
                scale=alt.Scale(domain=bases, range=["circle", "square", "triangle-up"]),
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
        .resolve_scale(color="independent")
        .properties(title=f"Estimates of {names[chosen]}, by {colour_by}", height=440)
    )
    st.altair_chart(chart, width="stretch", alt=f"Estimates of {names[chosen]} over time")
    st.caption(
        "Each point is one source's estimate at its lowest figure, labelled in the source's words; "
        "a vertical line runs up to its highest figure, a dashed line across the days it may date "
        "from. The shaded band spans the range across sources, for each counting basis: deployed "
        "so far (cumulative), present at the time, or additional planned. "
        "Deprecated estimates are faded."
    )
    ui.show_sources(sorted(set(estimates["outlets"].explode())))

st.subheader("The estimates and their evidence")
if not estimates.empty:
    table = estimates[
        [
            "when",
            "figure",
            "counting_basis",
            "source",
            "perspective",
            "reliability",
            "rank",
            "quotes",
            "cited_in",
            "note",
        ]
    ]
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "when": "As of",
            "figure": "Figure",
            "counting_basis": "Counting basis",
            "source": "Source of the figure",
            "perspective": "Perspective",
            "reliability": st.column_config.TextColumn(
                "Reliability", help="Admiralty grade, A to F"
            ),
            "rank": "Rank",
            "quotes": st.column_config.TextColumn("Quoted passage", width="large"),
            "cited_in": st.column_config.TextColumn("Read in", width="medium"),
            "note": "Note",
        },
    )
    ui.download(table, "estimates")
