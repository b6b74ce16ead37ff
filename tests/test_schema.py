"""What every table shares: named constraints, stored values, timestamps, idempotent saves."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from tracker.kinds.engagements import EngagementBase
from tracker.kinds.sources import Source
from tracker.models import metadata
from tracker.schema import insert_rows, upsert


def test_every_constraint_is_named_by_the_convention() -> None:
    prefixes = {
        sa.CheckConstraint: "ck_",
        sa.UniqueConstraint: "uq_",
        sa.ForeignKeyConstraint: "fk_",
        sa.PrimaryKeyConstraint: "pk_",
    }
    for table in metadata.tables.values():
        for constraint in table.constraints:
            assert constraint.name and constraint.name.startswith(prefixes[type(constraint)]), (
                f"{table.name}: {constraint}"
            )


def test_the_database_holds_each_constraint_by_name(engine: Engine) -> None:
    inspector = sa.inspect(engine)
    stored = {check["name"] for check in inspector.get_check_constraints("estimate")}
    assert {"ck_estimate_low_not_above_high", "ck_estimate_qualifier", "ck_estimate_rank"} <= stored


def test_vocabularies_are_stored_as_their_values(seeded_engine: Engine) -> None:
    with seeded_engine.connect() as connection:
        kinds = set(connection.exec_driver_sql("SELECT DISTINCT kind FROM engagement").scalars())
    assert kinds == {"phone_call", "visit", "summit"}


def test_saving_unchanged_values_leaves_the_row_untouched(seeded: Session) -> None:
    kremlin = seeded.exec(select(Source).where(Source.outlet == "Kremlin")).one()
    stamp = kremlin.updated_at
    again = upsert(
        seeded, Source, {"outlet": "Kremlin", "title": kremlin.title}, {"reliability": "C"}
    )
    seeded.commit()
    assert (again.id, seeded.get(Source, kremlin.id).updated_at) == (kremlin.id, stamp)


def test_saving_new_values_updates_the_row_and_its_timestamp(seeded: Session) -> None:
    kremlin = seeded.exec(select(Source).where(Source.outlet == "Kremlin")).one()
    stamp = kremlin.updated_at
    upsert(seeded, Source, {"outlet": "Kremlin", "title": kremlin.title}, {"reliability": "B"})
    seeded.commit()
    changed = seeded.get(Source, kremlin.id)
    assert changed.reliability == "B"
    assert changed.updated_at > stamp


def test_a_text_date_becomes_three_columns() -> None:
    engagement = EngagementBase.model_validate(
        {"title": "t", "kind": "visit", "occurred": "2025-07", "status": "held"}
    )
    assert str(engagement.fuzzy("occurred")) == "2025-07"
    assert (engagement.occurred_precision, str(engagement.occurred_latest)) == (
        "month",
        "2025-07-31",
    )


def test_a_bad_text_date_is_reported_at_its_field() -> None:
    with pytest.raises(ValueError, match="occurred") as error:
        EngagementBase.model_validate({"title": "t", "kind": "visit", "occurred": "last July"})
    assert "not a date" in str(error.value)


def test_rows_inserted_in_bulk_read_back_as_the_orm_stores_them(engine: Engine) -> None:
    table = metadata.tables["source"]
    row = {
        "id": 9001,
        "outlet": "Bulk Outlet",
        "title": "Bulk report",
        "published": date(2024, 6, 1),
        "published_precision": "month",
        "published_latest": date(2024, 6, 30),
        "type": "news_report",
        "reliability": "B",
        "version": 1,
        "created_at": datetime(2026, 1, 2, 3, 4, 5),
        "updated_at": datetime(2026, 1, 2, 3, 4, 5),
    }
    with engine.begin() as connection:
        insert_rows(connection, table, [row])
    with Session(engine) as session:
        stored = session.get(Source, 9001)
    assert stored.published == date(2024, 6, 1) and stored.published_latest == date(2024, 6, 30)
    assert stored.created_at.replace(tzinfo=None) == datetime(2026, 1, 2, 3, 4, 5)
    assert stored.reliability == "B" and str(stored.fuzzy("published")) == "2024-06"
