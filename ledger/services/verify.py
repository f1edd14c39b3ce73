"""`ledger verify`: the books must agree with themselves. Set-based queries, so it scales.

The database already refuses most of what is checked here (CHECK constraints, unique keys,
append-only triggers). Verify checks again from the rows themselves, so that a restored
backup, a hand-edited table or a constraint someone dropped is caught, and it checks what
no single-row constraint can: sums across tables and periods across rows."""

from sqlalchemy import func, insert, select, true
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from ..db import chain, replica
from ..db.engine import SQLITE_BUSY_TIMEOUT_MS
from ..db.models import Account, ContributionPayment, Enrollment, Entry, Posting, VerifyRun, utcnow
from ..db.sql import one_of, report_settings, sum_fen
from ..errors import NotFound, ValidationError
from ..i18n import N_, _
from ..rules.idcard import mask
from ..rules.money import format_fen
from ..uow import UnitOfWork
from . import archive, verify_digest
from .verify_archive import archive_problems
from .verify_beside import Beside
from .verify_bindings import binding_problems
from .verify_caps import cap_problems, incentive_problems
from .verify_chain import chain_problems
from .verify_claims import claim_problems, reversal_problems
from .verify_dates import date_problems
from .verify_problem import Problem, problem
from .verify_rollups import rollup_problems
from .verify_scope import EVERYTHING, Scope, last_mark
from .verify_usage import usage_problems
from .verify_wallets import wallet_problems


def verify(
    uow: UnitOfWork,
    expect_heads: dict[str, tuple[int, str]] | None = None,
    *,
    since: bool = False,
    record: bool = True,
) -> dict:
    """Every check of the books. `expect_heads` (chain -> (id, hash)): heads an auditor
    noted earlier (`ledger verify --head`), each of which the chains must still reach.
    `since`: check only what was written after the last clean run (verify_scope.py). A
    clean run is recorded (`record`), so the next `since` run starts where it ended."""
    if since and expect_heads:
        raise ValidationError("--expect-head", _("walks the whole chain: give it without --since"))
    with uow.read_only(replica=True):
        s = uow.session
        if uow.dialect == "postgresql":  # one snapshot for every check, and for the mark
            s.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        report_settings(s)  # grouped reads over every claim, as the reports': sorted in memory, no JIT
        scope = EVERYTHING
        if since:
            mark = last_mark(s)
            if mark is None:
                raise NotFound(_("no clean run of `ledger verify` is recorded yet: run it once in full"))
            if mark.digest is None:
                raise NotFound(
                    _(
                        "the last clean run of `ledger verify` ({run}) was recorded without the balances' digest (before migration 0023): run it once in full"
                    ).format(run=mark.run)
                )
            scope = Scope(mark)
        now = verify_digest.digest(s) if since or record else None  # what a run records, and --since checks
        result = check(s, expect_heads, scope, beside=uow.dialect == "postgresql", digest=now)
        reached = chain.heads(s), s.scalar(select(sum_fen(Account.balance))), now
    if result["ok"] and record:
        refused = _record(uow, scope, reached, result["checked"]["postings"])
        if refused:
            result["not_recorded"] = refused
    return result


def _record(uow: UnitOfWork, scope: Scope, reached: tuple[dict, int], postings: int) -> str | None:
    """Record the clean run; if it cannot be (a login that may not write, a read-only
    file, another writer holding SQLite's one write lock for longer than a moment), say why
    instead: the check itself stands, and the next `--since` starts from an earlier run."""
    heads, balances, digest = reached
    journal, audit = heads.get(chain.JOURNAL, (None, chain.GENESIS)), heads.get(chain.AUDIT, (None, chain.GENESIS))
    if uow.read_engine is not None:
        if replica.reached_on(uow.engine, heads):
            return _("the heads it reached on the read database are not the write database's")
        with uow.engine.connect() as conn:  # a replica lagging behind the last mark must not move it back
            last = conn.scalar(select(VerifyRun.journal_last_id).order_by(VerifyRun.id.desc()).limit(1))
        if last is not None and (journal[0] or 0) < last:
            return _(
                "the read database is behind the last clean run (journal posting {reached}, the run's {last}): the mark stays"
            ).format(reached=journal[0] or 0, last=last)
    row = {
        "mode": "full" if scope.whole else "since",
        "journal_last_id": journal[0],
        "journal_hash": journal[1],
        "audit_last_id": audit[0],
        "audit_hash": audit[1],
        "balances": balances,
        "digest": verify_digest.as_text(digest),
        "postings": postings,
        "at": utcnow(),
    }
    try:
        _insert_run(uow.engine, row)
    except (ProgrammingError, OperationalError) as e:
        why = str(e.orig).lower()
        if "locked" in why:
            return _("another writer held the database")
        if any(w in why for w in ("permission denied", "readonly", "read-only")):
            return _("this login may not write verify_runs")
        raise
    return None


RECORD_WAIT_MS = 1000  # SQLite: how long recording a run waits for the write lock


def _insert_run(engine, row: dict) -> None:
    """One INSERT in its own transaction. On SQLite the wait for the write lock is short: a
    batch holding it must not hold up a check that is done."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection  # a PRAGMA outside any transaction
        if sqlite:
            raw.execute(f"PRAGMA busy_timeout = {RECORD_WAIT_MS}")
        try:
            with conn.begin():
                conn.execute(insert(VerifyRun.__table__).values(**row))
        finally:
            if sqlite:
                raw.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")


def heads(uow: UnitOfWork) -> dict:
    """The head of each hash chain: its last id and hash, to note and check later."""
    with uow.read_only(replica=True):
        return {name: {"id": last_id, "hash": h} for name, (last_id, h) in sorted(chain.heads(uow.session).items())}


def check(
    s: Session,
    expect_heads: dict[str, tuple[int, str]] | None = None,
    scope: Scope = EVERYTHING,
    *,
    beside=False,
    digest: int | None = None,
) -> dict:
    """Every check, in the caller's transaction; with a `scope` since a clean run, of what
    was written after it. `beside` (PostgreSQL, a transaction that has written nothing):
    the hash chains are walked in a thread on the same snapshot while the rest run
    (verify_beside.py). `digest`: the balances' digest now, where the caller has it."""
    chains = Beside(s, lambda t: chain_problems(t, expect_heads, scope)) if beside else None
    moved = _moved(s, scope)
    try:
        problems = _checks(s, scope, moved, digest)
    finally:
        if chains is not None:
            chains.wait()  # the snapshot must outlive the thread's reading, error or not
    walked = chains.result() if chains is not None else chain_problems(s, expect_heads, scope)
    problems = walked + problems
    after = scope.after
    counts = {
        "accounts": s.scalar(select(func.count()).select_from(Account).where(moved(Account.id))),
        "postings": s.scalar(select(func.count()).select_from(Posting).where(after(Posting.id))),
        "entries": s.scalar(select(func.count()).select_from(Entry).where(after(Entry.posting_id))),
    }
    result = {"ok": not problems, "problems": problems, "checked": counts}
    if not scope.whole:
        m = scope.mark
        result["since"] = {"run": m.run, "at": m.at.isoformat() if m.at else None, "journal": m.journal[0] or 0}
    return result


def _checks(s: Session, scope: Scope, moved, digest: int | None = None) -> list[Problem]:
    """Every check but the hash chains'."""
    problems: list[Problem] = _account_problems(s, scope, moved, digest)
    after = scope.after
    for posting_id, total in s.execute(
        select(Entry.posting_id, sum_fen(Entry.amount))
        .where(after(Entry.posting_id))
        .group_by(Entry.posting_id)
        .having(func.sum(Entry.amount) != 0)
    ):
        problems.append(
            problem(
                "posting_unbalanced",
                "journal_postings",
                posting_id,
                "posting {id}: entries sum to {total}, not 0",
                id=posting_id,
                total=format_fen(total),
            )
        )
    for (posting_id,) in s.execute(
        select(Posting.id)
        .outerjoin(Entry, Entry.posting_id == Posting.id)
        .where(Entry.id.is_(None), after(Posting.id), _live(s, Posting.effective_date))
    ):
        problems.append(
            problem("posting_empty", "journal_postings", posting_id, "posting {id}: has no entries", id=posting_id)
        )
    problems += _contribution_problems(s, scope)
    problems += usage_problems(s, scope) + cap_problems(s, scope) + incentive_problems(s, scope)
    problems += claim_problems(s, scope)
    problems += reversal_problems(s, scope)
    problems += binding_problems(s, scope) + rollup_problems(s, scope)
    problems += date_problems(s, scope) + archive_problems(s) + wallet_problems(s, scope)
    return problems


def _moved(s: Session, scope: Scope):
    """column -> the condition that an account id is one this run checks against its
    journal (since a mark: one that a posting after it moved; read once, as a list)."""
    if scope.whole:
        return lambda column: true()
    q = select(Entry.account_id).where(scope.after(Entry.posting_id), Entry.account_id.is_not(None)).distinct()
    ids = s.scalars(q).all()
    return lambda column: one_of(s, column, ids)


def _account_problems(s: Session, scope: Scope, moved, digest: int | None = None) -> list[Problem]:
    """Each balance (since a mark: each one a posting after it moved; `moved` as _moved
    gives it) equals its journal entries and none is below zero; since a mark, every
    account's and wallet's balance is what it was then plus what the postings after it
    moved (the digest)."""
    problems = []
    journal = (
        select(Entry.account_id, sum_fen(Entry.amount).label("total"))
        .where(Entry.account_id.is_not(None), moved(Entry.account_id))
        .group_by(Entry.account_id)
        .subquery()
    )
    gone = archive.archived_sums()  # what archived years' entries added up to
    total = func.coalesce(journal.c.total, 0) + func.coalesce(gone.c.amount, 0)
    rows = s.execute(
        select(Account.psn_no, Account.balance, total)
        .outerjoin(journal, journal.c.account_id == Account.id)
        .outerjoin(gone, gone.c.account_id == Account.id)
        .where(Account.balance != total, moved(Account.id))
    )
    for psn_no, balance, total in rows:
        problems.append(
            problem(
                "balance_not_journal",
                "accounts",
                psn_no,
                "account of {psn}: balance {balance} but its journal entries sum to {total}",
                psn=mask(psn_no),
                balance=format_fen(balance),
                total=format_fen(total),
            )
        )
    for psn_no, balance in s.execute(select(Account.psn_no, Account.balance).where(Account.balance < 0)):
        problems.append(
            problem(
                "balance_negative",
                "accounts",
                psn_no,
                "account of {psn}: balance {balance} is below zero",
                psn=mask(psn_no),
                balance=format_fen(balance),
            )
        )
    if not scope.whole:
        problems += _total_problems(s, scope, verify_digest.digest(s) if digest is None else digest)
    return problems


def _total_problems(s: Session, scope: Scope, digest: int) -> list[Problem]:
    """Since a mark: every balance is what it was then plus what the postings after it
    moved. The digest sees any balance or wallet changed behind the ledger's back, though
    the changes cancel out in the total; the totals are said for a reader."""
    if digest == verify_digest.expected(s, scope):
        return []
    now = s.scalar(select(sum_fen(Account.balance)))
    since = s.scalar(select(sum_fen(Entry.amount)).where(scope.after(Entry.posting_id), Entry.account_id.is_not(None)))
    message = N_(
        "accounts and wallets: their balances are not what the clean run {run} left and the postings since moved "
        "(accounts: {now} now, {then} then, {moved} moved): a balance changed behind the ledger's back "
        "(run `ledger verify` in full to name it)"
    )
    moved = {"now": format_fen(now), "then": format_fen(scope.mark.balances), "moved": format_fen(since)}
    return [problem("balances_total", "accounts", None, message, run=scope.mark.run, **moved)]


def _live(s: Session, day):
    """The condition on a posting's date: its entries are in the live tables (an archived
    year's left with it, services/archive.py)."""
    live_from = archive.live_from(s)
    return true() if live_from is None else day >= live_from


def _contribution_problems(s: Session, scope: Scope) -> list[Problem]:
    """Each contribution paid is for an enrolled member, and its posting collects its amount
    (where the posting's entries are not archived)."""
    problems = []
    missing_enrollment = (
        select(ContributionPayment.id, ContributionPayment.member_psn_no, ContributionPayment.year)
        .outerjoin(
            Enrollment,
            (Enrollment.psn_no == ContributionPayment.member_psn_no) & (Enrollment.year == ContributionPayment.year),
        )
        .where(Enrollment.id.is_(None), scope.after(ContributionPayment.posting_id))
    )
    for payment_id, psn_no, year in s.execute(missing_enrollment):
        problems.append(
            problem(
                "contribution_not_enrolled",
                "contribution_payments",
                payment_id,
                "contribution of {psn} for {year}: paid but the member is not enrolled for {year}",
                psn=mask(psn_no),
                year=year,
            )
        )
    collected = (
        select(ContributionPayment.id, ContributionPayment.amount, sum_fen(Entry.amount))
        .outerjoin(
            Entry, (Entry.posting_id == ContributionPayment.posting_id) & (Entry.book == "contribution_collection")
        )
        .where(scope.after(ContributionPayment.posting_id), _live(s, ContributionPayment.paid_on))
        .group_by(ContributionPayment.id, ContributionPayment.amount)
        .having(ContributionPayment.amount != func.coalesce(func.sum(Entry.amount), 0))
    )
    for payment_id, amount, total in s.execute(collected):
        problems.append(
            problem(
                "contribution_not_collected",
                "contribution_payments",
                payment_id,
                "contribution payment {id}: {amount} recorded but its posting collects {total}",
                id=payment_id,
                amount=format_fen(amount),
                total=format_fen(total),
            )
        )
    return problems
