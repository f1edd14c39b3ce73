"""The rollover and what it writes (year-end deductions, incentives), and monthly crediting."""

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, CreatedAt, Fen, Id, PsnNo


class Rollover(Base):
    """A year's rollover (docs/rules.md §5): started once, resumed after a crash from `cursor`
    (the last person done, in ID order), finished once. Each chunk of persons moves the
    cursor in the same transaction as its effects, so no effect can happen twice."""

    __tablename__ = "rollovers"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # the year closed
    operator: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[CreatedAt]
    cursor: Mapped[str | None] = mapped_column(String(18))
    persons: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class YearEndDeduction(Base):
    """An item collected at year end for the coming year (Changchun retirees: large-expense
    premium, disabled-care insurance): taken from the account, or due in cash."""

    __tablename__ = "year_end_deductions"
    __table_args__ = (
        UniqueConstraint("psn_no", "year", "item"),
        CheckConstraint("status IN ('deducted', 'due_cash')", name="status_known"),
        CheckConstraint("(status = 'deducted') = (posting_id IS NOT NULL)", name="deducted_iff_posted"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[Id]
    psn_no: Mapped[PsnNo] = mapped_column(ForeignKey("persons.psn_no"))
    year: Mapped[int] = mapped_column(Integer)  # the coming year the item is for
    item: Mapped[str] = mapped_column(String(100))  # the policy parameter that names it
    amount: Mapped[Fen]
    status: Mapped[str] = mapped_column(String(10))
    posting_id: Mapped[int | None] = mapped_column(ForeignKey("journal_postings.id"))
    posted_on: Mapped[date | None] = mapped_column(Date)  # its posting's date (migration 0019)


class MajorIllnessIncentive(Base):
    """The raise of a resident's major-illness cap for `year`, worked out at the rollover
    into it (国办发〔2024〕38号); the year's counter opens with base_cap + bonus."""

    __tablename__ = "major_illness_incentives"
    __table_args__ = (
        UniqueConstraint("psn_no", "year"),
        CheckConstraint("bonus >= 0 AND bonus <= zero_claim_bonus + continuous_bonus", name="bonus_within_parts"),
    )

    id: Mapped[Id]
    psn_no: Mapped[PsnNo] = mapped_column(ForeignKey("persons.psn_no"))
    year: Mapped[int] = mapped_column(Integer)
    base_cap: Mapped[Fen]
    continuous_years: Mapped[int] = mapped_column(Integer)
    zero_claim_bonus: Mapped[Fen]
    continuous_bonus: Mapped[Fen]
    bonus: Mapped[Fen]


class MonthlyCredit(Base):
    """A month's personal-account credit (个人账户划入): one per person and month, which is
    what makes `credit-monthly` safe to run twice."""

    __tablename__ = "monthly_credits"
    __table_args__ = (
        UniqueConstraint("psn_no", "month"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[Id]
    psn_no: Mapped[PsnNo] = mapped_column(ForeignKey("persons.psn_no"))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    base: Mapped[int | None] = mapped_column(BigInteger)  # contribution base (in service), fen
    amount: Mapped[Fen]
    posting_id: Mapped[int] = mapped_column(ForeignKey("journal_postings.id"))
    posted_on: Mapped[date] = mapped_column(Date)  # its posting's date (migration 0019)
