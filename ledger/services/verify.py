"""`ledger verify`: the books must agree with themselves. Set-based queries, so it scales."""

from sqlalchemy import func, select

from ..db.models import Account, ContributionPayment, Enrollment, Entry, Posting
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
        counts = {
            "accounts": s.scalar(select(func.count()).select_from(Account)),
            "postings": s.scalar(select(func.count()).select_from(Posting)),
            "entries": s.scalar(select(func.count()).select_from(Entry)),
        }
    return {"ok": not problems, "problems": problems, "checked": counts}
