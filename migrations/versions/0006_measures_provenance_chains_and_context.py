"""Figures an analyst can defend: what each estimate measures and where (its scope); chains of
relays down to the originator; corrections and retractions; the source's own words for every
date; pledges with figures and several recipients; history kept apart from the present
(records kept only as historical context); whose classification a source's perspective is

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 04:07:45.225170
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from tracker.database import keep_rows
from tracker.errors import TrackerError

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every fuzzy date gains the source's own words for it.
DATE_WORDS = {
    "citation": ("stated",),
    "deployment": ("started", "ended"),
    "engagement": ("occurred",),
    "estimate": ("as_of",),
    "person": ("office_from", "office_to"),
    "pledge": ("made",),
    "pledge_status": ("changed",),
    "source": ("published",),
    "treaty": ("signed", "in_force", "ended"),
    "treaty_party": ("joined", "exited"),
}
# The counting bases before 0006, and the measures they became.
MEASURES = {
    "total_present": "personnel_present",
    "cumulative": "cumulative_sent",
    "additional_planned": "additional_planned",
}
MEASURES_AFTER = (
    *MEASURES.values(),
    "reinforcement_or_rotation",
    "killed",
    "wounded",
    "killed_or_wounded",
    "captured",
)
QUALIFIERS = (
    "exactly",
    "roughly",
    "over",
    "at_least",
    "under",
    "up_to",
    "between",
    "dozens",
    "hundreds",
    "thousands",
)
PRECISIONS = ("day", "month", "quarter", "year", "range")
FIGURE_CHECKS = {
    "figure_has_qualifier": "qualifier IS NOT NULL OR (low IS NULL AND high IS NULL)",
    "counts_not_negative": "low >= 0 AND high >= 0",
    "low_not_above_high": "low <= high",
    "point_has_one_figure": (
        "qualifier NOT IN ('exactly', 'roughly') "
        "OR (low IS NOT NULL AND high IS NOT NULL AND high = low)"
    ),
    "lower_bound_only": (
        "qualifier NOT IN ('over', 'at_least', 'dozens', 'hundreds', 'thousands') "
        "OR (low IS NOT NULL AND high IS NULL)"
    ),
    "upper_bound_only": (
        "qualifier NOT IN ('under', 'up_to') OR (high IS NOT NULL AND low IS NULL)"
    ),
    "between_has_both": "qualifier <> 'between' OR (low IS NOT NULL AND high IS NOT NULL)",
}


def _one_of(values: Sequence[str]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def _text(length: int) -> sa.types.TypeEngine:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _fuzzy_date_checks(batch_op: op, table: str, name: str) -> None:
    precision, latest = f"{name}_precision", f"{name}_latest"
    for suffix, condition in {
        f"{name}_has_precision": f"({name} IS NULL) = ({precision} IS NULL)",
        f"{name}_has_latest": f"({name} IS NULL) = ({latest} IS NULL)",
        f"{name}_in_order": f"{latest} >= {name}",
        precision: f"{precision} IN ({_one_of(PRECISIONS)})",
        f"{name}_in_calendar": f"{name} BETWEEN '1000-01-01' AND '2999-12-31'",
        f"{latest}_in_calendar": f"{latest} BETWEEN '1000-01-01' AND '2999-12-31'",
    }.items():
        batch_op.create_check_constraint(op.f(f"ck_{table}_{suffix}"), condition)


def upgrade() -> None:
    for table, names in DATE_WORDS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in names:
                if table == "citation" and name == "stated":
                    continue  # added with the citation's other new columns below
                batch_op.add_column(sa.Column(f"{name}_words", _text(200), nullable=True))

    op.create_table(
        "citation_relay",
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
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("citation_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("position >= 1", name=op.f("ck_citation_relay_position_positive")),
        sa.ForeignKeyConstraint(
            ["citation_id"],
            ["citation.id"],
            name=op.f("fk_citation_relay_citation_id_citation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_citation_relay_source_id_source"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citation_relay")),
        sa.UniqueConstraint(
            "citation_id", "position", name=op.f("uq_citation_relay_citation_id_position")
        ),
        sa.UniqueConstraint(
            "citation_id", "source_id", name=op.f("uq_citation_relay_citation_id_source_id")
        ),
    )
    with op.batch_alter_table("citation_relay", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_citation_relay_citation_id"), ["citation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_citation_relay_source_id"), ["source_id"], unique=False
        )

    with op.batch_alter_table("citation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stance", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("stated", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("stated_precision", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("stated_latest", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("stated_words", _text(200), nullable=True))
    op.execute("UPDATE citation SET stance = 'supports'")
    with op.batch_alter_table("citation", schema=None) as batch_op:
        batch_op.alter_column(
            "stance",
            existing_type=sa.String(length=32),
            nullable=False,
            server_default="supports",
        )
        batch_op.create_check_constraint(
            op.f("ck_citation_stance"), "stance IN ('supports', 'corrects', 'retracts')"
        )
        batch_op.create_check_constraint(
            op.f("ck_citation_correction_dated"), "stance = 'supports' OR stated IS NOT NULL"
        )
        _fuzzy_date_checks(batch_op, "citation", "stated")
        batch_op.create_index(batch_op.f("ix_citation_stance"), ["stance"], unique=False)

    with op.batch_alter_table("estimate", schema=None) as batch_op:
        batch_op.add_column(sa.Column("measure", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("scope", _text(200), nullable=True))
    measure = " ".join(f"WHEN '{old}' THEN '{new}'" for old, new in MEASURES.items())
    op.execute(f"UPDATE estimate SET measure = CASE counting_basis {measure} END")
    # The place an estimate made before 0006 is about: its deployment's region, or the state
    # the deployment went to.
    op.execute(
        "UPDATE estimate SET scope = (SELECT coalesce(deployment.region, state.name) "
        "FROM deployment JOIN state ON state.code = deployment.receiving_state_code "
        "WHERE deployment.id = estimate.deployment_id)"
    )
    with op.batch_alter_table("estimate", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_estimate_counting_basis"), type_="check")
        batch_op.drop_constraint(
            op.f("uq_estimate_deployment_id_source_id_counting_basis_as_of"), type_="unique"
        )
        batch_op.drop_column("counting_basis")
        batch_op.alter_column("measure", existing_type=sa.String(length=32), nullable=False)
        batch_op.alter_column("scope", existing_type=_text(200), nullable=False)
        batch_op.create_check_constraint(
            op.f("ck_estimate_measure"), f"measure IN ({_one_of(MEASURES_AFTER)})"
        )
        # Before 0006 a point figure with no high passed the database (SQL lets NULL through).
        batch_op.drop_constraint(op.f("ck_estimate_point_has_one_figure"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_estimate_point_has_one_figure"), FIGURE_CHECKS["point_has_one_figure"]
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_estimate_deployment_id_source_id_measure_scope_as_of"),
            ["deployment_id", "source_id", "measure", "scope", "as_of"],
        )

    # The recipient columns' index names are the new table's: they go first.
    with op.batch_alter_table("pledge", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pledge_recipient_person_id"))
        batch_op.drop_index(batch_op.f("ix_pledge_recipient_state_code"))
    op.create_table(
        "pledge_recipient",
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
        sa.Column("state_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("pledge_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_pledge_recipient_person_id_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["pledge_id"],
            ["pledge.id"],
            name=op.f("fk_pledge_recipient_pledge_id_pledge"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["state_code"],
            ["state.code"],
            name=op.f("fk_pledge_recipient_state_code_state"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pledge_recipient")),
        sa.UniqueConstraint(
            "pledge_id", "state_code", name=op.f("uq_pledge_recipient_pledge_id_state_code")
        ),
    )
    with op.batch_alter_table("pledge_recipient", schema=None) as batch_op:
        for column in ("person_id", "pledge_id", "state_code"):
            batch_op.create_index(
                batch_op.f(f"ix_pledge_recipient_{column}"), [column], unique=False
            )
    op.execute(
        "INSERT INTO pledge_recipient (pledge_id, state_code, person_id) "
        "SELECT id, recipient_state_code, recipient_person_id FROM pledge "
        "WHERE recipient_state_code IS NOT NULL"
    )
    with op.batch_alter_table("pledge", schema=None) as batch_op:
        batch_op.add_column(sa.Column("qualifier", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("low", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("high", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("figure_of", _text(200), nullable=True))
        batch_op.add_column(sa.Column("historical_context", sa.Boolean(), nullable=True))
        batch_op.drop_constraint(op.f("ck_pledge_to_another_state"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_pledge_recipient_person_id_person"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_pledge_recipient_state_code_state"), type_="foreignkey"
        )
        batch_op.drop_column("recipient_person_id")
        batch_op.drop_column("recipient_state_code")
    with op.batch_alter_table("treaty", schema=None) as batch_op:
        batch_op.add_column(sa.Column("historical_context", sa.Boolean(), nullable=True))
    for table in ("pledge", "treaty"):
        op.execute(sa.text(f"UPDATE {table} SET historical_context = :no").bindparams(no=False))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "historical_context",
                existing_type=sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
    with op.batch_alter_table("pledge", schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f("ck_pledge_qualifier"), f"qualifier IN ({_one_of(QUALIFIERS)})"
        )
        for name, condition in FIGURE_CHECKS.items():
            batch_op.create_check_constraint(op.f(f"ck_pledge_{name}"), condition)

    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.add_column(sa.Column("perspective_source_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_source_perspective_source_id_source"),
            "source",
            ["perspective_source_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch_op.create_check_constraint(
            op.f("ck_source_perspective_attributed"),
            "perspective_source_id IS NULL OR perspective IS NOT NULL",
        )


def _refuse_what_the_old_schema_cannot_hold() -> None:
    """Rows the schema before 0006 has no way to hold, whatever loss is accepted."""
    new = _one_of([measure for measure in MEASURES_AFTER if measure not in MEASURES.values()])
    connection = op.get_bind()
    held = {
        what: count
        for what, query in {
            "estimates of casualties or reinforcements": (
                f"SELECT count(*) FROM estimate WHERE measure IN ({new})"
            ),
            # The old schema would read these as support and as the present: not held at all.
            "corrections or retractions": (
                "SELECT count(*) FROM citation WHERE stance <> 'supports'"
            ),
            "treaties kept as historical context": (
                "SELECT count(*) FROM treaty WHERE historical_context"
            ),
            "pledges kept as historical context": (
                "SELECT count(*) FROM pledge WHERE historical_context"
            ),
            "estimates that differ only in scope": (
                "SELECT count(*) - count(DISTINCT deployment_id || '/' || source_id || '/' || "
                "measure || '/' || as_of) FROM estimate"
            ),
        }.items()
        if (count := connection.exec_driver_sql(query).scalar())
    }
    if held:
        what = ", ".join(f"{count:,} {name}" for name, count in held.items())
        raise TrackerError(
            f"the schema before 0006 cannot hold {what}: restore the backup made before the "
            "upgrade instead"
        )


def downgrade() -> None:
    _refuse_what_the_old_schema_cannot_hold()
    keep_rows("citation_relay")
    keep_rows("citation", where="stated IS NOT NULL")
    keep_rows(
        "pledge_recipient",
        where="id NOT IN (SELECT min(id) FROM pledge_recipient GROUP BY pledge_id)",
    )
    keep_rows("pledge", where="qualifier IS NOT NULL OR figure_of IS NOT NULL")
    keep_rows("source", where="perspective_source_id IS NOT NULL")
    # Every estimate has a scope, which the old schema drops: kept only if the loss is accepted,
    # unless it is what the upgrade would derive again.
    keep_rows(
        "estimate",
        where="scope <> (SELECT coalesce(deployment.region, state.name) FROM deployment "
        "JOIN state ON state.code = deployment.receiving_state_code "
        "WHERE deployment.id = estimate.deployment_id)",
    )
    for table, names in DATE_WORDS.items():
        keep_rows(table, where=" OR ".join(f"{name}_words IS NOT NULL" for name in names))

    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_source_perspective_attributed"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_source_perspective_source_id_source"), type_="foreignkey"
        )
        batch_op.drop_column("perspective_source_id")

    with op.batch_alter_table("treaty", schema=None) as batch_op:
        batch_op.drop_column("historical_context")

    with op.batch_alter_table("pledge", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recipient_state_code", sa.VARCHAR(), nullable=True))
        batch_op.add_column(sa.Column("recipient_person_id", sa.INTEGER(), nullable=True))
    op.execute(
        "UPDATE pledge SET recipient_state_code = (SELECT state_code FROM pledge_recipient "
        "WHERE pledge_recipient.id = (SELECT min(id) FROM pledge_recipient "
        "WHERE pledge_id = pledge.id)), "
        "recipient_person_id = (SELECT person_id FROM pledge_recipient "
        "WHERE pledge_recipient.id = (SELECT min(id) FROM pledge_recipient "
        "WHERE pledge_id = pledge.id))"
    )
    op.drop_table("pledge_recipient")  # before its index names return to the pledge's columns
    with op.batch_alter_table("pledge", schema=None) as batch_op:
        for name in FIGURE_CHECKS:
            batch_op.drop_constraint(op.f(f"ck_pledge_{name}"), type_="check")
        batch_op.drop_constraint(op.f("ck_pledge_qualifier"), type_="check")
        batch_op.create_foreign_key(
            batch_op.f("fk_pledge_recipient_state_code_state"),
            "state",
            ["recipient_state_code"],
            ["code"],
            ondelete="RESTRICT",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_pledge_recipient_person_id_person"),
            "person",
            ["recipient_person_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch_op.create_index(
            batch_op.f("ix_pledge_recipient_state_code"), ["recipient_state_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pledge_recipient_person_id"), ["recipient_person_id"], unique=False
        )
        batch_op.create_check_constraint(
            op.f("ck_pledge_to_another_state"), "recipient_state_code <> pledger_state_code"
        )
        for column in ("historical_context", "figure_of", "high", "low", "qualifier"):
            batch_op.drop_column(column)

    with op.batch_alter_table("estimate", schema=None) as batch_op:
        batch_op.add_column(sa.Column("counting_basis", sa.VARCHAR(length=32), nullable=True))
    basis = " ".join(f"WHEN '{new}' THEN '{old}'" for old, new in MEASURES.items())
    op.execute(f"UPDATE estimate SET counting_basis = CASE measure {basis} END")
    with op.batch_alter_table("estimate", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_estimate_deployment_id_source_id_measure_scope_as_of"), type_="unique"
        )
        batch_op.drop_constraint(op.f("ck_estimate_measure"), type_="check")
        batch_op.drop_constraint(op.f("ck_estimate_point_has_one_figure"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_estimate_point_has_one_figure"),
            "qualifier NOT IN ('exactly', 'roughly') OR (low IS NOT NULL AND high = low)",
        )
        batch_op.drop_column("scope")
        batch_op.drop_column("measure")
        batch_op.alter_column("counting_basis", existing_type=sa.VARCHAR(length=32), nullable=False)
        batch_op.create_check_constraint(
            op.f("ck_estimate_counting_basis"),
            f"counting_basis IN ({_one_of(list(MEASURES))})",
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_estimate_deployment_id_source_id_counting_basis_as_of"),
            ["deployment_id", "source_id", "counting_basis", "as_of"],
        )

    with op.batch_alter_table("citation", schema=None) as batch_op:
        for suffix in (
            "stated_has_precision",
            "stated_has_latest",
            "stated_in_order",
            "stated_precision",
            "stated_in_calendar",
            "stated_latest_in_calendar",
            "correction_dated",
            "stance",
        ):
            batch_op.drop_constraint(op.f(f"ck_citation_{suffix}"), type_="check")
        batch_op.drop_index(batch_op.f("ix_citation_stance"))
        for column in ("stated_words", "stated_latest", "stated_precision", "stated", "stance"):
            batch_op.drop_column(column)
    op.drop_table("citation_relay")

    for table, names in DATE_WORDS.items():
        if table == "citation":
            continue
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in names:
                batch_op.drop_column(f"{name}_words")
