"""智能监控: the deaths the monitoring rules judge settlements against, and the findings a
run of `ledger monitor --save` recorded, with each reviewer's verdict on them. All of it is
history: appended, never changed (a second verdict on a finding is a new row; the newest
stands)."""

from datetime import date

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, CreatedAt, Fen, Id, PsnNo, _in

SEVERITIES = ("violation", "high", "suspect")
VERDICTS = ("confirmed", "dismissed")


class PersonDeath(Base):
    """A person's date of death, as the bureau learnt it (a civil-affairs or public-security
    notice): one per person. Settlements after it are what rule R01 finds."""

    __tablename__ = "person_deaths"
    __table_args__ = (UniqueConstraint("psn_no"),)

    id: Mapped[Id]
    psn_no: Mapped[PsnNo] = mapped_column(ForeignKey("persons.psn_no"))
    died_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)  # where the date comes from
    operator: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[CreatedAt]


class MonitorRun(Base):
    """A run of `ledger monitor --save`: its period, the rules it ran and the thresholds each
    used (the policy parameters in force), and how many findings it saw and how many were new."""

    __tablename__ = "monitor_runs"

    id: Mapped[Id]
    at: Mapped[CreatedAt]
    operator: Mapped[str] = mapped_column(String(100))
    date_from: Mapped[date] = mapped_column(Date)
    date_to: Mapped[date] = mapped_column(Date)
    rules: Mapped[dict] = mapped_column(JSON)  # rule id -> its thresholds, or why it did not run
    findings: Mapped[int] = mapped_column(Integer)
    new: Mapped[int] = mapped_column(Integer)


class MonitorFinding(Base):
    """A finding, recorded by the first saved run that saw it. `jr_id` is its identity: the
    rule and what it is about (the claims, or the person and the period), so the same finding
    seen by a later run is the same row, and only what is new is reported as new."""

    __tablename__ = "monitor_findings"
    __table_args__ = (
        UniqueConstraint("jr_id"),
        CheckConstraint(_in("severity", SEVERITIES), name="severity_known"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[Id]
    jr_id: Mapped[str] = mapped_column(String(40))
    run_id: Mapped[int] = mapped_column(ForeignKey("monitor_runs.id"))
    rule_id: Mapped[str] = mapped_column(String(8))
    severity: Mapped[str] = mapped_column(String(10))
    patn_id: Mapped[PsnNo]  # the person the finding is about first
    psn_nos: Mapped[list] = mapped_column(JSON)
    setl_ids: Mapped[list] = mapped_column(JSON)
    amount: Mapped[Fen]  # at risk
    evidence: Mapped[dict] = mapped_column(JSON)  # the figures its sentence says, by name
    created_at: Mapped[CreatedAt]


class FindingReview(Base):
    """A reviewer's verdict on a finding, with the reason. A later verdict is a new row."""

    __tablename__ = "finding_reviews"
    __table_args__ = (CheckConstraint(_in("verdict", VERDICTS), name="verdict_known"),)

    id: Mapped[Id]
    finding_id: Mapped[int] = mapped_column(ForeignKey("monitor_findings.id"))
    verdict: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    operator: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[CreatedAt]
