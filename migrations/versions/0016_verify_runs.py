"""`ledger verify --since`: the clean runs of verify, and the indexes it reads claims by

- `verify_runs`: each run of `ledger verify` that found the books clean, with the head of
  each hash chain then and the accounts' balances added up. Append-only, like the rest of
  the history.
- `claims` indexed by `posting_id` (the claims posted after a run's journal head) and by
  `service_date` (the claims of a day, whose running sums a new claim moved).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "verify_runs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mode", sa.String(length=5), nullable=False),
        sa.Column("journal_last_id", sa.BigInteger(), nullable=True),
        sa.Column("journal_hash", sa.String(length=64), nullable=False),
        sa.Column("audit_last_id", sa.BigInteger(), nullable=True),
        sa.Column("audit_hash", sa.String(length=64), nullable=False),
        sa.Column("balances", sa.BigInteger(), nullable=False),
        sa.Column("postings", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("mode IN ('full', 'since')", name=op.f("ck_verify_runs_mode_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verify_runs")),
    )
    if postgres:  # the functions of 0001 and 0012
        op.execute(
            "CREATE TRIGGER trg_verify_runs_append_only BEFORE UPDATE OR DELETE ON verify_runs FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
        )
        op.execute(
            "CREATE TRIGGER trg_verify_runs_no_truncate BEFORE TRUNCATE ON verify_runs FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate()"
        )
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER trg_verify_runs_no_{action.lower()} BEFORE {action} ON verify_runs BEGIN SELECT RAISE(ABORT, 'verify_runs is append-only'); END"
            )
        op.execute(  # as 0010: an INSERT OR REPLACE would delete the row it meets
            "CREATE TRIGGER trg_verify_runs_no_replace BEFORE INSERT ON verify_runs WHEN EXISTS (SELECT 1 FROM verify_runs WHERE id = NEW.id) "
            "BEGIN SELECT RAISE(ABORT, 'verify_runs is append-only: a row with these keys exists'); END"
        )
    op.create_index(op.f("ix_claims_posting_id"), "claims", ["posting_id"], unique=False)
    op.create_index(op.f("ix_claims_service_date"), "claims", ["service_date"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_claims_service_date"), table_name="claims")
    op.drop_index(op.f("ix_claims_posting_id"), table_name="claims")
    op.drop_table("verify_runs")  # its triggers go with it
