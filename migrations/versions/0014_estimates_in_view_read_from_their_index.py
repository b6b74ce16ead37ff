"""The estimates in view read from indexes alone: the index on an estimate's latest day also
carries what the spreads of estimates filter and group by (its date, rank, retirement,
deployment, measure and scope), and the estimates' citations are indexed by stance and day, so
the Overview's headlines find those corrected or retracted without looking up a row for each

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 11:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CARRIED = ["as_of", "rank", "retired_at", "deployment_id", "measure", "scope"]
ESTIMATES_CITED = sa.text("estimate_id IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_estimate_as_of_latest", table_name="estimate")
    op.create_index("ix_estimate_as_of_latest", "estimate", ["as_of_latest", *CARRIED])
    op.create_index(
        "ix_citation_estimate_stance",
        "citation",
        ["stance", "stated", "estimate_id"],
        sqlite_where=ESTIMATES_CITED,
        postgresql_where=ESTIMATES_CITED,
    )


def downgrade() -> None:
    op.drop_index("ix_citation_estimate_stance", table_name="citation")
    op.drop_index("ix_estimate_as_of_latest", table_name="estimate")
    op.create_index("ix_estimate_as_of_latest", "estimate", ["as_of_latest"])
