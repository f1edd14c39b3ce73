"""Set-based reads and locks of the claim path: one statement per table and chunk, never a
query per claim. The services decide; this module only fetches, locks and opens rows."""

from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from ..rules.adjudication import Counter
from .models import Account, BenefitUsage, Enrollment, FamilyBinding, Person
from .sql import bulk_insert, reserve_ids

COUNTER_COLUMNS = ("id", "psn_no", "year", "bucket", "cap", "fund_paid", "deductible_met", "selfpay")


def persons(s: Session, psn_nos: set[str]) -> dict:
    """psn_no -> (psn_no, insutype, psn_type, region) of the registered ones."""
    if not psn_nos:
        return {}
    q = select(Person.psn_no, Person.insutype, Person.psn_type, Person.region).where(Person.psn_no.in_(psn_nos))
    return {p.psn_no: p for p in s.execute(q)}


def enrollments(s: Session, psn_nos: set[str]) -> dict[str, dict[int, date | None]]:
    """psn_no -> {year: the day the contribution was paid (None: registered as in time)}."""
    enrolled: dict[str, dict[int, date | None]] = {}
    q = select(Enrollment.psn_no, Enrollment.year, Enrollment.enrolled_on).where(Enrollment.psn_no.in_(psn_nos))
    for r in s.execute(q):
        enrolled.setdefault(r.psn_no, {})[r.year] = r.enrolled_on
    return enrolled


def bindings_of_members(s: Session, members: set[str], *, share_lock: bool = False) -> dict[str, list]:
    """member -> their bindings, active or ended, in the order they were made (the paying
    order). With `share_lock`, held FOR SHARE until the transaction ends."""
    q = (
        select(
            FamilyBinding.id,
            FamilyBinding.holder_psn_no,
            FamilyBinding.member_psn_no,
            FamilyBinding.bound_on,
            FamilyBinding.ended_on,
        )
        .where(FamilyBinding.member_psn_no.in_(members))
        .order_by(FamilyBinding.bound_on, FamilyBinding.id)
    )
    if share_lock:
        q = q.with_for_update(read=True)
    found: dict[str, list] = {}
    for b in s.execute(q):
        found.setdefault(b.member_psn_no, []).append(b)
    return found


def lock_counters(s: Session, caps: dict[tuple, int]) -> dict:
    """(psn_no, year, bucket) -> {id, counter, dirty}, the counter opened at `caps[key]` where missing
    and locked, in key order.

    PostgreSQL: an upsert per key, in key order, batched into one statement; it locks an
    existing row as it meets it, so creating and locking follow the one global order.
    SQLite: the transaction already holds the database's only write lock, so reading the
    counters and inserting the missing ones is enough."""
    counters: dict[tuple, dict] = {}
    if not caps:
        return counters
    t = BenefitUsage.__table__

    def keep(r) -> None:
        counter = Counter(r.cap, r.fund_paid, r.deductible_met, r.selfpay)
        counters[(r.psn_no, r.year, r.bucket)] = {"id": r.id, "counter": counter, "dirty": False}

    if s.get_bind().dialect.name == "postgresql":
        stmt = pg_insert(t).values(
            psn_no=bindparam("k_psn"), year=bindparam("k_year"), bucket=bindparam("k_bucket"), cap=bindparam("k_cap"),
            fund_paid=0, deductible_met=0, selfpay=0,
        )  # fmt: skip
        stmt = stmt.on_conflict_do_update(index_elements=["psn_no", "year", "bucket"], set_={"cap": t.c.cap}).returning(
            *(t.c[c] for c in COUNTER_COLUMNS), sort_by_parameter_order=True
        )
        for r in s.execute(
            stmt, [{"k_psn": k[0], "k_year": k[1], "k_bucket": k[2], "k_cap": caps[k]} for k in sorted(caps)]
        ):
            keep(r)
        return counters
    people, years = {k[0] for k in caps}, {k[1] for k in caps}
    for r in s.execute(select(t).where(t.c.psn_no.in_(people), t.c.year.in_(years))):
        if (r.psn_no, r.year, r.bucket) in caps:
            keep(r)
    missing = [k for k in caps if k not in counters]
    rows = [(n, *k, caps[k], 0, 0, 0) for n, k in zip(reserve_ids(s, t, len(missing)), missing, strict=True)]
    bulk_insert(s, t, COUNTER_COLUMNS, rows)
    for n, psn, year, bucket, cap, *_ in rows:
        counters[(psn, year, bucket)] = {"id": n, "counter": Counter(cap), "dirty": False}
    return counters


def lock_accounts(s: Session, owners: set[str]) -> dict:
    """owner -> {id, balance} of their personal account, locked in account id order."""
    rows = s.execute(
        select(Account.id, Account.psn_no, Account.balance)
        .where(Account.psn_no.in_(owners))
        .order_by(Account.id)
        .with_for_update()
    )
    return {r.psn_no: {"id": r.id, "balance": r.balance} for r in rows}
