"""1 January on PostgreSQL: several processes posting single claims dated in a year that has
just begun, for a while, and what they met.

    python scripts/bench_new_year.py postgresql://postgres@127.0.0.1:5432/bench_new_year [PROCESSES] [SECONDS]

The database is made afresh (dropped if there). The year's partitions are made ahead, by
`ledger db add-year` as a scheduled step would (docs/scale.md, "Partitions by year"); then
PROCESSES processes (8) each post claims one at a time, each claim its own transaction, for
SECONDS (20), every claim dated 2025-01-01 (the Songyuan seed: 10.00 at a level-2 hospital,
under the deductible, paid from the account). Prints the claims posted, the transactions
retried (a deadlock or another writer in the way: each is logged by ledger/db/retry.py),
and the latency of a claim (median, p99, most). Before partitions were made ahead, a year's
first claims made them on their own path, and 8 processes met 52 deadlocks in 20 s."""

import logging
import multiprocessing
import sys
import time
from datetime import date
from pathlib import Path

from ledger.db import migrate, partitions
from ledger.db.engine import make_engine, safe_url
from ledger.rules.idcard import check_character
from ledger.services import accounts, claims, persons
from ledger.uow import UnitOfWork

sys.path.insert(0, str(Path(__file__).parent))
from bench_reports import fresh_database  # noqa: E402  (beside this script)

YEAR = 2025  # a past year (a claim may not be dated in the future), which `db upgrade` did not make
PEOPLE = 400


def person(i: int) -> str:
    first17 = f"220702{1960 + i // 900:04d}0101{i % 900 + 100:03d}"
    return first17 + check_character(first17)


class Retries(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record):
        self.count += 1


def post_for(args) -> tuple[int, int, list[float]]:
    url, n, seconds = args
    uow = UnitOfWork(make_engine(url))
    retries = Retries()
    logging.getLogger("ledger.db.retry").addHandler(retries)
    latencies, k, end = [], 0, time.monotonic() + seconds
    while time.monotonic() < end:
        claim = {
            "setl_id": f"NY{n:02d}{k:07d}", "psn_no": person((n * 50 + k) % PEOPLE), "service_date": f"{YEAR}-01-01",
            "med_type": "11", "hosp_lv": "2", "medfee_sumamt": "10.00",
        }  # fmt: skip
        t = time.perf_counter()
        result = claims.post_claim(uow, f"desk{n}", claim)
        latencies.append(time.perf_counter() - t)
        assert result.status == "posted", result.errors
        k += 1
    return k, retries.count, latencies


def main() -> None:
    url = sys.argv[1]
    processes = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 20
    fresh_database(url)
    engine = make_engine(url)
    migrate.upgrade(engine)
    partitions.add_years(engine, (YEAR - 1,))
    uow = UnitOfWork(engine)
    for i in range(PEOPLE):
        psn = person(i)
        persons.add_person(uow, "bench", psn_no=psn, name="参保人", insutype="310", psn_type="1101",
                           region="220702", enrolled=[YEAR - 1, YEAR])  # fmt: skip
        accounts.credit(uow, "bench", psn, 1000_00, "opening", date(YEAR - 1, 12, 1))
    t = time.perf_counter()
    made = partitions.add_years(engine, (YEAR,))  # as `ledger db add-year` does, before the year begins
    print(f"{safe_url(url)}: {YEAR}'s partitions made ahead ({made} tables) in {time.perf_counter() - t:.3f} s")
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        done = pool.map(post_for, [(url, n, seconds) for n in range(processes)])
    posted = sum(d[0] for d in done)
    retried = sum(d[1] for d in done)
    lat = sorted(x for d in done for x in d[2])
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000  # noqa: E731
    print(f"{processes} processes, {seconds:.0f} s: {posted} claims dated {YEAR}-01-01 posted, {retried} retried")
    print(f"latency of a claim: median {p(0.5):.1f} ms, p99 {p(0.99):.1f} ms, most {lat[-1] * 1000:.1f} ms")


if __name__ == "__main__":
    main()
