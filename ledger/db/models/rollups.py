"""What the reports read instead of every claim (docs/reports.md, "How the reports stay
fast"): running sums of the unreversed claims, kept by the transaction that posts or
reverses one. Derived, so not history: the writer updates them in place, and `ledger
verify` checks them against the claims.

A claim with no level or institution is keyed by '' (a key column cannot be NULL and still
meet its row), as is a resident's person type."""

from datetime import date

from sqlalchemy import BigInteger, CheckConstraint, Date, Integer, PrimaryKeyConstraint, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Fen, PsnNo

# The sums a claim adds to its row of claim_totals, as the claims table names them.
TOTAL_FIGURES = (
    "medfee_sumamt", "fund_pay_sumamt", "hifp_pay", "hifmi_pay", "hifob_pay", "other_funds_pay", "acct_pay",
    "acct_mulaid_pay", "psn_cash_pay",
)  # fmt: skip
# What a claim is grouped by: the claim's own fields, then the patient's.
TOTAL_KEY = ("service_date", "med_type", "hosp_lv", "fixmedins_code", "region", "insutype", "psn_type", "slot")


class ClaimTotal(Base):
    """The unreversed claims of one service day and one kind (medical type, level,
    institution) for one kind of patient (region, scheme, person type): how many, and the
    sums of what they paid.

    `slot` spreads concurrent writers: on PostgreSQL a transaction adds to the row of its
    own connection's slot (pg_backend_pid() % 8), so clerks posting at one hospital on one
    day do not queue on one row; a report sums the slots. SQLite has one writer: slot 0.
    A reversal takes its claim off in its own slot, so one slot's row may go below zero;
    the sum over the slots is the figure."""

    __tablename__ = "claim_totals"
    __table_args__ = (PrimaryKeyConstraint(*TOTAL_KEY),)

    service_date: Mapped[date] = mapped_column(Date)
    med_type: Mapped[str] = mapped_column(String(6))
    hosp_lv: Mapped[str] = mapped_column(String(1))
    fixmedins_code: Mapped[str] = mapped_column(String(64))
    region: Mapped[str] = mapped_column(String(6))
    insutype: Mapped[str] = mapped_column(String(3))
    psn_type: Mapped[str] = mapped_column(String(4))
    slot: Mapped[int] = mapped_column(SmallInteger)
    claims: Mapped[int] = mapped_column(BigInteger)
    medfee_sumamt: Mapped[Fen]
    fund_pay_sumamt: Mapped[Fen]
    hifp_pay: Mapped[Fen]
    hifmi_pay: Mapped[Fen]
    hifob_pay: Mapped[Fen]
    other_funds_pay: Mapped[Fen]
    acct_pay: Mapped[Fen]
    acct_mulaid_pay: Mapped[Fen]
    psn_cash_pay: Mapped[Fen]


# scope of a claim_people row: every claim of the person, or those of one kind.
ALL_CLAIMS, BY_KIND = 0, 1
PEOPLE_KEY = ("psn_no", "year", "scope", "med_type", "hosp_lv", "fixmedins_code")


class ClaimPerson(Base):
    """In which months of a calendar year (of the service date) a person had an unreversed
    claim: bit m-1 of `months` for month m. Two rows a year for each kind of claim the
    person had: scope 0 over all their claims (med_type, hosp_lv and fixmedins_code ''),
    scope 1 for claims of that medical type, level and institution. A report counts people
    by these rows, so a person is counted once however many claims they had.

    A claim sets its month's bit; a reversal works the bit out again from the person's
    other claims of that month, which are few and found by index."""

    __tablename__ = "claim_people"
    __table_args__ = (
        PrimaryKeyConstraint(*PEOPLE_KEY),
        CheckConstraint("scope IN (0, 1)", name="scope_known"),
        CheckConstraint("months >= 0 AND months < 4096", name="months_bits"),
    )

    psn_no: Mapped[PsnNo]
    year: Mapped[int] = mapped_column(Integer)
    scope: Mapped[int] = mapped_column(SmallInteger)
    med_type: Mapped[str] = mapped_column(String(6))
    hosp_lv: Mapped[str] = mapped_column(String(1))
    fixmedins_code: Mapped[str] = mapped_column(String(64))
    region: Mapped[str] = mapped_column(String(6))
    insutype: Mapped[str] = mapped_column(String(3))
    psn_type: Mapped[str] = mapped_column(String(4))
    months: Mapped[int] = mapped_column(Integer)
