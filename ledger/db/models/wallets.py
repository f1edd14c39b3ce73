"""The health-insurance wallet (医保钱包, docs/wallet.md): a person's wallet beside their
personal account, and the transfers into it from a near relative's account."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, CreatedAt, Fen, Id, PsnNo


class Wallet(Base):
    """A person's 医保钱包. The balance is a cache of the journal's `wallet` entries of the
    person, kept in step in the same transaction, as an account's is."""

    __tablename__ = "wallets"
    __table_args__ = (
        UniqueConstraint("psn_no"),
        CheckConstraint("balance >= 0", name="balance_not_negative"),
    )

    id: Mapped[Id]
    psn_no: Mapped[PsnNo] = mapped_column(ForeignKey("persons.psn_no"))
    balance: Mapped[Fen] = mapped_column(default=0)
    opened_at: Mapped[CreatedAt]


class WalletTransfer(Base):
    """A transfer from a holder's personal account to a near relative's wallet. `at` is the
    instant it was made, `local_day` its day on the pooling area's clock
    (`wallet.transfer.time_zone`: the day counted against the daily limit, and the
    posting's date). Append-only."""

    __tablename__ = "wallet_transfers"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("holder_psn_no <> member_psn_no", name="not_self"),
        Index(None, "holder_psn_no", "local_day"),  # the daily count
        Index(None, "member_psn_no"),
        Index(None, "posting_id"),
    )

    id: Mapped[Id]
    holder_psn_no: Mapped[PsnNo] = mapped_column(ForeignKey("persons.psn_no"))
    member_psn_no: Mapped[PsnNo] = mapped_column(ForeignKey("persons.psn_no"))
    relation: Mapped[str] = mapped_column(String(32))  # what the member is to the holder
    binding_id: Mapped[int | None] = mapped_column(ForeignKey("family_bindings.id"))
    amount: Mapped[Fen]
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    local_day: Mapped[date] = mapped_column(Date)
    posting_id: Mapped[int] = mapped_column(ForeignKey("journal_postings.id"))
    operator: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[CreatedAt]
