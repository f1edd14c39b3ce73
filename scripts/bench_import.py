"""Benchmark: `person import` of N synthetic persons, then N manual credits.

    python scripts/bench_import.py [N] [DATABASE_URL]

Prints rows per second. Uses a fresh SQLite file unless a URL is given (it must be an
empty, migrated database, e.g. after `ledger --db URL db upgrade`)."""

import sys
import tempfile
import time
from pathlib import Path

from ledger.db import migrate
from ledger.db.engine import make_engine, safe_url
from ledger.idcard import check_character
from ledger.services import accounts, persons
from ledger.uow import UnitOfWork


def synthetic_id(i: int) -> str:
    # Songyuan Ningjiang district, born 1960-01-01 + i days' worth of sequence numbers
    first17 = f"220702{1960 + i // 900:04d}0101{i % 900 + 100:03d}"
    return first17 + check_character(first17)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    url = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    uow = UnitOfWork(engine)
    rows = [(i + 2, {"psn_no": synthetic_id(i), "name": f"测试{i}", "insutype": "310", "psn_type": "1101", "region": "220702", "enrolled": [2025]}) for i in range(n)]
    t0 = time.perf_counter()
    persons.import_persons(uow, "bench", rows)
    t1 = time.perf_counter()
    credits = min(n, 2_000)
    for i in range(credits):
        accounts.credit(uow, "bench", rows[i][1]["psn_no"], 15240, "monthly crediting")
    t2 = time.perf_counter()
    print(f"database: {safe_url(url)}")
    print(f"person import: {n} rows in {t1 - t0:.2f} s = {n / (t1 - t0):,.0f} rows/s (one transaction)")
    print(f"account credit: {credits} credits in {t2 - t1:.2f} s = {credits / (t2 - t1):,.0f} credits/s (one transaction each)")


if __name__ == "__main__":
    main()
