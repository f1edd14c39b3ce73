"""Wallet transfers racing each other and claims (docs/wallet.md, "Concurrency"): the daily
count holds under parallel transfers, and transfers racing claims on the same account and
wallet never overdraw either. On PostgreSQL the workers really run at once and queue on the
holder's account row; on SQLite they queue on the database's one write lock."""

from datetime import date, datetime

from ledger.db.engine import make_engine
from ledger.services import accounts, claims, persons, policies, wallets
from ledger.services.verify import verify
from ledger.uow import UnitOfWork
from tests.claim_policy import CLAIM_POLICY
from tests.ids import WORKER
from tests.integration.test_concurrency import _race
from tests.integration.test_wallet import CHANGCHUN, PARENT

WORKERS = 8


def _pair(db_url: str, opening: int):
    engine = make_engine(db_url, **({} if db_url.startswith("sqlite") else {"pool_size": WORKERS}))
    uow = UnitOfWork(engine)
    policies.load_policy(uow, "clerk", CLAIM_POLICY, "claims.toml")
    policies.load_policy(uow, "clerk", CHANGCHUN, "changchun-test.toml")
    persons.add_person(
        uow, "clerk", psn_no=WORKER, name="职工", insutype="310", psn_type="1101", region="220702", enrolled=[2025]
    )
    persons.add_person(
        uow, "clerk", psn_no=PARENT, name="母亲", insutype="310", psn_type="1201", region="220102", enrolled=[2025]
    )
    accounts.credit(uow, "clerk", WORKER, opening, "opening", date(2025, 1, 1))
    return engine, uow


def test_parallel_transfers_keep_the_daily_count(db_url):
    engine, uow = _pair(db_url, 10000_00)
    send = [
        lambda u, i=i: wallets.transfer(u, f"w{i}", WORKER, PARENT, 100_00, datetime(2025, 6, 2, 9, i), "parent")
        for i in range(WORKERS)
    ]
    results, errors = _race(engine, send)
    # three a day: 3 land, 5 are told the day is full
    assert (len(results), len(errors)) == (3, 5), errors
    assert all("wallet.transfer.max_per_day = 3" in e for e in errors), errors
    # 10000.00 - 3 x 100.00 = 9700.00; the wallet 300.00
    assert str(accounts.show_account(uow, WORKER)["balance"]) == "9700.00"
    assert str(wallets.show_wallet(uow, PARENT)["balance"]) == "300.00"
    assert sorted(r["transfers_today"] for r in results) == [1, 2, 3]
    assert verify(uow)["ok"]
    engine.dispose()


def worker_claim(setl_id: str) -> dict:
    # Songyuan, level 2: the 300.00 deductible takes the whole 100.00; the account pays
    # what it holds of it, cash the rest. Two of them leave at least 500.00 - 200.00 =
    # 300.00, so one transfer of 200.00 lands whatever the order.
    return {"setl_id": setl_id, "psn_no": WORKER, "service_date": "2025-06-03", "med_type": "11", "hosp_lv": "2",
            "medfee_sumamt": "100.00"}  # fmt: skip


def parent_claim(setl_id: str) -> dict:
    # Changchun, level 1: fund 300.00 x 0.62 = 186.00, her share 114.00; her account is
    # empty, so the wallet pays what it holds of it, cash the rest
    return {"setl_id": setl_id, "psn_no": PARENT, "service_date": "2025-06-03", "med_type": "11", "hosp_lv": "1",
            "medfee_sumamt": "300.00"}  # fmt: skip


def test_transfers_racing_claims_never_overdraw(db_url):
    engine, uow = _pair(db_url, 500_00)
    calls = [
        *(
            lambda u, i=i: wallets.transfer(u, f"w{i}", WORKER, PARENT, 200_00, datetime(2025, 6, 2, 9, i), "parent")
            for i in range(3)
        ),
        *(lambda u, i=i: claims.post_claim(u, "feed", worker_claim(f"W{i}")) for i in range(2)),
        *(lambda u, i=i: claims.post_claim(u, "feed", parent_claim(f"P{i}")) for i in range(3)),
    ]
    results, errors = _race(engine, calls)
    sent = [r for r in results if isinstance(r, dict)]
    posted = [r for r in results if not isinstance(r, dict)]
    assert all(r.status == "posted" for r in posted) and len(posted) == 5
    # a refused transfer is refused for the balance only
    assert sent and all("less than the transfer of 200.00" in e for e in errors), errors
    moved = 200_00 * len(sent)
    worker_paid = sum(r.acct_pay.fen for r in posted if r.psn_no == WORKER)
    wallet_paid = sum(r.wallet_pay.fen for r in posted if r.psn_no == PARENT)
    # every claim's share is whole: account or wallet, and cash for the rest
    for r in posted:
        assert r.acct_pay.fen + r.wallet_pay.fen + r.psn_cash_pay.fen == r.psn_part_amt.fen
    # what is left is the opening less what left, to the fen, and never below zero
    left = accounts.show_account(uow, WORKER)["balance"].fen
    assert left == 500_00 - moved - worker_paid >= 0
    assert wallets.show_wallet(uow, PARENT)["balance"].fen == moved - wallet_paid >= 0
    assert verify(uow)["ok"]
    engine.dispose()
