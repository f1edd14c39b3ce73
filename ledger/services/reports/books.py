"""Reports over the books: the trial balance of the journal (`balance`), the personal
accounts (`accounts`), and what a rollover worked out (`incentives`)."""

from datetime import date

from sqlalchemy import and_, case, func, select

from ...db.models import Account, Entry, MajorIllnessIncentive, Person, Posting, YearEndDeduction
from ...db.models.base import BOOKS
from ...db.sql import sum_fen
from ...i18n import _
from ...rules.money import Yuan
from ...uow import UnitOfWork
from .. import archive
from .funds import status_column
from .report import Report

# A book's opening balance, what it received and paid in the period, the difference, and its
# closing balance. Signed as the journal is: what a book receives is positive.
BALANCE_FIGURES = ("opening", "received", "paid", "movement", "closing")


def balance(uow: UnitOfWork, start: date, end: date) -> Report:
    """Each journal book: its balance before `start` (by posting date), what moved from start
    to end, and its balance at the end. Every posting balances, so each column sums to zero.
    Archived years (services/archive.py) open it with their books' sums; a period cannot
    start in one."""
    e, p = Entry, Posting
    before, during = p.effective_date < start, and_(p.effective_date >= start, p.effective_date <= end)
    with uow.read_only(replica=True):
        s = uow.session
        archive.require_live(s, start, "--from")
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
        found = {row.book: row for row in s.execute(q)}
        gone = archive.book_sums()  # the archived years' entries open every later period
        archived = dict(s.execute(select(gone.c.book, gone.c.amount)).all())
    rows = []
    for book in BOOKS:  # every book, in the ledger's order, those without entries as zeros
        row = found.get(book)
        opening, received, paid, closing = (row.opening, row.received, row.paid, row.closing) if row else (0, 0, 0, 0)
        opening, closing = opening + archived.get(book, 0), closing + archived.get(book, 0)
        figures = (opening, received, paid, received - paid, closing)
        rows.append({"book": book, **dict(zip(BALANCE_FIGURES, map(Yuan, figures), strict=True))})
    total = {k: Yuan(sum(r[k].fen for r in rows)) for k in BALANCE_FIGURES}
    return Report(
        _("trial balance, postings dated {start} to {end}").format(start=start, end=end),
        ("book", *BALANCE_FIGURES),
        rows,
        total,
    )


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
    with uow.read_only(replica=True):
        s = uow.session
        r = s.execute(raises).one()._mapping
        rows = [
            {"kind": "incentive", "item": name, "status": None, "people": r[f"{name}_people"], "amount": Yuan(r[name])}
            for name, _column in parts
        ]
        rows += [
            {"kind": "year_end", "item": x.item, "status": x.status, "people": x.people, "amount": Yuan(x.amount)}
            for x in s.execute(items)
        ]
    title = _("incentives and year-end items for {year}").format(year=year)
    if region:
        title += _(", region {region}").format(region=region)
    return Report(title, ("kind", "item", "status", "people", "amount"), rows, None)


def accounts(uow: UnitOfWork, on: date, region: str | None = None) -> Report:
    """Personal accounts (个人账户) at the end of `on`, by region and status: how many, how many
    empty, and what they hold, from the journal (the postings dated up to `on`)."""
    a, e, po, p = Account, Entry, Posting, Person
    held = (
        select(e.account_id, sum_fen(e.amount).label("balance"))
        .join(po, po.id == e.posting_id)
        .where(e.book == "personal_account", po.effective_date <= on)
        .group_by(e.account_id)
        .subquery()
    )
    gone = archive.archived_sums()  # what the archived years' entries left in each
    balance = func.coalesce(held.c.balance, 0) + func.coalesce(gone.c.amount, 0)
    status = status_column()
    q = (
        select(
            p.region,
            status,
            func.count(a.id).label("accounts"),
            func.count(case((balance == 0, 1))).label("empty"),
            sum_fen(balance).label("balance"),
        )
        .join(p, p.psn_no == a.psn_no)
        .outerjoin(held, held.c.account_id == a.id)
        .outerjoin(gone, gone.c.account_id == a.id)
        .group_by(p.region, status)
        .order_by(p.region, status)
    )
    if region:
        q = q.where(p.region.startswith(region))
    with uow.read_only(replica=True):
        # the archived years' sums are of whole years: a day before the last one's end is gone
        archive.require_live(uow.session, on, "--on", closing=True)
        rows = [dict(r._mapping) | {"balance": Yuan(r.balance)} for r in uow.session.execute(q)]
    total = {
        "accounts": sum(r["accounts"] for r in rows),
        "empty": sum(r["empty"] for r in rows),
        "balance": Yuan(sum(r["balance"].fen for r in rows)),
    }
    title = _("personal accounts at {on}").format(on=on) + (f", region {region}" if region else "")
    return Report(title, ("region", "status", "accounts", "empty", "balance"), rows, total)
