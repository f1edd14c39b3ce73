"""Benchmark `ledger verify` on a large ledger, in full and incrementally (`--since`).

    python scripts/bench_verify.py [CLAIMS] [DATABASE_URL] [--persons N] [--day K] [--breakdown]

Defaults: 1,000,000 claims for 200,000 persons on a SQLite file under a new temporary
folder. Builds the ledger as `bench_post.py` does (its persons, its claims, posted with
`ledger claim post`) unless the database already holds at least CLAIMS claims, in which
case it is used as it is (build once, measure often). Then:

1. `ledger verify` (the full check), timed; it records a clean run. With --breakdown, the
   service is called in this process instead and each check's time is printed too.
2. K more claims (default 10,000: a busy day of a city), of the last three service days,
   posted with `ledger claim post`.
3. `ledger verify --since`, timed: only what was written after the clean run of step 1.

Prints the seconds of each, the rows they read, and each one's verdict.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).parent))
from bench_post import claims, setup  # noqa: E402  (the same persons and claims as the batch benchmark)

from ledger.db.engine import make_engine, safe_url  # noqa: E402
from ledger.db.models import ClaimRecord, Person  # noqa: E402
from ledger.uow import UnitOfWork  # noqa: E402


def ledger(url: str, *argv: str) -> tuple[float, dict, int]:
    env = dict(os.environ, LEDGER_DATABASE_URL=url)
    t0 = time.perf_counter()
    done = subprocess.run(["ledger", *argv], env=env, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    try:
        out = json.loads(done.stdout)
    except json.JSONDecodeError:
        out = {"output": (done.stdout + done.stderr)[-500:]}
    return dt, out, done.returncode


def post(url: str, feed: Path) -> None:
    dt, out, code = ledger(url, "claim", "post", str(feed))
    print(f"  posted {feed.name} in {dt:.1f} s (exit {code})")


def counts(url: str) -> tuple[int, int, list[str], list[str]]:
    engine = make_engine(url)
    with engine.connect() as con:
        n = con.scalar(select(func.count()).select_from(ClaimRecord)) if engine.dialect.has_table(con, "claims") else 0
        people = con.execute(select(Person.psn_no, Person.insutype)).all() if n else []
    engine.dispose()
    return (
        n,
        len(people),
        [p for p, t in people if t == "310"],
        [p for p, t in people if t == "390"],
    )


def write_feed(path: Path, n: int, employees, residents, rng, prefix: str, recent: bool = False) -> Path:
    """`n` claims as bench_post makes them; `recent`: a day's feed, its services in the
    last three days of the year's claims (a city's claims arrive within days)."""
    with path.open("w") as f:
        for k, c in enumerate(claims(n, employees, residents, rng)):
            c["setl_id"] = f"{prefix}{k:08d}"
            if recent:
                c["service_date"] = (LAST_DAY - timedelta(days=rng.randrange(3))).isoformat()
            f.write(json.dumps(c) + "\n")
    return path


LAST_DAY = date(2025, 11, 26)  # bench_post's claims are of 2025-01-01 and the 329 days after


CHECKS = ("chain_problems", "_account_problems", "_contribution_problems", "usage_problems", "claim_problems",
          "reversal_problems", "binding_problems", "rollup_problems")  # fmt: skip


def in_process(url: str, since: bool) -> tuple[float, dict, str]:
    """`verify` in this process (recorded, as the CLI's is), each check timed: seconds, the
    result, and where the time went."""
    import ledger.services.verify as v

    spent: dict[str, float] = {}

    def timed(name, fn):
        def run(*args, **kw):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kw)
            finally:
                spent[name] = spent.get(name, 0) + time.perf_counter() - t0

        return run

    saved = {name: getattr(v, name) for name in CHECKS}
    for name, fn in saved.items():
        setattr(v, name, timed(name, fn))
    t0 = time.perf_counter()
    try:
        out = v.verify(UnitOfWork.from_url(url), since=since)
    finally:
        for name, fn in saved.items():
            setattr(v, name, fn)
    where = ", ".join(f"{name.strip('_').removesuffix('_problems')} {t:.1f} s" for name, t in spent.items())
    return time.perf_counter() - t0, out, where


def timed_verify(url: str, since: bool, breakdown: bool) -> None:
    label = "ledger verify --since" if since else "ledger verify (full)"
    if breakdown:
        dt, out, where = in_process(url, since)
        print(f"{label}, in this process: {dt:.1f} s: {out['checked']} {out['problems'][:3]}")
        print(f"  where the time goes: {where}")
        return
    dt, out, code = ledger(url, "verify", *(["--since"] if since else []), "--json")
    print(f"{label}: {dt:.1f} s, exit {code}: {out.get('checked')} {out.get('problems', out)[:3]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("claims", nargs="?", type=int, default=1_000_000)
    ap.add_argument("url", nargs="?")
    ap.add_argument("--persons", type=int, default=200_000)
    ap.add_argument("--day", type=int, default=10_000)
    ap.add_argument("--breakdown", action="store_true", help="run verify in this process, each check timed")
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-verify-"))
    url = a.url or f"sqlite:///{work / 'ledger.db'}"
    print(f"database: {safe_url(url)}")
    have, _, employees, residents = counts(url)
    if have < a.claims:
        if have:
            raise SystemExit(f"the database holds {have:,} claims, fewer than {a.claims:,}: give an empty one")
        t0 = time.perf_counter()
        employees, residents = setup(url, a.persons, random.Random(20251231))
        step = 1_000_000  # a file a million claims, so the disk never holds the whole feed
        for start in range(0, a.claims, step):
            n = min(step, a.claims - start)
            feed = write_feed(
                work / "feed.jsonl", n, employees, residents, random.Random(start), f"V{start // step:02d}"
            )
            post(url, feed)
            feed.unlink()
        print(f"built: {a.claims:,} claims for {a.persons:,} persons in {time.perf_counter() - t0:.0f} s")
    have, m, employees, residents = counts(url)
    print(f"the ledger holds {have:,} claims for {m:,} persons")

    timed_verify(url, False, a.breakdown)
    day = write_feed(
        work / "day.jsonl", a.day, employees, residents, random.Random(time.time()), f"D{int(time.time())}", recent=True
    )
    post(url, day)
    timed_verify(url, True, a.breakdown)


if __name__ == "__main__":
    main()
