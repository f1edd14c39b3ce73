"""People, their enrollment, accounts and family bindings."""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    or_,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...rules.family import is_active
from .base import (
    INSUTYPES,
    PSN_TYPES,
    RELATIONS,
    RESIDENT_CATEGORIES,
    Base,
    CreatedAt,
    Fen,
    Id,
    PsnNo,
    _in,
)


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

    # "Active on a day", the one rule (ledger.rules.family.is_active), and the same rule in
    # SQL: `FamilyBinding.active_on(day)` in a query, `binding.active_on(day)` on a row.
    @hybrid_method
    def active_on(self, day: date) -> bool:
        return is_active(self.bound_on, self.ended_on, day)

    @active_on.expression
    @classmethod
    def active_on(cls, day):
        return and_(cls.bound_on <= day, or_(cls.ended_on.is_(None), cls.ended_on > day))

    # Not ended yet: the binding a new one of the same pair would contradict, the one an
    # unbinding ends (an end date may be ahead of today).
    @hybrid_property
    def is_open(self) -> bool:
        return self.ended_on is None

    @is_open.expression
    @classmethod
    def is_open(cls):
        return cls.ended_on.is_(None)


class ContributionPayment(Base):
    """A resident's yearly contribution paid from a bound holder's account. One per
    member and year: the unique constraint is what makes a second charge impossible."""

    __tablename__ = "contribution_payments"
    __table_args__ = (
        UniqueConstraint("member_psn_no", "year"),
        CheckConstraint("amount > 0", name="amount_positive"),
        Index(None, "binding_id"),  # unbind's last-paid-day check, verify's join
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
