"""The years archived off PostgreSQL's partitions (`ledger db archive`; docs/scale.md,
"Archiving old years"): what left with each, and what the accounts held in it, so the books
still add up without the rows."""

from sqlalchemy import BigInteger, ForeignKey, Integer, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, CreatedAt, Fen


class ArchivedYear(Base):
    """A year whose claims, mutual-aid payments and journal entries were detached from the
    live tables. Its postings stay (each is a link of the hash chain, and what the year's
    contributions, credits and deductions refer to); how many there were is kept to check
    that none is added or taken away later. Append-only."""

    __tablename__ = "archived_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[CreatedAt]
    operator: Mapped[str] = mapped_column(String(100))
    postings: Mapped[int] = mapped_column(BigInteger)  # the year's postings, which stay
    entries: Mapped[int] = mapped_column(BigInteger)  # what left, table by table
    claims: Mapped[int] = mapped_column(BigInteger)
    mutual_aid: Mapped[int] = mapped_column(BigInteger)
    reversals: Mapped[int] = mapped_column(BigInteger)
    sources: Mapped[int] = mapped_column(BigInteger)
    moved: Mapped[Fen]  # what the year's entries moved in the personal accounts, together
    # sha256 of the year's postings as they left ("id:hash" lines in id order): their
    # contents can no longer be hashed again, so a changed stored hash shows here
    digest: Mapped[str] = mapped_column(String(64))


class ArchivedBalance(Base):
    """What an account's entries of an archived year added up to: an account's balance is
    its live entries plus these. Append-only."""

    __tablename__ = "archived_balances"
    __table_args__ = (PrimaryKeyConstraint("year", "account_id"),)

    year: Mapped[int] = mapped_column(ForeignKey("archived_years.year"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    amount: Mapped[Fen]


class ArchivedBook(Base):
    """What a book's entries of an archived year added up to, so the trial balance after it
    opens where the journal stood. Append-only."""

    __tablename__ = "archived_books"
    __table_args__ = (PrimaryKeyConstraint("year", "book"),)

    year: Mapped[int] = mapped_column(ForeignKey("archived_years.year"))
    book: Mapped[str] = mapped_column(String(32))
    amount: Mapped[Fen]


class ArchivedWallet(Base):
    """What a wallet's entries of an archived year added up to (as ArchivedBalance for the
    accounts). Append-only."""

    __tablename__ = "archived_wallets"
    __table_args__ = (PrimaryKeyConstraint("year", "psn_no"),)

    year: Mapped[int] = mapped_column(ForeignKey("archived_years.year"))
    psn_no: Mapped[str] = mapped_column(String(18), ForeignKey("persons.psn_no"))
    amount: Mapped[Fen]
