"""`ledger verify`, the caps: each usage counter's cap is what the policy files gave it.

A counter opens at its bucket's annual cap in force on the day it opened (`opened_on`: the
claim's service date, or 1 January at the rollover); a resident's major-illness counter is
then raised by the year's incentive. So the cap is worked out again from the policy files
(`rules.benefits.bucket_cap`, the statement the claims use) and the incentive recorded, and a
counter holding any other cap is named: a cap raised behind the ledger's back lets the fund
pay past the policy, and the CHECK `fund_paid <= cap` would not see it.

The counters are read grouped by what decides their cap (region, insurance type, bucket,
day opened, cap less incentive): a province's millions of counters make a few thousand
groups, each worked out once; only a group whose cap differs is read counter by counter."""

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from ..db.models import BenefitUsage, MajorIllnessIncentive, Person
from ..errors import PolicyError
from ..i18n import N_
from ..policy.book import PolicyBook
from ..rules.benefits import MAJOR_ILLNESS, bucket_cap
from ..rules.codes import scheme_of
from ..rules.idcard import mask
from ..rules.money import format_fen
from . import archive
from .policies import policy_book
from .verify_problem import Problem, problem
from .verify_scope import Scope
from .verify_usage import counter_people


def cap_problems(s: Session, scope: Scope) -> list[Problem]:
    """Each counter (since a mark: of the persons whose claims moved after it) whose cap is
    not its bucket's cap in the policy on the day it opened, plus its incentive."""
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
    book = policy_book(s)
    problems = []
    for region, insutype, bucket, on, base in s.execute(select(*decided_by).group_by(*decided_by)):
        want = _policy_cap(book, region, on, scheme_of(insutype), bucket)
        if want == base:
            continue
        group = select(c.psn_no, c.year, c.cap, c.bonus).where(
            c.region == region, c.insutype == insutype, c.bucket == bucket, c.opened_on == on, c.cap - c.bonus == base
        )
        for r in s.execute(group.order_by(c.psn_no, c.year)):
            problems.append(_differs(r, bucket, on, want))
    return problems


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
