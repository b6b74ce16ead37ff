"""Query results as pandas frames."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd


def frame_of(rows: Iterable[Any], columns: list[str]) -> pd.DataFrame:
    """ROWS (SQLAlchemy rows) as a frame of COLUMNS, each made a plain tuple first: pandas
    reads a Row's attributes one by one, a second for every fifty thousand."""
    return pd.DataFrame([tuple(row) for row in rows], columns=columns)
