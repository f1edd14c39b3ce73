"""Reversing a posted claim (`ledger claim reverse`): compensating entries for every
amount it moved, and its own year's counters given back. Later claims are not
re-adjudicated (docs/rules.md §5). A claim is reversed at most once."""

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..db import rollups
from ..db.models import Account, BenefitUsage, ClaimRecord, ClaimReversal, Entry, Person
from ..db.retry import retried
from ..errors import Conflict, ValidationError
from ..i18n import _
from ..rules.text import REASON_LENGTH, check_text
from ..uow import UnitOfWork
from .claim_views import claim_record, show
from .journal import Leg
from .records import audit, effective_date, flush_or, post


@retried
def reverse_claim(uow: UnitOfWork, operator: str, setl_id: str, reason: str, on: date | None = None) -> dict:
    """Post the compensating entries of a claim and give back what it used of its own
    year's counters (docs/rules.md §5: later claims are not re-adjudicated)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("reason", _("is required: say why the claim is reversed"))
    reason = check_text(reason, "reason", max_length=REASON_LENGTH)
    on = effective_date(on)
    with uow:
        s = uow.session
        r = claim_record(s, setl_id)
        if on < r.service_date:
            raise ValidationError(
                "date",
                _(
                    "{on} is before the claim's own service date {service_date}: a claim is reversed on or after it"
                ).format(on=on, service_date=r.service_date),
            )
        held, entries = _lock(s, r)
        # Checked under the locks, so a second clerk reversing at the same moment sees the first.
        done = s.scalars(select(ClaimReversal).where(ClaimReversal.claim_id == r.id)).first()
        if done is not None:
            raise Conflict(
                _("setl_id: claim {setl_id} was already reversed on {reversed_on} by {operator}").format(
                    setl_id=r.setl_id, reversed_on=done.reversed_on, operator=done.operator
                )
            )
        _give_back(s, r, held)
        p = s.get(Person, r.psn_no)
        rollups.remove_claim(s, r, (p.region, p.insutype, p.psn_type or ""))
        # The journal's chain head last, as posting a claim takes it (claim_writes.write).
        posting = post(
            s,
            kind="claim_reversal",
            on=on,
            operator=operator,
            ref=r.setl_id,
            memo=f"reversal of claim {r.setl_id}: {reason}",
            legs=[Leg(e.book, -e.amount, e.psn_no, e.account_id) for e in entries],
        )
        s.add(
            ClaimReversal(
                claim_id=r.id, service_date=r.service_date, reason=reason, reversed_on=on, posting_id=posting.id,
                operator=operator,
            )
        )  # fmt: skip
        flush_or(s, Conflict(_("setl_id: claim {setl_id} was already reversed").format(setl_id=r.setl_id)))
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


def _lock(s: Session, r: ClaimRecord) -> tuple[dict, list[Entry]]:
    """Lock what the reversal moves, in the same order as posting (usage counters by key,
    then accounts by id): the claim's counters by bucket, and its posting's entries."""
    buckets = sorted(b for b in (r.bucket, r.layer_bucket, r.combined_bucket) if b)
    t = BenefitUsage.__table__
    held = {
        u.bucket: u.id
        for u in s.execute(
            select(t.c.id, t.c.bucket)
            .where(t.c.psn_no == r.psn_no, t.c.year == r.year, t.c.bucket.in_(buckets))
            .order_by(t.c.bucket)
            .with_for_update()
        )
    }
    entries = s.scalars(select(Entry).where(Entry.posting_id == r.posting_id).order_by(Entry.id)).all()
    account_ids = sorted({e.account_id for e in entries if e.account_id is not None})
    if account_ids:
        s.execute(select(Account.id).where(Account.id.in_(account_ids)).order_by(Account.id).with_for_update()).all()
    return held, entries


def _give_back(s: Session, r: ClaimRecord, held: dict[str, int]) -> None:
    """Each counter the claim moved, less what the claim added to it (the roles as in
    rules.adjudication.Counter: basic, second layer, the two combined)."""
    t = BenefitUsage.__table__
    moves = (
        (r.bucket, {"fund_paid": t.c.fund_paid - r.hifp_pay, "deductible_met": t.c.deductible_met - r.act_pay_dedc}),
        (
            r.layer_bucket,
            {"fund_paid": t.c.fund_paid - r.hifmi_pay - r.hifob_pay, "selfpay": t.c.selfpay - r.layer_selfpay},
        ),
        (r.combined_bucket, {"fund_paid": t.c.fund_paid - r.hifp_pay - r.hifob_pay}),
    )
    for bucket, values in moves:
        if bucket:
            s.execute(update(t).where(t.c.id == held[bucket]).values(**values))
