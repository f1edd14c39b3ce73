"""`ledger verify`, the usage counters: each equals what its claims put in it."""

from sqlalchemy import func, select, true

from ..db.models import BenefitUsage, ClaimRecord, ClaimReversal
from ..db.sql import sum_fen
from ..rules.idcard import mask
from ..rules.money import format_fen
from .verify_scope import EVERYTHING, Scope


def usage_problems(s, scope: Scope = EVERYTHING) -> list[str]:
    """Each usage counter equals what its claims (not reversed) put in it, and keeps
    within its cap (the CHECK guarantees the cap; this also catches a counter that drifted
    from its claims). Since a mark: the counters of the persons whose claims were posted
    or reversed after it, each against all its claims."""
    people = _people(scope)
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
    for psn, year, bucket, fund, dedc, _ in s.execute(basic.group_by(live.c.psn_no, live.c.year, live.c.bucket)):
        expected[(psn, year, bucket)] = [fund, dedc, 0]
    layer = select(
        live.c.psn_no,
        live.c.year,
        live.c.layer_bucket,
        sum_fen(live.c.hifmi_pay + live.c.hifob_pay),
        sum_fen(live.c.layer_selfpay),
        func.count(),
    ).where(live.c.layer_bucket.is_not(None))
    for psn, year, bucket, fund, selfpay, _ in s.execute(
        layer.group_by(live.c.psn_no, live.c.year, live.c.layer_bucket)
    ):
        expected[(psn, year, bucket)] = [fund, 0, selfpay]
    combined = select(
        live.c.psn_no, live.c.year, live.c.combined_bucket, sum_fen(live.c.hifp_pay + live.c.hifob_pay)
    ).where(live.c.combined_bucket.is_not(None))
    for psn, year, bucket, fund in s.execute(combined.group_by(live.c.psn_no, live.c.year, live.c.combined_bucket)):
        expected[(psn, year, bucket)] = [fund, 0, 0]
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
        ).where(people(BenefitUsage.psn_no))
    ):
        want = expected.pop((u.psn_no, u.year, u.bucket), [0, 0, 0])
        if [u.fund_paid, u.deductible_met, u.selfpay] != want:
            problems.append(
                f"usage of {mask(u.psn_no)} {u.year} {u.bucket}: fund paid {format_fen(u.fund_paid)}, deductible met {format_fen(u.deductible_met)}, "
                f"self-pay {format_fen(u.selfpay)}; its claims give {format_fen(want[0])}, {format_fen(want[1])}, {format_fen(want[2])}"
            )
        if u.fund_paid > u.cap:
            problems.append(
                f"usage of {mask(u.psn_no)} {u.year} {u.bucket}: fund paid {format_fen(u.fund_paid)} exceeds the cap {format_fen(u.cap)}"
            )
    for (psn, year, bucket), _ in sorted(expected.items()):
        problems.append(f"usage of {mask(psn)} {year} {bucket}: claims were posted but there is no counter")
    return problems


def _people(scope: Scope):
    """The condition on a psn_no column: a person this run checks the counters of."""
    if scope.whole:
        return lambda column: true()
    touched = select(ClaimRecord.psn_no).where(ClaimRecord.id.in_(scope.claims_touched())).correlate(None)
    return lambda column: column.in_(touched)
