"""claims.combined_bucket: the counter of a cap on the basic fund and the large-expense
subsidy together (Changchun: 700,000.00 a year), which a claim moved where such a cap is in
force, so a reversal gives back exactly what it took and verify can add the counter up

A plain ADD COLUMN (not a batch operation), so SQLite does not rebuild the table and its
append-only triggers stay. Older claims moved no such counter: NULL.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("claims", sa.Column("combined_bucket", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("combined_bucket")
