"""`ledger verify`, the usage counters: each equals what its claims put in it.

Worked out in SQL, counter by counter: the stored figures and what the claims give, side by
side in one grouped query that returns only the counters that differ. (Compared in Python
a counter at a time, a province's millions of counters were most of verify's time.)"""

from sqlalchemy import func, literal, or_, select, true, union_all

from ..db.models import BenefitUsage, ClaimRecord, ClaimReversal
from ..db.sql import sum_fen
from ..i18n import N_
from ..rules.idcard import mask
from ..rules.money import format_fen
from . import archive
from .verify_problem import Problem, problem
from .verify_scope import EVERYTHING, Scope

KEY = ("psn_no", "year", "bucket")
STORED = ("fund", "deductible", "selfpay")
WANTED = ("want_fund", "want_deductible", "want_selfpay")


def usage_problems(s, scope: Scope = EVERYTHING) -> list[Problem]:
    """Each usage counter equals what its claims (not reversed) put in it, and keeps
    within its cap (the CHECK guarantees the cap; this also catches a counter that drifted
    from its claims). Since a mark: the counters of the persons whose claims were posted
    or reversed after it, each against all its claims. An archived year's counters stay as
    the archive left them: its claims are gone."""
    people = counter_people(scope)
    after = archive.through(s) or 0
    u = BenefitUsage
    figures = (u.fund_paid, u.deductible_met, u.selfpay)
    stored = select(
        u.psn_no, u.year, u.bucket, *(f.label(n) for f, n in zip(figures, STORED, strict=True)),
        *(literal(0).label(n) for n in WANTED), literal(1).label("counter"),
    ).where(people(u.psn_no), u.year > after)  # fmt: skip
    both = union_all(stored, *_expected(people, after)).subquery()
    sums = [sum_fen(both.c[n]).label(n) for n in (*STORED, *WANTED)]
    q = (
        select(*(both.c[k] for k in KEY), *sums, func.max(both.c.counter).label("counter"))
        .group_by(*(both.c[k] for k in KEY))
        .having(or_(*(func.sum(both.c[a]) != func.sum(both.c[b]) for a, b in zip(STORED, WANTED, strict=True))))
        .order_by(*(both.c[k] for k in KEY))
    )
    problems = []
    for r in s.execute(q):
        key, counter = f"{r.psn_no}/{r.year}/{r.bucket}", {"psn": mask(r.psn_no), "year": r.year, "bucket": r.bucket}
        if not r.counter:
            message = N_("usage of {psn} {year} {bucket}: claims were posted but there is no counter")
            problems.append(problem("usage_missing", "benefit_usage", key, message, **counter))
            continue
        message = N_(
            "usage of {psn} {year} {bucket}: fund paid {fund}, deductible met {deductible}, self-pay "
            "{selfpay}; its claims give {want_fund}, {want_deductible}, {want_selfpay}"
        )
        figures = {n: format_fen(getattr(r, n)) for n in (*STORED, *WANTED)}
        problems.append(problem("usage_not_claims", "benefit_usage", key, message, **counter, **figures))
    over = select(u.psn_no, u.year, u.bucket, u.fund_paid, u.cap).where(people(u.psn_no), u.fund_paid > u.cap)
    for r in s.execute(over.order_by(u.psn_no, u.year, u.bucket)):
        key, counter = f"{r.psn_no}/{r.year}/{r.bucket}", {"psn": mask(r.psn_no), "year": r.year, "bucket": r.bucket}
        message = N_("usage of {psn} {year} {bucket}: fund paid {fund} exceeds the cap {cap}")
        fund, cap = format_fen(r.fund_paid), format_fen(r.cap)
        problems.append(problem("usage_over_cap", "benefit_usage", key, message, fund=fund, cap=cap, **counter))
    return problems


def _expected(people, after: int) -> list:
    """What the claims not reversed of the persons `people` admits put in each counter:
    the basic fund's bucket (fund paid, deductible met), the second layer's (its funds,
    the self-pay it counts) and the combined one (fund paid by both), as rows of the
    stored counters' shape with the figures in the `want_` columns."""
    c = ClaimRecord
    live = (
        select(c)
        .outerjoin(ClaimReversal, ClaimReversal.claim_id == c.id)
        .where(ClaimReversal.id.is_(None), people(c.psn_no), c.year > after)
        .subquery()
    )
    kinds = (
        (live.c.bucket, live.c.hifp_pay, live.c.act_pay_dedc, literal(0)),
        (live.c.layer_bucket, live.c.hifmi_pay + live.c.hifob_pay, literal(0), live.c.layer_selfpay),
        (live.c.combined_bucket, live.c.hifp_pay + live.c.hifob_pay, literal(0), literal(0)),
    )
    return [
        select(
            live.c.psn_no, live.c.year, bucket.label("bucket"), *(literal(0) for _ in STORED),
            sum_fen(fund), sum_fen(deductible), sum_fen(selfpay), literal(0),
        )
        .where(bucket.is_not(None))
        .group_by(live.c.psn_no, live.c.year, bucket)
        for bucket, fund, deductible, selfpay in kinds
    ]  # fmt: skip


def counter_people(scope: Scope):
    """The condition on a psn_no column: a person this run checks the counters of."""
    if scope.whole:
        return lambda column: true()
    touched = select(ClaimRecord.psn_no).where(ClaimRecord.id.in_(scope.claims_touched())).correlate(None)
    return lambda column: column.in_(touched)
