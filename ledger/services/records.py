"""Shared writes: journal postings and audit records. Never commits (the service does)."""

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..db.models import Account, AuditRecord, Entry, Person, Posting
from ..errors import NotFound, ValidationError
from ..idcard import mask, parse_id_number
from ..persons import INSUTYPES


@dataclass(frozen=True)
class Leg:
    """One side of a posting: a book, a signed amount in fen, whose money it is."""

    book: str
    amount: int
    psn_no: str | None = None
    account_id: int | None = None


def post(
    session: Session, *, kind: str, on: date, memo: str, operator: str, legs: list[Leg], ref: str | None = None
) -> Posting:
    """Write a balanced posting and move the account balances it touches, in the caller's
    transaction. The balance update is a single `balance = balance + x` statement, so
    concurrent postings to one account serialize on its row and the CHECK keeps it ≥ 0."""
    if sum(leg.amount for leg in legs) != 0:
        raise AssertionError(f"unbalanced posting {kind}: {legs}")
    if any(leg.amount == 0 for leg in legs):
        raise AssertionError(f"zero leg in posting {kind}: {legs}")
    posting = Posting(kind=kind, effective_date=on, memo=memo, ref=ref, operator=operator)
    session.add(posting)
    session.flush()
    for leg in legs:
        session.add(
            Entry(posting_id=posting.id, book=leg.book, amount=leg.amount, psn_no=leg.psn_no, account_id=leg.account_id)
        )
        if leg.account_id is not None:
            session.execute(
                update(Account).where(Account.id == leg.account_id).values(balance=Account.balance + leg.amount)
            )
    session.flush()
    return posting


def audit(
    session: Session, *, operator: str, action: str, subject: str | None, reason: str | None = None, **details
) -> None:
    session.add(
        AuditRecord(
            operator=operator,
            action=action,
            subject=subject,
            reason=reason,
            details=json.dumps(details, ensure_ascii=False, sort_keys=True, default=str),
        )
    )


def get_person(session: Session, psn_no: str, field: str = "psn_no") -> Person:
    """The registered person; a malformed number is reported as such, not as 'unknown'."""
    idn = parse_id_number(psn_no, field)
    person = session.scalars(select(Person).where(Person.psn_no == idn.value)).one_or_none()
    if person is None:
        raise NotFound(f"{field}: no person {mask(idn.value)} is registered")
    return person


def account_of(session: Session, person: Person, field: str = "psn_no", *, lock: bool = False) -> Account:
    """The person's personal account. With `lock`, the row is locked for the rest of the
    transaction and re-read, so a debit checks the balance the last writer left."""
    stmt = select(Account).where(Account.psn_no == person.psn_no)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    acct = session.scalars(stmt).one_or_none()
    if acct is None:
        kind = INSUTYPES.get(person.insutype, person.insutype)
        raise NotFound(
            f"{field}: {mask(person.psn_no)} has no personal account ({kind}s under insutype {person.insutype} have none)"
        )
    return acct


def effective_date(on: date | None) -> date:
    """The date a write takes effect: today unless given, and never in the future (a
    posting dated ahead would sit in statements before it has happened)."""
    today = date.today()
    if on is None:
        return today
    if on > today:
        raise ValidationError("date", f"{on} is in the future")
    return on
