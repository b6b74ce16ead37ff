"""The dashboard, page by page, under Streamlit's AppTest on the seed data (both backends)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pyarrow as pa
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from tracker.database import project_path
from tracker.kinds.deployments import Deployment
from tracker.kinds.estimates import EstimateCreate
from tracker.kinds.pledges import Pledge
from tracker.kinds.sources import Source
from tracker.records import save
from tracker.users import SYSTEM

APP = project_path("dashboard") / "app.py"
PAGES = ["overview", "deployments", "treaties", "engagements", "pledges", "sources"]


@pytest.fixture
def dashboard(seeded_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.setenv(
        "TRACKER_DATABASE_URL", seeded_engine.url.render_as_string(hide_password=False)
    )
    yield AppTest.from_file(str(APP), default_timeout=120)


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
                "Personnel deployed, latest estimates: 11,000–15,000",
                "planned, latest estimates: 25,000–30,000",
                "Treaties in force: 0",
                "1 more last known in force before 15 Aug 2025, with no end recorded",
                "Engagements in the 90 days to 15 Aug 2025: 8",
            ],
        ),
        (
            "deployments",
            ["over 11,000", "roughly 15,000", "25,000 to 30,000", "South Korean intelligence says"],
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
        (row["figure"], row["counting_basis"], row["source"])
        for row in estimates
        if "figure" in row
    }
    assert plotted == {
        ("over 11,000", "cumulative", "Unnamed news outlet"),
        ("roughly 15,000", "cumulative", "South Korean intelligence"),
        ("25,000 to 30,000", "additional planned", "South Korean intelligence"),
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
    assert app.metric[3].value == "11,000–15,000"
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
                counting_basis="cumulative",
                as_of="2025-08-14",
                citations=[{"source_id": kremlin.id, "quote": "9,000"}],
            ),
        )
        session.commit()
    app.run()
    assert app.metric[3].value == "9,000–15,000"


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
