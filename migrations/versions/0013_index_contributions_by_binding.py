"""index contribution payments by binding: `family unbind` looks for the last contribution
paid under a binding, as it does for claims (0007), and verify joins them to their bindings

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_contribution_payments_binding_id", "contribution_payments", ["binding_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_contribution_payments_binding_id", table_name="contribution_payments")
