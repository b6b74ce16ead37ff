"""Query results become pandas frames (tracker.frames)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

from tracker.frames import read_frame
from tracker.kinds.sources import Source
from tracker.kinds.states import State


def test_rows_become_a_frame_of_the_columns_named(seeded: Session) -> None:
    statement = sa.select(State.code, State.name).where(State.code.in_(["PRK", "RUS"]))
    frame = read_frame(seeded, statement.order_by(State.code), ["code", "name"])
    assert list(frame.columns) == ["code", "name"]
    assert frame.to_dict("records") == [
        {"code": code, "name": name}
        for code, name in seeded.execute(statement.order_by(State.code)).all()
    ]


def test_each_column_holds_what_its_type_reads_as_the_orm_would(seeded: Session) -> None:
    # A date, not SQLite's text of it; a vocabulary's member, not the text stored.
    statement = sa.select(Source.id, Source.type, Source.reliability, Source.published).order_by(
        Source.id
    )
    frame = read_frame(seeded, statement, ["id", "type", "reliability", "published"])
    rows = seeded.execute(statement).all()
    assert len(frame) == len(rows) > 0
    assert [tuple(row) for row in frame.itertuples(index=False)] == [tuple(row) for row in rows]
    assert {type(value) for value in frame["published"].dropna()} == {date}


def test_no_rows_make_an_empty_frame_that_still_has_its_columns(seeded: Session) -> None:
    frame = read_frame(seeded, sa.select(State.code).where(State.code == "none"), ["code"])
    assert frame.empty and list(frame.columns) == ["code"]
