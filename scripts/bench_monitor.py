"""Benchmark `ledger monitor` (智能监控) on PostgreSQL over many claims.

    python scripts/bench_monitor.py [CLAIMS] [DATABASE_URL] [--reuse]

Default: 10,000,000 claims in the PostgreSQL database `ledger_bench_monitor` at 127.0.0.1,
built as scripts/bench_reports.py builds its ledger (a tenth as many persons in three
regions, the claims over 2025, one in a hundred reversed), and then given what the rules
read beyond the claims: a platform record's settlement time for every claim and the
admission and discharge days of every inpatient one (`claim_sources`), a recorded death for
one person in a thousand, and the monitoring thresholds of examples/monitor-2025.toml for
both pooling areas. With `--reuse`, a database the script set up before is kept (and
brought to the newest schema).

That ledger's people each settle at one institution, and one in five is an inpatient who
stays ten times a year: R06 finds a readmission in about one stay in five.

Then every rule is timed alone, by the service, and all twelve together, by the service and
once by the CLI (process start included), with the number of findings each gave.
"""

import importlib.util
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from sqlalchemy import text

from ledger.db import migrate, partitions
from ledger.db.engine import make_engine, safe_url
from ledger.rules.monitoring import RULES
from ledger.services import policies
from ledger.services.monitor import monitor
from ledger.uow import UnitOfWork

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("bench_reports", HERE / "bench_reports.py")
bench_reports = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench_reports)

EXTRA = [
    # every claim as if from a platform record: settled between 08:00 and 18:00 of its day;
    # an inpatient claim's stay from 0 to 6 days before it to its day
    """INSERT INTO claim_sources (claim_id, service_date, profile, mdtrt_id, platform_psn_no, fixmedins_name, setl_time,
              begndate, enddate, cvlserv_pay, hifes_pay, maf_pay, oth_pay, hosp_part_amt, received)
       SELECT id, service_date, 'national', 'M' || id, NULL, NULL,
              service_date + make_interval(mins => CAST(480 + (id * 13) % 600 AS integer)),
              CASE WHEN med_type = '21' THEN service_date - CAST(id % 7 AS integer) END,
              CASE WHEN med_type = '21' THEN service_date END, 0, 0, 0, 0, 0, '{}'
       FROM claims""",
    # one person in a thousand died on 1 July 2025
    """INSERT INTO person_deaths (psn_no, died_on, reason, operator, created_at)
       SELECT psn_no, DATE '2025-07-01', 'bench', 'bench', now() FROM persons WHERE CAST(psn_no AS bigint) % 1000 = 7""",
]


def setup(url: str, n: int) -> None:
    bench_reports.fresh_database(url)
    bench_reports.setup(url, n)
    engine = make_engine(url)
    migrate.upgrade(engine)
    partitions.add_years(engine, range(2024, 2028))  # PostgreSQL: its years' partitions, made ahead
    with engine.begin() as c:
        for sql in EXTRA:
            t0 = time.perf_counter()
            c.execute(text(sql))
            print(f"  set-up: {' '.join(sql.split())[:60]}... {time.perf_counter() - t0:.1f} s")
    uow = UnitOfWork(engine)
    thresholds = (HERE.parent / "examples" / "monitor-2025.toml").read_text(encoding="utf-8")
    for area in ("220700", "220100"):
        policies.load_policy(
            uow, "bench", thresholds.replace('region = "220700"', f'region = "{area}"'), f"{area}.toml"
        )
    with engine.connect() as c:
        c.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    engine.dispose()


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--reuse"]
    n = int(args[0]) if args else 10_000_000
    url = args[1] if len(args) > 1 else "postgresql://postgres@127.0.0.1:5432/ledger_bench_monitor"
    print(f"database: {safe_url(url)}; {n:,} claims")
    t0 = time.perf_counter()
    if "--reuse" not in sys.argv:
        setup(url, n)
        print(f"set-up: {time.perf_counter() - t0:.0f} s")
    else:
        migrate.upgrade(make_engine(url))
        partitions.add_years(make_engine(url), range(2024, 2028))  # PostgreSQL: its years' partitions, made ahead
    uow = UnitOfWork(make_engine(url))
    start, end = date(2025, 1, 1), date(2025, 12, 31)
    for rule_id in RULES:
        t0 = time.perf_counter()
        d = monitor(uow, start, end, [rule_id])
        print(f"{rule_id} {RULES[rule_id].name}: {time.perf_counter() - t0:.2f} s, {len(d['findings']):,} findings")
    t0 = time.perf_counter()
    d = monitor(uow, start, end)
    print(f"all twelve rules (service): {time.perf_counter() - t0:.2f} s, {len(d['findings']):,} findings")
    env = dict(os.environ, LEDGER_DATABASE_URL=url)
    t0 = time.perf_counter()
    done = subprocess.run(
        ["ledger", "monitor", "--from", "2025-01-01", "--to", "2025-12-31", "--format", "csv"],
        env=env,
        capture_output=True,
        text=True,
    )
    print(
        f"ledger monitor, all rules (CLI, process start included): {time.perf_counter() - t0:.2f} s (exit {done.returncode})"
    )


if __name__ == "__main__":
    main()
