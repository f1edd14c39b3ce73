"""Benchmark `ledger rollover` on a large population with a year of usage.

    python scripts/bench_rollover.py [PERSONS] [DATABASE_URL]

Default: 1,000,000 persons on a fresh SQLite file. Half are Songyuan residents (the
major-illness incentives apply), 40 % Songyuan employees, 10 % Changchun retirees (the
year-end items apply; balances from 0.00 to 300.00). Everyone is enrolled for 2025 and has
2025 usage counters (set up with bulk inserts: the set-up is not what is measured). Then
times `ledger rollover --year 2025` (the CLI, process start included), prints seconds and
persons per second, and runs `ledger verify`.
"""

import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import text

from ledger.db import migrate, partitions
from ledger.db.engine import make_engine, safe_url
from ledger.db.models import (
    Account,
    BenefitUsage,
    Enrollment,
    Person,
    utcnow,
)
from ledger.db.sql import bulk_insert
from ledger.rules.idcard import check_character
from ledger.services import policies
from ledger.services.journal import Draft, Leg, post_many
from ledger.services.verify import verify
from ledger.uow import UnitOfWork


def synthetic_id(i: int) -> str:
    # 900 sequence numbers a day; days from 1940-01-01 on (the date only needs to be real)
    day = date.fromordinal(date(1940, 1, 1).toordinal() + i // 900)
    first17 = f"220702{day:%Y%m%d}{i % 900 + 100:03d}"
    return first17 + check_character(first17)


def setup(url: str, n: int, rng: random.Random) -> None:
    engine = make_engine(url)
    migrate.upgrade(engine)
    partitions.add_years(engine, range(2024, 2028))  # PostgreSQL: its years' partitions, made ahead
    uow = UnitOfWork(engine)
    now = utcnow()
    step = 50_000
    account_id = 0
    total_balance = 0
    legs: list[Leg] = []
    with uow:
        s = uow.session
        for start in range(0, n, step):
            persons, enrollments, accounts, usage = [], [], [], []
            for i in range(start, min(n, start + step)):
                psn = synthetic_id(i)
                kind = i % 10
                if kind < 5:
                    persons.append((psn, f"居民{i}", "390", None, "ordinary", "220702", date(1940, 1, 1), "M", now))
                    usage.append((psn, 2025, "major_illness", 40000000, rng.choice((0, 0, 0, 150000)), 0, 0))
                else:
                    retired = kind == 9
                    persons.append(
                        (
                            psn,
                            f"职工{i}",
                            "310",
                            "1201" if retired else "1101",
                            None,
                            "220102" if retired else "220702",
                            date(1940, 1, 1),
                            "M",
                            now,
                        )
                    )
                    account_id += 1
                    balance = rng.randrange(0, 30001) if retired else 0
                    total_balance += balance
                    accounts.append((account_id, psn, 0, now))  # the opening posting below moves it
                    if balance:
                        legs.append(Leg("personal_account", balance, psn, account_id))
                    usage.append(
                        (psn, 2025, "outpatient", 250000 if retired else 100000, rng.randrange(0, 30000), 30000, 0)
                    )
                enrollments.append((psn, 2025, now))
            bulk_insert(
                s,
                Person.__table__,
                (
                    "psn_no",
                    "name",
                    "insutype",
                    "psn_type",
                    "resident_category",
                    "region",
                    "birth_date",
                    "sex",
                    "created_at",
                ),
                persons,
            )
            bulk_insert(s, Enrollment.__table__, ("psn_no", "year", "created_at"), enrollments)
            bulk_insert(s, Account.__table__, ("id", "psn_no", "balance", "opened_at"), accounts)
            bulk_insert(
                s,
                BenefitUsage.__table__,
                ("psn_no", "year", "bucket", "cap", "fund_paid", "deductible_met", "selfpay"),
                usage,
            )
        if s.get_bind().dialect.name == "postgresql":  # ids were given explicitly: move the sequence past them
            s.execute(text("SELECT setval(pg_get_serial_sequence('accounts', 'id'), (SELECT max(id) FROM accounts))"))
        # The opening balances in one posting by the journal writer, so it is chained and
        # `ledger verify` holds at the end.
        legs.append(Leg("account_funding", -total_balance))
        post_many(s, [Draft("credit", date(2025, 1, 1), "opening balances (benchmark)", legs)], "bench", now)
        uow.commit()
    # The Changchun letter names its year-end items for 2024 only: a file for 2026, as a
    # bureau would load, keeps them in the run (100.00 + 33.36 per retiree).
    policies.load_policy(uow, "bench", CHANGCHUN_2026, "changchun-2026-bench.toml")
    engine.dispose()


CHANGCHUN_2026 = """
region = "220100"
region_name = "Changchun (benchmark)"
title = "Year-end items for 2026, for the benchmark"
effective_from = 2026-01-01

[sources.bench]
title = "The 2024 letter's items, repeated for 2026 by this benchmark"
grade = "D"

[parameters."employee.retired.year_end.large_expense_premium"]
value = "100.00"
source = "bench"

[parameters."employee.retired.year_end.disabled_care_premium"]
value = "33.36"
source = "bench"

[parameters."employee.retired.year_end.for_year"]
value = 2026
source = "bench"
"""


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    url = (
        sys.argv[2]
        if len(sys.argv) > 2
        else f"sqlite:///{Path(tempfile.mkdtemp(prefix='bench-rollover-')) / 'bench.db'}"
    )
    print(f"database: {safe_url(url)}; {n:,} persons")
    t0 = time.perf_counter()
    setup(url, n, random.Random(20251231))
    print(f"set-up: {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    done = subprocess.run(
        ["ledger", "--db", url, "rollover", "--year", "2025"], capture_output=True, text=True, env=dict(os.environ)
    )
    dt = time.perf_counter() - t0
    print(f"ledger rollover --year 2025: {dt:.1f} s = {n / dt:,.0f} persons/s (exit {done.returncode})")
    for line in done.stdout.strip().splitlines()[:4] or [done.stderr.strip()]:
        print(f"  {line}")
    t0 = time.perf_counter()
    again = subprocess.run(["ledger", "--db", url, "rollover", "--year", "2025"], capture_output=True, text=True)
    print(
        f"second run: {time.perf_counter() - t0:.1f} s: {again.stdout.strip().splitlines()[0] if again.stdout.strip() else again.stderr.strip()}"
    )
    # The 2025 counters were set up without claims behind them, so verify's usage check
    # would flag each; every other check (journal, balances, postings) must pass.
    v = verify(UnitOfWork(make_engine(url)))
    others = [p for p in v["problems"] if not p.startswith("usage of ")]
    print(f"ledger verify, apart from the claim-less set-up counters: {'ok' if not others else others[:5]}")


if __name__ == "__main__":
    main()
