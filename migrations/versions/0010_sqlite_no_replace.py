"""SQLite: an INSERT OR REPLACE into the history is refused

`INSERT OR REPLACE` (and `REPLACE INTO`) meets a row's primary or unique key, deletes that
row and writes the new one. SQLite fires no DELETE trigger for that delete unless the
connection set `recursive_triggers`, which an ordinary connection does not: through any
sqlite3 shell the append-only triggers of 0001, 0003 and 0006 let a row of the journal, the
claims or the audit log be rewritten (operator, memo, dates, reason), and `verify` stayed
clean when the sums were kept. Here each append-only table refuses, before the insert, a row
whose keys an existing row already holds: a plain INSERT would fail on those keys anyway, so
only the REPLACE is refused anew. PostgreSQL has no REPLACE (ON CONFLICT DO UPDATE fires the
UPDATE triggers, which refuse it).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The append-only tables and their keys: the primary key, then every unique constraint.
KEYS = {
    "journal_postings": [("id",)],
    "journal_entries": [("id",)],
    "audit_log": [("id",)],
    "claims": [("id",), ("setl_id",)],
    "claim_mulaid_payments": [("id",), ("claim_id", "seq")],
    "claim_reversals": [("id",), ("claim_id",)],
    "contribution_payments": [("id",), ("member_psn_no", "year")],
    "year_end_deductions": [("id",), ("psn_no", "year", "item")],
    "major_illness_incentives": [("id",), ("psn_no", "year")],
    "monthly_credits": [("id",), ("psn_no", "month")],
    "policy_files": [("id",), ("sha256",)],
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, keys in KEYS.items():
        held = " OR ".join(
            f"EXISTS (SELECT 1 FROM {table} WHERE {' AND '.join(f'{c} = NEW.{c}' for c in key)})" for key in keys
        )
        op.execute(
            f"CREATE TRIGGER trg_{table}_no_replace BEFORE INSERT ON {table} WHEN {held} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: a row with these keys exists'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in KEYS:
        op.execute(f"DROP TRIGGER trg_{table}_no_replace")
