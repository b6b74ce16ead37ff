"""The CSV cell format: what an export writes, the import reads back, and the dashboard's
downloads follow."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from tracker.exchange.cells import (
    _field,
    _field_sql,
    cell,
    frame_csv,
    neutralise,
    restore_text,
    sql_text,
)
from tracker.exchange.exports import TABLES
from tracker.models import metadata


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+7 troops", "'+7 troops"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTabbed", "'\tTabbed"),
        ("'=already quoted", "''=already quoted"),
        ("Kim's pledge", "Kim's pledge"),
        ("over 11,000", "over 11,000"),
    ],
)
def test_cells_a_spreadsheet_would_run_are_neutralised(text: str, written: str) -> None:
    assert neutralise(text) == written
    assert restore_text(written) == text


@given(st.text())
def test_neutralising_is_undone_exactly(text: str) -> None:
    assert restore_text(neutralise(text)) == text


def test_numbers_are_never_neutralised() -> None:
    assert cell(-5) == "-5"
    assert cell(None) == ""
    assert cell(True) == "true"


def test_dashboard_tables_download_by_the_same_rules() -> None:
    frame = pd.DataFrame(
        {"figure": ["=1+1", "over 11,000"], "high": [None, 15000.0], "when": ["2025-08", None]}
    )
    assert frame_csv(frame).splitlines() == [
        "figure,high,when",
        "'=1+1,,2025-08",
        '"over 11,000",15000,',
    ]


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_each_columns_cell_sql_is_its_types_rules_written_once_for_every_column(
    dialect: str,
) -> None:
    """The export writes a type's cell rules once, for a stand-in column, and names each column
    of the type in them: for every column exported, and for columns whose types differ only in
    what the rules read, that is the SQL its own rules give."""
    differing = sa.Table(
        "differing",
        sa.MetaData(),
        sa.Column("plain_words", sa.Enum("announced", "delivered")),
        sa.Column("risky_words", sa.Enum("=announced", "delivered")),
        sa.Column("local_time", sa.DateTime()),
        sa.Column("zoned_time", sa.DateTime(timezone=True)),
    )
    for table in [*(metadata.tables[name] for name in TABLES), differing]:
        for column in table.columns:
            assert _field_sql(column, dialect) == sql_text(_field(column, dialect), dialect), (
                f"{table.name}.{column.name}"
            )
