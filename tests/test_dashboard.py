"""The dashboard, page by page, under Streamlit's AppTest on the seed data (both backends)."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import date
from types import ModuleType
from typing import Any

import pyarrow as pa
import pytest
import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from tracker.database import project_path
from tracker.kinds.deployments import Deployment
from tracker.kinds.engagements import Engagement
from tracker.kinds.estimates import EstimateCreate
from tracker.kinds.pledges import Pledge
from tracker.kinds.sources import Source
from tracker.kinds.treaties import Treaty
from tracker.records import as_record, save
from tracker.users import SYSTEM

APP = project_path("dashboard") / "app.py"
PAGES = ["overview", "deployments", "treaties", "engagements", "pledges", "sources"]


@pytest.fixture
def dashboard(seeded_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.setenv(
        "TRACKER_DATABASE_URL", seeded_engine.url.render_as_string(hide_password=False)
    )
    yield AppTest.from_file(str(APP), default_timeout=120)


@pytest.fixture
def ui(seeded_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The pages' shared module, reading the seeded database, called outside a page's run."""
    monkeypatch.setenv(
        "TRACKER_DATABASE_URL", seeded_engine.url.render_as_string(hide_password=False)
    )
    monkeypatch.syspath_prepend(str(project_path("dashboard")))
    import ui as module

    return module


def open_page(app: AppTest, page: str, **query: Any) -> AppTest:
    for name, value in query.items():
        app.query_params[name] = value
    app.run()
    if page != "overview":
        app.switch_page(f"views/{page}.py").run()
    assert not app.exception, [error.value for error in app.exception]
    return app


def charts(app: AppTest) -> list[dict[str, Any]]:
    """Each chart's Vega-Lite spec, with its data under "rows"."""
    specs = []
    for chart in app.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        spec["rows"] = [
            row
            for dataset in chart.proto.datasets
            for row in pa.ipc.open_stream(dataset.data.data).read_all().to_pylist()
        ]
        specs.append(spec)
    return specs


def marks(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The single-mark specs inside a chart, however deeply layered."""
    if "layer" in spec:
        for layer in spec["layer"]:
            yield from marks(layer)
    else:
        yield spec


def text(app: AppTest) -> str:
    """Everything the page writes, tables included, as one string."""
    parts = [
        element.value
        for kind in ("title", "subheader", "markdown", "caption", "info")
        for element in getattr(app, kind)
    ]
    parts += [f"{metric.label}: {metric.value}" for metric in app.metric]
    parts += [table.value.to_csv() for table in app.dataframe]
    return "\n".join(str(part).replace("\\", "") for part in parts)


@pytest.mark.parametrize(
    ("page", "facts"),
    [
        (
            "overview",
            [
                "Cumulative sent, Kursk region\n### over 11,000",
                "Cumulative sent, Russia\n### roughly 15,000",
                "Additional planned, Russia\n### 25,000 to 30,000",
                "only the same measure and scope are compared",
                "Treaties in force: 0",
                "1 more last known in force before 15 Aug 2025, with no end recorded",
                "Engagements, 90 days: 8",
                "The 90 days to 15 Aug 2025.",
                "Treaty of Rapallo: treaty, 1922 (“the 1922 Rapallo Treaty”); historical context",
            ],
        ),
        (
            "deployments",
            [
                "over 11,000",
                "roughly 15,000",
                "25,000 to 30,000",
                "South Korean intelligence says",
                "Kursk region",
                "cumulative sent",
                "South Korean intelligence, via Unnamed news outlet",
            ],
        ),
        (
            "treaties",
            [
                "Comprehensive Strategic Partnership Treaty",
                "North Korea, Russia",
                "defense",
                "2024-06",
            ],
        ),
        (
            "engagements",
            ["Putin–Kim phone call", "2025-08-12", "Vladimir Putin (Russia), initiator", "planned"],
        ),
        (
            "pledges",
            [
                "fully support all measures taken by the Russian leadership",
                "Kim Jong Un (North Korea)",
            ],
        ),
        (
            "sources",
            [
                "KCNA (Korean Central News Agency)",
                "Kremlin",
                "Lavrov visits North Korea and meets Kim",
            ],
        ),
    ],
)
def test_every_page_shows_the_seed_facts(dashboard: AppTest, page: str, facts: list[str]) -> None:
    shown = text(open_page(dashboard, page))
    for fact in facts:
        assert fact in shown, f"{page} does not show {fact!r}"


@pytest.mark.parametrize("page", PAGES)
def test_every_chart_has_a_title_labelled_axes_and_a_sources_line(
    dashboard: AppTest, page: str
) -> None:
    app = open_page(dashboard, page)
    drawn = charts(app)
    assert drawn, f"{page} draws no chart"
    for spec in drawn:
        assert spec.get("title"), f"a chart on {page} has no title"
        for layer in marks(spec):
            for channel in ("x", "y"):
                encoding = layer["encoding"].get(channel, {})
                if encoding.get("type") in ("quantitative", "temporal") and "title" in encoding:
                    assert encoding["title"], f"an unlabelled {channel} axis on {page}"
        assert spec["rows"], f"a chart on {page} has no data"
    sources = [caption.value for caption in app.caption if caption.value.startswith("Sources")]
    assert len(sources) >= len(drawn) - (page == "overview"), (
        f"{page}: a chart lacks its sources line"
    )


def test_the_deployment_chart_plots_every_sources_estimate(dashboard: AppTest) -> None:
    estimates = charts(open_page(dashboard, "deployments"))[0]["rows"]
    plotted = {
        (row["figure"], row["series"], row["source"]) for row in estimates if "figure" in row
    }
    assert plotted == {
        ("over 11,000", "cumulative sent, Kursk region", "Unnamed news outlet"),
        ("roughly 15,000", "cumulative sent, Russia", "South Korean intelligence"),
        ("25,000 to 30,000", "additional planned, Russia", "South Korean intelligence"),
    }
    # One band per measure and scope: figures of different scopes are never one range.
    bands = {row["series"] for row in estimates if "first" in row}
    assert bands == {
        "cumulative sent, Kursk region",
        "cumulative sent, Russia",
        "additional planned, Russia",
    }


def test_a_state_filter_narrows_every_page(dashboard: AppTest) -> None:
    app = open_page(dashboard, "engagements")
    app.multiselect(key="states").set_value(["CHN"]).run()
    assert set(app.dataframe[0].value["engagement"]) == {"Putin–Xi phone call"}
    app.switch_page("views/overview.py").run()
    assert app.metric[1].value == "1"


@pytest.mark.parametrize(
    "pair", [["North Korea (PRK)", "Russia (RUS)"], ["Russia (RUS)", "North Korea (PRK)"]]
)
def test_a_pair_of_states_in_the_url_shows_that_dyad_both_ways(
    dashboard: AppTest, pair: list[str]
) -> None:
    app = open_page(dashboard, "engagements", states=pair)
    assert set(app.dataframe[0].value["engagement"]) == {
        "Putin–Kim phone call",
        "Lavrov visits North Korea and meets Kim",
        "Shoigu visits North Korea and meets Kim",
    }


def test_filters_in_the_url_set_the_view(dashboard: AppTest) -> None:
    app = open_page(dashboard, "deployments", reliability="B (usually reliable) or better")
    assert app.selectbox(key="reliability").value == "B"
    assert set(app.dataframe[0].value["figure"]) == {"roughly 15,000", "25,000 to 30,000"}


def test_record_kinds_and_perspectives_filter_too(dashboard: AppTest) -> None:
    app = open_page(dashboard, "overview")
    app.multiselect(key="kinds").set_value(["treaty"]).run()
    kinds = {row["kind"] for row in charts(app)[0]["rows"]}
    assert kinds == {"Treaties"}
    app.multiselect(key="kinds").set_value(["engagement"]).run()
    app.multiselect(key="perspectives").set_value(["North Korean state"]).run()
    assert sum(row["records"] for row in charts(app)[0]["rows"]) == 1  # the Putin–Kim call


@pytest.mark.parametrize("page", PAGES)
def test_a_view_with_no_data_says_so_in_words(dashboard: AppTest, page: str) -> None:
    app = open_page(dashboard, page, states=["Ukraine (UKR)"])  # named in the seeds, in no record
    assert app.info, f"{page} draws an empty chart instead of saying there is nothing to show"
    assert "match the current filters" in app.info[0].value
    assert not charts(app)


def test_a_write_shows_on_the_next_run(dashboard: AppTest, seeded_engine: Engine) -> None:
    app = open_page(dashboard, "overview")
    assert spreads(app)["Cumulative sent, Kursk region"] == ["over 11,000"]
    with Session(seeded_engine) as session:
        troops = session.exec(
            select(Deployment).where(Deployment.name.startswith("North Korean troops"))
        ).one()
        kremlin = session.exec(select(Source).where(Source.outlet == "Kremlin")).one()
        save(
            session=session,
            actor=SYSTEM,
            kind="estimate",
            record=EstimateCreate(
                deployment_id=troops.id,
                source_id=kremlin.id,
                qualifier="exactly",
                low=9000,
                high=9000,
                measure="cumulative_sent",
                scope="Kursk region",
                as_of="2025-08-14",
                citations=[{"source_id": kremlin.id, "quote": "9,000"}],
            ),
        )
        session.commit()
    app.run()
    assert spreads(app)["Cumulative sent, Kursk region"] == ["9,000 to 11,000"]
    assert spreads(app)["Cumulative sent, Russia"] == ["roughly 15,000"]  # another scope


def test_a_write_empties_only_the_cached_answers_that_read_its_table(
    seeded_engine: Engine, ui: ModuleType
) -> None:
    runs: Counter[str] = Counter()

    def pledges_counted(*, session: Session) -> int:
        runs["pledges"] += 1
        return len(session.exec(select(Pledge.id)).all())

    def sources_counted(*, session: Session) -> int:
        runs["sources"] += 1
        return len(session.exec(select(Source.id)).all())

    st.cache_data.clear()
    first = ui.load(pledges_counted, filtered=False), ui.load(sources_counted, filtered=False)
    for _ in range(2):
        assert (
            ui.load(pledges_counted, filtered=False),
            ui.load(sources_counted, filtered=False),
        ) == first
    assert runs == Counter({"pledges": 1, "sources": 1})  # each computed once, then cached
    runs_before = runs.copy()
    with Session(seeded_engine) as session:
        session.add(Source(outlet="Wire", title="Report", type="news_report"))
        session.commit()
    assert ui.load(sources_counted, filtered=False) == first[1] + 1
    assert ui.load(pledges_counted, filtered=False) == first[0]
    assert runs - runs_before == Counter({"sources": 1})  # the pledges' answer stayed cached


def test_reads_started_ahead_run_side_by_side_and_are_cached_once(ui: ModuleType) -> None:
    runs: Counter[str] = Counter()
    threads: set[str] = set()
    # Each read waits for the other to have begun: run one after the other, neither would end.
    begun = threading.Barrier(2, timeout=30)

    def counted(*, session: Session, table: str) -> int:
        runs[table] += 1
        threads.add(threading.current_thread().name)
        begun.wait()
        model = {"pledge": Pledge, "source": Source}[table]
        return len(session.exec(select(model.id)).all())

    st.cache_data.clear()
    pledges = ui.start(counted, filtered=False, table="pledge")
    sources = ui.start(counted, filtered=False, table="source")
    answers = pledges.result(), sources.result()
    assert threading.current_thread().name not in threads and len(threads) == 2
    # Where the page shows them, the answers are taken from the cache, not computed again.
    assert (
        ui.load(counted, filtered=False, table="pledge"),
        ui.load(counted, filtered=False, table="source"),
    ) == answers
    assert runs == Counter({"pledge": 1, "source": 1})


def test_what_the_server_has_loaded_is_left_out_of_the_garbage_collectors_passes() -> None:
    """A page reading tens of thousands of rows would otherwise have the collector walk every
    loaded module's objects, again and again."""
    frozen = subprocess.run(
        [sys.executable, "-c", "import gc, ui; print(gc.get_freeze_count())"],
        cwd=project_path("dashboard"),
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(frozen.stdout) > 100_000


def test_many_records_kept_apart_are_listed_in_words_up_to_ten_and_all_in_a_table(
    dashboard: AppTest, seeded_engine: Engine
) -> None:
    with Session(seeded_engine) as session:
        rapallo = session.exec(select(Treaty).where(Treaty.name == "Treaty of Rapallo")).one()
        record = as_record(session=session, kind="treaty", record_id=rapallo.id)
        for year in range(1923, 1935):
            # Some dates in the source's words, some not.
            words = {"signed_words": "a year after Rapallo" if year == 1923 else None}
            save(
                session=session,
                actor=SYSTEM,
                kind="treaty",
                record=record | {"name": f"Rapallo recalled, {year}", "signed": str(year), **words},
            )
        session.commit()
    app = open_page(dashboard, "overview")
    listed = [element.value for element in app.markdown if element.value.startswith("\\- ")]
    assert len(listed) == 1 and listed[0].count("historical context") == 10
    said = listed[0].replace("\\", "")
    assert "1923 (“a year after Rapallo”); historical" in said
    assert "1924; historical" in said and "nan" not in said
    assert "The first 10 of 15, oldest first; all are below." in text(app)
    [table] = [table.value for table in app.dataframe if "why" in table.value.columns]
    assert len(table) == 15 and "Rapallo recalled, 1934" in set(table["record"])


def spreads(app: AppTest) -> dict[str, list[str]]:
    """The Overview's spreads of estimates: each measure and scope, and the figures shown."""
    shown: dict[str, list[str]] = {}
    texts = [str(element.value).replace("\\", "") for element in app.markdown]
    for label, figure in itertools.pairwise(texts):
        if figure.startswith("### "):  # a spread's figure, under its measure and scope
            shown.setdefault(label, []).append(figure.removeprefix("### "))
    return shown


def test_the_overview_compares_only_estimates_of_one_measure_and_scope(
    dashboard: AppTest,
) -> None:
    app = open_page(dashboard, "overview")
    # Over 11,000 in the Kursk region and roughly 15,000 in Russia are two spreads, not one
    # range of 11,000 to 15,000; the planned reinforcements are a third.
    assert spreads(app) == {
        "Cumulative sent, Kursk region": ["over 11,000"],
        "Cumulative sent, Russia": ["roughly 15,000"],
        "Additional planned, Russia": ["25,000 to 30,000"],
        "Additional planned, Kursk region": ["thousands (at least 1,000)"],
    }
    shown = text(app)
    assert "11,000–15,000" not in shown and "11,000 to 15,000" not in shown
    assert "over 11,000 per Unnamed news outlet, as of 2025-08-13/2025-08-14" in shown
    assert "roughly 15,000 per South Korean intelligence, as of 2025-08-12/2025-08-14" in shown
    assert (
        "1 source; the estimates dated within 90 days of the latest; only the same measure and "
        "scope are compared" in shown
    )


def test_the_perspectives_page_sets_what_each_perspective_says_side_by_side(
    dashboard: AppTest, seeded_engine: Engine
) -> None:
    with Session(seeded_engine) as session:
        call = session.exec(
            select(Engagement.id).where(Engagement.title == "Putin–Kim phone call")
        ).one()
    app = open_page(dashboard, "perspectives")
    app.selectbox(key="perspectives.kind").set_value("engagement").run()
    app.selectbox(key="perspectives.record.engagement").set_value(call).run()
    assert not app.exception, [error.value for error in app.exception]
    shown = text(app)
    # The digest's three perspectives, each as the digest classifies its outlets, quoted in full.
    digest = ("Pro-Kremlin or Russia-friendly", "Mainstream Western", "Ukrainian-aligned")
    for perspective in digest:
        assert f"#### {perspective}" in shown, perspective
    assert "Whose classification: Unnamed multi-perspective news digest." in shown
    assert (
        "Bloomberg; NBC News; POLITICO; The Guardian**, via Unnamed multi-perspective news digest"
        in shown
    )
    assert (
        "stressing Pyongyang’s direct military role and Moscow’s reliance on foreign forces."
        in shown
    )
    # The states' own voices, relayed by the article.
    assert "**Kremlin**, via Unnamed news outlet" in shown
    assert "**KCNA (Korean Central News Agency)**, via Unnamed news outlet" in shown
    silent = next(
        element.value for element in app.markdown if element.value.startswith("No source of")
    )
    assert "South Korean government" in silent
    assert "Mainstream Western" not in silent


def test_text_analysts_typed_is_shown_as_text(dashboard: AppTest, seeded_engine: Engine) -> None:
    with Session(seeded_engine) as session:
        pledge = session.exec(select(Pledge).where(Pledge.title.startswith("Kim assures"))).one()
        pledge.quote = "[click me](https://example.org) <b>bold</b> *stars*"
        session.commit()
    app = open_page(dashboard, "pledges", dates=[str(date(2025, 1, 1)), str(date(2025, 12, 31))])
    quote = next(element.value for element in app.markdown if "click me" in element.value)
    assert r"\[click me\]\(https\:" in quote
    assert r"\<b\>" in quote
    assert r"\*stars\*" in quote


@pytest.mark.parametrize("page", ["overview", "engagements", "deployments", "pledges", "treaties"])
def test_every_time_axis_says_the_year(dashboard: AppTest, page: str) -> None:
    """A reader never meets "May 25 … Aug 17" without knowing the year."""
    app = open_page(dashboard, page)
    axes = [
        mark["encoding"]["x"].get("axis") or {}
        for spec in charts(app)
        for mark in marks(spec)
        if mark.get("encoding", {}).get("x", {}).get("type") == "temporal"
        and "title" in mark["encoding"]["x"]
    ]
    # A period axis (a band per month or year) is labelled in words that hold the year.
    periods = [
        mark["encoding"]["x"]["scale"]["domain"]
        for spec in charts(app)
        for mark in marks(spec)
        if mark.get("encoding", {}).get("x", {}).get("type") == "ordinal"
        and "title" in mark["encoding"]["x"]
    ]
    assert axes or periods, f"{page} has no time axis"
    for axis in axes:
        assert "%Y" in (axis.get("labelExpr", "") + axis.get("format", "")), axis
    for labels in periods:
        assert all(re.search(r"\b(19|20)\d\d$", label) for label in labels), labels


def test_pairs_of_states_never_lie_on_top_of_each_other(dashboard: AppTest) -> None:
    """One row per pair, and a period with no record left blank rather than drawn at zero."""
    app = open_page(dashboard, "overview")
    [index] = [spec for spec in charts(app) if "Cooperation-weighted" in str(spec.get("title"))]
    assert index["mark"]["type"] == "rect"
    assert index["encoding"]["y"]["field"] == "pair"
    blank = index["encoding"]["opacity"]
    assert blank["condition"]["value"] == 1 and blank["value"] == 0  # no record: transparent
    assert {row["pair"] for row in index["rows"]} >= {"North Korea – Russia", "China – Russia"}


def scale_of(app: AppTest, title: str, channel: str) -> dict[str, Any]:
    """The CHANNEL scale of the first mark in the chart whose title holds TITLE."""
    [chart] = [spec for spec in charts(app) if title in str(spec.get("title"))]
    return next(
        mark["encoding"][channel]["scale"]
        for mark in marks(chart)
        if "scale" in mark.get("encoding", {}).get(channel, {})
    )


def test_colours_and_shapes_are_fixed_by_the_registry_whatever_the_data(
    dashboard: AppTest,
) -> None:
    """A kind that vanishes from the data does not shift the others' colours or shapes."""
    every_kind = ["Treaties", "Engagements", "Deployments", "Estimates", "Pledges"]
    app = open_page(dashboard, "overview")
    app.multiselect(key="kinds").set_value(["treaty"]).run()
    assert {row["kind"] for row in charts(app)[0]["rows"]} == {"Treaties"}
    assert scale_of(app, "Records per", "color")["domain"] == every_kind
    # Only phone calls between China and Russia, yet every kind of engagement keeps its shape.
    app.multiselect(key="kinds").set_value(["engagement"]).run()
    app.multiselect(key="states").set_value(["CHN"]).run()
    app.switch_page("views/engagements.py").run()
    assert {row["kind"] for row in charts(app)[0]["rows"] if "kind" in row} == {"phone call"}
    shapes = scale_of(app, "engagements: filled if held", "shape")
    assert shapes["domain"] == ["phone call", "visit", "summit", "third place meeting"]
    assert len(set(shapes["range"])) == 4
    app.multiselect(key="states").set_value([]).run()
    app.multiselect(key="kinds").set_value(["treaty", "pledge"]).run()
    app.switch_page("views/pledges.py").run()
    assert scale_of(app, "status changes", "color")["domain"] == [
        "announced",
        "in progress",
        "fulfilled",
        "withdrawn",
    ]
    app.switch_page("views/treaties.py").run()
    assert scale_of(app, "in force at any time", "color")["domain"] == [
        "defense",
        "offense",
        "neutrality",
        "nonaggression",
        "consultation",
        "none recorded",
    ]


def test_an_open_ended_estimate_is_drawn_open_ended(dashboard: AppTest) -> None:
    """ "Over 11,000" is a triangle pointing up with an arrow up past every other figure, not a
    point that looks exact; "roughly 15,000" stays a point."""
    [chart] = charts(open_page(dashboard, "deployments"))[:1]
    rows = {row["figure"]: row for row in chart["rows"] if "figure" in row and "bound" in row}
    shapes = scale_of(open_page(dashboard, "deployments"), "personnel", "shape")
    shape = dict(zip(shapes["domain"], shapes["range"], strict=True))
    assert shape[rows["over 11,000"]["bound"]] == "triangle-up"
    assert shape[rows["roughly 15,000"]["bound"]] == "circle"
    assert shape[rows["25,000 to 30,000"]["bound"]] == "circle"
    assert rows["over 11,000"]["reach"] > max(row["top"] for row in rows.values())
    arrows = [
        mark
        for mark in marks(chart)
        if mark["mark"]["type"] == "rule" and mark["encoding"].get("y2", {}).get("field") == "reach"
    ]
    assert arrows and arrows[0]["mark"].get("strokeDash"), "no dashed arrow to the open end"


def test_planned_and_held_engagements_are_told_apart_at_a_glance(dashboard: AppTest) -> None:
    app = open_page(dashboard, "engagements")
    [chart] = charts(app)[:1]
    assert {row["status"] for row in chart["rows"] if "status" in row} == {"held", "planned"}
    [mark] = [m for m in marks(chart) if "fillOpacity" in m["encoding"]]
    fill = mark["encoding"]["fillOpacity"]
    assert fill["field"] == "status"
    shade = dict(zip(fill["scale"]["domain"], fill["scale"]["range"], strict=True))
    assert shade == {"held": 1, "planned": 0, "cancelled": 0.2}
    assert fill["scale"]["type"] == "ordinal"  # a point scale would give "planned" half a fill
    # The key: a Status legend, its symbols filled as the marks are, solid, white and faint.
    [key] = [m for m in marks(chart) if "fill" in m["encoding"]]
    legend = key["encoding"]["fill"]
    assert legend["title"] == "Status" and legend["legend"]["symbolStrokeWidth"] >= 2
    # Above the chart, in a row: under it, beside two other legends, it ran off the right edge.
    assert legend["legend"]["orient"] == "top" and legend["legend"]["direction"] == "horizontal"
    assert key["mark"]["size"] == 0  # the layer draws nothing but its legend
    key_fill = dict(zip(legend["scale"]["domain"], legend["scale"]["range"], strict=True))
    assert key_fill["planned"] == "#ffffff" and key_fill["held"] == "#555555"
    assert "filled if held, hollow if planned" in chart["title"]  # where the eye starts


def test_an_engagement_count_stands_clear_of_the_marks_beside_it(dashboard: AppTest) -> None:
    """ "×4" above its mark, centred, on a white halo: beside it, it ran into Putin's next call."""
    [chart] = charts(open_page(dashboard, "engagements"))[:1]
    texts = [mark["mark"] for mark in marks(chart) if mark["mark"]["type"] == "text"]
    assert len(texts) == 2
    halo, count = texts
    assert halo["stroke"] == "white" and halo["strokeWidth"] >= 3
    assert "stroke" not in count  # drawn over its halo, unblurred
    for text in texts:
        assert text["align"] == "center" and text["baseline"] == "bottom" and text["dy"] <= -8
        assert "dx" not in text


def test_engagements_on_the_same_days_are_one_mark_with_their_count(dashboard: AppTest) -> None:
    """Putin's four calls dated "between 1 and 12 August" would be four marks on one spot."""
    rows = charts(open_page(dashboard, "engagements"))[0]["rows"]
    putin = [
        row
        for row in rows
        if row.get("who") == "Vladimir Putin (Russia)"
        and row.get("when") == "2025-08-01/2025-08-12"
    ]
    assert len(putin) == 1
    assert putin[0]["engagements"] == 4 and putin[0]["count"] == "×4"


def test_each_bar_stands_over_its_own_period(dashboard: AppTest) -> None:
    """A band per month, labelled under its middle: a September bar is never astride the
    October tick, and a month with no record keeps its place."""
    app = open_page(dashboard, "overview", dates=["2024-01-01", "2025-08-15"])
    [bars] = [spec for spec in charts(app) if spec.get("mark", {}).get("type") == "bar"]
    x = bars["encoding"]["x"]
    assert x["type"] == "ordinal"
    assert x["scale"]["domain"][:3] == ["Jan 2024", "Feb 2024", "Mar 2024"]
    assert len(x["scale"]["domain"]) == 20  # every month from January 2024 to August 2025
    months = {row["kind"]: row["when"] for row in bars["rows"] if row["kind"] == "Deployments"}
    assert months == {"Deployments": "Sep 2024"}  # the deployment began in September


@pytest.mark.parametrize("page", PAGES)
def test_no_heading_is_printed_twice(dashboard: AppTest, page: str) -> None:
    app = open_page(dashboard, page)
    headings = [element.value.lower() for element in (*app.title, *app.subheader)]
    assert len(headings) == len(set(headings)), headings
    # A chart's title says what its section's heading does not.
    for spec in charts(app):
        title = str(spec["title"]).lower()
        for heading in (element.value.lower() for element in app.subheader):
            assert heading not in title and title not in heading, (heading, title)


@pytest.mark.parametrize(
    ("page", "table", "full"),
    [
        ("engagements", "engagements.table", "Donald Trump (United States), host"),
        (
            "deployments",
            "estimates.table",
            "additional troops that will arrive in Russia in the coming months",
        ),
        ("treaties", "treaties.table", "Comprehensive Strategic Partnership Treaty"),
        ("pledges", "pledges.table", "North Korea will always remain faithful"),
    ],
)
def test_every_table_wraps_and_shows_the_chosen_row_in_full(
    dashboard: AppTest, page: str, table: str, full: str
) -> None:
    """The grid draws on a canvas and clips a cell's overflow: its rows are tall enough to
    wrap, and the chosen (at first, the first) row is written out in full under it."""
    app = open_page(dashboard, page)
    grid = next(frame for frame in app.dataframe if frame.proto.id and table in frame.proto.id)
    assert grid.proto.row_height > 64  # over 4rem, Streamlit wraps a cell's text
    panel = [element.value for element in app.markdown if "**" in element.value]
    assert any(full in value.replace("\\", "") for value in panel), panel


def test_the_sources_table_shows_reliability_without_scrolling(dashboard: AppTest) -> None:
    app = open_page(dashboard, "sources")
    [every] = [frame for frame in app.dataframe if "grade" in frame.value.columns]
    columns = list(every.value.columns)
    widths = json.loads(every.proto.columns)
    # Everything up to the reliability grade fits the 540 pixels the table has at 1000 wide.
    before = columns[: columns.index("grade") + 1]
    assert sum(widths[name]["width"] for name in before) <= 540


def test_a_long_table_shows_its_first_rows_and_its_download_has_them_all(
    dashboard: AppTest,
    seeded_engine: Engine,
    ui: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Tens of thousands of rows in a grid would cost the page seconds on every visit."""
    monkeypatch.setattr(ui, "TABLE_ROWS", 2)
    with Session(seeded_engine) as session:
        sources = len(session.exec(select(Source.id).where(Source.retired_at.is_(None))).all())
    app = open_page(dashboard, "sources")
    [every] = [frame for frame in app.dataframe if "grade" in frame.value.columns]
    assert len(every.value) == 2
    assert f"The first 2 of {sources} sources, the most used first; the download has them all." in [
        caption.value for caption in app.caption
    ]
    assert f"Download this table (CSV, {sources} rows)" in [
        button.label for button in app.get("download_button")
    ]


def legends(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The legend settings of every channel of every mark in a chart."""
    return [
        channel["legend"]
        for mark in marks(spec)
        for channel in mark.get("encoding", {}).values()
        if isinstance(channel, dict) and channel.get("legend")
    ]


def chart_titled(app: AppTest, title: str) -> dict[str, Any]:
    [chart] = [spec for spec in charts(app) if title in str(spec.get("title"))]
    return chart


def test_the_perspective_legend_shows_every_label(dashboard: AppTest) -> None:
    """Two columns ran off the right edge at 1000 pixels: one a line, no label cut."""
    chart = chart_titled(open_page(dashboard, "sources"), "reliability grade")
    [legend] = legends(chart)
    assert legend["columns"] == 1 and legend["labelLimit"] == 0
    assert legend["orient"] == "bottom"


@pytest.mark.parametrize(
    ("page", "title"),
    [("sources", "reliability grade"), ("treaties", "Signature"), ("pledges", "status changes")],
)
def test_bar_labels_leave_the_width_to_the_bars(dashboard: AppTest, page: str, title: str) -> None:
    """Labels of two short lines (the full name in the tooltip and the table), each row its own:
    long names took most of a 1000-pixel screen and squeezed the bars into 200 pixels."""
    chart = chart_titled(open_page(dashboard, page), title)
    y = next(mark["encoding"]["y"] for mark in marks(chart) if "y" in mark.get("encoding", {}))
    assert y["axis"]["labelLimit"] <= 270 and "split(" in y["axis"]["labelExpr"]
    labels = [row[y["field"]] for row in chart["rows"] if y["field"] in row]
    assert labels
    for label in labels:  # the limit allows 7 pixels a character, for a margin
        lines = label.split("\n")
        assert len(lines) <= 2, label
        assert all(len(line) * 7 <= y["axis"]["labelLimit"] for line in lines), label
    rows = [row for row in chart["rows"] if y["field"] in row]
    key = next(name for name in ("pledge_id", "id", "treaty") if name in rows[0])
    assert len(set(labels)) == len({row[key] for row in rows})  # no two records share a row


def test_a_long_treaty_name_is_cut_on_the_timeline_and_whole_elsewhere(
    dashboard: AppTest,
) -> None:
    app = open_page(dashboard, "treaties")
    chart = chart_titled(app, "Signature")
    [row] = [row for row in chart["rows"] if row.get("treaty", "").startswith("Comprehensive")]
    assert row["row"] == "Comprehensive Strategic Partnership\nTreaty (2 members)"
    tooltips = next(
        mark["encoding"]["tooltip"] for mark in marks(chart) if "tooltip" in mark["encoding"]
    )
    assert tooltips[0]["field"] == "treaty"  # the name in full


@pytest.mark.parametrize("page", ["treaties", "engagements", "sources", "pledges", "deployments"])
def test_chart_titles_fit_a_1000_pixel_screen(dashboard: AppTest, page: str) -> None:
    """About 70 characters of a chart's bold title fit the 540 pixels it has at 1000 wide; a
    longer one is cut with "…" ("…last day known in force, b…")."""
    app = open_page(dashboard, page)
    for spec in charts(app):
        title = spec["title"]
        text = title["text"] if isinstance(title, dict) else title
        for line in [text] if isinstance(text, str) else text:  # a list: a line each
            assert len(line) <= 70, line


def test_every_metric_label_fits_its_column(dashboard: AppTest) -> None:
    """A metric cuts its label to one line ("Engagements, last 90 d…" at 1000 pixels)."""
    app = open_page(dashboard, "overview")
    assert app.metric
    for metric in app.metric:
        assert len(metric.label) <= 20, metric.label


def test_the_activity_charts_name_only_the_sources_of_what_they_draw(dashboard: AppTest) -> None:
    """Over 1990–2012 the seed's only record in view is the workers' deployment, which has no
    start date: no chart over time draws it, so no line under one names its sources."""
    app = open_page(dashboard, "overview", dates=["1990-01-01", "2012-12-31"])
    lines = [caption.value for caption in app.caption if caption.value.startswith("Sources")]
    assert lines and not any("Shoigu" in line for line in lines), lines


def test_a_cut_source_label_keeps_its_grade_and_a_row_of_its_own(dashboard: AppTest) -> None:
    """South Korean intelligence's two documents, told apart by their titles, cut with "…"
    before the grade; the full title is in the tooltip and the table."""
    chart = chart_titled(open_page(dashboard, "sources"), "reliability grade")
    korean = {row["label"] for row in chart["rows"] if row["outlet"] == "South Korean intelligence"}
    assert korean == {
        "South Korean intelligence:\nestimate of North Korean… [B]",
        "South Korean intelligence:\nassessment of further… [B]",
    }


def test_a_perspective_keeps_its_colour_whatever_is_in_view(dashboard: AppTest) -> None:
    """The colours come from every perspective assessed, not those in view; the legend lists
    only those in view."""

    def colours(app: AppTest) -> tuple[dict[str, str], list[str]]:
        chart = chart_titled(app, "reliability grade")
        colour = next(mark["encoding"]["color"] for mark in marks(chart))
        scale = colour["scale"]
        return dict(zip(scale["domain"], scale["range"], strict=True)), colour["legend"]["values"]

    app = open_page(dashboard, "sources")
    every, listed = colours(app)
    app.multiselect(key="kinds").set_value(["pledge"]).run()
    some, listed_some = colours(app)
    assert some.items() <= every.items() and len(listed_some) < len(listed)
    assert "Russian state" in listed_some
