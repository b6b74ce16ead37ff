"""Rollups: the records in view counted ahead by kind and month, by when they began, by outlet
and by source (tracker.rollups), and the triggers that mark, in every writing statement, the
months a written row bears on, for the write to count them again before it commits

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 15:01:31.792731
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each dated kind's table (named as the kind) and the column of the latest day a record of it
# may have begun on: the day its month is counted by.
LATEST = {
    "treaty": "signed_latest",
    "engagement": "occurred_latest",
    "deployment": "started_latest",
    "estimate": "as_of_latest",
    "pledge": "made_latest",
}
# The rows naming the states a record involves, and the column naming their record.
CHILDREN = {"engagement_participant": "engagement", "pledge_recipient": "pledge"}
# The tables whose rows the counts are made of, beyond the kinds' own; a change to a source's
# outlet, or to an event's weight, stales every month counted with it.
WATCHED = ("citation", "citation_relay", *CHILDREN, "source", "cameo_event")
EVERY_MONTH = {
    "source": ("outlet", "SELECT DISTINCT kind, month FROM rollup WHERE outlet = OLD.outlet"),
    "cameo_event": (
        "goldstein",
        "SELECT DISTINCT kind, month FROM rollup WHERE weight IS NOT NULL",
    ),
}


def _month(day: str) -> str:
    if op.get_bind().dialect.name == "sqlite":
        return f"date({day}, 'start of month')"
    return f"CAST(date_trunc('month', {day}) AS DATE)"


def _mark(months: str) -> str:
    """A statement marking the (kind, month) rows MONTHS selects, each once."""
    if op.get_bind().dialect.name == "sqlite":
        return f"INSERT OR IGNORE INTO rollup_dirty (kind, month) {months};"
    return f"INSERT INTO rollup_dirty (kind, month) {months} ON CONFLICT DO NOTHING;"


def _marks(table: str, row: str, rows: str = "") -> list[str]:
    """The statements marking the months the rows of TABLE bear on: ROW (NEW or OLD) in a row
    trigger; in a statement trigger, every row of the transition table ROWS, aliased ROW."""
    among = f"{rows} {row}, " if rows else ""  # the written rows, where there are several
    if table in LATEST:
        written = f" FROM {rows} {row}" if rows else ""
        return [_mark(f"SELECT DISTINCT '{table}', {_month(f'{row}.{LATEST[table]}')}{written}")]
    if table in CHILDREN:
        kind = CHILDREN[table]
        return [
            _mark(
                f"SELECT DISTINCT '{kind}', {_month(f'r.{LATEST[kind]}')} FROM {among}{kind} r "
                f"WHERE r.id = {row}.{kind}_id"
            )
        ]
    cited = (
        f"FROM {among}{{kind}} r WHERE r.id = {row}.{{kind}}_id"
        if table == "citation"
        else (
            f"FROM {among}citation c JOIN {{kind}} r ON r.id = c.{{kind}}_id "
            f"WHERE c.id = {row}.citation_id"
        )
    )
    # One statement for every kind a citation may be of: a statement is most of the cost.
    return [
        _mark(
            " UNION ALL ".join(
                f"SELECT DISTINCT '{kind}', {_month(f'r.{latest}')} " + cited.format(kind=kind)
                for kind, latest in LATEST.items()
            )
        )
    ]


def _sqlite_triggers(table: str) -> list[str]:
    if table in EVERY_MONTH:
        column, months = EVERY_MONTH[table]
        return [
            f"CREATE TRIGGER rollup_{table}_update AFTER UPDATE OF {column} ON {table} "
            f"WHEN OLD.{column} IS NOT NEW.{column} BEGIN {_mark(months)} END"
        ]
    rows = {"insert": ["NEW"], "update": ["OLD", "NEW"], "delete": ["OLD"]}
    return [
        f"CREATE TRIGGER rollup_{table}_{event} AFTER {event.upper()} ON {table} BEGIN "
        + " ".join(mark for row in marked for mark in _marks(table, row))
        + " END"
        for event, marked in rows.items()
    ]


# PostgreSQL marks once per statement, from the statement's rows (its transition tables): an
# import's COPY of a hundred thousand rows runs one statement, not a hundred thousand.
_TRANSITIONS = {
    "insert": {"new_rows": "NEW TABLE"},
    "update": {"old_rows": "OLD TABLE", "new_rows": "NEW TABLE"},
    "delete": {"old_rows": "OLD TABLE"},
}


def _postgresql_triggers(table: str) -> list[str]:
    if table in EVERY_MONTH:
        column, months = EVERY_MONTH[table]
        body = f"IF OLD.{column} IS DISTINCT FROM NEW.{column} THEN {_mark(months)} END IF;"
        return [
            f"CREATE FUNCTION rollup_mark_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {body} RETURN NULL; END $$",
            f"CREATE TRIGGER rollup_mark AFTER UPDATE OF {column} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION rollup_mark_{table}()",
        ]
    statements = []
    for event, transitions in _TRANSITIONS.items():
        body = " ".join(mark for rows in transitions for mark in _marks(table, "w", rows))
        referencing = " ".join(f"{which} AS {rows}" for rows, which in transitions.items())
        statements += [
            f"CREATE FUNCTION rollup_mark_{table}_{event}() RETURNS trigger LANGUAGE plpgsql "
            f"AS $$ BEGIN {body} RETURN NULL; END $$",
            f"CREATE TRIGGER rollup_mark_{event} AFTER {event.upper()} ON {table} "
            f"REFERENCING {referencing} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION rollup_mark_{table}_{event}()",
        ]
    return statements


def upgrade() -> None:
    op.create_table(
        "rollup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("period", sa.Date(), nullable=True),
        sa.Column("outlet", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("state_a", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column("state_b", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=True),
        sa.CheckConstraint(
            "month BETWEEN '1000-01-01' AND '2999-12-31'", name=op.f("ck_rollup_month_in_calendar")
        ),
        sa.CheckConstraint(
            "period BETWEEN '1000-01-01' AND '2999-12-31'",
            name=op.f("ck_rollup_period_in_calendar"),
        ),
        sa.CheckConstraint(
            "CASE WHEN period IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN outlet IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN source_id IS NULL THEN 0 ELSE 1 END = 1",
            name=op.f("ck_rollup_one_grouping"),
        ),
        sa.CheckConstraint(
            "(state_a IS NULL) = (state_b IS NULL) AND (state_a IS NULL) = (weight IS NULL)"
            " AND (state_a IS NULL OR period IS NOT NULL)",
            name=op.f("ck_rollup_pair_by_period"),
        ),
        sa.CheckConstraint("records > 0", name=op.f("ck_rollup_records_counted")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollup")),
    )
    op.create_index("ix_rollup_kind_month", "rollup", ["kind", "month"], unique=False)
    op.create_table(
        "rollup_dirty",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("month", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "month BETWEEN '1000-01-01' AND '2999-12-31'",
            name=op.f("ck_rollup_dirty_month_in_calendar"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollup_dirty")),
        sa.UniqueConstraint("kind", "month", name=op.f("uq_rollup_dirty_kind_month")),
    )
    triggers = _sqlite_triggers if op.get_bind().dialect.name == "sqlite" else _postgresql_triggers
    for table in (*LATEST, *WATCHED):
        for statement in triggers(table):
            op.execute(statement)
    # Every month of the records already stored, for `tracker.database.migrate` to count.
    for table, latest in LATEST.items():
        op.execute(
            f"INSERT INTO rollup_dirty (kind, month) SELECT DISTINCT '{table}', "
            f"{_month(latest)} FROM {table} WHERE {latest} IS NOT NULL"
        )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in (*LATEST, *WATCHED):
        if sqlite:
            events = ("update",) if table in EVERY_MONTH else ("insert", "update", "delete")
            for event in events:
                op.execute(f"DROP TRIGGER rollup_{table}_{event}")
        elif table in EVERY_MONTH:
            op.execute(f"DROP TRIGGER rollup_mark ON {table}")
            op.execute(f"DROP FUNCTION rollup_mark_{table}()")
        else:
            for event in _TRANSITIONS:
                op.execute(f"DROP TRIGGER rollup_mark_{event} ON {table}")
                op.execute(f"DROP FUNCTION rollup_mark_{table}_{event}()")
    op.drop_table("rollup_dirty")
    op.drop_index("ix_rollup_kind_month", table_name="rollup")
    op.drop_table("rollup")
