"""The data version moves on every write, so cached reads know when they are stale."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from tracker.kinds.sources import Source
from tracker.versions import bump, data_version


def test_every_orm_write_moves_the_version(seeded: Session) -> None:
    before = data_version(seeded)
    source = seeded.exec(select(Source).where(Source.outlet == "Kremlin")).one()
    source.reliability = "B"
    seeded.commit()
    assert data_version(seeded) == before + 1


def test_a_flush_that_changes_nothing_leaves_it(seeded: Session) -> None:
    before = data_version(seeded)
    source = seeded.exec(select(Source).where(Source.outlet == "Kremlin")).one()
    source.reliability = source.reliability
    seeded.commit()
    assert data_version(seeded) == before


def test_a_rolled_back_write_leaves_it(seeded: Session) -> None:
    before = data_version(seeded)
    seeded.add(Source(outlet="Wire", title="Report", type="news_report"))
    seeded.flush()
    seeded.rollback()
    assert data_version(seeded) == before


def test_writes_with_sql_alone_bump_it_themselves(engine: Engine) -> None:
    with Session(engine) as session:
        before = data_version(session)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE cameo_event SET name = name"))
        bump(connection)
    with Session(engine) as session:
        assert data_version(session) == before + 1
