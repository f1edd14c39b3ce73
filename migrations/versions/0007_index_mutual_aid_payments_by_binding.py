"""index mutual-aid payments by binding: `family unbind` looks for the last day a binding
paid, and verify joins the payments to their bindings

A plain CREATE INDEX (not a batch operation), so SQLite does not rebuild the table and its
append-only triggers stay.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_claim_mulaid_payments_binding_id", "claim_mulaid_payments", ["binding_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_claim_mulaid_payments_binding_id", table_name="claim_mulaid_payments")
