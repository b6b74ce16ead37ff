"""The rollup indexed by kind and month for each way it counts (tracker.rollups.GROUPINGS), in
place of one index over every row: a view then reads only its own way's rows of the months in
range, where most of a month's rows count by source

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 04:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each way of counting: the rows it holds, and the column its index is named after.
GROUPINGS = {
    "period": "period IS NOT NULL AND state_a IS NULL",
    "state_a": "state_a IS NOT NULL",
    "outlet": "outlet IS NOT NULL",
    "source_id": "source_id IS NOT NULL",
}


def upgrade() -> None:
    for name, rows in GROUPINGS.items():
        op.create_index(
            f"ix_rollup_{name}",
            "rollup",
            ["kind", "month"],
            unique=False,
            sqlite_where=sa.text(rows),
            postgresql_where=sa.text(rows),
        )
    op.drop_index("ix_rollup_kind_month", table_name="rollup")


def downgrade() -> None:
    op.create_index("ix_rollup_kind_month", "rollup", ["kind", "month"], unique=False)
    for name in GROUPINGS:
        op.drop_index(f"ix_rollup_{name}", table_name="rollup")
