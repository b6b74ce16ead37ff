"""Query results as pandas frames."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session


def read_frame(session: Session, statement: sa.Select, columns: list[str]) -> pd.DataFrame:
    """STATEMENT's rows as a frame of COLUMNS, one for each column it selects.

    The rows come straight from the driver's cursor: SQLAlchemy building a Row for each costs
    more than the query itself at tens of thousands of rows. Each column's type still converts
    its values (an enum's member, a date SQLite keeps as text), a column at a time."""
    connection = session.connection()
    result = connection.execute(statement)
    try:
        rows = result.cursor.fetchall()
        described = result.cursor.description
    finally:
        result.close()
    cells = zip(*rows, strict=True) if rows else ((),) * len(columns)
    data = {}
    for name, column, (_, type_code, *_), values in zip(
        columns, statement.selected_columns, described, cells, strict=True
    ):
        convert = column.type.dialect_impl(connection.dialect).result_processor(
            connection.dialect, type_code
        )
        data[name] = list(map(convert, values)) if convert else values
    return pd.DataFrame(data, columns=columns)
