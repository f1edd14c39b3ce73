"""Reports over the claims: what relatives' accounts paid (`mutual_aid`) and how the
year's caps were used (`caps`); what the claims paid is funds.py. Reversed claims are left out."""

from datetime import date

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import aliased

from ...db.models import (
    BenefitUsage,
    ClaimMutualAid,
    ClaimRecord,
    ClaimReversal,
    ContributionPayment,
    FamilyBinding,
    Person,
    WalletTransfer,
)
from ...db.sql import sum_fen
from ...i18n import _
from ...rules.money import Yuan
from ...uow import UnitOfWork
from .. import archive
from .report import Report

MUTUAL_AID_FIGURES = ("holders", "members", "payments", "amount")


def mutual_aid(uow: UnitOfWork, start: date, end: date, region: str | None = None) -> Report:
    """家庭共济 in the period: what holders' accounts paid for bound relatives, of claims by
    month (service date; reversed claims left out), of resident contributions by the year
    paid for (payment date), and what they sent to relatives' wallets (医保钱包) by month
    (local day), each by the member's relation to the holder."""
    rows = []
    with uow.read_only(replica=True):
        archive.require_live(uow.session, start, "--from")  # an archived year's claims are gone
        for q, p in (_claims(start, end), _contributions(start, end), _wallet_transfers(start, end)):
            if region:
                q = q.where(p.region.startswith(region))
            for row in uow.session.execute(q.order_by("relation", "period")):
                d = dict(row._mapping)
                period = int(d["period"])
                d["period"] = f"{period // 100}-{period % 100:02d}" if d["kind"] in MONTHLY else str(period)
                d["amount"] = Yuan(d["amount"])
                rows.append(d)
    total = {"kind": "total", "payments": sum(x["payments"] for x in rows)}
    total["amount"] = Yuan(sum(x["amount"].fen for x in rows))
    title = _("mutual aid, {start} to {end}").format(start=start, end=end) + (f", region {region}" if region else "")
    return Report(title, ("kind", "relation", "period", *MUTUAL_AID_FIGURES), rows, total)


MONTHLY = ("claims", "wallet_transfers")  # kinds reported by month; contributions by year


def _figures(kind: str, relation, period, holder, member, payment, amount) -> tuple:
    """The columns of a row of the report, from what its kind counts."""
    return (
        literal(kind).label("kind"),
        relation,
        period,
        func.count(func.distinct(holder)).label("holders"),
        func.count(func.distinct(member)).label("members"),
        func.count(payment).label("payments"),
        sum_fen(amount).label("amount"),
    )


def _month(day):
    return (func.extract("year", day) * 100 + func.extract("month", day)).label("period")


def _claims(start: date, end: date):
    """The mutual-aid payments of the unreversed claims served in the period, and the
    patients (for the region)."""
    m, c, r, b, p = ClaimMutualAid, ClaimRecord, ClaimReversal, FamilyBinding, aliased(Person)
    month = _month(c.service_date)
    q = (
        select(*_figures("claims", b.relation, month, m.payer_psn_no, c.psn_no, m.id, m.amount))
        .join(c, c.id == m.claim_id)
        .join(b, b.id == m.binding_id)
        .join(p, p.psn_no == c.psn_no)
        .outerjoin(r, r.claim_id == c.id)
        .where(c.service_date.between(start, end), r.id.is_(None))
        .group_by(b.relation, month)
    )
    return q, p


def _contributions(start: date, end: date):
    cp, b, p = ContributionPayment, FamilyBinding, aliased(Person)
    q = (
        select(
            *_figures(
                "contributions",
                b.relation,
                cp.year.label("period"),
                cp.holder_psn_no,
                cp.member_psn_no,
                cp.id,
                cp.amount,
            )
        )
        .join(b, b.id == cp.binding_id)
        .join(p, p.psn_no == cp.member_psn_no)
        .where(cp.paid_on.between(start, end))
        .group_by(b.relation, cp.year)
    )
    return q, p


def _wallet_transfers(start: date, end: date):
    """Transfers to relatives' wallets made in the period (their local day), by the
    relation they were made under."""
    w, p = WalletTransfer, aliased(Person)
    month = _month(w.local_day)
    q = (
        select(*_figures("wallet_transfers", w.relation, month, w.holder_psn_no, w.member_psn_no, w.id, w.amount))
        .join(p, p.psn_no == w.member_psn_no)
        .where(w.local_day.between(start, end))
        .group_by(w.relation, month)
    )
    return q, p


DECILES = tuple(f"{10 * k}-{10 * k + 10}%" for k in range(10))


def caps(uow: UnitOfWork, start: date, end: date, region: str | None = None) -> Report:
    """The year's usage counters of the benefit years start..end, by year and bucket: how
    many people have one, how many reached its cap, the fund paid and the deductible met, and
    how much of the cap the people used, by tenth (a counter at its cap is in `at cap`)."""
    u, p = BenefitUsage, Person
    tenth = case((u.fund_paid >= u.cap, 10), else_=(u.fund_paid * 10) / u.cap).label("tenth")
    q = (
        select(
            u.year,
            u.bucket,
            tenth,
            func.count(u.id).label("people"),
            sum_fen(u.fund_paid).label("fund_paid"),
            sum_fen(u.deductible_met).label("deductible_met"),
        )
        .join(p, p.psn_no == u.psn_no)
        .where(u.year.between(start.year, end.year))
        .group_by(u.year, u.bucket, tenth)
        .order_by(u.year, u.bucket, tenth)
    )
    if region:
        q = q.where(p.region.startswith(region))
    rows: dict[tuple, dict] = {}
    with uow.read_only(replica=True):
        for r in uow.session.execute(q):
            row = rows.setdefault(
                (r.year, r.bucket),
                {"year": r.year, "bucket": r.bucket, "people": 0, "at cap": 0, "fund_paid": 0, "deductible_met": 0}
                | dict.fromkeys(DECILES, 0),
            )
            row["people"] += r.people
            row["fund_paid"] += r.fund_paid
            row["deductible_met"] += r.deductible_met
            row["at cap" if int(r.tenth) >= 10 else DECILES[int(r.tenth)]] += r.people
    out = [
        row | {"fund_paid": Yuan(row["fund_paid"]), "deductible_met": Yuan(row["deductible_met"])}
        for row in rows.values()
    ]
    columns = ("year", "bucket", "people", "at cap", "fund_paid", "deductible_met", *DECILES)
    title = _("caps, benefit years {year} to {year2}").format(year=start.year, year2=end.year) + (
        f", region {region}" if region else ""
    )
    return Report(title, columns, out, None)
