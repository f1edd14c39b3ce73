"""Tamper evidence: the journal and the audit log are each a hash chain.

Every posting carries `hash = sha256(previous posting's hash, its own content)`, its content
being its id, kind, date, memo, reference, operator, time and every entry (book, amount,
whose, which account); every audit record likewise over its id, time, operator, action,
subject, reason and details. The head of each chain (the last id and its hash) is kept in
`chain_heads`, read FOR UPDATE by the one writer of each chain, so the chain order is the id
order: ids are reserved only under that lock.

A row changed, inserted or removed anywhere breaks the chain from there on, and `ledger
verify` names the first row where it breaks. An owner who rewrites a row and then every
hash after it leaves a whole chain, but a different head: `ledger verify --head` prints the
head for an auditor to note, and `--expect-head` later shows that nothing before it changed.
"""

import hashlib
from collections.abc import Iterable
from datetime import UTC, date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..errors import LedgerError
from ..i18n import _
from .models import ChainHead

GENESIS = "0" * 64
JOURNAL, AUDIT = "journal", "audit"


def link(previous: str, content: str) -> str:
    """The hash that chains `content` (as `posting_content` or `audit_content` write it) to
    the hash before it."""
    return hashlib.sha256(f"{previous}\n{content}".encode()).hexdigest()


def _s(text: str | None) -> str:
    """A string as the chain writes it: its length, a colon, the string (a netstring), so no
    text can be read as two fields or pass for another; None as the empty string."""
    text = text or ""
    return f"{len(text)}:{text}"


def instant(t: datetime) -> str:
    """A time as the chain holds it: UTC to the microsecond. SQLite gives back the UTC value
    it was given without its zone; PostgreSQL an aware one."""
    if t.tzinfo is not None:
        t = t.astimezone(UTC).replace(tzinfo=None)
    return t.isoformat(timespec="microseconds")


def posting_content(
    posting_id: int,
    kind: str,
    on: date,
    memo: str,
    ref: str | None,
    operator: str,
    created_at: str,
    entries: Iterable[tuple[str, int, str | None, int | None]],
) -> str:
    """A posting as the chain hashes it (`created_at` as `instant` writes it): its fields,
    then its entries (book, amount, psn_no, account id) sorted, so the order they were read
    back in does not matter. Numbers in decimal, strings as netstrings (`_s`)."""
    # _s written out: a posting has a few entries and a claim feed many postings.
    legs = sorted(
        [
            f"{len(book)}:{book},{amount},{len(psn or '')}:{psn or ''},{account or 0}"
            for book, amount, psn, account in entries
        ]
    )
    return f"{posting_id}|{_s(kind)}|{on.isoformat()}|{_s(memo)}|{_s(ref)}|{_s(operator)}|{created_at}|{';'.join(legs)}"


def audit_content(
    record_id: int, at: str, operator: str, action: str, subject: str | None, reason: str | None, details: str
) -> str:
    return f"{record_id}|{at}|{_s(operator)}|{_s(action)}|{_s(subject)}|{_s(reason)}|{_s(details)}"


def lock_head(s: Session, chain: str) -> tuple[int | None, str]:
    """The chain's last id and hash, locked until the transaction ends: one writer at a time
    extends a chain (SQLite's writer already holds the database's only write lock)."""
    q = select(ChainHead.last_id, ChainHead.hash).where(ChainHead.name == chain)
    if s.get_bind().dialect.name == "postgresql":
        q = q.with_for_update()
    row = s.execute(q).one_or_none()
    if row is None:
        raise LedgerError(
            _(
                "the {chain} has no chain head: the database was changed behind the ledger's back; run `ledger verify`"
            ).format(chain=chain)
        )
    return row.last_id, row.hash


def move_head(s: Session, chain: str, last_id: int, hash_: str) -> None:
    s.execute(update(ChainHead).where(ChainHead.name == chain).values(last_id=last_id, hash=hash_))


def heads(s: Session) -> dict[str, tuple[int | None, str]]:
    return {r.name: (r.last_id, r.hash) for r in s.execute(select(ChainHead.name, ChainHead.last_id, ChainHead.hash))}
