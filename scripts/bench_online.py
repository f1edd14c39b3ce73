"""Benchmark online posting on PostgreSQL: single claims, one transaction each, from W
processes at once, against pgbench's TPC-B on the same server.

    python scripts/bench_online.py [--workers W] [--seconds T] [--persons N] [SERVER_URL]

Defaults: W=8, T=20, N=20,000, SERVER_URL postgresql://postgres@127.0.0.1:5432/postgres.
Creates two databases on that server, `bench_online` (the ledger: migrated, the
illustrative operator file, N persons set up as `bench_post.py` does) and `bench_pgbench`
(`pgbench -i`), dropping them first if they exist. Then:

1. W processes each post claims through the Python API (`UnitOfWork.from_url`,
   `claims.post_claim`) for T seconds, after one warm-up claim each (connecting, reading
   the policy book). Each claim is a new setl_id for a random person.
2. pgbench's TPC-B (its default script) with W clients for T seconds, on a database
   initialised at scale max(W, 10).

Prints claims/s, the p50 and p99 latency of a claim, pgbench's tps and average latency,
and the ratio claims/s ÷ tps; then `ledger verify` on the ledger database.
"""

import argparse
import multiprocessing as mp
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).parent))
from bench_post import claims, setup  # noqa: E402  (the same persons and claims as the batch benchmark)

from ledger.services.claims import post_claim  # noqa: E402
from ledger.services.verify import verify  # noqa: E402
from ledger.uow import UnitOfWork  # noqa: E402

LEDGER_DB, PGBENCH_DB = "bench_online", "bench_pgbench"


def recreate(server: str, name: str) -> str:
    with psycopg.connect(server, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name}")
        con.execute(f"CREATE DATABASE {name}")
    return server.rsplit("/", 1)[0] + "/" + name


def worker(url: str, w: int, people: tuple[list[str], list[str]], start_at: float, seconds: float, out) -> None:
    """Post claims until the deadline; send back each one's latency in seconds."""
    rng = random.Random(1000 + w)
    uow = UnitOfWork.from_url(url)
    feed = claims(10**9, *people, rng)
    k = 0

    def one() -> float:
        nonlocal k
        c = next(feed)
        c["setl_id"] = f"W{w}-{k:08d}"
        k += 1
        t0 = time.perf_counter()
        r = post_claim(uow, "bench", c)
        dt = time.perf_counter() - t0
        if r.status != "posted":
            raise SystemExit(f"worker {w}: claim {c['setl_id']} {r.status}: {r.error}")
        return dt

    one()  # warm-up: connection, policy book, statement caches
    time.sleep(max(0.0, start_at - time.time()))
    deadline = start_at + seconds
    latencies = []
    while time.time() < deadline:
        latencies.append(one())
    out.put(latencies)


def online(url: str, workers: int, seconds: float, people) -> list[float]:
    ctx = mp.get_context("spawn")  # a fresh interpreter each, as a script calling the API would be
    out = ctx.Queue()
    start_at = time.time() + 10  # time for every process to start and warm up
    procs = [ctx.Process(target=worker, args=(url, w, people, start_at, seconds, out)) for w in range(workers)]
    for p in procs:
        p.start()
    latencies = [x for _ in procs for x in out.get()]
    for p in procs:
        p.join()
        if p.exitcode:
            raise SystemExit(f"a worker failed (exit {p.exitcode})")
    return latencies


def pgbench(url: str, workers: int, seconds: float) -> tuple[float, float]:
    subprocess.run(["pgbench", "-i", "-q", "-s", str(max(workers, 10)), url], check=True, capture_output=True)
    done = subprocess.run(
        ["pgbench", "-c", str(workers), "-j", str(workers), "-T", str(int(seconds)), "-n", url],
        check=True,
        capture_output=True,
        text=True,
    )
    tps = float(re.search(r"tps = ([\d.]+)", done.stdout).group(1))
    latency = float(re.search(r"latency average = ([\d.]+) ms", done.stdout).group(1))
    return tps, latency


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("server", nargs="?", default="postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--persons", type=int, default=20_000)
    a = ap.parse_args()

    url = recreate(a.server, LEDGER_DB)
    people = setup(url, a.persons, random.Random(20251231))
    latencies = online(url, a.workers, a.seconds, people)
    rate = len(latencies) / a.seconds
    q = statistics.quantiles(latencies, n=100)
    print(
        f"ledger, {a.workers} processes, {a.seconds:.0f} s: {len(latencies):,} claims = {rate:,.0f} claims/s; "
        f"p50 {q[49] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms"
    )
    tps, avg = pgbench(recreate(a.server, PGBENCH_DB), a.workers, a.seconds)
    print(f"pgbench TPC-B, {a.workers} clients, {a.seconds:.0f} s: {tps:,.0f} tps, latency average {avg:.1f} ms")
    print(f"ratio claims/s ÷ tps: {rate / tps:.3f}")
    v = verify(UnitOfWork.from_url(url))
    print(f"ledger verify: {'ok' if v['ok'] else v['problems'][:5]}")


if __name__ == "__main__":
    main()
