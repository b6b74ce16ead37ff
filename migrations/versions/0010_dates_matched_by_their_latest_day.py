"""An index on the latest day each engagement, pledge and estimate may date from: a date range
matches a record whose latest day reaches the range's start, and the dashboard's ranges end at
the latest record, so that day is what finds the records in view.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 10:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("engagement", "occurred_latest"),
    ("pledge", "made_latest"),
    ("estimate", "as_of_latest"),
)


def upgrade() -> None:
    for table, column in INDEXES:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def downgrade() -> None:
    for table, column in reversed(INDEXES):
        op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
