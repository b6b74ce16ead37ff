"""Change sets: an import's history is one change set (who, when, from which file) that the
rows it created point to by their ids, kept as runs, instead of a change per row. Downgrading
would lose the creation history of imported records: refused while there are change sets.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 10:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from tracker.database import keep_rows

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _times() -> list[sa.Column]:
    return [
        sa.Column(
            name,
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        )
        for name in ("created_at", "updated_at")
    ]


def upgrade() -> None:
    op.create_table(
        "change_set",
        sa.Column("id", sa.Integer(), nullable=False),
        *_times(),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("user_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_change_set_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_set")),
    )
    op.create_table(
        "change_set_run",
        sa.Column("id", sa.Integer(), nullable=False),
        *_times(),
        sa.Column("change_set_id", sa.Integer(), nullable=False),
        sa.Column("row_table", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("first_id", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("first_id <= last_id", name=op.f("ck_change_set_run_ids_in_order")),
        sa.ForeignKeyConstraint(
            ["change_set_id"],
            ["change_set.id"],
            name=op.f("fk_change_set_run_change_set_id_change_set"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_set_run")),
    )
    with op.batch_alter_table("change_set_run", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_change_set_run_change_set_id"), ["change_set_id"], unique=False
        )
        batch_op.create_index("ix_change_set_run_row", ["row_table", "first_id"], unique=False)


def downgrade() -> None:
    keep_rows("change_set")
    with op.batch_alter_table("change_set_run", schema=None) as batch_op:
        batch_op.drop_index("ix_change_set_run_row")
        batch_op.drop_index(batch_op.f("ix_change_set_run_change_set_id"))

    op.drop_table("change_set_run")
    op.drop_table("change_set")
