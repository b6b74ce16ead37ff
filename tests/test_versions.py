"""Each table's version moves on every write to it, so cached reads know when they are stale,
and which tables a read used, so that writes elsewhere leave it cached."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from tracker.kinds.engagements import Engagement
from tracker.kinds.sources import Source
from tracker.kinds.states import State
from tracker.versions import bump, data_version, table_versions, tables_read


def test_every_orm_write_moves_its_tables_version(seeded: Session) -> None:
    before = table_versions(seeded)
    source = seeded.exec(select(Source).where(Source.outlet == "Kremlin")).one()
    source.reliability = "B"
    seeded.commit()
    after = table_versions(seeded)
    assert after["source"] == before["source"] + 1
    assert {table: version for table, version in after.items() if table != "source"} == {
        table: version for table, version in before.items() if table != "source"
    }
    assert sum(after.values()) == sum(before.values()) + 1


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


def test_writes_with_sql_alone_bump_their_tables_themselves(engine: Engine) -> None:
    with Session(engine) as session:
        before = table_versions(session)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE cameo_event SET name = name"))
        bump(connection, ["cameo_event", "cameo_event"])
    with engine.begin() as connection:  # a table written for the first time gets its counter
        bump(connection, ["citation_relay"])
    with Session(engine) as session:
        after = table_versions(session)
    assert after["cameo_event"] == before.get("cameo_event", 0) + 1
    assert after["citation_relay"] == before.get("citation_relay", 0) + 1


def test_a_read_says_which_tables_it_used(seeded: Session) -> None:
    with tables_read(seeded) as read:
        seeded.exec(
            select(Engagement.title).where(
                Engagement.place_state_code.in_(select(State.code).where(State.name == "Russia"))
            )
        ).all()
    assert read.names == {"engagement", "state"} and read.complete


def test_sql_given_as_text_says_which_tables_it_used(seeded: Session) -> None:
    with tables_read(seeded) as read:
        seeded.execute(
            sa.text('SELECT count(*) FROM pledge JOIN "pledge_recipient" ON pledge_id = pledge.id')
        ).one()
    assert read.names == {"pledge", "pledge_recipient"} and read.complete


def test_sql_naming_no_table_leaves_the_tables_read_unknown(seeded: Session) -> None:
    with tables_read(seeded) as read:
        seeded.execute(sa.text("SELECT 1")).one()
    assert not read.complete
