"""`ledger verify`, the caps: each usage counter's cap is what the policy files gave it, and
each incentive that raised one is one the rules could have given.

A counter opens at its bucket's annual cap in force on the day it opened (`opened_on`: the
claim's service date, or 1 January at the rollover); a resident's major-illness counter is
then raised by the year's incentive. So the cap is worked out again from the policy files
(`rules.benefits.bucket_cap`, the statement the claims use) and the incentive recorded, and a
counter holding any other cap is named: a cap raised behind the ledger's back lets the fund
pay past the policy, and the CHECK `fund_paid <= cap` would not see it.

The counters are read grouped by what decides their cap (region, insurance type, bucket,
day opened, cap less incentive): a province's millions of counters make a few thousand
groups, each worked out once; only a group whose cap differs is read counter by counter.

An incentive (`major_illness_incentives`) is held to the rollover's own rules
(`rules.rollover.next_incentive`): its base cap is the policy's on 1 January, and its
figures are what the rules give from the year before's incentive (or the enrolled years)
for one of the ways the closing year could have gone (a zero-claim year or not, the bonus
used or not). Which way it went depends on claims a late posting can still change, so it
is not pinned; a bonus no way of the year gives (a row written by hand to raise a cap) is
named."""

from sqlalchemy import and_, extract, func, or_, select
from sqlalchemy.orm import Session, aliased

from ..db.models import BenefitUsage, ClaimRecord, Enrollment, MajorIllnessIncentive, Person
from ..errors import PolicyError
from ..i18n import N_
from ..policy.book import PolicyBook, pooling_area
from ..rules.benefits import MAJOR_ILLNESS, bucket_cap
from ..rules.codes import scheme_of
from ..rules.idcard import mask
from ..rules.money import format_fen
from ..rules.rollover import Incentive, RegionRules, continuous_years_through, next_incentive
from . import archive
from .policies import books_as_loaded
from .verify_problem import Problem, problem
from .verify_scope import Scope
from .verify_usage import counter_people


def cap_problems(s: Session, scope: Scope) -> list[Problem]:
    """Each counter (since a mark: of the persons whose claims moved after it) whose cap is
    not its bucket's cap in the policy on the day it opened, plus its incentive; and each
    whose day is neither 1 January of its year nor the day of one of its claims."""
    u, p, i = BenefitUsage, Person, MajorIllnessIncentive
    bonus = func.coalesce(i.bonus, 0)
    counters = (
        select(u.psn_no, u.year, u.bucket, u.cap, u.opened_on, p.region, p.insutype, bonus.label("bonus"))
        .join(p, p.psn_no == u.psn_no)
        .outerjoin(i, and_(i.psn_no == u.psn_no, i.year == u.year, u.bucket == MAJOR_ILLNESS))
        .where(counter_people(scope)(u.psn_no), u.year > (archive.through(s) or 0))
        .subquery()
    )
    c = counters.c
    decided_by = (c.region, c.insutype, c.bucket, c.opened_on, c.cap - c.bonus)
    books = books_as_loaded(s)
    problems = []
    for region, insutype, bucket, on, base in s.execute(select(*decided_by).group_by(*decided_by)):
        caps = [_policy_cap(book, region, on, scheme_of(insutype), bucket) for book in books]
        if base in caps:
            continue
        group = select(c.psn_no, c.year, c.cap, c.bonus).where(
            c.region == region, c.insutype == insutype, c.bucket == bucket, c.opened_on == on, c.cap - c.bonus == base
        )
        for r in s.execute(group.order_by(c.psn_no, c.year)):
            problems.append(_differs(r, bucket, on, caps[-1]))
    return problems + _opened_on_problems(s, scope)


def _opened_on_problems(s: Session, scope: Scope) -> list[Problem]:
    """A counter opens on 1 January of its year (the rollover) or on the day of the claim
    that opened it: a day written by hand would pick another file's cap, or next year's."""
    u, c = BenefitUsage, ClaimRecord
    a_claim_that_day = (
        select(c.id)
        .where(
            c.psn_no == u.psn_no,
            c.year == u.year,
            c.service_date == u.opened_on,
            or_(c.bucket == u.bucket, c.layer_bucket == u.bucket, c.combined_bucket == u.bucket),
        )
        .exists()
    )
    on = u.opened_on
    january = and_(extract("year", on) == u.year, extract("month", on) == 1, extract("day", on) == 1)
    rows = s.execute(
        select(u.psn_no, u.year, u.bucket, u.cap, on)
        .where(counter_people(scope)(u.psn_no), u.year > (archive.through(s) or 0), ~january, ~a_claim_that_day)
        .order_by(u.psn_no, u.year, u.bucket)
    )
    message = N_(
        "usage of {psn} {year} {bucket}: cap {cap} taken from the policy on {on}, which is neither 1 January {year} "
        "nor the day of one of its claims"
    )
    return [
        problem(
            "usage_cap_not_policy",
            "benefit_usage",
            f"{r.psn_no}/{r.year}/{r.bucket}",
            message,
            psn=mask(r.psn_no),
            year=r.year,
            bucket=r.bucket,
            cap=format_fen(r.cap),
            on=r.opened_on,
        )  # fmt: skip
        for r in rows
    ]


def _policy_cap(book: PolicyBook, region: str, on, scheme: str, bucket: str) -> int | PolicyError:
    """The bucket's cap in force, or the policy's own error where no file gives it (a file
    withdrawn after the counter opened): reported on the counter, not raised."""
    try:
        return bucket_cap(book, region, on, scheme, bucket)
    except PolicyError as e:
        return e


def _differs(r, bucket: str, on, want: int | PolicyError) -> Problem:
    key = f"{r.psn_no}/{r.year}/{bucket}"
    counter = {"psn": mask(r.psn_no), "year": r.year, "bucket": bucket, "cap": format_fen(r.cap), "on": on}
    if isinstance(want, PolicyError):
        message = N_("usage of {psn} {year} {bucket}: cap {cap}, but the policy gives none on {on}: {why}")
        return problem("usage_cap_not_policy", "benefit_usage", key, message, why=str(want), **counter)
    message = N_(
        "usage of {psn} {year} {bucket}: cap {cap}, but the policy in force on {on} gives {want} "
        "and the incentive {bonus}: {expected}"
    )
    figures = {"want": format_fen(want), "bonus": format_fen(r.bonus), "expected": format_fen(want + r.bonus)}
    return problem("usage_cap_not_policy", "benefit_usage", key, message, **counter, **figures)


def incentive_problems(s: Session, scope: Scope) -> list[Problem]:
    """Each incentive (since a mark: of the persons whose claims moved after it) whose base
    cap is not the policy's, or whose figures no way of its closing year gives."""
    i, before, p = MajorIllnessIncentive, aliased(MajorIllnessIncentive), Person
    people = counter_people(scope)
    figures = (i.psn_no, i.year, i.base_cap, i.continuous_years, i.zero_claim_bonus, i.continuous_bonus, i.bonus)
    rows = s.execute(
        select(
            *figures, p.region, before.continuous_years.label("was_years"), before.zero_claim_bonus.label("was_zero")
        )
        .join(p, p.psn_no == i.psn_no)
        .outerjoin(before, and_(before.psn_no == i.psn_no, before.year == i.year - 1))
        .where(people(i.psn_no), i.year > (archive.through(s) or 0))
        .order_by(i.psn_no, i.year)
        .execution_options(yield_per=10_000)
    )
    # the enrollments of those whose incentive has none the year before (counted from them)
    first = (
        select(i.psn_no)
        .outerjoin(before, and_(before.psn_no == i.psn_no, before.year == i.year - 1))
        .where(before.psn_no.is_(None), people(i.psn_no))
    )
    enrolled: dict[str, set[int]] = {}
    for psn, year in s.execute(select(Enrollment.psn_no, Enrollment.year).where(Enrollment.psn_no.in_(first))):
        enrolled.setdefault(psn, set()).add(year)
    books, policies, problems = books_as_loaded(s), {}, []
    for r in rows:
        key = (pooling_area(r.region), r.year)
        if key not in policies:
            policies[key] = _incentive_policies(books, *key)
        if not any(_one_way_of_the_year(p, r, enrolled.get(r.psn_no, set())) for p in policies[key]):
            problems.append(_incentive_differs(r))
    return problems


def _incentive_policies(books: list[PolicyBook], area: str, year: int) -> list:
    """The incentive policy of each book as it stood after a load (those a book cannot
    give, for a parameter no file gave, left out: their incentive is named)."""
    found = []
    for book in books:
        try:
            policy = RegionRules(book, area, year).incentive
        except PolicyError:
            continue
        if policy is not None and policy not in found:
            found.append(policy)
    return found


def _one_way_of_the_year(policy, row, enrolled: set[int]) -> bool:
    """Whether the incentive is what the rules give for one of the ways its closing year
    could have gone: a zero-claim year or not, the bonus used or not. Without an incentive
    the year before, the continuous years are counted from the enrollments, which a year
    paid back since may have lengthened: any count up to theirs is one the rollover saw."""
    if row.base_cap != policy.base_cap:
        return False
    closing = row.year - 1
    if row.was_years is not None:
        counts = [row.was_years]
    else:
        counts = range(continuous_years_through(closing, enrolled, policy.start_year) + 1)
    stored = Incentive(row.continuous_years, row.zero_claim_bonus, row.continuous_bonus, row.bonus)
    return any(
        next_incentive(policy, closing, through, row.was_zero or 0, zero, used) == stored
        for through in counts
        for zero in (0, 1)
        for used in (0, 1)
    )


def _incentive_differs(row) -> Problem:
    message = N_(
        "incentive of {psn} {year}: base cap {base_cap}, bonus {bonus} (zero-claim {zero}, continuous {continuous} "
        "over {years} years): not what the policy in force on 1 January {year} and the year before give"
    )
    figures = {"base_cap": format_fen(row.base_cap), "bonus": format_fen(row.bonus)}
    figures |= {"zero": format_fen(row.zero_claim_bonus), "continuous": format_fen(row.continuous_bonus)}
    key, person = f"{row.psn_no}/{row.year}", {"psn": mask(row.psn_no), "year": row.year, "years": row.continuous_years}
    return problem("incentive_not_policy", "major_illness_incentives", key, message, **person, **figures)
