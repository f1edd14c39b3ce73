"""`ledger verify`, the hash chains (db/chain.py): each posting's and each audit record's
hash recomputed from its content and the row before it, the first break named, the heads
compared with the last rows; and an auditor's noted head checked against the chain."""

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import chain
from ..db.models import AuditRecord, Entry, Posting
from ..i18n import N_, _
from . import archive
from .verify_problem import Problem, problem
from .verify_scope import EVERYTHING, Scope

BATCH = 10_000  # rows read at a time: a chain of millions is walked, not loaded


def recompute(s: Session, name: str, start: tuple[int | None, str] = (None, chain.GENESIS)):
    """(id, stored hash, recomputed hash) of each row of the chain `name`, in chain order,
    after `start` (a row's id and hash; by default the chain's beginning)."""
    after, h = start
    if name == chain.JOURNAL:
        yield from _journal(s, after, h)
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


def _journal(s: Session, after: int | None, h: str):
    """The journal's rows for `recompute`, from the posting after `after`, whose
    predecessor's hash is `h`."""
    # an archived year's postings are walked by their stored hashes: their entries left
    # with the year (services/archive.py), after a clean run had checked them
    live_from = archive.live_from(s)
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
            if live_from is not None and _day(r.effective_date) < live_from:
                h = r.hash
                yield r.id, r.hash, h
                continue
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


def chain_problems(
    s: Session, expect: dict[str, tuple[int, str]] | None = None, scope: Scope = EVERYTHING
) -> list[Problem]:
    """The first break of each chain, a head that is not its last row, and any noted head
    (`expect`: chain -> (id, hash)) the chain no longer reaches. With a `scope` since a
    clean run, each chain is walked from the head that run saw (from the row before it, so
    that row must still hash to what the run saw)."""
    heads = chain.heads(s)
    expect = expect or {}
    problems = []
    for name, table, label, what in (
        (chain.JOURNAL, "journal_postings", _("journal"), _("journal posting")),
        (chain.AUDIT, "audit_log", _("audit log"), _("audit record")),
    ):
        problems += _walk(s, name, table, {"chain": label, "what": what}, scope, expect.get(name), heads.get(name))
    return problems


def _walk(s: Session, name: str, table: str, words: dict, scope: Scope, noted, head) -> list[Problem]:
    """One chain's problems; `words` name the chain and its rows in the problems' lines."""
    problems = []
    marked = (None, None) if scope.whole else getattr(scope.mark, name)
    start = _before(s, name, marked[0])
    last, broken, marked_seen = start, False, marked[0] is None
    noted_seen = noted is not None and noted == (0, chain.GENESIS)  # noted while the chain was empty
    run = None if scope.whole else scope.mark.run
    for row_id, stored, computed in recompute(s, name, start):
        breaks = not broken and stored != computed
        if breaks:
            message = N_(
                "{what} {id}: its hash does not follow from its content and the {chain} before it: "
                "changed, inserted or something before it removed (every later row is chained to it)"
            )
            problems.append(problem("chain_broken", table, row_id, message, id=row_id, **words))
            broken = True
        if row_id == marked[0]:
            marked_seen = True
            if computed != marked[1] and not breaks:  # rehashed whole since the run
                message = N_(
                    "{what} {id}: the last one the clean run {run} checked is not as it was then "
                    "(it, or the {chain} before it, changed: run `ledger verify` in full)"
                )
                problems.append(problem("chain_mark_changed", table, row_id, message, id=row_id, run=run, **words))
        if noted is not None and row_id == noted[0]:
            noted_seen = True
            if computed != noted[1]:
                message = N_("{what} {id}: the {chain} up to it is not the one whose head was noted ({hash}…)")
                problems.append(
                    problem("chain_noted_head_differs", table, row_id, message, id=row_id, hash=noted[1][:16], **words)
                )
        last = (row_id, stored)
    if not marked_seen:
        message = N_("{what} {id}, the last one the clean run {run} checked, is gone")
        problems.append(problem("chain_mark_gone", table, marked[0], message, id=marked[0], run=run, **words))
    if noted is not None and not noted_seen:
        message = N_("{what} {id}, the noted head of the {chain}, is no longer in it")
        problems.append(problem("chain_noted_head_gone", table, noted[0], message, id=noted[0], **words))
    if head != last:
        message = N_(
            "the {chain}'s head names {what} {id}, but its last row is {last}: rows were removed from its end, "
            "or added behind the writer's back"
        )
        head_id = (head or (None,))[0]
        problems.append(
            problem("chain_head_not_last", "chain_heads", name, message, id=head_id, last=last[0] or _("none"), **words)
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
