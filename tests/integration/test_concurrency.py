"""Parallel writers against one account: every credit lands exactly once, nothing is lost.

Runs on both backends: on PostgreSQL the writers really run at once and serialize on the
account row; on SQLite they queue on BEGIN IMMEDIATE and the busy timeout."""

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from ledger.db.engine import make_engine
from ledger.db.models import Posting
from ledger.services import accounts, persons
from ledger.services.verify import verify
from ledger.uow import UnitOfWork
from tests.ids import WORKER

WORKERS, CREDITS_EACH = 8, 15


def test_parallel_credits_to_one_account_all_land(db_url):
    engine = make_engine(db_url, **({} if db_url.startswith("sqlite") else {"pool_size": WORKERS}))
    persons.add_person(UnitOfWork(engine), "t", psn_no=WORKER, name="李建国", insutype="310", psn_type="1101", region="220702")
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
