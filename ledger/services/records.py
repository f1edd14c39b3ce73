"""Shared writes: journal postings and audit records. Never commits (the service does)."""

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import clock
from ..db import chain
from ..db.models import Account, AuditRecord, Person, utcnow
from ..db.sql import reserve_ids
from ..errors import Conflict, NotFound, ValidationError
from ..i18n import _
from ..rules.codes import INSUTYPES
from ..rules.idcard import mask, parse_id_number
from .journal import Draft, Leg, post_many

__all__ = ["Leg", "Posted", "account_of", "audit", "effective_date", "flush_or", "get_person", "post"]


@dataclass(frozen=True)
class Posted:
    id: int


def post(
    session: Session, *, kind: str, on: date, memo: str, operator: str, legs: list[Leg], ref: str | None = None
) -> Posted:
    """Write one balanced posting and move the balances it touches, in the caller's
    transaction: the journal writer's batch of one."""
    [pid] = post_many(session, [Draft(kind, on, memo, legs, ref)], operator)
    return Posted(pid)


def audit(
    session: Session, *, operator: str, action: str, subject: str | None, reason: str | None = None, **details
) -> None:
    """Record an admin action, chained to the audit record before it (db/chain.py). Taken
    after the journal's head wherever a service posts too, so the two chains' locks keep one order."""
    session.flush()
    text = json.dumps(details, ensure_ascii=False, sort_keys=True, default=str)
    _last, head = chain.lock_head(session, chain.AUDIT)
    [record_id] = reserve_ids(session, AuditRecord.__table__, 1)
    at = utcnow()
    head = chain.link(head, chain.audit_content(record_id, chain.instant(at), operator, action, subject, reason, text))
    session.execute(
        insert(AuditRecord.__table__).values(
            id=record_id,
            at=at,
            operator=operator,
            action=action,
            subject=subject,
            reason=reason,
            details=text,
            hash=head,
        )
    )
    chain.move_head(session, chain.AUDIT, record_id, head)


def get_person(session: Session, psn_no: str, field: str = "psn_no") -> Person:
    """The registered person; a malformed number is reported as such, not as 'unknown'."""
    idn = parse_id_number(psn_no, field)
    person = session.scalars(select(Person).where(Person.psn_no == idn.value)).one_or_none()
    if person is None:
        raise NotFound(_("{field}: no person {value} is registered").format(field=field, value=mask(idn.value)))
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
            _("{field}: {psn_no} has no personal account ({kind}s under insutype {insutype} have none)").format(
                field=field, psn_no=mask(person.psn_no), kind=_(kind), insutype=person.insutype
            )
        )
    return acct


def effective_date(on: date | None) -> date:
    """The date a write takes effect: today unless given, and never in the future (a
    posting dated ahead would sit in statements before it has happened)."""
    today = clock.today()
    if on is None:
        return today
    if on > today:
        raise ValidationError("date", _("{on} is in the future").format(on=on))
    return on


def flush_or(session: Session, error: Conflict) -> None:
    """Flush; a unique violation here means another writer got there first (the checks
    before it passed in our snapshot), so report it as the conflict it is."""
    try:
        session.flush()
    except IntegrityError:
        raise error from None
