"""the rest of the history is append-only: contribution payments, year-end deductions,
major-illness incentives, monthly credits and the loaded policy files

Like the journal (0001) and the claims (0003): UPDATE and DELETE are refused by triggers;
a correction is a new row (or a compensating posting), never an edit.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = (
    "contribution_payments",
    "year_end_deductions",
    "major_illness_incentives",
    "monthly_credits",
    "policy_files",
)


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for t in APPEND_ONLY:
        if postgres:  # ledger_refuse_change() is created by 0001
            op.execute(
                f"CREATE TRIGGER trg_{t}_append_only BEFORE UPDATE OR DELETE ON {t} FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
            )
        else:
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER trg_{t}_no_{action.lower()} BEFORE {action} ON {t} BEGIN SELECT RAISE(ABORT, '{t} is append-only'); END"
                )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for t in APPEND_ONLY:
        if postgres:
            op.execute(f"DROP TRIGGER trg_{t}_append_only ON {t}")
        else:
            for action in ("update", "delete"):
                op.execute(f"DROP TRIGGER trg_{t}_no_{action}")
