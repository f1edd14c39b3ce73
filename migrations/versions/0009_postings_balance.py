"""PostgreSQL refuses, at commit, a journal posting whose entries are missing or do not
sum to zero: a deferred constraint trigger, so a writer may insert the posting before its
entries within one transaction. SQLite has no deferred triggers; the journal writer asks
the same question after its inserts (ledger/services/journal.py).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE FUNCTION ledger_posting_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            n bigint;
            total numeric;
        BEGIN
            SELECT count(*), coalesce(sum(amount), 0) INTO n, total FROM journal_entries WHERE posting_id = NEW.id;
            IF n = 0 OR total <> 0 THEN
                RAISE EXCEPTION 'journal posting % does not balance: % entries summing to %', NEW.id, n, total
                    USING ERRCODE = '23514';
            END IF;
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        "CREATE CONSTRAINT TRIGGER trg_journal_postings_balanced AFTER INSERT ON journal_postings "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_posting_balanced()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER trg_journal_postings_balanced ON journal_postings")
    op.execute("DROP FUNCTION ledger_posting_balanced()")
