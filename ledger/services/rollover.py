"""`ledger rollover --year YEAR`: close YEAR, open YEAR+1 (docs/rules.md §5).

For every person enrolled in YEAR or YEAR+1, in ID order and in chunks, each chunk one
transaction:
- the year-end items the policy names (Changchun retirees: large-expense premium and
  disabled-care insurance) are collected from the personal account in one go, or listed
  as due in cash;
- residents' major-illness cap incentives for YEAR+1 are worked out from their enrollment
  history and YEAR's fund payments;
- YEAR+1's usage counters open at zero, with caps from the policy in force on 1 January
  of YEAR+1 (the major-illness cap raised by the incentive);
- the rollover's cursor moves past the chunk.

Because the cursor moves in the same transaction as the chunk's effects, a run killed at
any point and run again continues after the last committed chunk and every effect happens
exactly once; a finished rollover run again changes nothing and says so. Balances carry
over untouched, and claims dated in YEAR still post against YEAR's counters.
"""

from collections.abc import Callable
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import clock
from ..db import partitions
from ..db import rollover_gateway as gateway
from ..db.models import (
    BenefitUsage,
    Enrollment,
    MajorIllnessIncentive,
    Person,
    Rollover,
    YearEndDeduction,
    utcnow,
)
from ..db.retry import attempt
from ..db.sql import bulk_insert, sum_fen
from ..errors import ValidationError
from ..i18n import _
from ..policy.book import PolicyBook, pooling_area
from ..rules.codes import EMPLOYEE, is_retired, scheme_of
from ..rules.money import Yuan
from ..rules.persons import check_year
from ..rules.rollover import RegionRules, incentive_for, year_end_collection
from ..uow import UnitOfWork
from .journal import Draft, Leg, post_many
from .policies import policy_book

CHUNK = 5000


def rollover(
    uow: UnitOfWork, operator: str, year: int, chunk_size: int = CHUNK, progress: Callable[[int], None] | None = None
) -> dict:
    year = check_year(year, "--year")
    if clock.today() < date(year, 12, 31):
        raise ValidationError(
            "--year",
            _(
                "{year} is not over: its rollover runs on or after {year}-12-31, when the year-end items are collected"
            ).format(year=year),
        )
    # PostgreSQL: the closing year's partitions, and the new year's and the one after, are
    # there before the year-end posting and the new year's first claims (db/partitions.py)
    partitions.add_years(uow.engine, (year, year + 1, year + 2))
    started = attempt(lambda: _start(uow, operator, year), "rollover start")
    if started is not None:
        return started | {"warnings": policy_warnings(uow, year)}
    while True:
        done = attempt(lambda: _next_chunk(uow, operator, year, chunk_size), "rollover chunk")
        if isinstance(done, dict):
            return done | {"warnings": policy_warnings(uow, year)}
        if progress is not None:
            progress(done)


def policy_warnings(uow: UnitOfWork, year: int) -> list[str]:
    """What the rollover of `year` must say about the policies it applies: files used past
    their review date, year-end items meant for another year. One line each, per pooling
    area of the persons it covers."""
    with uow.read_only():
        s = uow.session
        regions = s.scalars(
            select(Person.region)
            .join(Enrollment, Enrollment.psn_no == Person.psn_no)
            .where(Enrollment.year.in_((year, year + 1)))
            .distinct()
        ).all()
        book = policy_book(s)
        areas = sorted({pooling_area(r) for r in regions})
        return [w for area in areas for w in RegionRules(book, area, year + 1).warnings]


def _start(uow: UnitOfWork, operator: str, year: int) -> dict | None:
    """Record that the rollover of `year` has begun; its summary if it was already done."""
    with uow:
        s = uow.session
        r = s.get(Rollover, year)
        if r is not None and r.finished_at is not None:
            return _summary(s, year) | {"already_done": True}
        if r is None:
            _refuse_out_of_order(s, year)
            s.add(Rollover(year=year, operator=operator, persons=0))
            uow.commit()
    return None


def _refuse_out_of_order(s: Session, year: int) -> None:
    """Years close in order. The rollover of a year works the new year's incentives from the
    closing year's, which its own rollover wrote: closing 2026 before 2025 would give 2027
    caps without 2026's incentives, and the late 2025 run could not mend them (incentives
    are append-only). So the previous year anyone was enrolled in must be closed first."""
    before = s.scalar(select(func.max(Enrollment.year)).where(Enrollment.year < year))
    if before is None:
        return
    closed = s.get(Rollover, before)
    if closed is None or closed.finished_at is None:
        what = _("was never rolled over") if closed is None else _("was started but has not finished")
        raise ValidationError(
            "--year",
            _(
                "{before}, the year before {year} that persons are enrolled in, {what}: run `ledger rollover --year {before}` first"
            ).format(before=before, year=year, what=what),
        )


def _next_chunk(uow: UnitOfWork, operator: str, year: int, chunk_size: int) -> int | dict:
    """Roll the next chunk of persons over and move the cursor past them, in one
    transaction: how many were rolled, or the summary once nobody is left."""
    with uow:
        s = uow.session
        # One runner per year at a time: a second waits here, then resumes after the first.
        r = s.get(Rollover, year, with_for_update=True, populate_existing=True)
        if r.finished_at is not None:
            return _summary(s, year) | {"already_done": False}
        found = gateway.next_chunk(s, year, r.cursor, chunk_size)
        if found is None:
            r.finished_at = utcnow()
            summary = _summary(s, year)
            uow.commit()
            return summary | {"already_done": False}
        chunk, n = found
        _roll_chunk(s, operator, chunk, policy_book(s))
        r.cursor, r.persons = chunk.hi, r.persons + n
        uow.commit()
        return n


def persons_to_roll(uow: UnitOfWork, year: int) -> int:
    """How many persons the rollover of `year` covers (for a progress bar)."""
    with uow.read_only():
        return uow.session.scalar(
            select(func.count(func.distinct(Enrollment.psn_no))).where(Enrollment.year.in_((year, year + 1)))
        )


def _roll_chunk(s: Session, operator: str, chunk: gateway.Chunk, book: PolicyBook) -> None:
    """The chunk's new counters, then its incentives (each raising its counter's cap), then
    the retirees' year-end items: each one statement a table for the whole chunk, in the
    global lock order."""
    new = chunk.year + 1
    people = gateway.persons(s, chunk)
    areas: dict[str, RegionRules] = {}
    rules_of: dict[str, RegionRules] = {}
    for region in {p.region for p in people}:
        area = pooling_area(region)
        rules_of[region] = areas.get(area) or areas.setdefault(area, RegionRules(book, area, new))
    residents = [
        p
        for p in people
        if p.in_closing_year and rules_of[p.region].incentive is not None and scheme_of(p.insutype) == "resident"
    ]
    opened, counters = gateway.lock_counters(s, chunk, [p.psn_no for p in residents])
    new_counters = [
        (p.psn_no, new, bucket, cap)
        for p in people
        for bucket, cap in rules_of[p.region].caps[scheme_of(p.insutype)].items()
        if (p.psn_no, bucket) not in opened
    ]
    gateway.open_counters(s, new_counters)
    # Recording an incentive raises its major-illness counter, opened by a claim or just now
    # (the database's trigger, migration 0022: the writer may not set a cap itself).
    _incentives(s, chunk.year, residents, rules_of, counters)
    retirees = [
        p
        for p in people
        if p.in_closing_year and rules_of[p.region].items and p.insutype == EMPLOYEE and is_retired(p.psn_type)
    ]
    done = gateway.collected(s, new, [p.psn_no for p in retirees])
    _collect(s, operator, chunk.year, [p for p in retirees if p.psn_no not in done], rules_of)


def _incentives(s: Session, year: int, residents: list, rules_of: dict, counters: dict) -> dict[str, int]:
    """Work out and write the residents' incentives for the new year; psn_no -> bonus."""
    ids = [p.psn_no for p in residents]
    facts = gateway.incentive_facts(s, year, ids, counters) if ids else None
    rows, bonus = [], {}
    for p in residents:
        if p.psn_no in facts.done:
            continue
        policy = rules_of[p.region].incentive
        inc = incentive_for(
            policy,
            year,
            facts.enrolled.get(p.psn_no, set()),
            facts.before.get(p.psn_no),
            facts.closing_major_illness.get(p.psn_no),
            facts.fund_paid.get(p.psn_no, 0),
            facts.claims_standing.get(p.psn_no, 0),
        )
        rows.append(
            (
                p.psn_no,
                year + 1,
                policy.base_cap,
                inc.continuous_years,
                inc.zero_claim_bonus,
                inc.continuous_bonus,
                inc.bonus,
            )
        )
        bonus[p.psn_no] = inc.bonus
    columns = ("psn_no", "year", "base_cap", "continuous_years", "zero_claim_bonus", "continuous_bonus", "bonus")
    bulk_insert(s, MajorIllnessIncentive.__table__, columns, rows)
    return bonus


def _collect(s: Session, operator: str, year: int, retirees: list, rules_of: dict) -> None:
    """The retirees' year-end items for the new year: each one's all taken from the account
    (one posting for the chunk), or all due in cash."""
    accounts = gateway.lock_accounts(s, [p.psn_no for p in retirees])
    deductions, legs = [], []
    for p in retirees:
        items = rules_of[p.region].items
        account_id, balance = accounts.get(p.psn_no, (None, None))
        taken = year_end_collection(balance, items)
        for item, amount in items:
            deductions.append([p.psn_no, year + 1, item, amount, "deducted" if taken else "due_cash", None, None])
            if taken:
                legs += [
                    Leg("personal_account", -amount, p.psn_no, account_id),
                    Leg("contribution_collection", amount, p.psn_no),
                ]
    if legs:
        # One posting per chunk: every retiree's items against the collection book.
        memo = f"year-end collection for {year + 1} from personal accounts"
        [pid] = post_many(s, [Draft("year_end", date(year, 12, 31), memo, legs, f"rollover:{year}")], operator)
        for d in deductions:
            if d[4] == "deducted":
                d[5], d[6] = pid, date(year, 12, 31)
    columns = ("psn_no", "year", "item", "amount", "status", "posting_id", "posted_on")
    bulk_insert(s, YearEndDeduction.__table__, columns, [tuple(d) for d in deductions])


def _summary(s: Session, year: int) -> dict:
    new = year + 1
    r = s.get(Rollover, year)
    inc = s.execute(
        select(func.count(), sum_fen(MajorIllnessIncentive.bonus)).where(
            MajorIllnessIncentive.year == new, MajorIllnessIncentive.bonus > 0
        )
    ).one()
    taken = s.execute(
        select(func.count(func.distinct(YearEndDeduction.psn_no)), sum_fen(YearEndDeduction.amount)).where(
            YearEndDeduction.year == new, YearEndDeduction.status == "deducted"
        )
    ).one()
    due = s.execute(
        select(YearEndDeduction.psn_no, YearEndDeduction.item, YearEndDeduction.amount)
        .where(YearEndDeduction.year == new, YearEndDeduction.status == "due_cash")
        .order_by(YearEndDeduction.psn_no, YearEndDeduction.id)
    ).all()
    counters = s.scalar(select(func.count()).select_from(BenefitUsage).where(BenefitUsage.year == new))
    return {
        "year": year,
        "new_year": new,
        "persons": r.persons if r else 0,
        "bonuses": {"persons": inc[0], "total": Yuan(inc[1])},
        "deductions": {"persons": taken[0], "total": Yuan(taken[1])},
        "due_in_cash": [{"psn_no": d.psn_no, "item": d.item, "amount": Yuan(d.amount)} for d in due],
        "due_in_cash_total": Yuan(sum(d.amount for d in due)),
        "counters_open": counters,
        "finished_at": r.finished_at if r else None,
    }
