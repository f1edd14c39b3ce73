"""`ledger monitor` reads a person's claims in date order from the index alone: the index
of claims by person and service date also carries the claim's id, medical type,
institution and fee (PostgreSQL's INCLUDE; SQLite, which has none, keeps the plain index).
Measured with scripts/bench_monitor.py: the index alone gives a year's 10,000,000 claims in
person and date order in about 3 s, where a read of the table's rows had to sort them.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_claims_psn_no_service_date"
CARRIED = ["id", "med_type", "fixmedins_code", "medfee_sumamt"]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(NAME, table_name="claims")
    op.create_index(NAME, "claims", ["psn_no", "service_date"], unique=False, postgresql_include=CARRIED)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(NAME, table_name="claims")
    op.create_index(NAME, "claims", ["psn_no", "service_date"], unique=False)
