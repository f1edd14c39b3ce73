"""Claims, what mutual aid paid in them, their reversals, and the year's usage counters they move."""

from datetime import date

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ...rules import claim_sums as sums
from .base import Base, CreatedAt, Fen, Id, PsnNo


class BenefitUsage(Base):
    """年度待遇累计: one counter per person, benefit year and bucket (docs/cli.md bucket names).
    The cap is fixed when the counter opens; the CHECK is the last line that a cap is
    never exceeded, whatever a bug or a race upstream does."""

    __tablename__ = "benefit_usage"
    __table_args__ = (
        UniqueConstraint("psn_no", "year", "bucket"),
        CheckConstraint("fund_paid >= 0 AND fund_paid <= cap", name="fund_within_cap"),
        CheckConstraint("deductible_met >= 0 AND selfpay >= 0", name="not_negative"),
    )

    id: Mapped[Id]
    psn_no: Mapped[PsnNo] = mapped_column(ForeignKey("persons.psn_no"))
    year: Mapped[int] = mapped_column(Integer)
    bucket: Mapped[str] = mapped_column(String(40))
    cap: Mapped[Fen]
    fund_paid: Mapped[Fen] = mapped_column(default=0)
    deductible_met: Mapped[Fen] = mapped_column(default=0)
    selfpay: Mapped[Fen] = mapped_column(default=0)  # second layer: accumulated policy-scope self-pay
    # the day whose policy files gave the cap (migration 0022): `ledger verify` reads them again
    opened_on: Mapped[date] = mapped_column(Date)


# The personal share's identity (rules/claim_sums.py; migrations 0014 and 0021 wrote it), with
# the two shares added since the first CHECK on amounts not below zero.
PERSONAL_SPLIT = f"{sums.PERSONAL_SPLIT.formula} AND {sums.SHARES_NOT_NEGATIVE}"


class ClaimRecord(Base):
    """A posted claim settlement: its input as received and the result, as one row. Never
    updated or deleted; a reversal is a row of claim_reversals and a compensating posting.
    The CHECKs are docs/claims.md, step 7, so a claim that does not add up cannot be stored."""

    __tablename__ = "claims"
    __table_args__ = (
        UniqueConstraint("setl_id"),
        Index(None, "psn_no", "year"),
        # `ledger monitor`: a person's claims in date order, read from the index alone on
        # PostgreSQL (migration 0018)
        Index(None, "psn_no", "service_date", postgresql_include=["id", "med_type", "fixmedins_code", "medfee_sumamt"]),
        # `ledger verify --since`: the claims posted after a mark, and those of a day
        Index(None, "posting_id"),
        Index(None, "service_date"),
        CheckConstraint(sums.POLICY_SCOPE.formula, name="policy_scope"),
        CheckConstraint(sums.FUND_SUM.formula, name="fund_sum"),
        CheckConstraint(sums.FEE_SPLIT.formula, name="fee_split"),
        CheckConstraint(PERSONAL_SPLIT, name="personal_split"),
        CheckConstraint(
            sums.AMOUNTS_IN_RANGE,
            name="amounts_not_negative",
        ),
    )

    id: Mapped[Id]
    setl_id: Mapped[str] = mapped_column(String(64))
    psn_no: Mapped[PsnNo] = mapped_column(ForeignKey("persons.psn_no"))
    year: Mapped[int] = mapped_column(Integer)
    service_date: Mapped[date] = mapped_column(Date)
    med_type: Mapped[str] = mapped_column(String(6))
    hosp_lv: Mapped[str | None] = mapped_column(String(1))
    dise_codg: Mapped[str | None] = mapped_column(String(30))
    medfee_sumamt: Mapped[Fen]
    fulamt_ownpay_amt: Mapped[Fen]
    overlmt_selfpay: Mapped[Fen]
    preselfpay_amt: Mapped[Fen]
    acct_used_flag: Mapped[str] = mapped_column(String(1))
    mulaid_payer: Mapped[str | None] = mapped_column(String(18))
    fingerprint: Mapped[str] = mapped_column(String(64))  # of the input, for idempotency
    bucket: Mapped[str | None] = mapped_column(String(40))  # basic-fund usage bucket; None if not pooled
    layer_bucket: Mapped[str | None] = mapped_column(String(40))  # major_illness / large_expense
    combined_bucket: Mapped[str | None] = mapped_column(
        String(40)
    )  # basic_and_large_expense, where such a cap is in force
    inscp_scp_amt: Mapped[Fen]
    act_pay_dedc: Mapped[Fen]
    hifp_pay: Mapped[Fen]
    hifmi_pay: Mapped[Fen]
    hifob_pay: Mapped[Fen]
    layer_selfpay: Mapped[Fen]  # what this claim added to the second layer's self-pay base
    fund_pay_sumamt: Mapped[Fen]
    psn_part_amt: Mapped[Fen]
    acct_pay: Mapped[Fen]
    acct_mulaid_pay: Mapped[Fen]
    other_funds_pay: Mapped[Fen] = mapped_column(default=0, server_default="0")  # funds outside the basic scheme
    wallet_pay: Mapped[Fen] = mapped_column(default=0, server_default="0")  # the patient's 医保钱包
    psn_cash_pay: Mapped[Fen]
    fixmedins_code: Mapped[str | None] = mapped_column(String(64))  # the institution; None before 0014
    balc: Mapped[int | None] = mapped_column(BigInteger)  # patient's own balance after; None without an account
    no_fund_reason: Mapped[str | None] = mapped_column(Text)  # why the funds paid nothing (a waiting period)
    policy: Mapped[str] = mapped_column(Text)  # JSON list of the policy files used
    posting_id: Mapped[int] = mapped_column(ForeignKey("journal_postings.id"))
    operator: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[CreatedAt]


class ClaimMutualAid(Base):
    """What each bound holder's account paid for a claim (acct_mulaid_pay, by payer)."""

    __tablename__ = "claim_mulaid_payments"
    __table_args__ = (
        UniqueConstraint("claim_id", "seq"),
        Index(None, "payer_psn_no"),
        Index(None, "binding_id"),  # unbind looks for the last day a binding paid
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[Id]
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"))
    service_date: Mapped[date] = mapped_column(Date)  # the claim's (migration 0019)
    seq: Mapped[int] = mapped_column(Integer)
    payer_psn_no: Mapped[PsnNo] = mapped_column(ForeignKey("persons.psn_no"))
    binding_id: Mapped[int] = mapped_column(ForeignKey("family_bindings.id"))
    amount: Mapped[Fen]


class ClaimReversal(Base):
    """A claim reversed: one per claim (the unique constraint refuses a second, also when
    two clerks reverse at once). Its compensating posting restores the balances."""

    __tablename__ = "claim_reversals"
    __table_args__ = (UniqueConstraint("claim_id"),)

    id: Mapped[Id]
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"))
    service_date: Mapped[date] = mapped_column(Date)  # the reversed claim's (migration 0019)
    reason: Mapped[str] = mapped_column(Text)
    reversed_on: Mapped[date] = mapped_column(Date)
    posting_id: Mapped[int] = mapped_column(ForeignKey("journal_postings.id"))
    operator: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[CreatedAt]
