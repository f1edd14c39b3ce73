"""PostgreSQL: TRUNCATE of the history is refused

Row triggers do not fire for TRUNCATE, so the append-only triggers let the owner (or anyone
granted TRUNCATE) empty the journal or the audit log in one statement. A statement-level
BEFORE TRUNCATE trigger refuses it on every append-only table and on the chain heads. The
owner can still set triggers aside; the hash chains and a noted head show what was done,
and the writer role of `ledger db roles` owns nothing, so it can do neither.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HISTORY = (
    "journal_postings", "journal_entries", "audit_log", "claims", "claim_mulaid_payments", "claim_reversals",
    "contribution_payments", "year_end_deductions", "major_illness_incentives", "monthly_credits", "policy_files",
    "chain_heads",
)  # fmt: skip


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite has no TRUNCATE; its DELETE fires the row triggers
    op.execute(
        "CREATE FUNCTION ledger_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION '% is append-only: TRUNCATE is refused', TG_TABLE_NAME; END $$"
    )
    for t in HISTORY:
        op.execute(
            f"CREATE TRIGGER trg_{t}_no_truncate BEFORE TRUNCATE ON {t} FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for t in HISTORY:
        op.execute(f"DROP TRIGGER trg_{t}_no_truncate ON {t}")
    op.execute("DROP FUNCTION ledger_refuse_truncate()")
