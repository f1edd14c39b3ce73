"""The one journal writer. Every posting the ledger makes, one or ten thousand at a time,
goes through `post_many`: it checks each draft balances and has legs, inserts postings and
entries in bulk, and moves the account balances the legs touch with one statement, in the
global lock order (accounts by id, then wallets by owner). Never commits: the service owns
the transaction.

Each posting is chained to the one before it (db/chain.py): the writer holds the chain's
head from its first posting until the transaction ends, the last step of the global lock
order (after the balances are moved), and reserves the postings' ids under it.

The database holds the same rule: on PostgreSQL a deferred constraint trigger refuses, at
commit, a posting whose entries are missing or do not sum to zero; on SQLite the writer asks
the database the same question after its inserts (`_unbalanced`).
"""

from collections.abc import Sequence
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from ..db import chain
from ..db.models import Account, Entry, Posting, Wallet, utcnow
from ..db.sql import bulk_insert, one_of, reserve_ids

WALLET = "wallet"  # the book of the persons' wallets, keyed by psn_no (docs/wallet.md)


class Leg(NamedTuple):
    """One side of a posting: a book, a signed amount in fen (what the book receives is
    positive), and whose money it is. (Immutable values built several times per claim of a
    batch: a named tuple costs one allocation.)"""

    book: str
    amount: int
    psn_no: str | None = None
    account_id: int | None = None


class Draft(NamedTuple):
    """A posting about to be written."""

    kind: str
    on: date
    memo: str
    legs: Sequence[Leg]
    ref: str | None = None


class UnbalancedPosting(AssertionError):
    """A posting whose legs do not sum to zero, or that has none: a bug, never user input."""


def check_draft(d: Draft) -> None:
    if not d.legs:
        raise UnbalancedPosting(f"posting {d.kind} {d.ref or ''} has no legs")
    total = 0
    for leg in d.legs:
        if not leg.amount:
            raise UnbalancedPosting(f"posting {d.kind} {d.ref or ''} has a zero leg: {list(d.legs)}")
        total += leg.amount
    if total:
        raise UnbalancedPosting(f"posting {d.kind} {d.ref or ''} does not balance: {list(d.legs)}")


POSTING_COLUMNS = ("id", "kind", "effective_date", "memo", "ref", "operator", "created_at", "hash")
ENTRY_COLUMNS = ("posting_id", "effective_date", "book", "amount", "psn_no", "account_id")


def post_many(session: Session, drafts: Sequence[Draft], operator: str, now: datetime | None = None) -> list[int]:
    """Write the drafts as postings in the caller's transaction; their ids, in order."""
    for d in drafts:
        check_draft(d)
    if not drafts:
        return []
    now = now or utcnow()
    session.flush()  # rows the caller added (an account opened in this transaction) exist before entries refer to them
    # The balances first: they need no posting id, and the chain's head, held until commit
    # by every writer, is the last lock taken, so it covers as few statements as can be.
    deltas: dict[int, int] = {}
    wallets: dict[str, int] = {}
    for d in drafts:
        for leg in d.legs:
            if leg.account_id is not None:
                deltas[leg.account_id] = deltas.get(leg.account_id, 0) + leg.amount
            elif leg.book == WALLET:
                wallets[leg.psn_no] = wallets.get(leg.psn_no, 0) + leg.amount
    move_balances(session, deltas)
    move_wallets(session, wallets)
    # The chain's head, then the ids: reserved under its lock, the ids follow the chain.
    _, head = chain.lock_head(session, chain.JOURNAL)
    ids = reserve_ids(session, Posting.__table__, len(drafts))
    postings, at = [], chain.instant(now)
    for i, d in zip(ids, drafts, strict=True):
        legs = [(leg.book, leg.amount, leg.psn_no, leg.account_id) for leg in d.legs]
        head = chain.link(head, chain.posting_content(i, d.kind, d.on, d.memo, d.ref, operator, at, legs))
        postings.append((i, d.kind, d.on, d.memo, d.ref, operator, now, head))
    bulk_insert(session, Posting.__table__, POSTING_COLUMNS, postings)
    entries = [
        (i, d.on, leg.book, leg.amount, leg.psn_no, leg.account_id)
        for i, d in zip(ids, drafts, strict=True)
        for leg in d.legs
    ]
    bulk_insert(session, Entry.__table__, ENTRY_COLUMNS, entries)
    chain.move_head(session, chain.JOURNAL, ids[-1], head)
    if session.get_bind().dialect.name != "postgresql":  # PostgreSQL's trigger checks at commit
        bad = _unbalanced(session, ids)
        if bad:
            raise UnbalancedPosting(
                f"journal posting(s) {bad} do not balance in the database (no entries, or entries not summing to zero)"
            )
    return ids


def move_balances(session: Session, deltas: dict[int, int]) -> None:
    """The one statement that changes account balances: `balance = balance + delta`, on the
    newest row, in account id order (the global lock order; the CHECK keeps it >= 0)."""
    moved = [{"a_id": a, "a_delta": d} for a, d in sorted(deltas.items()) if d]
    if moved:
        t = Account.__table__
        session.execute(
            update(t).where(t.c.id == bindparam("a_id")).values(balance=t.c.balance + bindparam("a_delta")), moved
        )


def move_wallets(session: Session, deltas: dict[str, int]) -> None:
    """The one statement that changes wallet balances, as `move_balances` for the accounts:
    after them in the lock order, in owner order. A wallet is opened before money moves
    into it (services/wallets.py) and never deleted, so a leg for a person without one is
    a bug: it stops the write rather than dropping the amount."""
    moved = [{"w_psn": p, "w_delta": d} for p, d in sorted(deltas.items()) if d]
    if not moved:
        return
    t = Wallet.__table__
    owners = [m["w_psn"] for m in moved]
    if session.scalar(select(func.count()).select_from(t).where(one_of(session, t.c.psn_no, owners))) != len(moved):
        raise UnbalancedPosting(f"wallet legs for persons without a wallet among {owners[:10]}")
    session.execute(
        update(t).where(t.c.psn_no == bindparam("w_psn")).values(balance=t.c.balance + bindparam("w_delta")), moved
    )


def _unbalanced(session: Session, ids: list[int]) -> list[int]:
    """Of these postings, those with no entries or entries that do not sum to zero."""
    e = Entry.__table__
    p = Posting.__table__
    rows = session.execute(
        select(p.c.id)
        .select_from(p.outerjoin(e, e.c.posting_id == p.c.id))
        .where(p.c.id.between(min(ids), max(ids)))  # on SQLite the reserved ids are one run
        .group_by(p.c.id)
        .having((func.count(e.c.id) == 0) | (func.coalesce(func.sum(e.c.amount), 0) != 0))
    )
    return [r.id for r in rows]
