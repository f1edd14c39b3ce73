"""`ledger verify`, the hash chains (db/chain.py): each posting's and each audit record's
hash recomputed from its content and the row before it, the first break named, the heads
compared with the last rows; and an auditor's noted head checked against the chain."""

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import chain
from ..db.models import AuditRecord, Entry, Posting

BATCH = 10_000  # rows read at a time: a chain of millions is walked, not loaded


def recompute(s: Session, name: str):
    """(id, stored hash, recomputed hash) of each row of the chain `name`, in chain order."""
    h = chain.GENESIS
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
        .order_by(a.id)
        .execution_options(yield_per=BATCH)
    )
    for r in rows:
        h = chain.link(
            h,
            chain.audit_content(r.id, chain.instant(_time(r.at)), r.operator, r.action, r.subject, r.reason, r.details),
        )
        yield r.id, r.hash, h


def chain_problems(s: Session, expect: dict[str, tuple[int, str]] | None = None) -> list[str]:
    """The first break of each chain, a head that is not its last row, and any noted head
    (`expect`: chain -> (id, hash)) the chain no longer reaches."""
    problems = []
    heads = chain.heads(s)
    expect = expect or {}
    for name, label, what in (
        (chain.JOURNAL, "journal", "journal posting"),
        (chain.AUDIT, "audit log", "audit record"),
    ):
        last, broken = (None, chain.GENESIS), False
        noted = expect.get(name)
        noted_seen = noted is not None and noted == (0, chain.GENESIS)  # noted while the chain was empty
        for row_id, stored, computed in recompute(s, name):
            if not broken and stored != computed:
                problems.append(
                    f"{what} {row_id}: its hash does not follow from its content and the {label} before it: "
                    "changed, inserted or something before it removed (every later row is chained to it)"
                )
                broken = True
            if noted is not None and row_id == noted[0]:
                noted_seen = True
                if computed != noted[1]:
                    problems.append(
                        f"{what} {row_id}: the {label} up to it is not the one whose head was noted ({noted[1][:16]}…)"
                    )
            last = (row_id, stored)
        if noted is not None and not noted_seen:
            problems.append(f"{what} {noted[0]}, the noted head of the {label}, is no longer in it")
        if heads.get(name) != last:
            head_id = heads.get(name, (None,))[0]
            problems.append(
                f"the {label}'s head names {what} {head_id}, but its last row is {last[0] or 'none'}: "
                "rows were removed from its end, or added behind the writer's back"
            )
    return problems


def _day(value) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _time(value) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value
