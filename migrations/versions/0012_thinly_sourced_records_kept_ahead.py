"""Thinly sourced records kept ahead by month (tracker.rollups.ThinRecord), and the triggers that
mark the months of what decides them beyond 0011's: a treaty's members, a deployment's states
(its estimates'), a source's state

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 23:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each dated kind's table and the column of the latest day a record of it may have begun on.
LATEST = {
    "treaty": "signed_latest",
    "engagement": "occurred_latest",
    "deployment": "started_latest",
    "estimate": "as_of_latest",
    "pledge": "made_latest",
}
# Each trigger: its table, the columns whose change it watches (None: every insert, update and
# delete), and the months it marks, of the row ROW ("NEW" or "OLD"). A treaty's members decide
# whether its sources speak for a state it involves; a deployment's states, its estimates';
# a source's state, every record resting on it (counted by source in the rollup).
TRIGGERS = {
    "treaty_party": (
        None,
        lambda row: "SELECT DISTINCT 'treaty', {month} FROM treaty r WHERE r.id = {row}.treaty_id",
    ),
    "deployment": (
        ("sending_state_code", "receiving_state_code"),
        lambda row: (
            "SELECT DISTINCT 'estimate', {month} FROM estimate r WHERE r.deployment_id = {row}.id"
        ),
    ),
    "source": (
        ("state_code",),
        lambda row: "SELECT DISTINCT kind, month FROM rollup WHERE source_id = {row}.id",
    ),
}
_KINDS = {"treaty_party": "treaty", "deployment": "estimate"}


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _month(day: str) -> str:
    if _sqlite():
        return f"date({day}, 'start of month')"
    return f"CAST(date_trunc('month', {day}) AS DATE)"


def _mark(table: str, row: str) -> str:
    """The statement marking the (kind, month) rows that ROW of TABLE bears on, each once."""
    _, months = TRIGGERS[table]
    kind = _KINDS.get(table)
    return (
        _marking(months(row).format(month=_month(f"r.{LATEST[kind]}") if kind else "", row=row))
        + ";"
    )


def _marking(months: str) -> str:
    """A statement marking the (kind, month) rows MONTHS selects, those not marked yet."""
    if _sqlite():
        return f"INSERT OR IGNORE INTO rollup_dirty (kind, month) {months}"
    return f"INSERT INTO rollup_dirty (kind, month) {months} ON CONFLICT DO NOTHING"


def _changed(columns: tuple[str, ...]) -> str:
    distinct = "IS NOT" if _sqlite() else "IS DISTINCT FROM"
    return " OR ".join(f"OLD.{column} {distinct} NEW.{column}" for column in columns)


def _statements(table: str) -> list[str]:
    """The triggers (and, on PostgreSQL, their functions) of TABLE, each its own row's."""
    columns, _ = TRIGGERS[table]
    if columns is None:
        events = {"insert": ["NEW"], "update": ["OLD", "NEW"], "delete": ["OLD"]}
        when = {event: "" for event in events}
    else:
        events = {"update": ["NEW"]}
        when = {"update": _changed(columns)}
    statements = []
    for event, rows in events.items():
        marks = " ".join(_mark(table, row) for row in rows)
        watched = f"{event.upper()} OF {', '.join(columns)}" if columns else event.upper()
        name = f"rollup_thin_{table}_{event}"
        if _sqlite():
            condition = f"WHEN {when[event]} " if when[event] else ""
            statements.append(
                f"CREATE TRIGGER {name} AFTER {watched} ON {table} {condition}BEGIN {marks} END"
            )
        else:
            body = f"IF {when[event]} THEN {marks} END IF;" if when[event] else marks
            statements += [
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {body} RETURN NULL; END $$",
                f"CREATE TRIGGER {name} AFTER {watched} ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {name}()",
            ]
    return statements


def _trigger_names(table: str) -> list[str]:
    columns, _ = TRIGGERS[table]
    events = ("insert", "update", "delete") if columns is None else ("update",)
    return [f"rollup_thin_{table}_{event}" for event in events]


def upgrade() -> None:
    op.create_table(
        "rollup_thin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("sources", sa.Integer(), nullable=False),
        sa.Column("origins", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("other_sources", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "month BETWEEN '1000-01-01' AND '2999-12-31'",
            name=op.f("ck_rollup_thin_month_in_calendar"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollup_thin")),
    )
    op.create_index("ix_rollup_thin_kind_month", "rollup_thin", ["kind", "month"], unique=False)
    for table in TRIGGERS:
        for statement in _statements(table):
            op.execute(statement)
    # Every month of the records already stored, for `tracker.database.migrate` to count.
    for table, latest in LATEST.items():
        op.execute(
            _marking(
                f"SELECT DISTINCT '{table}', {_month(latest)} FROM {table} "
                f"WHERE {latest} IS NOT NULL"
            )
        )


def downgrade() -> None:
    for table in TRIGGERS:
        for name in _trigger_names(table):
            if _sqlite():
                op.execute(f"DROP TRIGGER {name}")
            else:
                op.execute(f"DROP TRIGGER {name} ON {table}")
                op.execute(f"DROP FUNCTION {name}()")
    op.drop_index("ix_rollup_thin_kind_month", table_name="rollup_thin")
    op.drop_table("rollup_thin")
