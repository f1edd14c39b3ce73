"""Benchmark the write paths: `person import`, manual credits, family binds and
contribution payments.

    python scripts/bench_writes.py [N] [DATABASE_URL]

Prints throughput for each. Uses a fresh SQLite file unless a URL is given (it must be an
empty database, e.g. a freshly created PostgreSQL database; the schema is migrated here)."""

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from ledger.db import migrate, partitions
from ledger.db.engine import make_engine, safe_url
from ledger.rules.idcard import check_character
from ledger.services import accounts, family, persons
from ledger.uow import UnitOfWork


def synthetic_id(i: int) -> str:
    # Songyuan, Ningjiang district; 900 sequence numbers per birth year from 1960 on
    first17 = f"220702{1960 + i // 900:04d}0101{i % 900 + 100:03d}"
    return first17 + check_character(first17)


def timed(label: str, count: int, fn) -> None:
    t0 = time.perf_counter()
    fn()
    dt = time.perf_counter() - t0
    print(f"{label}: {count} in {dt:.2f} s = {count / dt:,.0f}/s")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    url = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    partitions.add_years(engine, range(2024, 2028))  # PostgreSQL: its years' partitions, made ahead
    uow = UnitOfWork(engine)
    # Even rows: employees (holders); odd rows: ordinary residents (members).
    rows = [
        (
            i + 2,
            {
                "psn_no": synthetic_id(i),
                "name": f"测试{i}",
                "region": "220702",
                "enrolled": [2025],
                **(
                    {"insutype": "310", "psn_type": "1101"}
                    if i % 2 == 0
                    else {"insutype": "390", "resident_category": "ordinary"}
                ),
            },
        )
        for i in range(n)
    ]
    pairs = [(rows[i][1]["psn_no"], rows[i + 1][1]["psn_no"]) for i in range(0, min(n, 2_000) - 1, 2)]
    print(f"database: {safe_url(url)}")
    timed("person import (one transaction)", n, lambda: persons.import_persons(uow, "bench", rows))
    timed(
        "account credit (a transaction each)",
        len(pairs),
        lambda: [accounts.credit(uow, "bench", h, 80000, "opening balance", date(2025, 1, 1)) for h, _ in pairs],
    )
    timed(
        "family bind (a transaction each)",
        len(pairs),
        lambda: [family.bind(uow, "bench", h, m, "sibling", date(2025, 12, 1)) for h, m in pairs],
    )
    timed(
        "family pay-contribution (a transaction each)",
        len(pairs),
        lambda: [family.pay_contribution(uow, "bench", h, m, 2026, date(2025, 12, 10)) for h, m in pairs],
    )


if __name__ == "__main__":
    main()
