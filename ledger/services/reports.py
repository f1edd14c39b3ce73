"""Reports for the bureau (`ledger report`, docs/reports.md): what the claims paid, and the
books' trial balance. Read-only, set-based: one grouped query per report, money summed in
fen by the database and handed out as Yuan.

    funds(uow, start, end, region=None, by=())   -> Report: 人次, people and money, by group
    balance(uow, start, end)                     -> Report: each book's opening, movements, closing
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, select

from ..db.models import ClaimRecord, ClaimReversal, Entry, Person, Posting
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
