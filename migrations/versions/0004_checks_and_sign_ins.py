"""Every date within the calendar the tracker keeps and every version positive, checked by the
database; live sign-ins: a password version that ends older sign-ins, and failed sign-ins kept
to slow down password guessing

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 22:01:43.663902
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from tracker.errors import TrackerError

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EARLIEST, LATEST = "1000-01-01", "2999-12-31"
# Each table's date columns, and whether it holds editable records (with a version).
CHECKED = {
    "deployment": (("started", "started_latest", "ended", "ended_latest"), True),
    "engagement": (("occurred", "occurred_latest"), True),
    "estimate": (("as_of", "as_of_latest"), True),
    "person": (("office_from", "office_from_latest", "office_to", "office_to_latest"), True),
    "pledge": (("made", "made_latest"), True),
    "pledge_status": (("changed", "changed_latest"), False),
    "source": (("published", "published_latest", "retrieved"), True),
    "state": ((), True),
    "treaty": (
        ("signed", "signed_latest", "in_force", "in_force_latest", "ended", "ended_latest"),
        True,
    ),
    "treaty_party": (("joined", "joined_latest", "exited", "exited_latest"), False),
}


def _refuse_rows_that_break_the_checks() -> None:
    """Name the rows the new checks would refuse, rather than fail on the first."""
    connection = op.get_bind()
    found = []
    for table, (dates, editable) in CHECKED.items():
        for column in dates:
            for row_id, value in connection.exec_driver_sql(
                f"SELECT id, {column} FROM {table} "
                f"WHERE {column} < '{EARLIEST}' OR {column} > '{LATEST}' LIMIT 5"
            ):
                found.append(f"{table} {row_id}: {column} {value}")
        if editable:
            for (row_id,) in connection.exec_driver_sql(
                f"SELECT id FROM {table} WHERE version < 1 LIMIT 5"
            ):
                found.append(f"{table} {row_id}: version below 1")
    if found:
        raise TrackerError(
            f"the database holds values the tracker no longer accepts (dates must lie between "
            f"{EARLIEST} and {LATEST}): {'; '.join(found)}. Correct them, then upgrade again"
        )


def upgrade() -> None:
    _refuse_rows_that_break_the_checks()
    for table, (dates, editable) in CHECKED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in dates:
                batch_op.create_check_constraint(
                    op.f(f"ck_{table}_{column}_in_calendar"),
                    f"{column} BETWEEN '{EARLIEST}' AND '{LATEST}'",
                )
            if editable:
                batch_op.create_check_constraint(
                    op.f(f"ck_{table}_version_positive"), "version >= 1"
                )

    op.create_table(
        "sign_in_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("client", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failure")),
    )
    with op.batch_alter_table("sign_in_failure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sign_in_failure_client"), ["client"], unique=False)
        batch_op.create_index(batch_op.f("ix_sign_in_failure_name"), ["name"], unique=False)

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("password_version", sa.Integer(), server_default="1", nullable=False)
        )


def downgrade() -> None:
    # Nothing an analyst entered goes: the password versions and the failed sign-ins only
    # slow guessing down and end older sign-ins.
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("password_version")

    with op.batch_alter_table("sign_in_failure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_failure_name"))
        batch_op.drop_index(batch_op.f("ix_sign_in_failure_client"))

    op.drop_table("sign_in_failure")

    for table, (dates, editable) in CHECKED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in dates:
                batch_op.drop_constraint(op.f(f"ck_{table}_{column}_in_calendar"), type_="check")
            if editable:
                batch_op.drop_constraint(op.f(f"ck_{table}_version_positive"), type_="check")
