"""`ledger verify`, the archived years (services/archive.py): each still has the postings it
had when it left, with the hashes they had (their entries are gone, so their contents can
no longer be hashed again), its accounts' sums add up to what its entries moved, and the settlement
ids kept without their claims are of archived years only."""

from sqlalchemy import column, func, select, table
from sqlalchemy.orm import Session

from ..db.models import ArchivedBalance, ArchivedBook, ArchivedYear, Posting
from ..db.partitions import REGISTRY
from ..db.sql import sum_fen
from ..rules.money import format_fen
from . import archive
from .verify_problem import Problem, problem

LIMIT = 10  # settlement ids named: one is as telling as a thousand


def archive_problems(s: Session) -> list[Problem]:
    live_from = archive.live_from(s)
    if live_from is None:
        return []
    return _year_problems(s, live_from) + _registry_problems(s, live_from)


def _year_problems(s: Session, live_from) -> list[Problem]:
    """Each archived year's postings, accounts' sums and books' sums against its record."""
    problems = []
    kept = select(func.extract("year", Posting.effective_date).label("year"), func.count().label("n")).where(
        Posting.effective_date < live_from
    )
    kept = kept.group_by(func.extract("year", Posting.effective_date)).subquery()
    sums = (
        select(ArchivedBalance.year, sum_fen(ArchivedBalance.amount).label("total"))
        .group_by(ArchivedBalance.year)
        .subquery()
    )
    rows = s.execute(
        select(
            ArchivedYear.year, ArchivedYear.postings, ArchivedYear.moved, ArchivedYear.digest, kept.c.n, sums.c.total
        )
        .outerjoin(kept, kept.c.year == ArchivedYear.year)
        .outerjoin(sums, sums.c.year == ArchivedYear.year)
        .order_by(ArchivedYear.year)
    )
    books = dict(s.execute(select(ArchivedBook.year, sum_fen(ArchivedBook.amount)).group_by(ArchivedBook.year)).all())
    for year, postings, moved, digest, found, total in rows.all():
        if books.get(year, 0) != 0:
            problems.append(
                problem(
                    "archive_books_differ",
                    "archived_books",
                    year,
                    "archived year {year}: its books' sums add up to {total}, not 0",
                    year=year,
                    total=format_fen(books[year]),
                )
            )
        if (found or 0) != postings or archive.postings_digest(s, year) != digest:
            problems.append(
                problem(
                    "archive_postings_differ",
                    "journal_postings",
                    year,
                    "archived year {year}: its postings are not those it left with ({postings}; now {found}, "
                    "or their hashes changed)",
                    year=year,
                    postings=postings,
                    found=found or 0,
                )
            )
        if (total or 0) != moved:
            problems.append(
                problem(
                    "archive_balances_differ",
                    "archived_balances",
                    year,
                    "archived year {year}: its entries moved {moved} in the accounts, its accounts' sums add up to {total}",
                    year=year,
                    moved=format_fen(moved),
                    total=format_fen(total or 0),
                )
            )
    return problems


def _registry_problems(s: Session, live_from) -> list[Problem]:
    """Settlement ids kept without their claims are of archived days only (PostgreSQL)."""
    problems = []
    if s.get_bind().dialect.name == "postgresql":
        r = table(REGISTRY, column("setl_id"), column("claim_id"), column("service_date"))
        stray = s.execute(
            select(r.c.setl_id, r.c.service_date)
            .where(r.c.claim_id.is_(None), r.c.service_date >= live_from)
            .order_by(r.c.setl_id)
            .limit(LIMIT)
        )
        for setl_id, day in stray:
            problems.append(
                problem(
                    "setl_id_archived_live",
                    REGISTRY,
                    setl_id,
                    "settlement id {setl_id}: kept as archived, but its day {day} is not in an archived year",
                    setl_id=setl_id,
                    day=day,
                )
            )
    return problems
