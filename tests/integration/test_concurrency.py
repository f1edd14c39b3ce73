"""Parallel writers against one account: every credit lands exactly once, nothing is lost.

Runs on both backends: on PostgreSQL the writers really run at once and serialize on the
account row; on SQLite they queue on BEGIN IMMEDIATE and the busy timeout."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

from sqlalchemy import func, select

from ledger.db.engine import make_engine
from ledger.db.models import Posting
from ledger.errors import LedgerError
from ledger.services import accounts, family, persons
from ledger.services.verify import verify
from ledger.uow import UnitOfWork
from tests.ids import HARDSHIP_CHILD, STUDENT, WORKER

WORKERS, CREDITS_EACH = 8, 15


def test_parallel_credits_to_one_account_all_land(db_url):
    engine = make_engine(db_url, **({} if db_url.startswith("sqlite") else {"pool_size": WORKERS}))
    persons.add_person(
        UnitOfWork(engine), "t", psn_no=WORKER, name="李建国", insutype="310", psn_type="1101", region="220702"
    )
    start = threading.Barrier(WORKERS)

    def writer(i: int) -> None:
        uow = UnitOfWork(engine)
        start.wait()
        for _ in range(CREDITS_EACH):
            accounts.credit(uow, f"worker{i}", WORKER, i + 1, f"parallel credit from worker {i}")

    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(writer, range(WORKERS)))

    uow = UnitOfWork(engine)
    # worker i credits (i+1) fen 15 times: 15 × (1+2+…+8) = 15 × 36 = 540 fen
    assert str(accounts.show_account(uow, WORKER)["balance"]) == "5.40"
    with uow:
        assert uow.session.scalar(select(func.count()).select_from(Posting)) == WORKERS * CREDITS_EACH  # 120
    assert verify(uow)["ok"]
    engine.dispose()


def _race(engine, calls) -> tuple[list, list]:
    """Run the calls at the same moment, each in its own thread and unit of work."""
    start = threading.Barrier(len(calls))
    results, errors = [], []

    def one(call):
        uow = UnitOfWork(engine)
        start.wait()
        try:
            results.append(call(uow))
        except LedgerError as e:
            errors.append(str(e))

    with ThreadPoolExecutor(len(calls)) as pool:
        list(pool.map(one, calls))
    return results, errors


def _family(engine):
    uow = UnitOfWork(engine)
    persons.add_person(
        uow, "t", psn_no=WORKER, name="李建国", insutype="310", psn_type="1101", region="220702", enrolled=[2025]
    )
    for psn_no, category in ((STUDENT, "ordinary"), (HARDSHIP_CHILD, "hardship")):
        persons.add_person(
            uow,
            "t",
            psn_no=psn_no,
            name="孩子",
            insutype="390",
            resident_category=category,
            region="220702",
            enrolled=[2025],
        )
    return uow


def test_two_contributions_racing_for_one_balance_never_overdraw(db_url):
    engine = make_engine(db_url)
    uow = _family(engine)
    for member in (STUDENT, HARDSHIP_CHILD):
        family.bind(uow, "t", WORKER, member, "child", date(2025, 12, 1))
    accounts.credit(uow, "t", WORKER, 50000, "opening balance", date(2025, 1, 1))  # 500.00 < 410.00 + 260.00
    results, errors = _race(
        engine,
        [
            lambda u: family.pay_contribution(u, "a", WORKER, STUDENT, 2026, date(2026, 1, 15)),
            lambda u: family.pay_contribution(u, "b", WORKER, HARDSHIP_CHILD, 2026, date(2026, 1, 15)),
        ],
    )
    assert len(results) == 1 and len(errors) == 1 and "is short of the 2026 contribution" in errors[0]
    # 500.00 - 410.00 = 90.00, or 500.00 - 260.00 = 240.00
    assert str(accounts.show_account(uow, WORKER)["balance"]) == str(results[0]["holder_balance"])
    assert str(results[0]["holder_balance"]) in ("90.00", "240.00")
    assert verify(uow)["ok"]
    engine.dispose()


def test_the_same_contribution_paid_twice_at_once_is_charged_once(db_url):
    engine = make_engine(db_url)
    uow = _family(engine)
    family.bind(uow, "t", WORKER, STUDENT, "child", date(2025, 12, 1))
    accounts.credit(uow, "t", WORKER, 100000, "opening balance", date(2025, 1, 1))  # 1000.00
    results, errors = _race(
        engine,
        [
            lambda u, i=i: family.pay_contribution(u, f"clerk{i}", WORKER, STUDENT, 2026, date(2026, 1, 15))
            for i in range(4)
        ],
    )
    assert len(results) == 1 and len(errors) == 3, errors
    assert all("2026 contribution of 220702********0136 is already paid" in e for e in errors), errors
    assert str(accounts.show_account(uow, WORKER)["balance"]) == "590.00"  # 1000.00 - 410.00, once
    assert verify(uow)["ok"]
    engine.dispose()


def test_two_clerks_binding_the_same_pair_at_once_make_one_binding(db_url):
    engine = make_engine(db_url)
    uow = _family(engine)
    results, errors = _race(
        engine,
        [lambda u, i=i: family.bind(u, f"clerk{i}", WORKER, STUDENT, "child", date(2025, 12, 1)) for i in range(4)],
    )
    assert len(results) == 1 and len(errors) == 3
    assert all("is already bound to member 220702********0136" in e for e in errors)
    assert len(family.list_bindings(uow, STUDENT)) == 1
    engine.dispose()


def test_a_reader_sees_committed_state_while_a_write_is_open(db_url):
    """On SQLite a read takes no write lock (deferred BEGIN under WAL); were it to queue
    behind the writer it would fail with 'database is locked' after the busy timeout."""
    engine = make_engine(db_url)
    uow = UnitOfWork(engine)
    persons.add_person(uow, "t", psn_no=WORKER, name="李建国", insutype="310", psn_type="1101", region="220702")
    accounts.credit(uow, "t", WORKER, 10000, "opening balance")
    with engine.connect() as writer:
        writer.begin()  # BEGIN IMMEDIATE on SQLite: the write lock is held from here
        writer.exec_driver_sql("UPDATE accounts SET balance = balance + 1")
        assert str(accounts.show_account(uow, WORKER)["balance"]) == "100.00"  # not the uncommitted 100.01
        v = verify(uow)
        assert v["ok"]
        # the check stands; recording it would have waited for the writer's lock
        assert v.get("not_recorded") == ("another writer held the database" if uow.dialect == "sqlite" else None)
        writer.rollback()
    engine.dispose()
