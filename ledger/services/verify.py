"""`ledger verify`: the books must agree with themselves. Set-based queries, so it scales."""

from sqlalchemy import func, select

from ..db.models import (
    Account,
    BenefitUsage,
    ClaimRecord,
    ClaimReversal,
    ContributionPayment,
    Enrollment,
    Entry,
    Posting,
)
from ..db.sql import sum_fen
from ..idcard import mask
from ..money import format_fen
from ..uow import UnitOfWork


def verify(uow: UnitOfWork) -> dict:
    problems: list[str] = []
    with uow.read_only():
        s = uow.session
        journal = (
            select(Entry.account_id, sum_fen(Entry.amount).label("total"))
            .where(Entry.account_id.is_not(None))
            .group_by(Entry.account_id)
            .subquery()
        )
        rows = s.execute(
            select(Account.psn_no, Account.balance, func.coalesce(journal.c.total, 0))
            .outerjoin(journal, journal.c.account_id == Account.id)
            .where(Account.balance != func.coalesce(journal.c.total, 0))
        )
        for psn_no, balance, total in rows:
            problems.append(f"account of {mask(psn_no)}: balance {format_fen(balance)} but its journal entries sum to {format_fen(total)}")
        for posting_id, total in s.execute(
            select(Entry.posting_id, sum_fen(Entry.amount)).group_by(Entry.posting_id).having(func.sum(Entry.amount) != 0)
        ):
            problems.append(f"posting {posting_id}: entries sum to {format_fen(total)}, not 0")
        for (posting_id,) in s.execute(select(Posting.id).outerjoin(Entry, Entry.posting_id == Posting.id).where(Entry.id.is_(None))):
            problems.append(f"posting {posting_id}: has no entries")
        missing_enrollment = (
            select(ContributionPayment.member_psn_no, ContributionPayment.year)
            .outerjoin(Enrollment, (Enrollment.psn_no == ContributionPayment.member_psn_no) & (Enrollment.year == ContributionPayment.year))
            .where(Enrollment.id.is_(None))
        )
        for psn_no, year in s.execute(missing_enrollment):
            problems.append(f"contribution of {mask(psn_no)} for {year}: paid but the member is not enrolled for {year}")
        collected = (
            select(ContributionPayment.id, ContributionPayment.amount, sum_fen(Entry.amount))
            .outerjoin(Entry, (Entry.posting_id == ContributionPayment.posting_id) & (Entry.book == "contribution_collection"))
            .group_by(ContributionPayment.id, ContributionPayment.amount)
            .having(ContributionPayment.amount != func.coalesce(func.sum(Entry.amount), 0))
        )
        for payment_id, amount, total in s.execute(collected):
            problems.append(f"contribution payment {payment_id}: {format_fen(amount)} recorded but its posting collects {format_fen(total)}")
        problems += _usage_problems(s)
        counts = {
            "accounts": s.scalar(select(func.count()).select_from(Account)),
            "postings": s.scalar(select(func.count()).select_from(Posting)),
            "entries": s.scalar(select(func.count()).select_from(Entry)),
        }
    return {"ok": not problems, "problems": problems, "checked": counts}


def _usage_problems(s) -> list[str]:
    """Each usage counter equals what its claims (not reversed) put in it, and keeps
    within its cap (the CHECK guarantees the cap; this also catches a counter that drifted
    from its claims)."""
    live = select(ClaimRecord).outerjoin(ClaimReversal, ClaimReversal.claim_id == ClaimRecord.id).where(ClaimReversal.id.is_(None)).subquery()
    expected: dict[tuple, list[int]] = {}
    basic = select(live.c.psn_no, live.c.year, live.c.bucket, sum_fen(live.c.hifp_pay), sum_fen(live.c.act_pay_dedc), func.count()).where(live.c.bucket.is_not(None))
    for psn, year, bucket, fund, dedc, _ in s.execute(basic.group_by(live.c.psn_no, live.c.year, live.c.bucket)):
        expected[(psn, year, bucket)] = [fund, dedc, 0]
    layer = select(live.c.psn_no, live.c.year, live.c.layer_bucket, sum_fen(live.c.hifmi_pay + live.c.hifob_pay), sum_fen(live.c.layer_selfpay), func.count()).where(live.c.layer_bucket.is_not(None))
    for psn, year, bucket, fund, selfpay, _ in s.execute(layer.group_by(live.c.psn_no, live.c.year, live.c.layer_bucket)):
        expected[(psn, year, bucket)] = [fund, 0, selfpay]
    problems = []
    for u in s.execute(select(BenefitUsage.psn_no, BenefitUsage.year, BenefitUsage.bucket, BenefitUsage.cap, BenefitUsage.fund_paid, BenefitUsage.deductible_met, BenefitUsage.selfpay)):
        want = expected.pop((u.psn_no, u.year, u.bucket), [0, 0, 0])
        if [u.fund_paid, u.deductible_met, u.selfpay] != want:
            problems.append(f"usage of {mask(u.psn_no)} {u.year} {u.bucket}: fund paid {format_fen(u.fund_paid)}, deductible met {format_fen(u.deductible_met)}, "
                            f"self-pay {format_fen(u.selfpay)}; its claims give {format_fen(want[0])}, {format_fen(want[1])}, {format_fen(want[2])}")
        if u.fund_paid > u.cap:
            problems.append(f"usage of {mask(u.psn_no)} {u.year} {u.bucket}: fund paid {format_fen(u.fund_paid)} exceeds the cap {format_fen(u.cap)}")
    for (psn, year, bucket), _ in sorted(expected.items()):
        problems.append(f"usage of {mask(psn)} {year} {bucket}: claims were posted but there is no counter")
    return problems
