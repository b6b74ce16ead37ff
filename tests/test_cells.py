"""The CSV cell format: what an export writes, the import reads back, and the dashboard's
downloads follow."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.exchange.cells import cell, frame_csv, neutralise, restore_text


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
