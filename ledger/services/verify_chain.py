"""`ledger verify`, the hash chains (db/chain.py): each posting's and each audit record's
hash recomputed from its content and the row before it, the first break named, the heads
compared with the last rows; and an auditor's noted head checked against the chain."""

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import chain
from ..db.models import AuditRecord, Entry, Posting
from .verify_scope import EVERYTHING, Scope

BATCH = 10_000  # rows read at a time: a chain of millions is walked, not loaded


def recompute(s: Session, name: str, start: tuple[int | None, str] = (None, chain.GENESIS)):
    """(id, stored hash, recomputed hash) of each row of the chain `name`, in chain order,
    after `start` (a row's id and hash; by default the chain's beginning)."""
    after, h = start
    if name == chain.JOURNAL:
        rows = s.execute(
            select(
                Posting.id,
                Posting.kind,
                Posting.effective_date,
                Posting.memo,
                Posting.ref,
                Posting.operator,
                Posting.created_at,
                Posting.hash,
            )
            .where(Posting.id > (after or 0))
            .order_by(Posting.id)
            .execution_options(yield_per=BATCH)
        )
        for batch in rows.partitions():
            legs: dict[int, list] = {}
            ids = [r.id for r in batch]
            for e in s.execute(
                select(Entry.posting_id, Entry.book, Entry.amount, Entry.psn_no, Entry.account_id).where(
                    Entry.posting_id.between(ids[0], ids[-1])
                )
            ):
                legs.setdefault(e.posting_id, []).append((e.book, e.amount, e.psn_no, e.account_id))
            for r in batch:
                content = chain.posting_content(
                    r.id,
                    r.kind,
                    _day(r.effective_date),
                    r.memo,
                    r.ref,
                    r.operator,
                    chain.instant(_time(r.created_at)),
                    legs.get(r.id, ()),
                )
                h = chain.link(h, content)
                yield r.id, r.hash, h
        return
    a = AuditRecord
    rows = s.execute(
        select(a.id, a.at, a.operator, a.action, a.subject, a.reason, a.details, a.hash)
        .where(a.id > (after or 0))
        .order_by(a.id)
        .execution_options(yield_per=BATCH)
    )
    for r in rows:
        h = chain.link(
            h,
            chain.audit_content(r.id, chain.instant(_time(r.at)), r.operator, r.action, r.subject, r.reason, r.details),
        )
        yield r.id, r.hash, h


def chain_problems(
    s: Session, expect: dict[str, tuple[int, str]] | None = None, scope: Scope = EVERYTHING
) -> list[str]:
    """The first break of each chain, a head that is not its last row, and any noted head
    (`expect`: chain -> (id, hash)) the chain no longer reaches. With a `scope` since a
    clean run, each chain is walked from the head that run saw (from the row before it, so
    that row must still hash to what the run saw)."""
    problems = []
    heads = chain.heads(s)
    expect = expect or {}
    for name, label, what in (
        (chain.JOURNAL, "journal", "journal posting"),
        (chain.AUDIT, "audit log", "audit record"),
    ):
        marked = (None, None) if scope.whole else getattr(scope.mark, name)
        start = _before(s, name, marked[0])
        last, broken, marked_seen = start, False, marked[0] is None
        noted = expect.get(name)
        noted_seen = noted is not None and noted == (0, chain.GENESIS)  # noted while the chain was empty
        for row_id, stored, computed in recompute(s, name, start):
            breaks = not broken and stored != computed
            if breaks:
                problems.append(
                    f"{what} {row_id}: its hash does not follow from its content and the {label} before it: "
                    "changed, inserted or something before it removed (every later row is chained to it)"
                )
                broken = True
            if row_id == marked[0]:
                marked_seen = True
                if computed != marked[1] and not breaks:  # rehashed whole since the run
                    problems.append(
                        f"{what} {row_id}: the last one the clean run {scope.mark.run} checked is not as it was then "
                        f"(it, or the {label} before it, changed: run `ledger verify` in full)"
                    )
            if noted is not None and row_id == noted[0]:
                noted_seen = True
                if computed != noted[1]:
                    problems.append(
                        f"{what} {row_id}: the {label} up to it is not the one whose head was noted ({noted[1][:16]}…)"
                    )
            last = (row_id, stored)
        if not marked_seen:
            problems.append(f"{what} {marked[0]}, the last one the clean run {scope.mark.run} checked, is gone")
        if noted is not None and not noted_seen:
            problems.append(f"{what} {noted[0]}, the noted head of the {label}, is no longer in it")
        if heads.get(name) != last:
            head_id = heads.get(name, (None,))[0]
            problems.append(
                f"the {label}'s head names {what} {head_id}, but its last row is {last[0] or 'none'}: "
                "rows were removed from its end, or added behind the writer's back"
            )
    return problems


def _before(s: Session, name: str, row_id: int | None) -> tuple[int | None, str]:
    """Where to walk the chain from to check row `row_id` and all after it: the row before
    it (its id and stored hash), or the beginning. None: from the beginning."""
    if row_id is None:
        return None, chain.GENESIS
    t = Posting if name == chain.JOURNAL else AuditRecord
    prev = s.execute(select(t.id, t.hash).where(t.id < row_id).order_by(t.id.desc()).limit(1)).first()
    return (None, chain.GENESIS) if prev is None else (prev.id, prev.hash)


def _day(value) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _time(value) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value
