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

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from ..db.models import (
    Account,
    BenefitUsage,
    ClaimRecord,
    ClaimReversal,
    Enrollment,
    MajorIllnessIncentive,
    Person,
    Rollover,
    YearEndDeduction,
    utcnow,
)
from ..db.retry import attempt
from ..db.sql import bulk_insert, reserve_ids, sum_fen
from ..errors import ValidationError
from ..policy.book import PolicyBook, pooling_area, review_warning
from ..rules.codes import EMPLOYEE, is_retired, scheme_of
from ..rules.money import Yuan
from ..rules.persons import check_year
from ..rules.rollover import (
    IncentivePolicy,
    continuous_years_through,
    next_incentive,
    year_end_collection,
    zero_claim_year,
)
from ..uow import UnitOfWork
from .journal import Draft, Leg, post_many
from .policies import policy_book

CHUNK = 5000
YEAR_END_ITEMS = ("employee.retired.year_end.large_expense_premium", "employee.retired.year_end.disabled_care_premium")
YEAR_END_FOR = "employee.retired.year_end.for_year"


def rollover(
    uow: UnitOfWork, operator: str, year: int, chunk_size: int = CHUNK, progress: Callable[[int], None] | None = None
) -> dict:
    year = check_year(year, "--year")
    if date.today() < date(year, 12, 31):
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
        return [w for area in areas for w in _RegionRules(book, area, year + 1).warnings]


def _start(uow: UnitOfWork, operator: str, year: int) -> dict | None:
    """Record that the rollover of `year` has begun; its summary if it was already done."""
    with uow:
        s = uow.session
        r = s.get(Rollover, year)
        if r is not None and r.finished_at is not None:
            return _summary(s, year) | {"already_done": True}
        if r is None:
            s.add(Rollover(year=year, operator=operator, persons=0))
            uow.commit()
    return None


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
        people = s.scalars(select(Person).where(Person.psn_no.in_(ids)).order_by(Person.psn_no)).all() if ids else []
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


class _RegionRules:
    """The new year's parameters for one pooling area, read once per run, and what a
    person running the rollover must hear about them (`warnings`)."""

    def __init__(self, book: PolicyBook, region: str, new_year: int):
        on = date(new_year, 1, 1)
        in_force = book.in_force(region, on)
        given = {name: r.value for name, r in in_force.items()}
        used: list[str] = []

        def cap(name):
            if name in given:
                used.append(name)
            return given.get(name)

        self.caps = {
            "employee": {
                b: c
                for b, c in (
                    ("outpatient", cap("employee.outpatient.annual_cap")),
                    ("inpatient", cap("employee.inpatient.annual_cap")),
                    ("large_expense", cap("employee.large_expense.annual_cap")),
                )
                if c is not None
            },
            "resident": {
                b: c
                for b, c in (
                    ("outpatient", cap("resident.outpatient.annual_cap")),
                    ("inpatient", cap("resident.inpatient.annual_cap")),
                    ("major_illness", cap("resident.major_illness.annual_cap")),
                )
                if c is not None
            },
        }
        self.items = [(name, given[name]) for name in YEAR_END_ITEMS if name in given and given[name] > 0]
        self.warnings: list[str] = []
        # Year-end items are announced for a year (Changchun: 2024年大额医疗费用补助100元……
        # 需于12月末一次性缴纳): a file that names the year collects them for that year only.
        meant = in_force.get(YEAR_END_FOR)
        if self.items and meant is not None and meant.value != new_year:
            self.warnings.append(
                f"region {region}: the year-end items in force ({', '.join(n.rsplit('.', 1)[-1] for n, _ in self.items)}) are for {meant.value} "
                f"({meant.document.name}), not {new_year}: none collected; load a policy file that sets them for {new_year} to collect them"
            )
            self.items = []
        used += [name for name, _ in self.items] + ([YEAR_END_FOR] if self.items and meant is not None else [])
        self.incentive = None
        # A region takes part in the incentives from the year its policy names; once it
        # does, every amount they need must be given (a missing one is an error, not 0).
        if "resident.incentive.start_year" in given and "major_illness" in self.caps["resident"]:
            self.incentive = IncentivePolicy(
                start_year=given["resident.incentive.start_year"],
                years_before_bonus=book.get(region, on, "resident.incentive.continuous.years_before_bonus").value,
                per_continuous_year=book.get(region, on, "resident.incentive.continuous.minimum_per_year").value,
                per_zero_claim_year=book.get(region, on, "resident.incentive.zero_claim.minimum").value,
                max_share_of_cap=book.get(region, on, "resident.incentive.max_share_of_cap").value,
                base_cap=self.caps["resident"]["major_illness"],
                zero_claim_basis=book.get(region, on, "resident.incentive.zero_claim.basis").value,
            )
            used += [n for n in in_force if n.startswith("resident.incentive.")]
        # Values used past their file's review date are used, and said so (as for claims).
        documents = {in_force[n].document.name: in_force[n].document for n in used}
        self.warnings += [w for name in sorted(documents) if (w := review_warning(documents[name], on))]


def _roll_chunk(s: Session, operator: str, year: int, people: list[Person], book: PolicyBook) -> None:
    new = year + 1
    ids = [p.psn_no for p in people]
    enrolled: dict[str, set[int]] = {}
    for psn, y in s.execute(select(Enrollment.psn_no, Enrollment.year).where(Enrollment.psn_no.in_(ids))):
        enrolled.setdefault(psn, set()).add(y)
    usage = s.execute(
        select(
            BenefitUsage.psn_no,
            BenefitUsage.year,
            BenefitUsage.bucket,
            BenefitUsage.id,
            BenefitUsage.cap,
            BenefitUsage.fund_paid,
        )
        .where(BenefitUsage.psn_no.in_(ids), BenefitUsage.year.in_((year, new)))
        .order_by(BenefitUsage.psn_no, BenefitUsage.year, BenefitUsage.bucket)
        .with_for_update()
    ).all()
    fund_paid_in_year: dict[str, int] = {}
    open_now: dict[tuple, object] = {}
    for u in usage:
        if u.year == year:
            fund_paid_in_year[u.psn_no] = fund_paid_in_year.get(u.psn_no, 0) + u.fund_paid
        else:
            open_now[(u.psn_no, u.bucket)] = u
    closing_mi = {u.psn_no: u for u in usage if u.year == year and u.bucket == "major_illness"}
    # Claims of the closing year still standing (not reversed), for the no-medical-expense reading.
    standing = dict(
        s.execute(
            select(ClaimRecord.psn_no, func.count())
            .outerjoin(ClaimReversal, ClaimReversal.claim_id == ClaimRecord.id)
            .where(ClaimRecord.psn_no.in_(ids), ClaimRecord.year == year, ClaimReversal.id.is_(None))
            .group_by(ClaimRecord.psn_no)
        ).all()
    )
    prev = {
        i.psn_no: i
        for i in s.scalars(
            select(MajorIllnessIncentive).where(
                MajorIllnessIncentive.psn_no.in_(ids), MajorIllnessIncentive.year == year
            )
        )
    }
    done_incentives = set(
        s.scalars(
            select(MajorIllnessIncentive.psn_no).where(
                MajorIllnessIncentive.psn_no.in_(ids), MajorIllnessIncentive.year == new
            )
        )
    )
    done_items = set(
        s.execute(
            select(YearEndDeduction.psn_no).where(YearEndDeduction.psn_no.in_(ids), YearEndDeduction.year == new)
        ).scalars()
    )
    retirees = [p.psn_no for p in people if p.insutype == EMPLOYEE and is_retired(p.psn_type)]
    accounts = {
        a.psn_no: a
        for a in s.execute(
            select(Account.id, Account.psn_no, Account.balance)
            .where(Account.psn_no.in_(retirees))
            .order_by(Account.id)
            .with_for_update()
        )
    }
    regions: dict[str, _RegionRules] = {}
    counters, incentives, deductions, legs, cap_raises = [], [], [], [], []
    for p in people:
        area = pooling_area(p.region)
        rules = regions.get(area) or regions.setdefault(area, _RegionRules(book, area, new))
        scheme = scheme_of(p.insutype)
        years = enrolled.get(p.psn_no, set())
        # Year-end items (for the coming year), collected in one go or due in cash.
        if rules.items and p.psn_no in retirees and year in years and p.psn_no not in done_items:
            acct = accounts.get(p.psn_no)
            taken = year_end_collection(acct.balance if acct else None, rules.items)
            for item, amount in rules.items:
                deductions.append([p.psn_no, new, item, amount, "deducted" if taken else "due_cash", None])
                if taken:
                    legs.append((p.psn_no, acct.id, item, amount))
        # The new year's major-illness incentive.
        bonus = 0
        if scheme == "resident" and rules.incentive is not None and year in years and p.psn_no not in done_incentives:
            before = prev.get(p.psn_no)
            through = (
                before.continuous_years
                if before is not None
                else continuous_years_through(year, years, rules.incentive.start_year)
            )
            mi = closing_mi.get(p.psn_no)
            used = before is not None and before.bonus > 0 and mi is not None and mi.fund_paid > mi.cap - before.bonus
            zero = zero_claim_year(
                rules.incentive.zero_claim_basis, fund_paid_in_year.get(p.psn_no, 0), standing.get(p.psn_no, 0)
            )
            inc = next_incentive(
                rules.incentive, year, through, before.zero_claim_bonus if before is not None else 0, zero, used
            )
            incentives.append(
                (
                    p.psn_no,
                    new,
                    rules.incentive.base_cap,
                    inc.continuous_years,
                    inc.zero_claim_bonus,
                    inc.continuous_bonus,
                    inc.bonus,
                )
            )
            bonus = inc.bonus
        # The new year's counters, from zero.
        for bucket, cap in rules.caps[scheme].items():
            existing = open_now.get((p.psn_no, bucket))
            raise_by = bonus if bucket == "major_illness" else 0
            if existing is None:
                counters.append((p.psn_no, new, bucket, cap + raise_by, 0, 0, 0))
            elif raise_by:
                cap_raises.append({"u_id": existing.id, "u_raise": raise_by})  # opened by an early claim: add the bonus
    _write(s, operator, year, counters, incentives, deductions, legs, cap_raises)


def _write(s: Session, operator: str, year: int, counters, incentives, deductions, legs, cap_raises) -> None:
    t = BenefitUsage.__table__
    bulk_insert(
        s,
        t,
        ("id", "psn_no", "year", "bucket", "cap", "fund_paid", "deductible_met", "selfpay"),
        [(n, *c) for n, c in zip(reserve_ids(s, t, len(counters)), counters, strict=True)],
    )
    if cap_raises:
        s.execute(update(t).where(t.c.id == bindparam("u_id")).values(cap=t.c.cap + bindparam("u_raise")), cap_raises)
    t = MajorIllnessIncentive.__table__
    bulk_insert(
        s,
        t,
        ("id", "psn_no", "year", "base_cap", "continuous_years", "zero_claim_bonus", "continuous_bonus", "bonus"),
        [(n, *i) for n, i in zip(reserve_ids(s, t, len(incentives)), incentives, strict=True)],
    )
    if legs:
        # One posting per chunk: every retiree's items against the collection book.
        entries = [leg for psn, account_id, _, amount in legs
                   for leg in (Leg("personal_account", -amount, psn, account_id), Leg("contribution_collection", amount, psn))]  # fmt: skip
        [pid] = post_many(
            s,
            [
                Draft(
                    "year_end",
                    date(year, 12, 31),
                    f"year-end collection for {year + 1} from personal accounts",
                    entries,
                    f"rollover:{year}",
                )
            ],
            operator,
        )
        for d in deductions:
            if d[4] == "deducted":
                d[5] = pid
    t = YearEndDeduction.__table__
    bulk_insert(
        s,
        t,
        ("id", "psn_no", "year", "item", "amount", "status", "posting_id"),
        [(n, *d) for n, d in zip(reserve_ids(s, t, len(deductions)), deductions, strict=True)],
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
