"""Commands killed with SIGKILL at random moments, then run again, end exactly where an
uninterrupted run ends: a rollover, and a batch of claims.

Each kind is set up once; an uninterrupted run on a copy of the set-up gives the reference
state. Then each crash run takes a fresh copy of the set-up, starts the command, kills it
1-3 times at random moments (mostly after some chunk has committed, now and then at any
moment at all), runs it again to the end and compares with the reference. Copies: SQLite's
backup API; PostgreSQL's CREATE DATABASE ... TEMPLATE. Every wait is bounded: a command
that hangs fails the test instead of stalling the suite. Each run prints its seed; set
LEDGER_CRASH_SEED to replay one. 10 runs of each by default, 40 with --slow."""

import json
import multiprocessing as mp
import os
import random
import sqlite3
import sys
import time
from contextlib import ExitStack, contextmanager
from datetime import date

from sqlalchemy import create_engine, text

from ledger.db.engine import READ_ONLY, make_engine, normalize_url
from ledger.rules.idcard import check_character
from ledger.services import accounts, family, persons, policies
from ledger.uow import UnitOfWork
from tests.claim_policy import CLAIM_POLICY
from tests.ids import GRANDPARENT, RETIREE

TIMEOUT = 120  # seconds any one run of a command may take before the test fails rather than waits


def _cli(args: list[str]) -> None:
    """The body of a child process: the `ledger` command as a shell would run it."""
    from ledger.cli import main

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    sys.argv = ["ledger", *args]
    main()  # exits with the command's code, which becomes the process's exit code


def ledger(url: str, command: list[str]) -> mp.Process:
    """Start the command in a forked child: a real process to kill with SIGKILL, without
    the half second a fresh interpreter takes to import the ledger (the child creates its
    own engine and connections; it never touches the parent's)."""
    p = mp.get_context("fork").Process(target=_cli, args=(["--db", url, *command],), daemon=True)
    p.start()
    return p


def run_to_end(url: str, command: list[str]) -> None:
    p = ledger(url, command)
    p.join(TIMEOUT)
    if p.is_alive():
        p.kill()
        raise AssertionError(f"ledger {' '.join(command)} did not finish in {TIMEOUT} s")
    assert p.exitcode in (0, 1), f"ledger {' '.join(command)} exited with {p.exitcode}"


def synthetic_id(i: int, region: str = "220102") -> str:
    first17 = f"{region}{1940 + i // 900:04d}0101{i % 900 + 100:03d}"
    return first17 + check_character(first17)


def state(url: str) -> dict:
    """Everything a rollover or a batch of claims changes, without ids and timestamps."""
    e = make_engine(url)
    with e.connect() as c:
        out = {
            "balances": c.execute(text("SELECT psn_no, balance FROM accounts ORDER BY psn_no")).all(),
            "counters": c.execute(
                text(
                    "SELECT psn_no, year, bucket, cap, fund_paid, deductible_met, selfpay FROM benefit_usage ORDER BY psn_no, year, bucket"
                )
            ).all(),
            "deductions": c.execute(
                text("SELECT psn_no, year, item, amount, status FROM year_end_deductions ORDER BY psn_no, item")
            ).all(),
            "incentives": c.execute(
                text("SELECT psn_no, year, bonus FROM major_illness_incentives ORDER BY psn_no")
            ).all(),
            "books": c.execute(
                text("SELECT book, SUM(amount), COUNT(*) FROM journal_entries GROUP BY book ORDER BY book")
            ).all(),
            "rollover": c.execute(text("SELECT year, persons, cursor, finished_at IS NOT NULL FROM rollovers")).all(),
            "claims": c.execute(
                text(
                    "SELECT setl_id, hifp_pay, acct_pay, acct_mulaid_pay, psn_cash_pay, balc FROM claims ORDER BY setl_id"
                )
            ).all(),
            "mulaid": c.execute(
                text(
                    "SELECT c.setl_id, m.payer_psn_no, m.amount FROM claim_mulaid_payments m JOIN claims c ON c.id = m.claim_id ORDER BY 1, 2"
                )
            ).all(),
            "postings": c.execute(
                text("SELECT kind, COUNT(*) FROM journal_postings GROUP BY kind ORDER BY kind")
            ).all(),
        }
    e.dispose()
    return out


@contextmanager
def copy_of(url: str, name: str, tmp_path):
    """A second database holding what `url` holds now."""
    u = normalize_url(url)
    if u.get_backend_name() == "sqlite":
        # SQLite's backup API copies what is committed, including what still sits in the WAL.
        with sqlite3.connect(u.database) as src, sqlite3.connect(tmp_path / f"{name}.db") as dst:
            src.backup(dst)
        yield f"sqlite:///{tmp_path / f'{name}.db'}"
        return
    copy = f"{u.database}_{name}"
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        # A template copy needs the source to itself: end the idle pooled sessions that
        # earlier engines left behind (pools with pre-ping reconnect if reused).
        c.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :db AND pid <> pg_backend_pid()"
            ),
            {"db": u.database},
        )
        c.execute(text(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{copy}" TEMPLATE "{u.database}"'))
    try:
        yield u.set(database=copy).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)'))
        admin.dispose()


def crash_runs(request, base: str, tmp_path, command: list[str], progress_sql: str, check=None) -> None:
    """The reference run, then the crash runs, each compared with it."""
    runs = 40 if request.config.getoption("--slow") else 10
    with copy_of(base, "reference", tmp_path) as reference:
        t0 = time.perf_counter()
        run_to_end(reference, command)
        print(f"uninterrupted: {time.perf_counter() - t0:.2f} s")  # noqa: T201
        expected = state(reference)
    if check is not None:
        check(expected)
    fixed = os.environ.get("LEDGER_CRASH_SEED")
    total = 0
    for n in range(runs):
        seed = int(fixed) if fixed else random.randrange(1 << 30)
        print(f"crash run {n + 1} of {runs}: seed {seed}", end="; ")  # noqa: T201 - shown with -s, to replay a failure
        with copy_of(base, f"crash{n}", tmp_path) as url:
            kills = _kill_and_finish(url, command, progress_sql, random.Random(seed))
            print(f"{kills} kill(s)")  # noqa: T201
            assert state(url) == expected, (
                f"crash run with seed {seed} ({kills} kills) differs from the uninterrupted run"
            )
            total += kills
    assert total >= runs  # a run whose command finished before its kill proves nothing: there must be kills to spare


def _kill_and_finish(url: str, command: list[str], progress_sql: str, rng: random.Random) -> int:
    kills = 0
    with ExitStack() as stack:
        poll = make_engine(url).execution_options(**{READ_ONLY: True})  # a reader: no write lock on SQLite
        stack.callback(poll.engine.dispose)

        def progress() -> int:
            with poll.connect() as c:
                return c.execute(text(progress_sql)).scalar_one()

        for _ in range(rng.randint(1, 3)):
            before = progress()
            p = ledger(url, command)
            deadline = time.monotonic() + TIMEOUT
            if rng.random() < 0.8:  # mostly after a chunk has committed; now and then anywhere
                while p.is_alive() and progress() <= before:
                    assert time.monotonic() < deadline, f"ledger {' '.join(command)} made no progress in {TIMEOUT} s"
                    time.sleep(0.005)
                time.sleep(rng.uniform(0, 0.05))
            else:
                time.sleep(rng.uniform(0, 0.3))
            if p.is_alive():
                p.kill()  # SIGKILL
                kills += 1
            p.join(TIMEOUT)
    run_to_end(url, command)
    return kills


def test_a_rollover_killed_at_random_then_run_again_ends_as_an_uninterrupted_one(db_url, tmp_path, request):
    engine = make_engine(db_url)
    uow = UnitOfWork(engine)
    rng = random.Random(2023)
    # 600 Changchun persons enrolled for 2023: every third a retiree holding 0.00-300.00.
    rows = [
        (
            i + 2,
            {
                "psn_no": synthetic_id(i),
                "name": f"测试{i}",
                "region": "220102",
                "enrolled": [2023],
                "insutype": "310",
                "psn_type": "1201" if i % 3 == 0 else "1101",
            },
        )
        for i in range(600)
    ]
    persons.import_persons(uow, "t", rows)
    for i in range(0, 600, 3):
        accounts.credit(uow, "t", synthetic_id(i), rng.randrange(1, 30001), "opening", date(2023, 1, 1))
    engine.dispose()

    def check(s):
        # 200 retirees: each either paid 133.36 or has its two items due in cash
        assert len(s["deductions"]) == 400
        assert [(y, n, done) for y, n, _, done in s["rollover"]] == [(2023, 600, 1)]

    crash_runs(
        request,
        db_url,
        tmp_path,
        ["rollover", "--year", "2023", "--chunk", "3"],
        "SELECT coalesce(max(persons), 0) FROM rollovers",
        check,
    )


def test_a_batch_of_claims_killed_at_random_then_posted_again_ends_as_an_uninterrupted_one(db_url, tmp_path, request):
    """600 claims in chunks of 7 for 60 Songyuan employees, every fifth a resident paid for
    from a bound holder's account; the rerun reports the committed chunks as duplicates."""
    engine = make_engine(db_url)
    uow = UnitOfWork(engine)
    policies.load_policy(uow, "t", CLAIM_POLICY, "claims.toml")
    people = [synthetic_id(i, "220702") for i in range(60)]
    rows = [
        (
            i + 2,
            {"psn_no": p, "name": f"测试{i}", "region": "220702", "enrolled": [2025]}
            | (
                {"insutype": "390", "resident_category": "ordinary"}
                if i % 5 == 4
                else {"insutype": "310", "psn_type": "1101"}
            ),
        )
        for i, p in enumerate(people)
    ]
    persons.import_persons(uow, "t", rows)
    rng = random.Random(2025)
    for i, p in enumerate(people):
        if i % 5 != 4:
            accounts.credit(uow, "t", p, rng.randrange(1, 200001), "opening", date(2025, 1, 1))
        else:
            family.bind(uow, "t", people[i - 1], p, "spouse", date(2025, 1, 2))
    engine.dispose()
    claims = [
        {
            "setl_id": f"K{n:04d}",
            "psn_no": rng.choice(people),
            "service_date": f"2025-{1 + n // 60:02d}-{1 + n % 28:02d}",
            "med_type": "11",
            "hosp_lv": rng.choice("123"),
            "medfee_sumamt": f"{rng.randrange(1, 150000) / 100:.2f}",
        }
        for n in range(600)
    ]
    feed = tmp_path / "claims.jsonl"
    feed.write_text("".join(json.dumps(c) + "\n" for c in claims))

    def check(s):
        assert len(s["claims"]) == 600 and s["mulaid"]

    crash_runs(
        request, db_url, tmp_path, ["claim", "post", str(feed), "--chunk", "7"], "SELECT count(*) FROM claims", check
    )


def test_rollover_command_summary_and_second_run(run):
    for psn, amount in ((RETIREE, "300.00"), (GRANDPARENT, "120.00")):
        assert (
            run(
                "person",
                "add",
                psn,
                "--name",
                "退休",
                "--insutype",
                "310",
                "--psn-type",
                "1201",
                "--region",
                "220102",
                "--enrolled",
                "2023",
            ).exit_code
            == 0
        )
        assert run("account", "credit", psn, amount, "--reason", "opening", "--date", "2023-01-01").exit_code == 0
    r = run("rollover", "--year", "2023")
    assert r.exit_code == 0, r.output
    assert r.output.splitlines() == [
        "2023 closed, 2024 open: 2 persons; 2 usage counters for 2024",
        "major-illness incentives: 0 persons, 0.00 in all",
        "year-end deductions: 1 persons, 133.36 taken from accounts",  # 300.00 -> 166.64
        "due in cash: 2 items, 133.36",  # 120.00 < 133.36
        "  220702********0012  large_expense_premium  100.00",
        "  220702********0012  disabled_care_premium  33.36",
    ]
    d = json.loads(run("rollover", "--year", "2023", "--json").output)
    assert (
        d["already_done"] is True
        and d["due_in_cash_total"] == "133.36"
        and d["due_in_cash"][0]["psn_no"] == GRANDPARENT
    )
    assert "was already done" in run("rollover", "--year", "2023").output
    r = run("rollover", "--year", "2099")
    assert r.exit_code == 1 and "--year: 2099 is not over" in r.stderr
