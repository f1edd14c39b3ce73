"""Personal accounts (个人账户): crediting, balance, statement."""

from datetime import date

from sqlalchemy import select

from ..db.models import Account, Entry, Posting
from ..db.retry import retried
from ..db.sql import sum_fen
from ..errors import ValidationError
from ..rules.money import Yuan
from ..rules.text import REASON_LENGTH, check_text
from ..uow import UnitOfWork
from .family import active_bindings
from .records import Leg, account_of, audit, effective_date, get_person, post


@retried
def credit(uow: UnitOfWork, operator: str, psn_no: str, amount: int, reason: str, on: date | None = None) -> dict:
    """A manual credit (opening balance, correction in the account's favour). `amount` is fen."""
    if amount <= 0:
        raise ValidationError("amount", "must be greater than zero")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("reason", "is required for a manual credit")
    reason = check_text(reason, "reason", max_length=REASON_LENGTH)
    on = effective_date(on)
    with uow:
        person = get_person(uow.session, psn_no)
        acct = account_of(uow.session, person)
        posting = post(
            uow.session,
            kind="account.credit",
            on=on,
            memo=reason,
            operator=operator,
            legs=[
                Leg("personal_account", amount, person.psn_no, acct.id),
                Leg("account_funding", -amount, person.psn_no),
            ],
        )
        audit(
            uow.session,
            operator=operator,
            action="account.credit",
            subject=person.psn_no,
            reason=reason,
            amount=amount,
            posting=posting.id,
        )
        balance = uow.session.scalar(select(Account.balance).where(Account.id == acct.id))
        uow.commit()
        return {
            "psn_no": person.psn_no,
            "amount": Yuan(amount),
            "balance": Yuan(balance),
            "posting_id": posting.id,
            "date": on,
        }


def show_account(uow: UnitOfWork, psn_no: str) -> dict:
    with uow.read_only():
        person = get_person(uow.session, psn_no)
        acct = account_of(uow.session, person)
        return {
            "psn_no": person.psn_no,
            "name": person.name,
            "balance": Yuan(acct.balance),
            "bindings": active_bindings(uow.session, person.psn_no),
        }


def statement(uow: UnitOfWork, psn_no: str, date_from: date | None = None, date_to: date | None = None) -> dict:
    """Movements with a running balance. The opening balance is the sum of everything
    before `date_from`, so a statement of any window ties to the account's balance."""
    if date_from and date_to and date_from > date_to:
        raise ValidationError("--from", f"{date_from} is after --to {date_to}")
    with uow.read_only():
        s = uow.session
        person = get_person(s, psn_no)
        acct = account_of(s, person)
        base = (
            select(Entry.amount, Posting.id, Posting.effective_date, Posting.kind, Posting.memo, Posting.ref)
            .join(Posting)
            .where(Entry.account_id == acct.id)
        )
        opening = 0
        if date_from:
            opening = s.scalar(
                select(sum_fen(Entry.amount))
                .join(Posting)
                .where(Entry.account_id == acct.id, Posting.effective_date < date_from)
            )
            base = base.where(Posting.effective_date >= date_from)
        if date_to:
            base = base.where(Posting.effective_date <= date_to)
        lines, running = [], opening
        for amount, posting_id, on, kind, memo, ref in s.execute(
            base.order_by(Posting.effective_date, Posting.id, Entry.id)
        ):
            running += amount
            lines.append(
                {
                    "date": on,
                    "posting_id": posting_id,
                    "kind": kind,
                    "memo": memo,
                    "ref": ref,
                    "amount": Yuan(amount),
                    "balance": Yuan(running),
                }
            )
        return {
            "psn_no": person.psn_no,
            "name": person.name,
            "from": date_from,
            "to": date_to,
            "opening_balance": Yuan(opening),
            "closing_balance": Yuan(running),
            "lines": lines,
        }
