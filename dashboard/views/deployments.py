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


def estimate_chart(shown: pd.DataFrame, stands: pd.Series, title: str, y_title: str) -> None:
    """SHOWN's estimates over time, one series per measure and scope, with the band of each."""
    points = shown.assign(
        # An imprecise date is drawn at its middle, with a dashed line across the days it may be.
        middle=shown["as_of"] + (shown["as_of_latest"] - shown["as_of"]) / 2,
        top=shown["high"].fillna(shown["low"]),
        bottom=shown["low"].fillna(shown["high"]),
        faded=stands.map({True: 1.0, False: 0.3}),
        bound=shown["qualifier"].map(ui.figure_bound),
    )
    # An open-ended figure is drawn open-ended: "over 11,000" by a dashed arrow from its figure
    # up past every other figure, "up to 5,000" by one down to zero; never as an exact point.
    ceiling = float(points[["top", "bottom"]].max().max()) * 1.2
    points["reach"] = points["bottom"].where(points["bound"] == ui.CLOSED)
    points.loc[points["bound"] == ui.LOWER_BOUND, "reach"] = ceiling
    points.loc[points["bound"] == ui.UPPER_BOUND, "reach"] = 0
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
    open_ended = points[points["bound"] != ui.CLOSED]
    arrows = (
        alt.Chart(open_ended)
        .mark_rule(strokeDash=[6, 4], strokeWidth=2)
        .encode(x=x, y="bottom:Q", y2="reach:Q", color=colour, opacity=opacity)
    )
    heads = (
        alt.Chart(open_ended)
        .mark_point(size=90, filled=True)
        .encode(
            x=x,
            y="reach:Q",
            color=colour,
            # Titled as the marks' shape, so the two share one legend (legend=None on either
            # would hide it).
            shape=alt.Shape("bound:N", title="The figure is", scale=ui.FIGURE_SHAPES),
            opacity=opacity,
        )
    )
    marks = (
        alt.Chart(points)
        .mark_point(size=180, filled=True)
        .encode(
            x=x,
            y=alt.Y("bottom:Q", scale=y_scale, axis=y_axis),
            color=colour,
            # The shape says which end is open, from a fixed scale: every kind of figure keeps
            # its shape, whichever are in view.
            shape=alt.Shape(
                "bound:N",
                title="The figure is",
                scale=ui.FIGURE_SHAPES,
                legend=alt.Legend(labelLimit=320),
            ),
            opacity=opacity,
            tooltip=tooltip,
        )
    )
    # A closed figure's words above its top; an open one's beside its figure, clear of the arrow.
    labels = (
        alt.Chart(points[points["bound"] == ui.CLOSED])
        .mark_text(align="center", dy=-16, fontSize=13, fontWeight="bold")
        .encode(x=x, y="top:Q", text="figure:N", opacity=opacity)
    )
    open_labels = (
        alt.Chart(open_ended)
        .mark_text(align="left", dx=12, fontSize=13, fontWeight="bold")
        .encode(x=x, y="bottom:Q", text="figure:N", opacity=opacity)
    )
    # Its settings given at once: each method call on a chart copies it whole.
    chart = alt.LayerChart(
        layer=[
            band_layer,
            alt.LayerChart(layer=[ranges, dates, arrows, heads, marks, labels, open_labels]),
        ],
        resolve=alt.Resolve(
            scale=alt.ScaleResolveMap(color="independent" if colour_by != "series" else "shared")
        ),
        title=title,
        height=440,
        # A series' name and the legend's title are never cut short, and a swatch is drawn
        # solid, not as faint as the band it names; the legends go under the chart, where on
        # a narrow screen they take no width from it.
        config=alt.Config(legend=alt.LegendConfig(symbolOpacity=1, **ui.LEGEND_UNDER)),
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
        f"{names[chosen]}: personnel",
        "Personnel (people)",
    )
    st.caption(
        "Each point is one source's estimate at its lowest figure, labelled in the source's "
        "words; a vertical line runs up to its highest figure, a dashed line across the days it "
        "may date from. A figure open at one end (a triangle: “over 11,000”, "
        "“up to 5,000”) has a dashed arrow towards its open end. Each measure and scope "
        "(personnel present, sent so far, additional planned, in Russia or in one region) is its "
        "own series, with a shaded band spanning the range "
        "across sources. Deprecated, corrected and retracted estimates are faded."
    )
    ui.show_sources(sorted(set(personnel["outlets"].explode())))

if is_casualty.any():
    st.subheader("Casualty estimates over time")
    losses = estimates[is_casualty]
    estimate_chart(
        losses,
        standing[is_casualty],
        f"{names[chosen]}: casualties",
        "Casualties (people)",
    )
    st.caption(
        "Killed, wounded or captured, kept apart from the personnel figures: a loss is not a "
        "count of people sent. Drawn as above."
    )
    ui.show_sources(sorted(set(losses["outlets"].explode())))

st.subheader("The estimates and their evidence")
if not estimates.empty:
    # The figure and its evidence first, so they are in view without scrolling sideways.
    columns = {
        "when": st.column_config.TextColumn("As of", width=170),
        "figure": st.column_config.TextColumn("Figure", width=130),
        "measure": st.column_config.TextColumn("What it counts", width=110),
        "scope": st.column_config.TextColumn("Where", width=100),
        "source": st.column_config.TextColumn("Source of the figure", width=150),
        "quotes": st.column_config.TextColumn("Quoted passage", width=400),
        "reliability": st.column_config.TextColumn(
            "Reliability", help="Admiralty grade, A to F", width=80
        ),
        "perspective": st.column_config.TextColumn("Perspective", width=150),
        "cited_in": st.column_config.TextColumn(
            "Said by, and read in",
            help="Whoever first said it, via each source that relayed it",
            width=300,
        ),
        "as_of_words": st.column_config.TextColumn("As of, in the source's words", width=160),
        "rank": st.column_config.TextColumn("Rank", width=90),
        "standing": st.column_config.TextColumn(
            "Stands",
            help="Current, or which later source corrected or retracted it, and when",
            width=200,
        ),
        "note": st.column_config.TextColumn("Note", width=200),
    }
    table = estimates[[name for name in columns if name in estimates.columns]].fillna(
        {"as_of_words": "—", "note": ""}
    )
    ui.evidence_table(
        table,
        key="estimates.table",
        what="estimate",
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
