"""Tables. Invariants live here too, as named constraints, so a bug elsewhere cannot write
a negative balance, an unbalanced book name or a second account for one person."""

from datetime import UTC, date, datetime
from typing import Annotated

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from ..rules import codes

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


# Integer fen. BIGINT on PostgreSQL; SQLite integers are 64-bit already.
Fen = Annotated[int, mapped_column(BigInteger)]
# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
Id = Annotated[int, mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)]
PsnNo = Annotated[str, mapped_column(String(18))]
CreatedAt = Annotated[datetime, mapped_column(DateTime(timezone=True), default=utcnow)]

INSUTYPES = tuple(codes.INSUTYPES)
# What the member is to the holder (docs/policy-files.md); the same list as ledger.policy.parameters.RELATIONS.
RELATIONS = (
    "spouse",
    "parent",
    "child",
    "sibling",
    "grandparent",
    "maternal_grandparent",
    "grandchild",
    "maternal_grandchild",
)
PSN_TYPES = tuple(codes.PSN_TYPES)
RESIDENT_CATEGORIES = tuple(codes.RESIDENT_CATEGORIES)
# The books of the double-entry journal. `account_funding` is where account credits come
# from (contributions transferred in, opening balances); `pooled_fund` is the basic fund,
# `major_illness_insurance` and `large_expense_subsidy` the second layers; the others are
# the domain's.
BOOKS = (
    "personal_account", "account_funding", "pooled_fund", "patient_cash", "provider", "contribution_collection",
    "major_illness_insurance", "large_expense_subsidy",
)  # fmt: skip


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Person(Base):
    """参保人, keyed by the resident ID number."""

    __tablename__ = "persons"
    __table_args__ = (
        CheckConstraint(_in("insutype", INSUTYPES), name="insutype_known"),
        CheckConstraint(f"psn_type IS NULL OR {_in('psn_type', PSN_TYPES)}", name="psn_type_known"),
        CheckConstraint(
            f"resident_category IS NULL OR {_in('resident_category', RESIDENT_CATEGORIES)}",
            name="resident_category_known",
        ),
        # Employees have a person type and no resident category; residents the reverse.
        CheckConstraint(
            "(insutype = '310' AND psn_type IS NOT NULL AND resident_category IS NULL)"
            " OR (insutype = '390' AND psn_type IS NULL AND resident_category IS NOT NULL)",
            name="scheme_fields",
        ),
        CheckConstraint("sex IN ('M', 'F')", name="sex_known"),
        CheckConstraint("length(region) = 6", name="region_code"),
    )

    psn_no: Mapped[PsnNo] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    insutype: Mapped[str] = mapped_column(String(3))
    psn_type: Mapped[str | None] = mapped_column(String(4))
    resident_category: Mapped[str | None] = mapped_column(String(20))
    region: Mapped[str] = mapped_column(String(6))
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))
    created_at: Mapped[CreatedAt]

    enrollments: Mapped[list["Enrollment"]] = relationship(order_by="Enrollment.year", back_populates="person")
    account: Mapped["Account | None"] = relationship(back_populates="person")


class Enrollment(Base):
    """参保年度: one row per person and insured year."""

    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("psn_no", "year"),
        CheckConstraint("year BETWEEN 1990 AND 2200", name="year_plausible"),
    )

    id: Mapped[Id]
    psn_no: Mapped[PsnNo] = mapped_column(ForeignKey("persons.psn_no"))
    year: Mapped[int] = mapped_column(Integer)
    # The day the contribution was paid (enrollment recorded); None for enrollments
    # registered with the person, which count as made in time. Decides waiting periods.
    enrolled_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[CreatedAt]

    person: Mapped[Person] = relationship(back_populates="enrollments")


class Account(Base):
    """个人账户. The balance is a cache of the journal, kept in step in the same transaction."""

    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("psn_no"),
        CheckConstraint("balance >= 0", name="balance_not_negative"),
    )

    id: Mapped[Id]
    psn_no: Mapped[PsnNo] = mapped_column(ForeignKey("persons.psn_no"))
    balance: Mapped[Fen] = mapped_column(default=0)
    opened_at: Mapped[CreatedAt]

    person: Mapped[Person] = relationship(back_populates="account")


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

    entries: Mapped[list["Entry"]] = relationship(back_populates="posting", order_by="Entry.id")


class Entry(Base):
    __tablename__ = "journal_entries"
    __table_args__ = (
        CheckConstraint(_in("book", BOOKS), name="book_known"),
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        # A personal-account entry names its account; no other book's entry does.
        CheckConstraint("(book = 'personal_account') = (account_id IS NOT NULL)", name="account_iff_personal_book"),
        Index(None, "account_id", "posting_id"),
        Index(None, "posting_id"),
    )

    id: Mapped[Id]
    posting_id: Mapped[int] = mapped_column(ForeignKey("journal_postings.id"))
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


class FamilyBinding(Base):
    """家庭共济绑定: the holder's account may pay for the member. Ending a binding sets its
    end date; the row stays, and binding the pair again is a new row."""

    __tablename__ = "family_bindings"
    __table_args__ = (
        CheckConstraint("holder_psn_no <> member_psn_no", name="not_self"),
        CheckConstraint(_in("relation", RELATIONS), name="relation_known"),
        CheckConstraint("ended_on IS NULL OR ended_on >= bound_on", name="ends_after_start"),
        # At most one active binding per pair, also against two clerks binding at once.
        Index(
            "uq_family_bindings_active_pair",
            "holder_psn_no",
            "member_psn_no",
            unique=True,
            postgresql_where=text("ended_on IS NULL"),
            sqlite_where=text("ended_on IS NULL"),
        ),
        Index(None, "member_psn_no"),
    )

    id: Mapped[Id]
    holder_psn_no: Mapped[PsnNo] = mapped_column(ForeignKey("persons.psn_no"))
    member_psn_no: Mapped[PsnNo] = mapped_column(ForeignKey("persons.psn_no"))
    relation: Mapped[str] = mapped_column(String(24))
    bound_on: Mapped[date] = mapped_column(Date)
    bound_by: Mapped[str] = mapped_column(String(100))
    bind_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[CreatedAt]
    ended_on: Mapped[date | None] = mapped_column(Date)
    ended_by: Mapped[str | None] = mapped_column(String(100))
    end_reason: Mapped[str | None] = mapped_column(Text)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ContributionPayment(Base):
    """A resident's yearly contribution paid from a bound holder's account. One per
    member and year: the unique constraint is what makes a second charge impossible."""

    __tablename__ = "contribution_payments"
    __table_args__ = (
        UniqueConstraint("member_psn_no", "year"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[Id]
    member_psn_no: Mapped[PsnNo] = mapped_column(ForeignKey("persons.psn_no"))
    year: Mapped[int] = mapped_column(Integer)
    holder_psn_no: Mapped[PsnNo] = mapped_column(ForeignKey("persons.psn_no"))
    binding_id: Mapped[int] = mapped_column(ForeignKey("family_bindings.id"))
    amount: Mapped[Fen]
    paid_on: Mapped[date] = mapped_column(Date)
    posting_id: Mapped[int] = mapped_column(ForeignKey("journal_postings.id"))
    operator: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[CreatedAt]


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


class ClaimRecord(Base):
    """A posted claim settlement: its input as received and the result, as one row. Never
    updated or deleted; a reversal is a row of claim_reversals and a compensating posting.
    The CHECKs are docs/claims.md, step 7, so a claim that does not add up cannot be stored."""

    __tablename__ = "claims"
    __table_args__ = (
        UniqueConstraint("setl_id"),
        Index(None, "psn_no", "year"),
        CheckConstraint(
            "inscp_scp_amt = medfee_sumamt - fulamt_ownpay_amt - overlmt_selfpay - preselfpay_amt", name="policy_scope"
        ),
        CheckConstraint("fund_pay_sumamt = hifp_pay + hifmi_pay + hifob_pay", name="fund_sum"),
        CheckConstraint("medfee_sumamt = fund_pay_sumamt + psn_part_amt", name="fee_split"),
        CheckConstraint("psn_part_amt = acct_pay + acct_mulaid_pay + psn_cash_pay", name="personal_split"),
        CheckConstraint(
            "medfee_sumamt > 0 AND inscp_scp_amt >= 0 AND act_pay_dedc >= 0 AND act_pay_dedc <= inscp_scp_amt"
            " AND hifp_pay >= 0 AND hifmi_pay >= 0 AND hifob_pay >= 0 AND psn_part_amt >= 0"
            " AND acct_pay >= 0 AND acct_mulaid_pay >= 0 AND psn_cash_pay >= 0 AND layer_selfpay >= 0",
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
    psn_cash_pay: Mapped[Fen]
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
    reason: Mapped[str] = mapped_column(Text)
    reversed_on: Mapped[date] = mapped_column(Date)
    posting_id: Mapped[int] = mapped_column(ForeignKey("journal_postings.id"))
    operator: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[CreatedAt]


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
