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
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from .. import clock
from ..db import rollover_gateway as gateway
from ..db.claim_gateway import COUNTER_COLUMNS
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
from ..db.sql import bulk_insert, one_of, reserve_ids, sum_fen
from ..errors import ValidationError
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
            f"{year} is not over: its rollover runs on or after {year}-12-31, when the year-end items are collected",
        )
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
        what = "was never rolled over" if closed is None else "was started but has not finished"
        raise ValidationError(
            "--year",
            f"{before}, the year before {year} that persons are enrolled in, {what}: run `ledger rollover --year {before}` first",
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
        # The next persons after the cursor, walking the (psn_no, year) index of
        # enrollments: each chunk costs the same, however far the run has got.
        who = select(Enrollment.psn_no).where(Enrollment.year.in_((year, year + 1))).distinct()
        if r.cursor is not None:
            who = who.where(Enrollment.psn_no > r.cursor)
        ids = s.scalars(who.order_by(Enrollment.psn_no).limit(chunk_size)).all()
        people = (
            s.scalars(select(Person).where(one_of(s, Person.psn_no, ids)).order_by(Person.psn_no)).all() if ids else []
        )
        if not people:
            r.finished_at = utcnow()
            summary = _summary(s, year)
            uow.commit()
            return summary | {"already_done": False}
        _roll_chunk(s, operator, year, people, policy_book(s))
        r.cursor, r.persons = people[-1].psn_no, r.persons + len(people)
        uow.commit()
        return len(people)


def persons_to_roll(uow: UnitOfWork, year: int) -> int:
    """How many persons the rollover of `year` covers (for a progress bar)."""
    with uow.read_only():
        return uow.session.scalar(
            select(func.count(func.distinct(Enrollment.psn_no))).where(Enrollment.year.in_((year, year + 1)))
        )


@dataclass
class _Writes:
    """What the rollover of a chunk writes, gathered person by person, written at once."""

    counters: list[tuple] = field(default_factory=list)  # new-year counters to open
    cap_raises: list[dict] = field(default_factory=list)  # counters an early claim opened: add the bonus
    incentives: list[tuple] = field(default_factory=list)
    deductions: list[list] = field(default_factory=list)  # year-end items, deducted or due in cash
    legs: list[Leg] = field(default_factory=list)  # of the one posting that collects the deducted ones


def _roll_chunk(s: Session, operator: str, year: int, people: list[Person], book: PolicyBook) -> None:
    new = year + 1
    retirees = {p.psn_no for p in people if p.insutype == EMPLOYEE and is_retired(p.psn_type)}
    facts = gateway.chunk_facts(s, year, [p.psn_no for p in people], retirees)
    regions: dict[str, RegionRules] = {}
    out = _Writes()
    for p in people:
        area = pooling_area(p.region)
        rules = regions.get(area) or regions.setdefault(area, RegionRules(book, area, new))
        psn, years = p.psn_no, facts.enrolled.get(p.psn_no, set())
        if rules.items and psn in retirees and year in years and psn not in facts.items_done:
            _collect(out, psn, new, rules.items, facts.accounts.get(psn))
        scheme, bonus = scheme_of(p.insutype), 0
        if scheme == "resident" and rules.incentive is not None and year in years and psn not in facts.incentive_done:
            inc = incentive_for(
                rules.incentive,
                year,
                years,
                facts.incentive_before.get(psn),
                facts.closing_major_illness.get(psn),
                facts.fund_paid.get(psn, 0),
                facts.claims_standing.get(psn, 0),
            )
            base = rules.incentive.base_cap
            out.incentives.append(
                (psn, new, base, inc.continuous_years, inc.zero_claim_bonus, inc.continuous_bonus, inc.bonus)
            )
            bonus = inc.bonus
        # The new year's counters, from zero; the major-illness cap raised by the bonus.
        for bucket, cap in rules.caps[scheme].items():
            raise_by = bonus if bucket == "major_illness" else 0
            if (psn, bucket) not in facts.opened:
                out.counters.append((psn, new, bucket, cap + raise_by, 0, 0, 0))
            elif raise_by:
                out.cap_raises.append({"u_id": facts.opened[(psn, bucket)], "u_raise": raise_by})
    _write(s, operator, year, out)


def _collect(out: _Writes, psn: str, new: int, items: list[tuple[str, int]], account: tuple[int, int] | None) -> None:
    """A retiree's year-end items for the new year: all taken from the account, or all due in cash."""
    taken = year_end_collection(account[1] if account else None, items)
    for item, amount in items:
        out.deductions.append([psn, new, item, amount, "deducted" if taken else "due_cash", None])
        if taken:
            out.legs += [Leg("personal_account", -amount, psn, account[0]), Leg("contribution_collection", amount, psn)]


def _write(s: Session, operator: str, year: int, out: _Writes) -> None:
    t = BenefitUsage.__table__
    counters = [(n, *c) for n, c in zip(reserve_ids(s, t, len(out.counters)), out.counters, strict=True)]
    bulk_insert(s, t, COUNTER_COLUMNS, counters)
    if out.cap_raises:
        s.execute(
            update(t).where(t.c.id == bindparam("u_id")).values(cap=t.c.cap + bindparam("u_raise")), out.cap_raises
        )
    t = MajorIllnessIncentive.__table__
    bulk_insert(
        s,
        t,
        ("id", "psn_no", "year", "base_cap", "continuous_years", "zero_claim_bonus", "continuous_bonus", "bonus"),
        [(n, *i) for n, i in zip(reserve_ids(s, t, len(out.incentives)), out.incentives, strict=True)],
    )
    if out.legs:
        # One posting per chunk: every retiree's items against the collection book.
        memo = f"year-end collection for {year + 1} from personal accounts"
        [pid] = post_many(s, [Draft("year_end", date(year, 12, 31), memo, out.legs, f"rollover:{year}")], operator)
        for d in out.deductions:
            if d[4] == "deducted":
                d[5] = pid
    t = YearEndDeduction.__table__
    bulk_insert(
        s,
        t,
        ("id", "psn_no", "year", "item", "amount", "status", "posting_id"),
        [(n, *d) for n, d in zip(reserve_ids(s, t, len(out.deductions)), out.deductions, strict=True)],
    )


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
