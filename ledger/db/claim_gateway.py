"""Set-based reads and locks of the claim path: one statement per table and chunk, never a
query per claim. The services decide; this module only fetches, locks and opens rows."""

from datetime import date

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from ..rules.adjudication import Counter
from ..rules.offsite import Registration
from .models import Account, BenefitUsage, Enrollment, FamilyBinding, OffsiteRegistration, Person, Wallet
from .sql import bulk_insert, one_of, reserve_ids

COUNTER_COLUMNS = ("id", "psn_no", "year", "bucket", "cap", "fund_paid", "deductible_met", "selfpay")


def persons(s: Session, psn_nos: set[str]) -> dict:
    """psn_no -> (psn_no, insutype, psn_type, region) of the registered ones."""
    if not psn_nos:
        return {}
    q = select(Person.psn_no, Person.insutype, Person.psn_type, Person.region).where(one_of(s, Person.psn_no, psn_nos))
    return {p.psn_no: p for p in s.execute(q)}


def enrollments(s: Session, psn_nos: set[str]) -> dict[str, dict[int, date | None]]:
    """psn_no -> {year: the day the contribution was paid (None: registered as in time)}."""
    enrolled: dict[str, dict[int, date | None]] = {}
    q = select(Enrollment.psn_no, Enrollment.year, Enrollment.enrolled_on).where(one_of(s, Enrollment.psn_no, psn_nos))
    for r in s.execute(q):
        enrolled.setdefault(r.psn_no, {})[r.year] = r.enrolled_on
    return enrolled


def registrations(s: Session, psn_nos: set[str]) -> dict[str, list[Registration]]:
    """psn_no -> their off-site registrations (异地就医备案), in the order made."""
    found: dict[str, list[Registration]] = {}
    if not psn_nos:
        return found
    t = OffsiteRegistration.__table__
    q = select(t.c.psn_no, t.c.kind, t.c.begndate, t.c.enddate, t.c.area).where(one_of(s, t.c.psn_no, psn_nos))
    for r in s.execute(q.order_by(t.c.id)):
        found.setdefault(r.psn_no, []).append(Registration(r.kind, r.begndate, r.enddate, r.area))
    return found


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
        .where(one_of(s, FamilyBinding.member_psn_no, members))
        .order_by(FamilyBinding.bound_on, FamilyBinding.id)
    )
    if share_lock:
        q = q.with_for_update(read=True)
    found: dict[str, list] = {}
    for b in s.execute(q):
        found.setdefault(b.member_psn_no, []).append(b)
    return found


def lock_counters(s: Session, caps: dict[tuple, tuple[int, date]]) -> tuple[dict[tuple, int], dict[tuple, Counter]]:
    """(psn_no, year, bucket) -> row id, and -> Counter: each counter opened where missing
    at `caps[key]`, (the cap, the day whose policy gave it), and locked, in key order.

    PostgreSQL: an upsert per key, in key order, batched into one statement; it locks an
    existing row as it meets it, so creating and locking follow the one global order.
    SQLite: the transaction already holds the database's only write lock, so reading the
    counters and inserting the missing ones is enough."""
    ids: dict[tuple, int] = {}
    counters: dict[tuple, Counter] = {}
    if not caps:
        return ids, counters
    t = BenefitUsage.__table__

    def keep(r) -> None:
        key = (r.psn_no, r.year, r.bucket)
        ids[key], counters[key] = r.id, Counter(r.cap, r.fund_paid, r.deductible_met, r.selfpay)

    if s.get_bind().dialect.name == "postgresql":
        stmt = pg_insert(t).values(
            psn_no=bindparam("k_psn"), year=bindparam("k_year"), bucket=bindparam("k_bucket"), cap=bindparam("k_cap"),
            opened_on=bindparam("k_on"), fund_paid=0, deductible_met=0, selfpay=0,
        )  # fmt: skip
        # The no-op update locks the row; it names a column the writer may update (not the cap).
        stmt = stmt.on_conflict_do_update(
            index_elements=["psn_no", "year", "bucket"], set_={"fund_paid": t.c.fund_paid}
        ).returning(*(t.c[c] for c in COUNTER_COLUMNS), sort_by_parameter_order=True)
        keys = sorted(caps)
        params = [
            {"k_psn": k[0], "k_year": k[1], "k_bucket": k[2], "k_cap": caps[k][0], "k_on": caps[k][1]} for k in keys
        ]
        for r in s.execute(stmt, params):
            keep(r)
        return ids, counters
    people, years = {k[0] for k in caps}, {k[1] for k in caps}
    for r in s.execute(select(t).where(one_of(s, t.c.psn_no, people), t.c.year.in_(years))):
        if (r.psn_no, r.year, r.bucket) in caps:
            keep(r)
    missing = [k for k in caps if k not in counters]
    rows = [(n, *k, *caps[k], 0, 0, 0) for n, k in zip(reserve_ids(s, t, len(missing)), missing, strict=True)]
    bulk_insert(s, t, (*COUNTER_COLUMNS[:5], "opened_on", *COUNTER_COLUMNS[5:]), rows)
    for n, psn, year, bucket, cap, *_ in rows:
        ids[(psn, year, bucket)], counters[(psn, year, bucket)] = n, Counter(cap)
    return ids, counters


def save_counters(s: Session, ids: dict[tuple, int], counters: dict[tuple, Counter], keys: set[tuple]) -> None:
    """Write the figures of the counters `keys` back, one statement for all of them."""
    if not keys:
        return
    t = BenefitUsage.__table__
    s.execute(
        update(t)
        .where(t.c.id == bindparam("u_id"))
        .values(fund_paid=bindparam("u_fund"), deductible_met=bindparam("u_dedc"), selfpay=bindparam("u_self")),
        [
            {
                "u_id": ids[k],
                "u_fund": counters[k].fund_paid,
                "u_dedc": counters[k].deductible_met,
                "u_self": counters[k].selfpay,
            }
            for k in sorted(keys)
        ],
    )


def lock_accounts(s: Session, owners: set[str]) -> tuple[dict[str, int], dict[str, int]]:
    """owner -> id and -> balance of their personal account, locked in account id order."""
    ids, balances = {}, {}
    rows = s.execute(
        select(Account.id, Account.psn_no, Account.balance)
        .where(one_of(s, Account.psn_no, owners))
        .order_by(Account.id)
        .with_for_update()
    )
    for r in rows:
        ids[r.psn_no], balances[r.psn_no] = r.id, r.balance
    return ids, balances


def wallet_owners(s: Session, patients: set[str]) -> set[str]:
    """Those of the patients who have a wallet (docs/wallet.md)."""
    return set(s.scalars(select(Wallet.psn_no).where(one_of(s, Wallet.psn_no, patients))))


def lock_wallets(s: Session, owners: set[str]) -> dict[str, int]:
    """owner -> what their wallet holds, locked in owner order: after the accounts, before
    the journal's head (the ledger's lock order, services/journal.py)."""
    if not owners:
        return {}
    rows = s.execute(
        select(Wallet.psn_no, Wallet.balance)
        .where(one_of(s, Wallet.psn_no, owners))
        .order_by(Wallet.psn_no)
        .with_for_update()
    )
    return dict(rows.all())
