"""The migration history: one head, upgrades from empty to head and back down to base, and no
drift between the models and the migrations (what `alembic check` reports), on both backends."""

from __future__ import annotations

import pytest
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
from tracker.database import migrate


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
