"""Membership over time and honest treaty status: a state's spells in a treaty (several per
state), obligations that may be unknown, the last day a treaty is known in force, its COW id,
the organisation it founded;
historical states, with COW abbreviations and successors

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 02:14:30.884276
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from tracker.database import keep_rows
from tracker.errors import TrackerError

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OBLIGATIONS = ("defense", "offense", "neutrality", "nonaggression", "consultation")
KINDS_BEFORE = "kind IN ('state', 'organisation')"
KINDS_AFTER = "kind IN ('state', 'historical', 'organisation')"
SOURCE_TYPES = (
    "'state_media', 'government_readout', 'intelligence_assessment', 'news_report', 'analysis'"
)


def upgrade() -> None:
    with op.batch_alter_table("state", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("cow_abbreviation", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True)
        )
        batch_op.add_column(
            sa.Column("successor_code", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True)
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_state_cow_abbreviation"), ["cow_abbreviation"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_state_successor_code_state"),
            "state",
            ["successor_code"],
            ["code"],
            ondelete="RESTRICT",
        )
        batch_op.drop_constraint(op.f("ck_state_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_state_kind"), KINDS_AFTER)

    with op.batch_alter_table("treaty", schema=None) as batch_op:
        batch_op.add_column(sa.Column("known_in_force_until", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("cow_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("founds_code", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_treaty_founds_code_state"),
            "state",
            ["founds_code"],
            ["code"],
            ondelete="RESTRICT",
        )
        for obligation in OBLIGATIONS:
            batch_op.alter_column(obligation, existing_type=sa.BOOLEAN(), nullable=True)
        batch_op.create_unique_constraint(batch_op.f("uq_treaty_cow_id"), ["cow_id"])
        batch_op.create_check_constraint(op.f("ck_treaty_cow_id_positive"), "cow_id > 0")
        batch_op.create_check_constraint(
            op.f("ck_treaty_known_in_force_until_in_calendar"),
            "known_in_force_until BETWEEN '1000-01-01' AND '2999-12-31'",
        )

    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_source_type"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_source_type"), f"type IN ({SOURCE_TYPES}, 'dataset')"
        )

    with op.batch_alter_table("treaty_party", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_treaty_party_treaty_id_state_code"), type_="unique")
        batch_op.create_unique_constraint(
            op.f("uq_treaty_party_treaty_id_state_code_joined"),
            ["treaty_id", "state_code", "joined"],
        )


def _refuse_what_the_old_schema_cannot_hold() -> None:
    """Rows the schema before this one has no way to hold, whatever loss is accepted: a state's
    second spell in a treaty, an obligation not recorded, a historical state, a data set."""
    unknown = " OR ".join(f"{obligation} IS NULL" for obligation in OBLIGATIONS)
    connection = op.get_bind()
    held = {
        what: count
        for what, query in {
            "spells beyond a state's first in a treaty": (
                "SELECT count(*) FROM treaty_party WHERE id NOT IN "
                "(SELECT min(id) FROM treaty_party GROUP BY treaty_id, state_code)"
            ),
            "treaties with an obligation not recorded": f"SELECT count(*) FROM treaty WHERE {unknown}",
            "historical states": "SELECT count(*) FROM state WHERE kind = 'historical'",
            "data set sources": "SELECT count(*) FROM source WHERE type = 'dataset'",
        }.items()
        if (count := connection.exec_driver_sql(query).scalar())
    }
    if held:
        what = ", ".join(f"{count:,} {name}" for name, count in held.items())
        raise TrackerError(
            f"the schema before 0005 cannot hold {what}: restore the backup made before the "
            "upgrade instead"
        )


def downgrade() -> None:
    _refuse_what_the_old_schema_cannot_hold()
    unknown = " OR ".join(f"{obligation} IS NULL" for obligation in OBLIGATIONS)
    keep_rows(
        "treaty",
        where="cow_id IS NOT NULL OR known_in_force_until IS NOT NULL OR founds_code IS NOT NULL "
        f"OR {unknown}",
    )
    keep_rows(
        "state",
        where="kind = 'historical' OR cow_abbreviation IS NOT NULL OR successor_code IS NOT NULL",
    )
    with op.batch_alter_table("treaty_party", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("uq_treaty_party_treaty_id_state_code_joined"), type_="unique"
        )
        batch_op.create_unique_constraint(
            op.f("uq_treaty_party_treaty_id_state_code"), ["treaty_id", "state_code"]
        )

    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_source_type"), type_="check")
        batch_op.create_check_constraint(op.f("ck_source_type"), f"type IN ({SOURCE_TYPES})")

    with op.batch_alter_table("treaty", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_treaty_known_in_force_until_in_calendar"), type_="check")
        batch_op.drop_constraint(op.f("ck_treaty_cow_id_positive"), type_="check")
        batch_op.drop_constraint(op.f("uq_treaty_cow_id"), type_="unique")
        for obligation in OBLIGATIONS:
            batch_op.alter_column(obligation, existing_type=sa.BOOLEAN(), nullable=False)
        batch_op.drop_constraint(op.f("fk_treaty_founds_code_state"), type_="foreignkey")
        batch_op.drop_column("founds_code")
        batch_op.drop_column("cow_id")
        batch_op.drop_column("known_in_force_until")

    with op.batch_alter_table("state", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_state_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_state_kind"), KINDS_BEFORE)
        batch_op.drop_constraint(op.f("fk_state_successor_code_state"), type_="foreignkey")
        batch_op.drop_constraint(op.f("uq_state_cow_abbreviation"), type_="unique")
        batch_op.drop_column("successor_code")
        batch_op.drop_column("cow_abbreviation")
