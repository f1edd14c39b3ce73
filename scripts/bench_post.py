"""Benchmark `ledger claim post` against the raw write limit of the same database.

    python scripts/bench_post.py [CLAIMS] [PERSONS] [DATABASE_URL]

Defaults: 100,000 claims for 20,000 persons on a fresh SQLite file. Sets up the persons
(80 % employees with an opening balance, 20 % residents each bound to an employee), loads
the illustrative operator file, writes the claims as JSON lines, then times the CLI
posting them (`ledger claim post FILE`, a batch job's way: only bad rows and the summary
are printed; process start included). Then its raw limit (raw_limit.py): the very rows
the ledger wrote (postings, entries, claims, payers, counters, the reports' sums, the new
balances), written again with the bare driver (sqlite3; psycopg's COPY on PostgreSQL) into
a copy of the database made just before the batch, with the same indexes and triggers, in
as many transactions; and the ratio of the two times. Finally `ledger verify` must pass.
A PostgreSQL URL names a database of its own, which is set up here; the copy is made
beside it as DATABASE_raw.

    python scripts/bench_post.py [CLAIMS] [PERSONS] --profile national [--rounds N]

posts the same claims in three formats, each time into a copy of a SQLite file set up
alike: in the ledger's own format; as the national platform's settlement records (every
field of a 5203 record, amounts as JSON numbers, `claim post --profile national`) that give
their hospital's grade; and as the same records giving no level, as the platform's 2207
outputs do, each taking its institution's from the registry (48 institutions, imported
into that file's set-up: docs/institutions.md). The formats take turns N times (3 by
default); it prints every speed, the ratio of each pair and their median.
"""

import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url

from ledger.db import migrate, partitions
from ledger.db.engine import make_engine, safe_url
from ledger.db.models import Account
from ledger.policy.book import example_text
from ledger.rules.idcard import check_character
from ledger.services import family, institutions, persons, policies
from ledger.services.journal import Draft, Leg, post_many
from ledger.services.verify import verify
from ledger.uow import UnitOfWork

sys.path.insert(0, str(Path(__file__).parent))
import raw_limit  # noqa: E402  (beside this script)


def synthetic_id(i: int) -> str:
    # Songyuan, Ningjiang district; 900 sequence numbers a birth day from 1950-01-01 on
    day = date.fromordinal(date(1950, 1, 1).toordinal() + i // 900)
    first17 = f"220702{day:%Y%m%d}{i % 900 + 100:03d}"
    return first17 + check_character(first17)


def setup(url: str, n_persons: int, rng: random.Random) -> tuple[list[str], list[str]]:
    engine = make_engine(url)
    migrate.upgrade(engine)
    partitions.add_years(engine, range(2024, 2028))  # PostgreSQL: its years' partitions, made ahead
    uow = UnitOfWork(engine)
    policies.load_policy(uow, "bench", example_text(), "illustrative.toml")
    ids = [synthetic_id(i) for i in range(n_persons)]
    employees = [p for i, p in enumerate(ids) if i % 5]
    residents = [p for i, p in enumerate(ids) if i % 5 == 0]
    rows = [
        (
            k,
            {
                "psn_no": p,
                "name": f"测试{k}",
                "region": "220702",
                "enrolled": [2025],
                **(
                    {"insutype": "390", "resident_category": "ordinary"}
                    if k % 5 == 0
                    else {"insutype": "310", "psn_type": "1201" if k % 7 == 0 else "1101"}
                ),
            },
        )
        for k, p in enumerate(ids)
    ]
    persons.import_persons(uow, "bench", rows)
    # Opening balances in one posting (set-up, not measured): 0.00 to 3000.00 each, written
    # by the journal writer, so the posting is chained and `ledger verify` holds.
    with uow:
        s = uow.session
        accounts = s.execute(select(Account.id, Account.psn_no)).all()
        amounts = {a.id: rng.randrange(0, 300_001) for a in accounts}
        legs = [Leg("personal_account", amounts[a.id], a.psn_no, a.id) for a in accounts if amounts[a.id]]
        legs.append(Leg("account_funding", -sum(amounts.values())))
        post_many(s, [Draft("credit", date(2025, 1, 1), "opening balances (benchmark)", legs)], "bench")
        uow.commit()
    for k, member in enumerate(residents[:2000]):  # binding is a counter operation: 2,000 of them
        family.bind(uow, "bench", employees[k], member, "sibling", date(2025, 1, 1))
    engine.dispose()
    return employees, residents


def claims(n: int, employees: list[str], residents: list[str], rng: random.Random):
    start = date(2025, 1, 1)
    kinds = [("11", None)] * 14 + [("41", None)] * 3 + [("14", "E11"), ("14", "I10"), ("21", None)]
    for k in range(n):
        resident = rng.random() < 0.2
        psn = rng.choice(residents) if resident else rng.choice(employees)
        med_type, dise = rng.choice(kinds)
        if resident and med_type == "41":  # a resident has no chronic-disease bucket here
            med_type = "11"
        fee = rng.randrange(1_000, 3_000_000 if med_type == "21" else 200_000)
        c = {
            "setl_id": f"B{k:08d}",
            "psn_no": psn,
            "service_date": (start + timedelta(days=rng.randrange(330))).isoformat(),
            "med_type": med_type,
            "hosp_lv": str(rng.randint(1, 3)),
            "medfee_sumamt": f"{fee // 100}.{fee % 100:02d}",
        }
        if dise:
            c["dise_codg"] = dise
        if rng.random() < 0.3:
            own = rng.randrange(0, fee // 5 + 1)
            c["fulamt_ownpay_amt"] = f"{own // 100}.{own % 100:02d}"
        yield c


GRADE_OF_LEVEL = {"1": "08", "2": "05", "3": "02"}  # 一级甲等, 二级甲等, 三级甲等


def institution(level: str, k: int) -> str:
    """One of 16 institutions of the claim's level: the registry gives it that level."""
    return f"H2207020{level}{k % 16:03d}"


def registry_rows() -> list[tuple[int, dict]]:
    return [
        (n, {"fixmedins_code": institution(level, j), "fixmedins_name": "松原市某医院", "fixmedins_type": "1",
             "hosp_lv": grade, "fix_blng_admdvs": "220702", "begndate": "2020-01-01"})
        for n, (level, grade, j) in enumerate(((lv, g, j) for lv, g in GRADE_OF_LEVEL.items() for j in range(16)), 2)
    ]  # fmt: skip


def national_record(c: dict, k: int, levels: bool = True) -> str:
    """The claim as a platform settlement record: its fields and the platform's others,
    amounts written as JSON numbers; without `levels`, no grade (the registry's)."""
    fee = c["medfee_sumamt"]
    numbers = {
        "medfee_sumamt": fee, "fulamt_ownpay_amt": c.get("fulamt_ownpay_amt", "0.00"), "overlmt_selfpay": "0.00",
        "preselfpay_amt": "0.00", "inscp_scp_amt": fee, "act_pay_dedc": "0.00", "hifp_pay": "0.00",
        "pool_prop_selfpay": "0.00", "cvlserv_pay": "0.00", "hifes_pay": "0.00", "hifmi_pay": "0.00",
        "hifob_pay": "0.00", "maf_pay": "0.00", "oth_pay": "0.00", "fund_pay_sumamt": "0.00", "psn_pay": fee,
        "acct_pay": fee, "cash_payamt": "0.00", "balc": "0.00", "acct_mulaid_pay": "0.00", "age": "46.0",
    }  # fmt: skip
    texts = {
        "setl_id": c["setl_id"], "mdtrt_id": f"M{k:08d}", "psn_no": "P" + c["psn_no"],
        "psn_name": "测试", "psn_cert_type": "01", "certno": c["psn_no"], "gend": "1", "naty": "01",
        "brdy": "1970-01-01", "insutype": "310", "psn_type": "1101", "cvlserv_flag": "0", "flxempe_flag": "0",
        "nwb_flag": "0", "insu_optins": "220702", "emp_name": "松原市某单位", "pay_loc": "2",
        "fixmedins_code": institution(c["hosp_lv"], k), "fixmedins_name": "松原市某医院",
        "hosp_lv": GRADE_OF_LEVEL[c["hosp_lv"]] if levels else "", "fixmedins_poolarea": "220700", "lmtpric_hosp_lv": "",
        "dedc_hosp_lv": "", "begndate": c["service_date"], "enddate": c["service_date"],
        "setl_time": c["service_date"] + " 09:30:00", "mdtrt_cert_type": "02", "med_type": c["med_type"],
        "clr_type": "11", "clr_way": "1", "clr_optins": "220702", "medins_setl_id": f"S{k:08d}",
        "refd_setl_flag": "0", "year": c["service_date"][:4], "dise_codg": c.get("dise_codg", ""), "dise_name": "",
        "invono": "", "opter_id": "0001", "opter_name": "收费员", "opt_time": c["service_date"] + " 09:30:00",
    }  # fmt: skip
    parts = [f'"{f}": {json.dumps(v, ensure_ascii=False)}' for f, v in texts.items()]
    parts += [f'"{f}": {v}' for f, v in numbers.items()]
    return "{" + ", ".join(parts) + "}"


def cpu_of_children() -> float:
    """User and system CPU seconds of the finished child processes (the CLI and its reader)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def timed_post(url: str, feed: Path, *options: str) -> tuple[float, str, int]:
    env = dict(os.environ, LEDGER_DATABASE_URL=url)
    t0, cpu0 = time.perf_counter(), cpu_of_children()
    done = subprocess.run(["ledger", "claim", "post", *options, str(feed)], env=env, capture_output=True, text=True)
    timed_post.cpu = cpu_of_children() - cpu0  # the CPU it took, which a shared machine's drift moves less
    return time.perf_counter() - t0, done.stdout.strip() or done.stderr.strip()[-300:], done.returncode


FORMATS = {"ledger": "ledger", "national": "national", "no-level": "national"}  # format -> --profile


def compare_national(n: int, m: int, work: Path, rounds: int) -> None:
    """The same claims in the three formats, each into a copy of a SQLite file set up alike.
    The formats take turns, `rounds` times: on a machine whose speed drifts (a shared
    virtual machine), a ratio is taken within each round, and the median is printed."""
    feeds = {}
    for form in FORMATS:
        url = f"sqlite:///{work / (form + '.base.db')}"
        rng = random.Random(20251231)
        employees, residents = setup(url, m, rng)
        if form == "no-level":
            institutions.import_institutions(UnitOfWork(make_engine(url)), "bench", registry_rows(), "bench")
        feeds[form] = work / f"{form}.jsonl"
        with feeds[form].open("w") as f:
            for k, c in enumerate(claims(n, employees, residents, rng)):
                f.write((json.dumps(c) if form == "ledger" else national_record(c, k, form == "national")) + "\n")
    times: dict[str, list[float]] = {form: [] for form in FORMATS}
    cpu: dict[str, list[float]] = {form: [] for form in FORMATS}
    for r in range(1, rounds + 1):
        for form, feed in feeds.items():
            db = work / f"{form}-{r}.db"
            shutil.copyfile(work / f"{form}.base.db", db)
            dt, summary, code = timed_post(f"sqlite:///{db}", feed, "--profile", FORMATS[form])
            times[form].append(dt)
            cpu[form].append(timed_post.cpu)
            print(
                f"round {r}, {form}: {n:,} claims in {dt:.1f} s = {n / dt:,.0f} claims/s, {timed_post.cpu:.1f} s of CPU (exit {code}; {feed.stat().st_size / n:,.0f} bytes a row)"
            )
            print(f"  {summary}")
            v = verify(UnitOfWork(make_engine(f"sqlite:///{db}")))
            print(f"  ledger verify: {'ok' if v['ok'] else v['problems'][:5]}")
            db.unlink()
    for slow, fast, what in (
        ("national", "ledger", "national / ledger"),
        ("no-level", "national", "no level / with levels"),
    ):
        for measure, taken in (("speed", times), ("CPU speed", cpu)):
            pairs = [a / b for a, b in zip(taken[fast], taken[slow], strict=True)]  # `slow`'s speed over `fast`'s
            each = ", ".join(f"{p:.2f}" for p in pairs)
            print(f"{what} ({measure}), each round: {each}; median {statistics.median(pairs):.2f}")


def main() -> None:
    argv = sys.argv[1:]
    rounds = 3
    if "--rounds" in argv:
        k = argv.index("--rounds")
        rounds = int(argv[k + 1])
        del argv[k : k + 2]
    args = [a for a in argv if a not in ("--profile", "national")]
    national = "--profile" in argv
    n = int(args[0]) if len(args) > 0 else 100_000
    m = int(args[1]) if len(args) > 1 else 20_000
    work = Path(tempfile.mkdtemp(prefix="bench-post-"))
    if national:
        print(
            f"{n:,} claims for {m:,} persons, in the ledger's format and as platform records with and without levels (SQLite)"
        )
        compare_national(n, m, work, rounds)
        return
    url = args[2] if len(args) > 2 else f"sqlite:///{work / 'bench.db'}"
    rng = random.Random(20251231)
    print(f"database: {safe_url(url)}; {n:,} claims for {m:,} persons")
    t0 = time.perf_counter()
    employees, residents = setup(url, m, rng)
    feed = work / "claims.jsonl"
    with feed.open("w") as f:
        for c in claims(n, employees, residents, rng):
            f.write(json.dumps(c) + "\n")
    print(f"set-up: {time.perf_counter() - t0:.1f} s")
    u = make_url(url)
    plain = u.set(drivername="postgresql")  # as libpq spells it, for psycopg itself
    if u.get_backend_name() == "sqlite":
        raw_limit.sqlite_before(u.database, str(work / "raw.db"))
    else:
        copy = f"{u.database}_raw"
        raw_limit.pg_before(plain.set(database="postgres").render_as_string(False), u.database, copy)
    dt, summary, code = timed_post(url, feed)
    print(f"ledger claim post: {n:,} claims in {dt:.1f} s = {n / dt:,.0f} claims/s (exit {code})")
    print(f"  {summary}")
    if u.get_backend_name() == "sqlite":
        raw, rows = raw_limit.sqlite_limit(u.database, str(work / "raw.db"))
        how = "sqlite3, executemany"
    else:
        copy_url = plain.set(database=copy).render_as_string(False)
        raw, rows = raw_limit.pg_limit(plain.render_as_string(False), copy_url)
        how = "psycopg, COPY"
    print(
        f"raw limit ({how}): the {rows:,} rows the ledger wrote, into a copy of the database as it was before, "
        f"in {raw:.1f} s = {n / raw:,.0f} claims/s"
    )
    print(f"ratio (ledger ÷ raw limit): {raw / dt:.3f}")
    v = verify(UnitOfWork(make_engine(url)))
    print(f"ledger verify: {'ok' if v['ok'] else v['problems'][:5]}")


if __name__ == "__main__":
    main()
