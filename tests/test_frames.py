"""Query results become pandas frames (tracker.frames)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from tracker.frames import frame_of
from tracker.kinds.states import State


def test_rows_become_a_frame_of_the_columns_named(seeded: Session) -> None:
    rows = seeded.execute(
        sa.select(State.code, State.name).where(State.code.in_(["PRK", "RUS"])).order_by(State.code)
    ).all()
    frame = frame_of(rows, ["code", "name"])
    assert list(frame.columns) == ["code", "name"]
    assert frame.to_dict("records") == [
        {"code": "PRK", "name": rows[0].name},
        {"code": "RUS", "name": rows[1].name},
    ]


def test_no_rows_make_an_empty_frame_that_still_has_its_columns(seeded: Session) -> None:
    rows = seeded.execute(sa.select(State.code).where(State.code == "none")).all()
    frame = frame_of(rows, ["code"])
    assert frame.empty and list(frame.columns) == ["code"]
