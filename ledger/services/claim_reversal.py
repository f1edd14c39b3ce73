"""Reversing a posted claim (`ledger claim reverse`): compensating entries for every
amount it moved, and its own year's counters given back. Later claims are not
re-adjudicated (docs/rules.md §5). A claim is reversed at most once."""

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..db.models import Account, BenefitUsage, ClaimReversal, Entry
from ..db.retry import retried
from ..errors import Conflict, ValidationError
from ..uow import UnitOfWork
from .claim_views import claim_record, show
from .journal import Leg
from .records import audit, effective_date, post


@retried
def reverse_claim(uow: UnitOfWork, operator: str, setl_id: str, reason: str, on: date | None = None) -> dict:
    """Post the compensating entries of a claim and give back what it used of its own
    year's counters (docs/rules.md §5: later claims are not re-adjudicated)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("reason", "is required: say why the claim is reversed")
    on = effective_date(on)
    with uow:
        s = uow.session
        r = claim_record(s, setl_id)
        # The same lock order as posting: usage counters by key, then accounts by id.
        buckets = sorted(b for b in (r.bucket, r.layer_bucket, r.combined_bucket) if b)
        t = BenefitUsage.__table__
        held = {
            u.bucket: u
            for u in s.execute(
                select(t)
                .where(t.c.psn_no == r.psn_no, t.c.year == r.year, t.c.bucket.in_(buckets))
                .order_by(t.c.bucket)
                .with_for_update()
            )
        }
        entries = s.scalars(select(Entry).where(Entry.posting_id == r.posting_id).order_by(Entry.id)).all()
        account_ids = sorted({e.account_id for e in entries if e.account_id is not None})
        if account_ids:
            s.execute(
                select(Account.id).where(Account.id.in_(account_ids)).order_by(Account.id).with_for_update()
            ).all()
        # Checked under the locks, so a second clerk reversing at the same moment sees the first.
        done = s.scalars(select(ClaimReversal).where(ClaimReversal.claim_id == r.id)).first()
        if done is not None:
            raise Conflict(f"setl_id: claim {r.setl_id} was already reversed on {done.reversed_on} by {done.operator}")
        posting = post(
            s,
            kind="claim_reversal",
            on=on,
            operator=operator,
            ref=r.setl_id,
            memo=f"reversal of claim {r.setl_id}: {reason}",
            legs=[Leg(e.book, -e.amount, e.psn_no, e.account_id) for e in entries],
        )
        if r.bucket:
            u = held[r.bucket]
            s.execute(
                update(t)
                .where(t.c.id == u.id)
                .values(fund_paid=t.c.fund_paid - r.hifp_pay, deductible_met=t.c.deductible_met - r.act_pay_dedc)
            )
        if r.layer_bucket:
            u = held[r.layer_bucket]
            s.execute(
                update(t)
                .where(t.c.id == u.id)
                .values(fund_paid=t.c.fund_paid - r.hifmi_pay - r.hifob_pay, selfpay=t.c.selfpay - r.layer_selfpay)
            )
        if r.combined_bucket:
            u = held[r.combined_bucket]
            s.execute(update(t).where(t.c.id == u.id).values(fund_paid=t.c.fund_paid - r.hifp_pay - r.hifob_pay))
        s.add(ClaimReversal(claim_id=r.id, reason=reason, reversed_on=on, posting_id=posting.id, operator=operator))
        try:
            s.flush()
        except IntegrityError:
            raise Conflict(f"setl_id: claim {r.setl_id} was already reversed") from None
        audit(
            s,
            operator=operator,
            action="claim.reverse",
            subject=r.psn_no,
            reason=reason,
            setl_id=r.setl_id,
            posting=posting.id,
        )
        view = show(s, r)
        uow.commit()
        return view
