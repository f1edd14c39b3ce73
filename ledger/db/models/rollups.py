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
    "acct_mulaid_pay", "psn_cash_pay", "wallet_pay",
)  # fmt: skip
# What a claim is grouped by: the claim's own fields, then the patient's.
TOTAL_KEY = ("service_date", "med_type", "hosp_lv", "fixmedins_code", "region", "insutype", "psn_type", "slot")


class _KindAndPatient:
    """The key columns both tables share: the kind of claim, then of patient."""

    med_type: Mapped[str] = mapped_column(String(6))
    hosp_lv: Mapped[str] = mapped_column(String(1))
    fixmedins_code: Mapped[str] = mapped_column(String(64))
    region: Mapped[str] = mapped_column(String(6))
    insutype: Mapped[str] = mapped_column(String(3))
    psn_type: Mapped[str] = mapped_column(String(4))


class ClaimTotal(_KindAndPatient, Base):
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
    wallet_pay: Mapped[Fen] = mapped_column(default=0, server_default="0")  # migration 0021


# What a claim_people row counts: every claim of the person (ALL_CLAIMS), or those of one
# kind, by each subset of the three kind columns. The key columns a scope does not keep are ''.
ALL_CLAIMS, BY_KIND, BY_MED_TYPE, BY_LEVEL, BY_INSTITUTION = 0, 1, 2, 3, 4
BY_MED_TYPE_LEVEL, BY_MED_TYPE_INSTITUTION, BY_LEVEL_INSTITUTION = 5, 6, 7
SCOPES = {
    ALL_CLAIMS: (), BY_KIND: ("med_type", "hosp_lv", "fixmedins_code"), BY_MED_TYPE: ("med_type",),
    BY_LEVEL: ("hosp_lv",), BY_INSTITUTION: ("fixmedins_code",), BY_MED_TYPE_LEVEL: ("med_type", "hosp_lv"),
    BY_MED_TYPE_INSTITUTION: ("med_type", "fixmedins_code"), BY_LEVEL_INSTITUTION: ("hosp_lv", "fixmedins_code"),
}  # fmt: skip
PEOPLE_KEY = ("psn_no", "year", "scope", "med_type", "hosp_lv", "fixmedins_code")
MONTHS = tuple(f"m{k}" for k in range(1, 13))  # m1: January's days


class ClaimPerson(_KindAndPatient, Base):
    """On which days of a calendar year (of the service date) a person had an unreversed
    claim: bit d-1 of `m<k>` for day d of month k. A row a year for each scope (above) and
    kind of claim the person had. A report counts people by these rows: every grouping has
    the scope that keeps exactly its kinds, where each row is one person, so the count
    needs no DISTINCT.

    A claim sets its day's bit; a reversal works the bit out again from the person's other
    claims of that day, which are few and found by index."""

    __tablename__ = "claim_people"
    __table_args__ = (
        PrimaryKeyConstraint(*PEOPLE_KEY),
        CheckConstraint("scope BETWEEN 0 AND 7", name="scope_known"),
    )

    psn_no: Mapped[PsnNo]
    year: Mapped[int] = mapped_column(Integer)
    scope: Mapped[int] = mapped_column(SmallInteger)
    m1: Mapped[int] = mapped_column(Integer)
    m2: Mapped[int] = mapped_column(Integer)
    m3: Mapped[int] = mapped_column(Integer)
    m4: Mapped[int] = mapped_column(Integer)
    m5: Mapped[int] = mapped_column(Integer)
    m6: Mapped[int] = mapped_column(Integer)
    m7: Mapped[int] = mapped_column(Integer)
    m8: Mapped[int] = mapped_column(Integer)
    m9: Mapped[int] = mapped_column(Integer)
    m10: Mapped[int] = mapped_column(Integer)
    m11: Mapped[int] = mapped_column(Integer)
    m12: Mapped[int] = mapped_column(Integer)
