"""Reports for the bureau (`ledger report`, docs/reports.md): what the claims paid, and the
books' trial balance. Read-only, set-based: one grouped query per report, money summed in
fen by the database and handed out as Yuan.

    funds(uow, start, end, region=None, by=())   -> Report: 人次, people and money, by group
    balance(uow, start, end)                     -> Report: each book's opening, movements, closing
    mutual_aid(uow, start, end, region=None)     -> Report: relatives' accounts paying, by relation
    caps(uow, start, end, region=None)           -> Report: the year's counters, cap use by tenth
    incentives(uow, year, region=None)           -> Report: what the rollover into `year` worked out
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, literal, select

from ..db.models import (
    BenefitUsage,
    ClaimMutualAid,
    ClaimRecord,
    ClaimReversal,
    ContributionPayment,
    Entry,
    FamilyBinding,
    MajorIllnessIncentive,
    Person,
    Posting,
    YearEndDeduction,
)
from ..db.models.base import BOOKS
from ..db.sql import sum_fen
from ..errors import ValidationError
from ..rules.codes import EMPLOYEE, RETIRED_TYPES
from ..rules.money import Yuan
from ..uow import UnitOfWork

# What `report funds` can group by, and the claim's or person's column each is.
GROUPS = ("month", "med_type", "level", "institution", "region", "insutype", "status")
FUND_FIGURES = (
    "medfee_sumamt", "fund_pay_sumamt", "hifp_pay", "hifmi_pay", "hifob_pay", "other_funds_pay", "acct_pay",
    "acct_mulaid_pay", "psn_cash_pay",
)  # fmt: skip


# A book's opening balance, what it received and paid in the period, the difference, and its
# closing balance. Signed as the journal is: what a book receives is positive.
BALANCE_FIGURES = ("opening", "received", "paid", "movement", "closing")


@dataclass(frozen=True)
class Report:
    """A report's rows: each a dict in `columns` order, money as Yuan; `total` the same
    figures over every row (None where a total means nothing)."""

    title: str
    columns: tuple[str, ...]
    rows: list[dict]
    total: dict | None
    grouped: bool = True  # False: the one row is the total itself


def check_groups(by: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [g for g in by if g not in GROUPS]
    if unknown:
        raise ValidationError("by", f"{', '.join(unknown)}: not a grouping; use any of {', '.join(GROUPS)}")
    return tuple(dict.fromkeys(by))


def _group_column(name: str, s):
    c, p = ClaimRecord, Person
    if name == "month":  # 202503, shown as "2025-03"
        return (func.extract("year", c.service_date) * 100 + func.extract("month", c.service_date)).label(name)
    if name == "status":  # 在职 / 退休 / 居民
        return case(
            (p.insutype != EMPLOYEE, "resident"), (p.psn_type.in_(RETIRED_TYPES), "retired"), else_="in service"
        ).label(name)
    column = {
        "med_type": c.med_type,
        "level": c.hosp_lv,
        "institution": c.fixmedins_code,
        "region": p.region,
        "insutype": p.insutype,
    }[name]
    return column.label(name)


def funds(uow: UnitOfWork, start: date, end: date, region: str | None = None, by: tuple[str, ...] = ()) -> Report:
    """The claims of service dates start..end (both included), reversed ones left out: 人次
    (claims), people, and what the fee was and who paid it, by the groups asked for."""
    by = check_groups(by)
    c, r, p = ClaimRecord, ClaimReversal, Person
    with uow.read_only():
        s = uow.session
        groups = [_group_column(g, s) for g in by]
        figures = [sum_fen(getattr(c, f)).label(f) for f in FUND_FIGURES]
        q = (
            select(
                *groups, func.count(c.id).label("claims"), func.count(func.distinct(c.psn_no)).label("people"), *figures
            )
            .join(p, p.psn_no == c.psn_no)
            .outerjoin(r, r.claim_id == c.id)
            .where(c.service_date.between(start, end), r.id.is_(None))
        )
        if region:
            q = q.where(p.region.startswith(region))
        if groups:
            q = q.group_by(*groups).order_by(*groups)
        rows = [_money(dict(row._mapping)) for row in s.execute(q)]
        total = None
        if groups:
            total_q = (
                q.with_only_columns(
                    func.count(c.id).label("claims"), func.count(func.distinct(c.psn_no)).label("people"), *figures
                )
                .group_by(None)
                .order_by(None)
            )
            total = _money(dict(s.execute(total_q).one()._mapping))
        elif rows:
            total = rows[0]
    columns = (*by, "claims", "people", *FUND_FIGURES)
    return Report(
        f"funds, service dates {start} to {end}" + (f", region {region}" if region else ""), columns, rows, total
    )


def balance(uow: UnitOfWork, start: date, end: date) -> Report:
    """Each journal book: its balance before `start` (by posting date), what moved from start
    to end, and its balance at the end. Every posting balances, so each column sums to zero."""
    e, p = Entry, Posting
    before, during = p.effective_date < start, and_(p.effective_date >= start, p.effective_date <= end)
    with uow.read_only():
        q = (
            select(
                e.book,
                sum_fen(case((before, e.amount), else_=0)).label("opening"),
                sum_fen(case((and_(during, e.amount > 0), e.amount), else_=0)).label("received"),
                sum_fen(case((and_(during, e.amount < 0), -e.amount), else_=0)).label("paid"),
                sum_fen(case((p.effective_date <= end, e.amount), else_=0)).label("closing"),
            )
            .join(p, p.id == e.posting_id)
            .group_by(e.book)
        )
        found = {row.book: row for row in uow.session.execute(q)}
    rows = []
    for book in BOOKS:  # every book, in the ledger's order, those without entries as zeros
        row = found.get(book)
        opening, received, paid, closing = (row.opening, row.received, row.paid, row.closing) if row else (0, 0, 0, 0)
        figures = (opening, received, paid, received - paid, closing)
        rows.append({"book": book, **dict(zip(BALANCE_FIGURES, map(Yuan, figures), strict=True))})
    total = {k: Yuan(sum(r[k].fen for r in rows)) for k in BALANCE_FIGURES}
    return Report(f"trial balance, postings dated {start} to {end}", ("book", *BALANCE_FIGURES), rows, total)


def _money(row: dict) -> dict:
    out = {k: Yuan(v) if k in FUND_FIGURES else v for k, v in row.items()}
    if "month" in out:  # PostgreSQL's EXTRACT is numeric
        m = int(out["month"])
        out["month"] = f"{m // 100}-{m % 100:02d}"
    return out


MUTUAL_AID_FIGURES = ("holders", "members", "payments", "amount")


def mutual_aid(uow: UnitOfWork, start: date, end: date, region: str | None = None) -> Report:
    """家庭共济 in the period: what holders' accounts paid for bound relatives, of claims by
    month (service date; reversed claims left out) and of resident contributions by the year
    paid for (payment date), each by the member's relation to the holder."""
    m, c, r, b, p = ClaimMutualAid, ClaimRecord, ClaimReversal, FamilyBinding, Person
    month = (func.extract("year", c.service_date) * 100 + func.extract("month", c.service_date)).label("period")
    claims = (
        select(
            literal("claims").label("kind"),
            b.relation,
            month,
            func.count(func.distinct(m.payer_psn_no)).label("holders"),
            func.count(func.distinct(c.psn_no)).label("members"),
            func.count(m.id).label("payments"),
            sum_fen(m.amount).label("amount"),
        )
        .join(c, c.id == m.claim_id)
        .join(b, b.id == m.binding_id)
        .join(p, p.psn_no == c.psn_no)
        .outerjoin(r, r.claim_id == c.id)
        .where(c.service_date.between(start, end), r.id.is_(None))
        .group_by(b.relation, month)
    )
    cp = ContributionPayment
    contributions = (
        select(
            literal("contributions").label("kind"),
            b.relation,
            cp.year.label("period"),
            func.count(func.distinct(cp.holder_psn_no)).label("holders"),
            func.count(func.distinct(cp.member_psn_no)).label("members"),
            func.count(cp.id).label("payments"),
            sum_fen(cp.amount).label("amount"),
        )
        .join(b, b.id == cp.binding_id)
        .join(p, p.psn_no == cp.member_psn_no)
        .where(cp.paid_on.between(start, end))
        .group_by(b.relation, cp.year)
    )
    if region:
        claims, contributions = (
            claims.where(p.region.startswith(region)),
            contributions.where(p.region.startswith(region)),
        )
    rows = []
    with uow.read_only():
        for q in (claims, contributions):
            for row in uow.session.execute(q.order_by("relation", "period")):
                d = dict(row._mapping)
                period = int(d["period"])
                d["period"] = f"{period // 100}-{period % 100:02d}" if d["kind"] == "claims" else str(period)
                d["amount"] = Yuan(d["amount"])
                rows.append(d)
    total = {
        "kind": "total",
        "payments": sum(x["payments"] for x in rows),
        "amount": Yuan(sum(x["amount"].fen for x in rows)),
    }
    title = f"mutual aid, {start} to {end}" + (f", region {region}" if region else "")
    return Report(title, ("kind", "relation", "period", *MUTUAL_AID_FIGURES), rows, total)


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
    with uow.read_only():
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
    title = f"caps, benefit years {start.year} to {end.year}" + (f", region {region}" if region else "")
    return Report(title, columns, out, None)


def incentives(uow: UnitOfWork, year: int, region: str | None = None) -> Report:
    """What the rollover into `year` worked out: residents' major-illness cap raises (the
    zero-claim and continuous-enrollment parts and the bonus granted, within its limit), and
    the year-end items for `year`, by item and whether the account paid them or they are due
    in cash. `people`: those with more than 0."""
    i, d, p = MajorIllnessIncentive, YearEndDeduction, Person
    parts = [(name, getattr(i, name)) for name in ("zero_claim_bonus", "continuous_bonus", "bonus")]
    raises = (
        select(
            *(func.count(case((col > 0, 1))).label(f"{name}_people") for name, col in parts),
            *(sum_fen(col).label(name) for name, col in parts),
        )
        .join(p, p.psn_no == i.psn_no)
        .where(i.year == year)
    )
    items = (
        select(d.item, d.status, func.count(d.id).label("people"), sum_fen(d.amount).label("amount"))
        .join(p, p.psn_no == d.psn_no)
        .where(d.year == year)
        .group_by(d.item, d.status)
        .order_by(d.item, d.status)
    )
    if region:
        raises, items = raises.where(p.region.startswith(region)), items.where(p.region.startswith(region))
    with uow.read_only():
        s = uow.session
        r = s.execute(raises).one()._mapping
        rows = [
            {"kind": "incentive", "item": name, "status": None, "people": r[f"{name}_people"], "amount": Yuan(r[name])}
            for name, _ in parts
        ]
        rows += [
            {"kind": "year_end", "item": x.item, "status": x.status, "people": x.people, "amount": Yuan(x.amount)}
            for x in s.execute(items)
        ]
    title = f"incentives and year-end items for {year}" + (f", region {region}" if region else "")
    return Report(title, ("kind", "item", "status", "people", "amount"), rows, None)
