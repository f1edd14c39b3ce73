"""Benchmark what a call of the `ledger` command costs before and around its work.

    python scripts/bench_startup.py [ROUNDS] [SQLITE_UTILS]

Times, ROUNDS times each (default 15), alternating so that a busy moment of the machine
falls on every command alike: `SQLITE_UTILS --help` (the yardstick; default: the
`sqlite-utils` on PATH, `pip install sqlite-utils` in a separate environment), `ledger
--help`, `ledger --version`, and posting one claim with `ledger claim post` into a demo
database made once beforehand (a new setl_id each round). Prints the medians and each one's
ratio to the yardstick.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(argv: list[str], cwd: Path, env: dict) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, capture_output=True, check=True)
    return time.perf_counter() - t0


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    yardstick = sys.argv[2] if len(sys.argv) > 2 else shutil.which("sqlite-utils")
    if not yardstick:
        sys.exit("no sqlite-utils on PATH: install it (in another environment) or name it as the second argument")
    ledger = shutil.which("ledger") or sys.exit("no `ledger` on PATH: pip install -e . first")
    with tempfile.TemporaryDirectory() as folder:
        cwd = Path(folder)
        env = dict(os.environ, LEDGER_DATABASE_URL="sqlite:///ledger-demo.db", LEDGER_READ_AHEAD="0")
        subprocess.run([ledger, "demo"], cwd=cwd, env=env, capture_output=True, check=True)
        claim = {
            "psn_no": "220702197806110035",  # the demo's employee with an account
            "service_date": "2025-06-03",
            "med_type": "11",
            "hosp_lv": "1",
            "medfee_sumamt": "10.00",
        }
        times: dict[str, list[float]] = {}
        for n in range(rounds):
            (cwd / "one.jsonl").write_text(json.dumps({"setl_id": f"STARTUP{n:05d}", **claim}) + "\n")
            for name, argv in (
                ("sqlite-utils --help", [yardstick, "--help"]),
                ("ledger --help", [ledger, "--help"]),
                ("ledger --version", [ledger, "--version"]),
                ("ledger claim post (one claim)", [ledger, "claim", "post", "one.jsonl"]),
            ):
                times.setdefault(name, []).append(timed(argv, cwd, env))
    base = statistics.median(times["sqlite-utils --help"])
    print(f"{rounds} rounds each, alternating; medians:")
    for name, values in times.items():
        m = statistics.median(values)
        print(
            f"  {name:32} {m:6.3f} s  ({m / base:.2f} x sqlite-utils --help; min {min(values):.3f}, max {max(values):.3f})"
        )


if __name__ == "__main__":
    main()
