"""Benchmark `ledger report` on PostgreSQL over many claims.

    python scripts/bench_reports.py [CLAIMS] [DATABASE_URL] [--reuse]

Default: 10,000,000 claims in the PostgreSQL database `ledger_bench` at 127.0.0.1 (created
afresh; an existing one of that name is dropped first). The set-up is server-side SQL, not
what is measured: a tenth as many persons (80 % employees, 20 % residents, in three
regions), the claims over 2025 (general outpatient, chronic and inpatient, four levels,
fifty institutions), one claim in a hundred reversed, and the journal behind them: a posting
for each thousand claims and one for the reversals, balanced book by book, so the trial
balance ties. The rows are inserted at schema 0014 and migration 0015 then fills the
reports' running sums from them (its time is printed). The postings are not hash-chained:
`ledger verify` would say so; the reports do not read the chain. With `--reuse`, a database
the script set up before is kept and only migrated to the head. Then each report is timed, by the service and once by the CLI
(process start included), and the trial balance must total zero.
"""

import os
import subprocess
import sys
import time
from datetime import date

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ledger.db import migrate, partitions
from ledger.db.engine import make_engine, safe_url
from ledger.services import reports
from ledger.uow import UnitOfWork

PER_POSTING = 1000


def fresh_database(url: str) -> None:
    u = make_url(url)
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{u.database}"'))
    admin.dispose()


SETUP = [
    # persons: i = 1..P; every fifth a resident
    """INSERT INTO persons (psn_no, name, insutype, psn_type, resident_category, region, birth_date, sex, created_at)
       SELECT lpad(i::text, 18, '0'), 'bench', CASE WHEN i % 5 = 0 THEN '390' ELSE '310' END,
              CASE WHEN i % 5 = 0 THEN NULL WHEN i % 7 = 0 THEN '1201' ELSE '1101' END,
              CASE WHEN i % 5 = 0 THEN 'ordinary' END,
              (ARRAY['220702', '220721', '220102'])[1 + i % 3], DATE '1960-01-01', 'M', now()
       FROM generate_series(1, :persons) AS i""",
    # one posting per PER_POSTING claims, dated as its claims, and one for the reversals
    """INSERT INTO journal_postings (id, kind, effective_date, memo, ref, operator, created_at)
       SELECT k, 'claim', DATE '2025-01-01' + ((k * 37) % 365), 'bench claims', NULL, 'bench', now()
       FROM generate_series(1, :postings) AS k
       UNION ALL SELECT :postings + 1, 'claim_reversal', DATE '2025-12-31', 'bench reversals', NULL, 'bench', now()""",
    # claims: fee 10.00 to 2,009.99; the fund pays 55 % (rounded down), cash the rest
    """INSERT INTO claims (id, setl_id, psn_no, year, service_date, med_type, hosp_lv, dise_codg, medfee_sumamt,
              fulamt_ownpay_amt, overlmt_selfpay, preselfpay_amt, acct_used_flag, mulaid_payer, fingerprint, bucket,
              layer_bucket, combined_bucket, inscp_scp_amt, act_pay_dedc, hifp_pay, hifmi_pay, hifob_pay, layer_selfpay,
              fund_pay_sumamt, psn_part_amt, acct_pay, acct_mulaid_pay, other_funds_pay, psn_cash_pay, balc, no_fund_reason,
              policy, posting_id, operator, created_at, fixmedins_code)
       SELECT n, 'B' || n, lpad((1 + n % :persons)::text, 18, '0'), 2025, DATE '2025-01-01' + CAST(((((n - 1) / :per) + 1) * 37) % 365 AS integer),
              (ARRAY['11', '11', '11', '14', '21'])[1 + n % 5], (1 + n % 3)::text, CASE WHEN n % 5 = 3 THEN 'E11' END,
              1000 + (n * 7919) % 200000, 0, 0, 0, '0', NULL, md5(n::text), 'outpatient', NULL, NULL,
              1000 + (n * 7919) % 200000, 0, (1000 + (n * 7919) % 200000) * 55 / 100, 0, 0, 0,
              (1000 + (n * 7919) % 200000) * 55 / 100, (1000 + (n * 7919) % 200000) - (1000 + (n * 7919) % 200000) * 55 / 100,
              0, 0, 0, (1000 + (n * 7919) % 200000) - (1000 + (n * 7919) % 200000) * 55 / 100, NULL, NULL,
              '[]', ((n - 1) / :per) + 1, 'bench', now(), 'H' || (n % 50)
       FROM generate_series(CAST(1 AS bigint), CAST(:claims AS bigint)) AS n""",
    """INSERT INTO journal_entries (posting_id, book, amount, psn_no, account_id)
       SELECT posting_id, b.book, CASE b.book WHEN 'provider' THEN sum(medfee_sumamt) WHEN 'pooled_fund' THEN -sum(hifp_pay)
              ELSE -sum(psn_cash_pay) END, NULL, NULL
       FROM claims, (VALUES ('provider'), ('pooled_fund'), ('patient_cash')) AS b(book) GROUP BY posting_id, b.book""",
    # one claim in a hundred reversed, in the last posting
    """INSERT INTO claim_reversals (claim_id, reason, reversed_on, posting_id, operator, created_at)
       SELECT id, 'bench', DATE '2025-12-31', :postings + 1, 'bench', now() FROM claims WHERE id % 100 = 0""",
    """INSERT INTO journal_entries (posting_id, book, amount, psn_no, account_id)
       SELECT :postings + 1, b.book, CASE b.book WHEN 'provider' THEN -sum(medfee_sumamt) WHEN 'pooled_fund' THEN sum(hifp_pay)
              ELSE sum(psn_cash_pay) END, NULL, NULL
       FROM claims, (VALUES ('provider'), ('pooled_fund'), ('patient_cash')) AS b(book) WHERE id % 100 = 0 GROUP BY b.book""",
    "SELECT setval(pg_get_serial_sequence('journal_postings', 'id'), (SELECT max(id) FROM journal_postings))",
    "SELECT setval(pg_get_serial_sequence('claims', 'id'), (SELECT max(id) FROM claims))",
]


def setup(url: str, n: int) -> None:
    engine = make_engine(url)
    # The rows go in as SQL, past the posting transaction that keeps the reports' running
    # sums; migration 0015 then fills them from the claims, as for a ledger that upgrades.
    migrate.upgrade(engine, "0014")
    params = {
        "claims": n,
        "persons": max(1, n // 10),
        "per": PER_POSTING,
        "postings": (n + PER_POSTING - 1) // PER_POSTING,
    }
    with engine.begin() as c:
        for sql in SETUP:
            t0 = time.perf_counter()
            c.execute(text(sql), params)
            print(f"  set-up: {' '.join(sql.split())[:60]}... {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    migrate.upgrade(engine)
    partitions.add_years(engine, range(2024, 2028))  # PostgreSQL: its years' partitions, made ahead
    print(f"  set-up: migration 0015 fills claim_totals and claim_people: {time.perf_counter() - t0:.1f} s")
    with engine.connect() as c:
        c.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    engine.dispose()


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--reuse"]
    n = int(args[0]) if args else 10_000_000
    url = args[1] if len(args) > 1 else "postgresql://postgres@127.0.0.1:5432/ledger_bench"
    print(f"database: {safe_url(url)}; {n:,} claims")
    t0 = time.perf_counter()
    if "--reuse" in sys.argv:
        engine = make_engine(url)
        migrate.upgrade(engine)
        partitions.add_years(engine, range(2024, 2028))  # PostgreSQL: its years' partitions, made ahead
        with engine.connect() as c:
            c.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        engine.dispose()
    else:
        fresh_database(url)
        setup(url, n)
    print(f"set-up: {time.perf_counter() - t0:.0f} s")
    uow = UnitOfWork(make_engine(url))
    start, end = date(2025, 1, 1), date(2025, 12, 31)
    runs = [
        ("funds", lambda: reports.funds(uow, start, end)),
        ("funds --by month", lambda: reports.funds(uow, start, end, by=("month",))),
        (
            "funds --by month,med_type,status",
            lambda: reports.funds(uow, start, end, by=("month", "med_type", "status")),
        ),
        ("funds --by institution --region 2207", lambda: reports.funds(uow, start, end, "2207", ("institution",))),
        ("funds --by med_type,level", lambda: reports.funds(uow, start, end, by=("med_type", "level"))),
        (
            "funds --from 2025-03-15 --to 2025-06-10 --by month,level",
            lambda: reports.funds(uow, date(2025, 3, 15), date(2025, 6, 10), by=("month", "level")),
        ),
        ("mutual-aid", lambda: reports.mutual_aid(uow, start, end)),
        ("caps", lambda: reports.caps(uow, start, end)),
        ("balance", lambda: reports.balance(uow, start, end)),
        ("accounts", lambda: reports.accounts(uow, end)),
    ]
    for name, run in runs:
        t0 = time.perf_counter()
        r = run()
        print(f"report {name}: {time.perf_counter() - t0:.2f} s ({len(r.rows)} rows)")
    b = reports.balance(uow, start, end)
    print(f"trial balance: closing {b.total['closing']}, movement {b.total['movement']} (must be 0.00)")
    f = reports.funds(uow, start, end).rows[0]
    print(f"  claims {f['claims']:,} (reversed left out), fees {f['medfee_sumamt']}, fund {f['fund_pay_sumamt']}")
    env = dict(os.environ, LEDGER_DATABASE_URL=url)
    t0 = time.perf_counter()
    done = subprocess.run(
        ["ledger", "report", "funds", "--from", "2025-01-01", "--by", "month"], env=env, capture_output=True, text=True
    )
    print(
        f"ledger report funds --by month (CLI, process start included): {time.perf_counter() - t0:.2f} s (exit {done.returncode})"
    )


if __name__ == "__main__":
    main()
