"""The double-entry journal, the audit log and the policy files operators loaded: the append-only history."""

from datetime import date

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import BOOKS, Base, CreatedAt, Fen, Id, _in


class Posting(Base):
    """One journal posting: a set of entries that sum to zero. Never updated or deleted
    (the migration installs triggers that refuse it); corrections are new postings."""

    __tablename__ = "journal_postings"

    id: Mapped[Id]
    kind: Mapped[str] = mapped_column(String(32))
    effective_date: Mapped[date] = mapped_column(Date)
    memo: Mapped[str] = mapped_column(Text)
    ref: Mapped[str | None] = mapped_column(String(64))
    operator: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[CreatedAt]
    # sha256 over the previous posting's hash and this posting's content (db/chain.py). The
    # journal writer always sets it; NULL only on a row written behind its back.
    hash: Mapped[str | None] = mapped_column(String(64))

    entries: Mapped[list["Entry"]] = relationship(back_populates="posting", order_by="Entry.id")


class Entry(Base):
    __tablename__ = "journal_entries"
    __table_args__ = (
        CheckConstraint(_in("book", BOOKS), name="book_known"),
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        # A personal-account entry names its account; no other book's entry does.
        CheckConstraint("(book = 'personal_account') = (account_id IS NOT NULL)", name="account_iff_personal_book"),
        # A wallet entry names whose wallet (migration 0021): wallets are keyed by person.
        CheckConstraint("book <> 'wallet' OR psn_no IS NOT NULL", name="wallet_names_owner"),
        Index(None, "account_id", "posting_id"),
        Index(None, "posting_id"),
        # a wallet's entries (verify, services/verify_wallets.py): few among the many
        Index(
            "ix_journal_entries_wallet_psn_no",
            "psn_no",
            postgresql_where=text("book = 'wallet'"),
            sqlite_where=text("book = 'wallet'"),
        ),
    )

    id: Mapped[Id]
    posting_id: Mapped[int] = mapped_column(ForeignKey("journal_postings.id"))
    # The posting's effective date, kept with each entry: on PostgreSQL the entries are
    # partitioned by it, and refer to their posting by (id, date) (migration 0019).
    effective_date: Mapped[date] = mapped_column(Date)
    book: Mapped[str] = mapped_column(String(32))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    psn_no: Mapped[str | None] = mapped_column(ForeignKey("persons.psn_no"))  # whose money or benefit
    amount: Mapped[Fen]  # signed; the entries of a posting sum to zero

    posting: Mapped[Posting] = relationship(back_populates="entries")


class AuditRecord(Base):
    """Admin actions: who, when, why, what. Append-only like the journal."""

    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "subject"),)

    id: Mapped[Id]
    at: Mapped[CreatedAt]
    operator: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[str] = mapped_column(Text)  # JSON
    hash: Mapped[str | None] = mapped_column(String(64))  # chained like the journal's (db/chain.py)


class ChainHead(Base):
    """The last row of a hash chain (`journal`, `audit`) and its hash: what the next row is
    chained to. Its writer holds it FOR UPDATE, so rows join the chain one transaction at a
    time, in id order."""

    __tablename__ = "chain_heads"

    name: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_id: Mapped[int | None] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class StoredPolicyFile(Base):
    """A policy file an operator loaded; its text is kept verbatim so resolution is reproducible."""

    __tablename__ = "policy_files"
    __table_args__ = (UniqueConstraint("sha256"),)

    id: Mapped[Id]
    name: Mapped[str] = mapped_column(String(255))
    region: Mapped[str] = mapped_column(String(6))
    effective_from: Mapped[date] = mapped_column(Date)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    loaded_by: Mapped[str] = mapped_column(String(100))
    loaded_at: Mapped[CreatedAt]


class VerifyRun(Base):
    """A run of `ledger verify` that found the books clean, and how far it reached: the head
    of each hash chain then, and what the personal accounts held together (which equalled
    their journal entries). `ledger verify --since` checks what was written after the last
    one. Append-only: a mark is history, as the journal it marks."""

    __tablename__ = "verify_runs"
    __table_args__ = (CheckConstraint(_in("mode", ("full", "since")), name="mode_known"),)

    id: Mapped[Id]
    at: Mapped[CreatedAt]
    mode: Mapped[str] = mapped_column(String(5))
    journal_last_id: Mapped[int | None] = mapped_column(BigInteger)
    journal_hash: Mapped[str] = mapped_column(String(64))
    audit_last_id: Mapped[int | None] = mapped_column(BigInteger)
    audit_hash: Mapped[str] = mapped_column(String(64))
    balances: Mapped[Fen]  # the accounts' balances added up
    # every account's and wallet's balance in one number (services/verify_digest.py,
    # migration 0023); None for a run recorded before it, which `--since` cannot start from
    digest: Mapped[str | None] = mapped_column(String(800))
    postings: Mapped[int] = mapped_column(BigInteger)  # how many postings the run checked
