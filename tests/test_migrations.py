"""The migration history: one head, upgrades from empty to head and back down to base, and no
drift between the models and the migrations (what `alembic check` reports), on both backends."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from pytest_alembic.plugin.fixtures import alembic_runner  # noqa: F401  (a fixture)
from pytest_alembic.tests import (  # noqa: F401  (collected as tests here)
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
from sqlalchemy.engine import Engine

from tracker.database import alembic_config as tracker_alembic_config
from tracker.database import downgrade, init_database, migrate, session_for
from tracker.errors import TrackerError
from tracker.exchange.seeds import load_seeds
from tracker.records import save
from tracker.users import SYSTEM


@pytest.fixture
def alembic_config() -> Config:
    return tracker_alembic_config()


@pytest.fixture
def alembic_engine(empty_engine: Engine) -> Engine:
    return empty_engine


def test_alembic_check_reports_no_drift(empty_engine: Engine) -> None:
    migrate(empty_engine)
    command.check(
        tracker_alembic_config(empty_engine)
    )  # raises if the models and migrations differ


def test_upgrading_a_database_that_holds_records_keeps_them(empty_engine: Engine) -> None:
    migrate(empty_engine, "0002")
    written_at_0002 = [
        "INSERT INTO state (code, name, kind) VALUES ('PRK', 'North Korea', 'state')",
        "INSERT INTO state (code, name, kind) VALUES ('RUS', 'Russia', 'state')",
        "INSERT INTO state_alias (state_code, alias) VALUES ('PRK', 'DPRK')",
        "INSERT INTO deployment (name, sending_state_code, receiving_state_code, personnel_kind)"
        " VALUES ('Troops', 'PRK', 'RUS', 'combat_troops')",
    ]
    with empty_engine.begin() as connection:
        for statement in written_at_0002:
            connection.execute(sa.text(statement))
    migrate(empty_engine)
    with empty_engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT name, version, retired_at FROM deployment")).all()
        aliases = connection.execute(sa.text("SELECT alias FROM state_alias")).scalars().all()
    assert [tuple(row) for row in rows] == [("Troops", 1, None)]
    assert aliases == ["DPRK"]


def test_going_below_0005_with_what_only_0005_can_hold_is_refused_even_if_loss_is_accepted(
    empty_engine: Engine,
) -> None:
    """The old schema has no place for a historical state: no accepted loss makes it fit, so
    the refusal says to restore the backup made before the upgrade."""
    init_database(empty_engine)
    with session_for(empty_engine) as session:
        save(
            session=session,
            actor=SYSTEM,
            kind="state",
            record={"code": "COWBAV", "name": "Bavaria", "kind": "historical"},
        )
    with pytest.raises(TrackerError, match="cannot hold 1 historical states: restore the backup"):
        downgrade(empty_engine, "0004", accept_data_loss=True)
    migrate(empty_engine)


def test_the_migrations_create_every_check_the_models_declare(empty_engine: Engine) -> None:
    """`alembic check` compares no CHECK constraints: each table's are compared here by name."""
    from tracker.models import metadata

    migrate(empty_engine)
    inspector = sa.inspect(empty_engine)
    for table in metadata.sorted_tables:
        declared = {
            constraint.name
            for constraint in table.constraints
            if isinstance(constraint, sa.CheckConstraint)
        }
        stored = {check["name"] for check in inspector.get_check_constraints(table.name)}
        assert stored == declared, table.name


def test_going_below_0006_with_history_or_retractions_is_refused_even_if_loss_is_accepted(
    empty_engine: Engine,
) -> None:
    """The old schema would read an analogy as the present and a retraction as support."""
    init_database(empty_engine)
    with session_for(empty_engine) as session:
        load_seeds(session=session)
        session.commit()
    with pytest.raises(TrackerError, match="cannot hold 1 treaties kept as historical context"):
        downgrade(empty_engine, "0005", accept_data_loss=True)
    migrate(empty_engine)
