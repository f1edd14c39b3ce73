"""the journal and the audit log are hash chains (tamper evidence)

Each posting and each audit record gains `hash`: sha256 over the previous row's hash and its
own content (ledger/db/chain.py); `chain_heads` holds each chain's last id and hash. The rows
already written are chained here, in id order. Their UPDATE triggers are set aside for that
one statement per row and put back: the backfill is the only update history ever takes.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa
from alembic import op

from ledger.db import chain

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chain_heads",
        sa.Column("name", sa.String(16), nullable=False),
        sa.Column("last_id", sa.BigInteger(), nullable=True),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_chain_heads")),
    )
    op.add_column("journal_postings", sa.Column("hash", sa.String(64), nullable=True))
    op.add_column("audit_log", sa.Column("hash", sa.String(64), nullable=True))
    bind = op.get_bind()
    with _updatable(bind, ("journal_postings", "audit_log")):
        journal = _chain_postings(bind)
        audit = _chain_audit(bind)
    heads = sa.table("chain_heads", sa.column("name"), sa.column("last_id"), sa.column("hash"))
    op.bulk_insert(
        heads,
        [
            {"name": chain.JOURNAL, "last_id": journal[0], "hash": journal[1]},
            {"name": chain.AUDIT, "last_id": audit[0], "hash": audit[1]},
        ],
    )


def _chain_postings(bind) -> tuple[int | None, str]:
    entries: dict[int, list] = {}
    for r in bind.execute(sa.text("SELECT posting_id, book, amount, psn_no, account_id FROM journal_entries")):
        entries.setdefault(r.posting_id, []).append((r.book, r.amount, r.psn_no, r.account_id))
    last, h = None, chain.GENESIS
    rows = bind.execute(
        sa.text("SELECT id, kind, effective_date, memo, ref, operator, created_at FROM journal_postings ORDER BY id")
    ).all()
    for r in rows:
        on = date.fromisoformat(r.effective_date) if isinstance(r.effective_date, str) else r.effective_date
        at = chain.instant(_time(r.created_at))
        h = chain.link(h, chain.posting_content(r.id, r.kind, on, r.memo, r.ref, r.operator, at, entries.get(r.id, ())))
        bind.execute(sa.text("UPDATE journal_postings SET hash = :h WHERE id = :i"), {"h": h, "i": r.id})
        last = r.id
    return last, h


def _chain_audit(bind) -> tuple[int | None, str]:
    last, h = None, chain.GENESIS
    rows = bind.execute(
        sa.text("SELECT id, at, operator, action, subject, reason, details FROM audit_log ORDER BY id")
    ).all()
    for r in rows:
        h = chain.link(
            h,
            chain.audit_content(r.id, chain.instant(_time(r.at)), r.operator, r.action, r.subject, r.reason, r.details),
        )
        bind.execute(sa.text("UPDATE audit_log SET hash = :h WHERE id = :i"), {"h": h, "i": r.id})
        last = r.id
    return last, h


def _time(value) -> datetime:
    """A stored time as the models read it back (SQLite keeps it as text)."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


class _updatable:
    """The tables' UPDATE triggers set aside while the block runs, then put back as they were."""

    def __init__(self, bind, tables):
        self.bind, self.tables, self.saved = bind, tables, []

    def __enter__(self):
        if self.bind.dialect.name == "postgresql":
            for t in self.tables:
                self.bind.execute(sa.text(f"ALTER TABLE {t} DISABLE TRIGGER trg_{t}_append_only"))
        else:
            for t in self.tables:
                name = f"trg_{t}_no_update"
                sql = self.bind.execute(
                    sa.text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :n"), {"n": name}
                ).scalar_one()
                self.saved.append(sql)
                self.bind.execute(sa.text(f"DROP TRIGGER {name}"))
        return self

    def __exit__(self, *exc):
        if self.bind.dialect.name == "postgresql":
            for t in self.tables:
                self.bind.execute(sa.text(f"ALTER TABLE {t} ENABLE TRIGGER trg_{t}_append_only"))
        else:
            for sql in self.saved:
                self.bind.execute(sa.text(sql))


def downgrade() -> None:
    op.drop_column("audit_log", "hash")
    op.drop_column("journal_postings", "hash")
    op.drop_table("chain_heads")
