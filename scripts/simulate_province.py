"""A province-size run on PostgreSQL: a tenth of Jilin's insured and a year of their claims,
posted, rolled over, verified and reported, each step timed.

    python scripts/simulate_province.py [--persons N] [--claims M] [--bindings B] [--workers W] [DATABASE_URL]

Defaults: 2,400,000 persons (Jilin insures about 24 million), 15,000,000 claims (about a
tenth of its 150 million outpatient settlements a year), 60,000 family bindings, on
postgresql://postgres@127.0.0.1:5432/ledger_province, which is dropped and made again.

The population is a city's (Songyuan's districts and counties, under the illustrative
operator file that examples/ ships): 27 % employees (those over 60 retired), 73 %
residents (ordinary, a few in hardship or extreme poverty), as in Jilin's insured. A claim's
medical type and hospital level come in the shares a city's settlements come in: general
outpatient 68 %, pharmacy purchases 20 %, chronic and special diseases 9 %, inpatient stays
3 %; at level 1 hospitals 55 %, level 2 25 %, level 3 20 %. Employees settle more often than
residents (two in five claims come from the 27 %). A bound employee's account pays some of
the relative's claims (`acct_used_flag` with the holder as `mulaid_payer`).

Each step goes through the ledger as a bureau runs it: persons by the import service, the
opening balances in one journal posting, bindings one by one through the family service,
the claims day by day by `ledger claim post FILE` (the CLI, a JSON line each; W files
posted at once, each a share of the families, as a province's settlements arrive from many
places at once), `ledger rollover --year 2025`, `ledger verify`, then the reports. It prints each step's time, the rows, and the
database's size on disk, table by table (partitions summed). On a server with autovacuum off
it runs ANALYZE itself every two minutes while it writes, as autovacuum would: without
statistics the planner scans where it should look up, and the run measures that instead.
docs/scale.md has the figures of a run and what they imply for the whole province and for
ten years.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select, text

from ledger.db import migrate, partitions
from ledger.db.engine import make_engine, safe_url
from ledger.db.models import Account
from ledger.policy.book import example_text
from ledger.rules.idcard import check_character
from ledger.services import family, persons, policies
from ledger.services.journal import Draft, Leg, post_many
from ledger.uow import UnitOfWork

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from bench_reports import fresh_database  # noqa: E402  (beside this script)

# Songyuan's districts and counties: Ningjiang, Qian Gorlos, Changling, Qian'an, Fuyu
REGIONS = ["220702", "220721", "220722", "220723", "220781"]
MED_TYPES = [("11", 68), ("41", 20), ("14", 9), ("21", 3)]
LEVELS = [("1", 55), ("2", 25), ("3", 20)]
CHRONIC = ["E11", "I10"]  # diabetes, hypertension: the chronic diseases the illustrative file lists
YEAR = 2025


def synthetic_id(i: int) -> str:
    # the district's code, a birth day between 1940 and 2019, and a sequence number: unique
    # for up to 26 million persons
    n = i // len(REGIONS)
    day = date(1940, 1, 1) + timedelta(days=n * 7919 % 29000)
    first17 = f"{REGIONS[i % len(REGIONS)]}{day:%Y%m%d}{100 + n // 29000:03d}"
    return first17 + check_character(first17)


def is_employee(k: int, psn_no: str) -> bool:
    # about 27 % of all: 36 % of those of working age or retired (18 to 80 in 2025)
    return 18 <= YEAR - int(psn_no[6:10]) <= 80 and k * 7 % 100 < 36


def person_row(k: int, psn_no: str) -> dict:
    row = {"psn_no": psn_no, "name": f"居民{k}", "region": psn_no[:6], "enrolled": [YEAR]}
    if is_employee(k, psn_no):  # retired from 60
        return row | {"insutype": "310", "psn_type": "1201" if YEAR - int(psn_no[6:10]) >= 60 else "1101"}
    category = "ordinary" if k % 50 else ("hardship" if k % 100 else "extreme_poverty")
    return row | {"insutype": "390", "resident_category": category}


def weighted(pairs):
    return [v for v, w in pairs for _ in range(w)]


def step(name: str, started: float) -> float:
    now = time.perf_counter()
    print(f"{name}: {now - started:,.1f} s", flush=True)
    return now


def cli(url: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, LEDGER_DATABASE_URL=url)
    done = subprocess.run(["ledger", *args], env=env, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        print(done.stdout[-2000:], done.stderr[-2000:])
    return done


class Analyzer:
    """Autovacuum's ANALYZE, where the server has autovacuum off (a test server often
    does): every `every` seconds while the run writes, so the planner knows the tables as
    they grow. With autovacuum on it does nothing; the server does it."""

    def __init__(self, engine, every: float = 120.0):
        with engine.connect() as c:
            self.off = c.scalar(text("SHOW autovacuum")) == "off"
        self.engine, self.every, self.stop = engine, every, threading.Event()
        if self.off:
            print(f"autovacuum is off on this server: the run analyzes the tables every {every:.0f} s instead")
            threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while not self.stop.wait(self.every):
            with self.engine.connect() as c:
                c.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))


def size_report(engine) -> None:
    with engine.connect() as c:
        total = c.scalar(text("SELECT pg_database_size(current_database())"))
        rows = c.execute(
            text(
                "SELECT coalesce(p.relname, c.relname) AS t, sum(pg_total_relation_size(c.oid)) AS bytes "
                "FROM pg_class c LEFT JOIN pg_inherits i ON i.inhrelid = c.oid LEFT JOIN pg_class p ON p.oid = i.inhparent "
                "WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace "
                "GROUP BY 1 ORDER BY 2 DESC LIMIT 8"
            )
        ).all()
    print(f"database size: {total / 2**30:,.2f} GiB")
    for t, b in rows:
        print(f"  {t}: {b / 2**30:,.2f} GiB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("url", nargs="?", default="postgresql://postgres@127.0.0.1:5432/ledger_province")
    ap.add_argument("--persons", type=int, default=2_400_000)
    ap.add_argument("--claims", type=int, default=15_000_000)
    ap.add_argument("--bindings", type=int, default=60_000)
    ap.add_argument("--seed", type=int, default=20251231)
    ap.add_argument("--workers", type=int, default=2, help="claim post processes at once, a share of the families each")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    print(f"database: {safe_url(a.url)}; {a.persons:,} persons, {a.claims:,} claims, {a.bindings:,} bindings")
    t0 = time.perf_counter()
    fresh_database(a.url)
    engine = make_engine(a.url)
    migrate.upgrade(engine)  # this year's partitions and the next's; the run's year's too:
    partitions.add_years(engine, (YEAR, YEAR + 1))
    uow = UnitOfWork(engine)
    analyzer = Analyzer(engine)
    policies.load_policy(uow, "province", example_text(), "illustrative.toml")
    t = step("schema and policy", t0)

    ids = [synthetic_id(i) for i in range(a.persons)]
    persons.import_persons(uow, "province", ((k, person_row(k, p)) for k, p in enumerate(ids)))
    employees = [p for k, p in enumerate(ids) if is_employee(k, p)]
    residents = [p for k, p in enumerate(ids) if not is_employee(k, p)]
    t = step(f"persons: {a.persons:,} imported", t)

    with uow:
        s = uow.session
        accounts = s.execute(select(Account.id, Account.psn_no)).all()
        amounts = {x.id: rng.randrange(0, 300_001) for x in accounts}  # 0.00 to 3,000.00
        legs = [Leg("personal_account", amounts[x.id], x.psn_no, x.id) for x in accounts if amounts[x.id]]
        legs.append(Leg("account_funding", -sum(amounts.values())))
        post_many(s, [Draft("credit", date(YEAR, 1, 1), "opening balances (province run)", legs)], "province")
        uow.commit()
    t = step(f"opening balances: {len(accounts):,} accounts in one posting", t)

    bound = {}
    holders = rng.sample(employees, min(a.bindings, len(employees)))
    members = rng.sample(residents, len(holders))
    for h, m in zip(holders, members, strict=True):
        if h[6:14] == m[6:14]:
            continue  # born the same day: neither child nor parent
        family.bind(uow, "province", h, m, "child" if m[6:14] > h[6:14] else "parent", date(YEAR, 1, 1))
        bound[m] = h
    t = step(f"bindings: {len(bound):,}", t)
    with engine.connect() as c:  # as after any bulk load: the planner learns the tables' sizes
        c.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    t = step("analyze", t)

    med_types, levels = weighted(MED_TYPES), weighted(LEVELS)
    bound_members = list(bound)
    with tempfile.TemporaryDirectory() as work:
        # a file per posting stream, each in date order, as the day's settlements arrive; a
        # family's claims (the patient's and a bound holder's) all in one stream
        feeds = [Path(work) / f"claims-{n}.jsonl" for n in range(a.workers)]
        files = [f.open("w") for f in feeds]
        k = 0
        for day in range(365):
            on = (date(YEAR, 1, 1) + timedelta(days=day)).isoformat()
            for _ in range(a.claims * (day + 1) // 365 - a.claims * day // 365):
                r = rng.random()
                if r < 0.40:
                    psn = employees[rng.randrange(len(employees))]
                elif r < 0.42 and bound_members:
                    psn = bound_members[rng.randrange(len(bound_members))]
                else:
                    psn = residents[rng.randrange(len(residents))]
                med_type = med_types[rng.randrange(100)]
                if med_type == "41" and r >= 0.40 and psn not in bound:
                    med_type = "11"  # a pharmacy purchase is paid from an account: a resident has one through a binding
                fee = rng.randrange(1_000, 3_000_000 if med_type == "21" else 60_000)
                c = {
                    "setl_id": f"P{k:09d}",
                    "psn_no": psn,
                    "service_date": on,
                    "med_type": med_type,
                    "hosp_lv": levels[rng.randrange(100)],
                    "medfee_sumamt": f"{fee // 100}.{fee % 100:02d}",
                }
                if med_type == "14":
                    c["dise_codg"] = CHRONIC[rng.randrange(len(CHRONIC))]
                if psn in bound:
                    c["acct_used_flag"] = "1"
                    c["mulaid_payer"] = bound[psn]
                files[zlib.crc32(bound.get(psn, psn).encode()) % a.workers].write(json.dumps(c) + "\n")
                k += 1
        for f in files:
            f.close()
        size = sum(f.stat().st_size for f in feeds)
        t = step(f"claims files: {k:,} lines in {a.workers}, {size / 2**20:,.0f} MiB (not part of the ledger)", t)
        env = dict(os.environ, LEDGER_DATABASE_URL=a.url)
        runs = [
            subprocess.Popen(
                ["ledger", "claim", "post", str(f)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for f in feeds
        ]
        for run in runs:
            out, err = run.communicate()
            print("  " + (out.strip().splitlines()[-1] if out.strip() else err[-500:]))
        dt = time.perf_counter() - t
        t = step(f"claim post ({a.workers} at once): {k:,} claims = {k / dt:,.0f} claims/s", t)

    analyzer.stop.set()
    with engine.connect() as c:
        c.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    t = step("vacuum analyze", t)
    done = cli(a.url, "rollover", "--year", str(YEAR))
    print("  " + (done.stdout.strip().splitlines() or ["?"])[-1])
    t = step(f"rollover {YEAR}", t)
    done = cli(a.url, "verify")
    said = done.stdout.strip().splitlines()[-2:] or done.stderr.strip().splitlines()[-1:]
    print("  " + " / ".join(said) + f" (exit {done.returncode})")
    t = step("verify (full)", t)
    for report in (
        ["report", "funds", "--from", f"{YEAR}-01-01", "--to", f"{YEAR}-12-31", "--by", "month"],
        ["report", "funds", "--from", f"{YEAR}-01-01", "--to", f"{YEAR}-12-31", "--by", "region,insutype,med_type"],
        ["report", "balance", "--from", f"{YEAR}-01-01", "--to", f"{YEAR}-12-31"],
        ["report", "mutual-aid", "--from", f"{YEAR}-01-01", "--to", f"{YEAR}-12-31"],
        ["report", "caps", "--from", f"{YEAR}-01-01", "--to", f"{YEAR}-12-31"],
        ["report", "incentives", "--year", str(YEAR + 1)],
        ["report", "accounts", "--date", f"{YEAR}-12-31"],
    ):
        started = time.perf_counter()
        done = cli(a.url, *report, "--json")
        print(
            f"{' '.join(report[:2])} {' '.join(report[2:])}: {time.perf_counter() - started:,.1f} s (exit {done.returncode})"
        )
    t = step("reports", t)
    size_report(engine)
    print(f"total: {time.perf_counter() - t0:,.0f} s")


if __name__ == "__main__":
    main()
