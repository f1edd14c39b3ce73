"""Benchmark the health-insurance wallet (docs/wallet.md): transfers, and claims paid from
wallets beside claims of patients without one.

    python scripts/bench_wallet.py [PAIRS] [DATABASE_URL]

Defaults: 2,000 pairs on a fresh SQLite file. Each pair is a Songyuan employee in service
with 10,000.00 in the account and a retired parent with an empty one. Times, each as its
figure per second: every holder's transfer of 500.00 to the parent's wallet (one transaction
each, as a counter clerk makes them: `wallets.transfer`); then one batch of a claim per
parent (300.00 at a level-1 hospital, dated after the transfers) for the parents with a
wallet, and the same batch for as many parents without one, so the two batches differ only
in the wallet. Finally `ledger verify` must pass. A PostgreSQL URL names a database of its
own, which is emptied and set up here.
"""

import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import text

from ledger.db import migrate, partitions
from ledger.db.engine import make_engine, safe_url
from ledger.rules.idcard import check_character
from ledger.services import accounts, claims, persons, wallets
from ledger.services.verify import verify
from ledger.uow import UnitOfWork


def person_id(i: int, born: int) -> str:
    # Songyuan, Ningjiang district; 900 sequence numbers a birth day from 1 January of `born`
    day = date.fromordinal(date(born, 1, 1).toordinal() + i // 900)
    first17 = f"220702{day:%Y%m%d}{i % 900 + 100:03d}"
    return first17 + check_character(first17)


def setup(url: str, pairs: int) -> tuple[UnitOfWork, list[tuple[str, str]], list[str]]:
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as c:
            c.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    migrate.upgrade(engine)
    partitions.add_years(engine, range(2024, 2028))  # PostgreSQL: its years' partitions, made ahead
    uow = UnitOfWork(engine)
    rows, pairs_, others = [], [], []
    for k in range(pairs):
        holder, parent, other = person_id(k, 1978), person_id(k, 1950), person_id(k, 1951)
        rows += [
            (3 * k, {"psn_no": holder, "name": "子", "insutype": "310", "psn_type": "1101", "region": "220702"}),
            (3 * k + 1, {"psn_no": parent, "name": "母", "insutype": "310", "psn_type": "1201", "region": "220702"}),
            (3 * k + 2, {"psn_no": other, "name": "父", "insutype": "310", "psn_type": "1201", "region": "220702"}),
        ]
        pairs_.append((holder, parent))
        others.append(other)
    persons.import_persons(uow, "bench", [(n, r | {"enrolled": [2025]}) for n, r in rows])
    for holder, _parent in pairs_:
        accounts.credit(uow, "bench", holder, 10000_00, "opening balance", date(2025, 1, 1))
    return uow, pairs_, others


def claim(setl_id: str, psn_no: str) -> dict:
    # Songyuan, retired, level 1: deductible 200.00, 57 % above it: fund 57.00, share 243.00
    return {"setl_id": setl_id, "psn_no": psn_no, "service_date": "2025-06-10", "med_type": "11", "hosp_lv": "1",
            "medfee_sumamt": "300.00"}  # fmt: skip


def main() -> None:
    pairs = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    url = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:///{Path(tempfile.mkdtemp(prefix='bench-wallet-')) / 'w.db'}"
    print(f"database: {safe_url(url)}; {pairs:,} pairs")
    t = time.perf_counter()
    uow, pairs_, others = setup(url, pairs)
    print(f"set-up: {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    for k, (holder, parent) in enumerate(pairs_):
        at = datetime(2025, 6, 2, 9 + k % 12, k % 60)
        wallets.transfer(uow, "bench", holder, parent, 500_00, at, "parent")
    took = time.perf_counter() - t
    print(f"transfers: {pairs:,} in {took:.1f} s = {pairs / took:,.0f} a second")
    for label, prefix, patients in (("without one", "N", others), ("with a wallet", "W", [p for _h, p in pairs_])):
        batch = [(k, claim(f"{prefix}{k:06d}", p)) for k, p in enumerate(patients, 1)]
        t = time.perf_counter()
        results = list(claims.post_claims(uow, "bench", batch))
        took = time.perf_counter() - t
        refused = [r.errors for r in results if r.status != "posted"]
        if refused:
            raise SystemExit(f"{len(refused)} claims refused, the first: {refused[0]}")
        paid = sum(r.wallet_pay.fen for r in results)
        print(
            f"claims {label}: {len(batch):,} in {took:.1f} s = {len(batch) / took:,.0f} a second; "
            f"the wallets paid {paid // 100:,}.{paid % 100:02d}"
        )
    print(f"ledger verify: {'ok' if verify(uow)['ok'] else 'PROBLEMS'}")


if __name__ == "__main__":
    main()
