"""Exporting CSV: one file per table, a datapackage.json describing them, and exact cells."""

from __future__ import annotations

import csv
import io
import json
import socket
import zipfile
from datetime import date
from pathlib import Path

import frictionless
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from tracker.cli import app
from tracker.errors import TrackerError
from tracker.exchange.cells import cell
from tracker.exchange.exports import TABLES, export, filtered, self_contained
from tracker.filters import Filters
from tracker.kinds import RecordKind
from tracker.kinds.deployments import Deployment
from tracker.kinds.sources import Reliability, Source
from tracker.models import metadata
from tracker.records import save
from tracker.users import SYSTEM


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_every_table_is_written_with_a_description(seeded_engine: Engine, tmp_path: Path) -> None:
    counts = export(seeded_engine, tmp_path / "out")
    assert list(counts) == list(TABLES)
    package = json.loads((tmp_path / "out" / "datapackage.json").read_text())
    assert package["profile"] == "tabular-data-package"
    assert package["tracker"]["rows"] == counts
    for resource in package["resources"]:
        header = next(csv.reader((tmp_path / "out" / resource["path"]).open(encoding="utf-8")))
        assert header == [field["name"] for field in resource["schema"]["fields"]]
    estimate = next(resource for resource in package["resources"] if resource["name"] == "estimate")
    fields = {field["name"]: field for field in estimate["schema"]["fields"]}
    assert fields["low"] == {
        "name": "low",
        "type": "integer",
        "description": "the lowest figure the source gives, in people",
    }
    assert fields["qualifier"]["constraints"]["enum"][:3] == ["exactly", "roughly", "over"]
    assert {
        "fields": ["deployment_id"],
        "reference": {"resource": "deployment", "fields": ["id"]},
    } in estimate["schema"]["foreignKeys"]


def test_missing_values_are_empty_cells_and_dates_are_iso(
    seeded_engine: Engine, tmp_path: Path
) -> None:
    export(seeded_engine, tmp_path / "out", tables=["estimate"])
    over = next(
        row for row in read(tmp_path / "out" / "estimate.csv") if row["qualifier"] == "over"
    )
    assert (over["low"], over["high"], over["note"]) == ("11000", "", "")
    assert (over["as_of"], over["as_of_precision"], over["as_of_latest"]) == (
        "2025-08-13",
        "range",
        "2025-08-14",
    )


def test_the_database_writes_the_lines_pythons_csv_module_would(
    seeded: Session, seeded_engine: Engine, tmp_path: Path
) -> None:
    """Each row's line is built in SQL (formulas neutralised, quotes where the csv module puts
    them): byte for byte what `cell` and csv.writer make of the row read through SQLAlchemy."""
    save(
        session=seeded,
        actor=SYSTEM,
        kind="source",
        record={
            "outlet": '=HYPERLINK("http://evil")',
            "author": "'-already, neutralised",
            "title": 'Line one\r\nline "two", \tand three',
            "type": "news_report",
        },
    )
    seeded.commit()
    export(seeded_engine, tmp_path / "out")
    with seeded_engine.connect() as connection:
        for name in TABLES:
            table = metadata.tables[name]
            expected = io.StringIO()
            writer = csv.writer(expected, lineterminator="\r\n")
            writer.writerow([column.name for column in table.columns])
            for row in connection.execute(sa.select(table).order_by(table.c.id)):
                writer.writerow([cell(value) for value in row])
            written = (tmp_path / "out" / f"{name}.csv").read_bytes()
            assert written == expected.getvalue().encode(), name


def test_a_zip_holds_the_same_files(seeded_engine: Engine, tmp_path: Path) -> None:
    export(seeded_engine, tmp_path / "folder")
    export(seeded_engine, tmp_path / "export.zip")
    with zipfile.ZipFile(tmp_path / "export.zip") as archive:
        folder = tmp_path / "folder"
        assert sorted(archive.namelist()) == sorted(
            str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()
        )
        assert (
            archive.read("engagement.csv") == (tmp_path / "folder" / "engagement.csv").read_bytes()
        )


def test_filters_keep_what_the_dashboard_shows(seeded_engine: Engine, tmp_path: Path) -> None:
    china = Filters(states=("CHN",))
    counts = export(
        seeded_engine, tmp_path / "out", where=filtered(china), filters={"states": ["CHN"]}
    )
    assert [row["title"] for row in read(tmp_path / "out" / "engagement.csv")] == [
        "Putin–Xi phone call"
    ]
    assert counts["engagement_participant"] == 2
    assert counts["treaty"] == 0
    assert counts["state"] > 200  # reference data goes along, so every reference resolves
    package = json.loads((tmp_path / "out" / "datapackage.json").read_text())
    assert package["tracker"]["filters"] == {"states": ["CHN"]}


# The filtered exports each promise below is kept on: the README's example, and each filter.
FILTERED_EXPORTS = {
    "readme-example": Filters(
        states=("PRK", "RUS"), kinds=(RecordKind.ESTIMATE,), start=date(2024, 1, 1)
    ),
    "one-state": Filters(states=("CHN",)),
    "one-kind": Filters(kinds=(RecordKind.PLEDGE,)),
    "one-month": Filters(start=date(2025, 8, 1), end=date(2025, 8, 31)),
    "reliable-sources": Filters(min_reliability=Reliability.B),
}
each_filtered_export = pytest.mark.parametrize(
    "filters", FILTERED_EXPORTS.values(), ids=FILTERED_EXPORTS.keys()
)


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No connection leaves this process, so the validator cannot fetch a schema or profile.
    (The PostgreSQL driver connects through libpq, which this leaves alone.)"""

    def refuse(*args: object) -> None:
        raise OSError("the tests run offline")

    monkeypatch.setattr(socket.socket, "connect", refuse)


def validation_errors(folder: Path) -> list[str]:
    """What the Frictionless validator finds wrong with the export in FOLDER."""
    report = frictionless.validate(folder / "datapackage.json")
    return [error.message for error in report.errors] + [
        f"{task.name}: {error.message}" for task in report.tasks for error in task.errors
    ]


def test_an_export_is_a_valid_data_package(
    seeded_engine: Engine, tmp_path: Path, offline: None
) -> None:
    export(seeded_engine, tmp_path / "out")
    assert validation_errors(tmp_path / "out") == []


@each_filtered_export
def test_a_filtered_export_is_a_valid_data_package(
    seeded_engine: Engine, tmp_path: Path, offline: None, filters: Filters
) -> None:
    export(seeded_engine, tmp_path / "out", where=filtered(filters))
    assert validation_errors(tmp_path / "out") == []


def test_estimates_bring_their_deployment_though_deployments_are_filtered_out(
    seeded_engine: Engine, tmp_path: Path
) -> None:
    export(seeded_engine, tmp_path / "out", where=filtered(FILTERED_EXPORTS["readme-example"]))
    estimates = read(tmp_path / "out" / "estimate.csv")
    deployments = read(tmp_path / "out" / "deployment.csv")
    assert len(estimates) == 4
    assert [row["name"] for row in deployments] == [
        "North Korean troops in Russia (Kursk)",
        "North Korean military construction and demining workers in Kursk",
    ]
    assert {row["deployment_id"] for row in estimates} == {row["id"] for row in deployments}
    # A deployment brought along brings the citations it cannot be imported without.
    cited = {row["deployment_id"] for row in read(tmp_path / "out" / "citation.csv")}
    assert cited == {"", *(row["id"] for row in deployments)}


def test_a_pledge_brings_its_treaty(seeded_engine: Engine, tmp_path: Path) -> None:
    export(seeded_engine, tmp_path / "out", where=filtered(FILTERED_EXPORTS["one-kind"]))
    assert [row["name"] for row in read(tmp_path / "out" / "treaty.csv")] == [
        "Comprehensive Strategic Partnership Treaty"
    ]
    # A treaty is not a treaty without its two parties.
    assert len(read(tmp_path / "out" / "treaty_party.csv")) == 2


def test_a_chosen_table_brings_the_rows_it_refers_to_those_need_and_nothing_else(
    seeded_engine: Engine, tmp_path: Path
) -> None:
    """The estimates' deployments and sources, the deployments' citations and the one more
    source they quote; no empty file for a table nothing was needed from."""
    counts = export(seeded_engine, tmp_path / "out", tables=["estimate"])
    assert counts == {"state": 3, "source": 5, "deployment": 2, "estimate": 4, "citation": 7}
    # South Korean intelligence's state, and the deployments' sending and receiving states.
    assert {row["code"] for row in read(tmp_path / "out" / "state.csv")} == {"KOR", "PRK", "RUS"}


def test_a_record_exported_alone_carries_its_parts_and_its_citations_chains(
    seeded: Session, seeded_engine: Engine, tmp_path: Path
) -> None:
    """A pledge brings its recipients and steps; a citation, the chain of relays it names."""
    digest, kremlin = (
        seeded.exec(select(Source.id).where(Source.outlet == outlet)).one()
        for outlet in ("Unnamed multi-perspective news digest", "Kremlin")
    )
    troops = seeded.exec(
        select(Deployment.id).where(Deployment.name == "North Korean troops in Russia (Kursk)")
    ).one()
    save(
        session=seeded,
        actor=SYSTEM,
        kind="estimate",
        record={
            "deployment_id": troops,
            "source_id": kremlin,
            "qualifier": "exactly",
            "low": 12000,
            "high": 12000,
            "measure": "personnel_present",
            "scope": "Russia",
            "as_of": "2025-07",
            "citations": [
                {
                    "source_id": digest,
                    "relayed_source_id": kremlin,
                    "relayed_via": [
                        seeded.exec(select(Source.id).where(Source.outlet == "Kyiv Post")).one()
                    ],
                    "quote": "12,000",
                }
            ],
        },
    )
    seeded.commit()
    counts = export(seeded_engine, tmp_path / "estimates", tables=["estimate"])
    assert counts["citation_relay"] == 1
    counts = export(seeded_engine, tmp_path / "pledges", tables=["pledge"])
    assert counts["pledge_recipient"] == 4  # one each for the four pledges made to someone
    assert counts["pledge_status"] == 5


@pytest.mark.parametrize("table", TABLES)
def test_any_table_exported_alone_is_a_valid_data_package(
    seeded_engine: Engine, tmp_path: Path, offline: None, table: str
) -> None:
    """The rows a table refers to are found through the schema's foreign keys, and the rows
    its records need through the rules across rows, so every table, a new one too, brings what
    it needs: a citation its record, its record's deployment or treaty, their states; a treaty
    its parties and citations."""
    export(seeded_engine, tmp_path / "out", tables=[table])
    assert validation_errors(tmp_path / "out") == []


def test_an_unfiltered_export_reads_every_table_whole(engine: Engine) -> None:
    """No condition at all, so the database reads each table straight through, as fast as it
    can: only a filter or a choice of tables makes it work out which rows are referred to."""
    with (
        engine.connect() as connection,
        self_contained(connection, TABLES, lambda name: ()) as selection,
    ):
        assert selection == {name: [] for name in TABLES}


def test_an_unknown_table_is_refused_in_words(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(TrackerError, match="no table called users"):
        export(engine, tmp_path / "out", tables=["users"])


def test_the_command_exports_with_the_dashboards_filters(
    seeded_engine: Engine, tmp_path: Path
) -> None:
    url = seeded_engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(
        app,
        [
            "--database-url",
            url,
            "export",
            str(tmp_path / "x.zip"),
            "--state",
            "DPRK",
            "--state",
            "Russia",
            "--kind",
            "engagement",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Exported" in result.stdout
    with zipfile.ZipFile(tmp_path / "x.zip") as archive:
        titles = {
            row["title"]
            for row in csv.DictReader(archive.read("engagement.csv").decode().splitlines())
        }
        pledges = archive.read("pledge.csv").decode().splitlines()
    assert titles == {
        "Putin–Kim phone call",
        "Lavrov visits North Korea and meets Kim",
        "Shoigu visits North Korea and meets Kim",
    }
    assert len(pledges) == 1  # the header alone: pledges were left out by kind


def test_flat_views_put_readable_names_beside_the_ids(
    seeded_engine: Engine, tmp_path: Path
) -> None:
    export(seeded_engine, tmp_path / "out")
    estimates = read(tmp_path / "out" / "views" / "estimates.csv")
    fifteen = next(row for row in estimates if row["low"] == "15000")
    assert (fifteen["deployment"], fifteen["sending_state"], fifteen["receiving_state"]) == (
        "North Korean troops in Russia (Kursk)",
        "North Korea",
        "Russia",
    )
    assert (fifteen["source"], fifteen["perspective"], fifteen["reliability"]) == (
        "South Korean intelligence",
        "South Korean government",
        "B",
    )
    assert "South Korean intelligence says roughly 15,000" in fifteen["quotes"]
    call = next(
        row
        for row in read(tmp_path / "out" / "views" / "engagements.csv")
        if row["title"] == "Putin–Kim phone call"
    )
    assert (
        call["participants"]
        == "Kim Jong Un (North Korea), recipient; Vladimir Putin (Russia), initiator"
    )
    package = json.loads((tmp_path / "out" / "datapackage.json").read_text())
    assert {"estimates-view", "engagements-view"} <= {
        resource["name"] for resource in package["resources"]
    }


def test_views_follow_the_filters(seeded_engine: Engine, tmp_path: Path) -> None:
    export(seeded_engine, tmp_path / "out", where=filtered(Filters(states=("CHN",))))
    assert read(tmp_path / "out" / "views" / "estimates.csv") == []
    assert [row["title"] for row in read(tmp_path / "out" / "views" / "engagements.csv")] == [
        "Putin–Xi phone call"
    ]
