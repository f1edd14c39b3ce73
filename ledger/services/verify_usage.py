"""`ledger verify`, the usage counters: each equals what its claims put in it."""

from sqlalchemy import func, select, true

from ..db.models import BenefitUsage, ClaimRecord, ClaimReversal
from ..db.sql import sum_fen
from ..i18n import N_
from ..rules.idcard import mask
from ..rules.money import format_fen
from . import archive
from .verify_problem import Problem, problem
from .verify_scope import EVERYTHING, Scope

# Counters read at a time. Every counter of a province is millions of rows, and working
# through them takes longer than a transaction may sit idle (LEDGER_IDLE_TIMEOUT, 60 s): read
# whole, the server saw a client idle for over a minute and ended verify's transaction.
# Read in batches, verify asks again every moment.
BATCH = 50_000


def usage_problems(s, scope: Scope = EVERYTHING) -> list[Problem]:
    """Each usage counter equals what its claims (not reversed) put in it, and keeps
    within its cap (the CHECK guarantees the cap; this also catches a counter that drifted
    from its claims). Since a mark: the counters of the persons whose claims were posted
    or reversed after it, each against all its claims. An archived year's counters stay as
    the archive left them: its claims are gone."""
    people = _people(scope)
    expected = _expected(s, people)
    problems = []
    for u in s.execute(
        select(
            BenefitUsage.psn_no,
            BenefitUsage.year,
            BenefitUsage.bucket,
            BenefitUsage.cap,
            BenefitUsage.fund_paid,
            BenefitUsage.deductible_met,
            BenefitUsage.selfpay,
        )
        .where(people(BenefitUsage.psn_no), BenefitUsage.year > (archive.through(s) or 0))
        .execution_options(yield_per=BATCH)
    ):
        want = expected.pop((u.psn_no, u.year, u.bucket), [0, 0, 0])
        key, counter = f"{u.psn_no}/{u.year}/{u.bucket}", {"psn": mask(u.psn_no), "year": u.year, "bucket": u.bucket}
        fund = format_fen(u.fund_paid)
        if [u.fund_paid, u.deductible_met, u.selfpay] != want:
            message = N_(
                "usage of {psn} {year} {bucket}: fund paid {fund}, deductible met {deductible}, self-pay "
                "{selfpay}; its claims give {want_fund}, {want_deductible}, {want_selfpay}"
            )
            found = {"deductible": format_fen(u.deductible_met), "selfpay": format_fen(u.selfpay)}
            given = dict(zip(("want_fund", "want_deductible", "want_selfpay"), map(format_fen, want), strict=True))
            problems.append(
                problem("usage_not_claims", "benefit_usage", key, message, fund=fund, **counter, **found, **given)
            )
        if u.fund_paid > u.cap:
            message = N_("usage of {psn} {year} {bucket}: fund paid {fund} exceeds the cap {cap}")
            problems.append(
                problem("usage_over_cap", "benefit_usage", key, message, fund=fund, cap=format_fen(u.cap), **counter)
            )
    for psn, year, bucket in sorted(expected):
        problems.append(
            problem(
                "usage_missing",
                "benefit_usage",
                f"{psn}/{year}/{bucket}",
                "usage of {psn} {year} {bucket}: claims were posted but there is no counter",
                psn=mask(psn),
                year=year,
                bucket=bucket,
            )
        )
    return problems


def _expected(s, people) -> dict[tuple, list[int]]:
    """(psn_no, year, bucket) -> [fund paid, deductible met, self-pay] from the claims not
    reversed of the persons `people` admits."""
    live = (
        select(ClaimRecord)
        .outerjoin(ClaimReversal, ClaimReversal.claim_id == ClaimRecord.id)
        .where(ClaimReversal.id.is_(None), people(ClaimRecord.psn_no))
        .subquery()
    )
    expected: dict[tuple, list[int]] = {}
    basic = select(
        live.c.psn_no, live.c.year, live.c.bucket, sum_fen(live.c.hifp_pay), sum_fen(live.c.act_pay_dedc), func.count()
    ).where(live.c.bucket.is_not(None))
    for psn, year, bucket, fund, dedc, _count in s.execute(
        basic.group_by(live.c.psn_no, live.c.year, live.c.bucket).execution_options(yield_per=BATCH)
    ):
        expected[(psn, year, bucket)] = [fund, dedc, 0]
    layer = select(
        live.c.psn_no,
        live.c.year,
        live.c.layer_bucket,
        sum_fen(live.c.hifmi_pay + live.c.hifob_pay),
        sum_fen(live.c.layer_selfpay),
        func.count(),
    ).where(live.c.layer_bucket.is_not(None))
    for psn, year, bucket, fund, selfpay, _count in s.execute(
        layer.group_by(live.c.psn_no, live.c.year, live.c.layer_bucket).execution_options(yield_per=BATCH)
    ):
        expected[(psn, year, bucket)] = [fund, 0, selfpay]
    combined = select(
        live.c.psn_no, live.c.year, live.c.combined_bucket, sum_fen(live.c.hifp_pay + live.c.hifob_pay)
    ).where(live.c.combined_bucket.is_not(None))
    for psn, year, bucket, fund in s.execute(
        combined.group_by(live.c.psn_no, live.c.year, live.c.combined_bucket).execution_options(yield_per=BATCH)
    ):
        expected[(psn, year, bucket)] = [fund, 0, 0]
    return expected


def _people(scope: Scope):
    """The condition on a psn_no column: a person this run checks the counters of."""
    if scope.whole:
        return lambda column: true()
    touched = select(ClaimRecord.psn_no).where(ClaimRecord.id.in_(scope.claims_touched())).correlate(None)
    return lambda column: column.in_(touched)
