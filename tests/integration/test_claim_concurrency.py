"""Several processes post claims at once for relatives drawing on one holder's account.

Real processes (spawned, each with its own engine and connections), on both backends: on
PostgreSQL they run at once and queue on row locks; on SQLite on BEGIN IMMEDIATE. Every
claim is sent by two processes, so the same setl_id races as well."""

import multiprocessing as mp
from datetime import date

from sqlalchemy import func, select

from ledger.db.engine import make_engine
from ledger.db.models import ClaimRecord, ClaimReversal
from ledger.services import accounts, claims, family, persons, policies
from ledger.services.verify import verify
from ledger.uow import UnitOfWork
from tests.claim_policy import CLAIM_POLICY
from tests.ids import HARDSHIP_CHILD, POOR_CHILD, STUDENT, WORKER

PROCESSES = 8
RELATIVES = (STUDENT, HARDSHIP_CHILD, POOR_CHILD)
CLAIMS_EACH = 10  # per relative


def _claims() -> list[dict]:
    return [
        {
            "setl_id": f"R{r}-{k}",
            "psn_no": psn,
            "service_date": f"2025-03-{k + 1:02d}",
            "med_type": "11",
            "hosp_lv": "1",
            "medfee_sumamt": "100.00",
        }
        for r, psn in enumerate(RELATIVES)
        for k in range(CLAIMS_EACH)
    ]


def _post(url: str, n: int, rows: list[dict], start, out) -> None:
    engine = make_engine(url)
    uow = UnitOfWork(engine)
    start.wait()
    statuses = []
    for i in range(0, len(rows), 2):  # small chunks: as many transactions as can interleave
        statuses += [r["status"] for r in claims.post_claims(uow, f"proc{n}", list(enumerate(rows[i : i + 2], 1)))]
    engine.dispose()
    out.put(statuses)


def _household(url: str) -> UnitOfWork:
    """The holder with 500.00 and his three resident relatives, bound to him."""
    uow = UnitOfWork(make_engine(url))
    policies.load_policy(uow, "t", CLAIM_POLICY, "claims.toml")
    persons.add_person(
        uow, "t", psn_no=WORKER, name="李建国", insutype="310", psn_type="1101", region="220702", enrolled=[2025]
    )
    accounts.credit(uow, "t", WORKER, 50000, "opening balance", date(2025, 1, 1))  # 500.00
    for psn, category in zip(RELATIVES, ("ordinary", "hardship", "extreme_poverty"), strict=True):
        persons.add_person(
            uow,
            "t",
            psn_no=psn,
            name="亲属",
            insutype="390",
            resident_category=category,
            region="220702",
            enrolled=[2025],
        )
        family.bind(uow, "t", WORKER, psn, "child", date(2025, 1, 2))
    return uow


def test_relatives_posting_at_once_never_overdraw_the_holder_nor_pass_a_cap(db_url):
    uow = _household(db_url)
    rows = _claims()
    # Process n sends every claim whose index falls to n or n+1 (mod 8): each claim twice.
    shares = [[c for i, c in enumerate(rows) if i % PROCESSES in (n, (n + 1) % PROCESSES)] for n in range(PROCESSES)]
    ctx = mp.get_context("spawn")
    start, out = ctx.Barrier(PROCESSES, timeout=120), ctx.Queue()  # bounded: a worker that never starts fails the test
    procs = [ctx.Process(target=_post, args=(db_url, n, shares[n], start, out), daemon=True) for n in range(PROCESSES)]
    for p in procs:
        p.start()
    statuses = [s for _ in procs for s in out.get(timeout=120)]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert sorted(set(statuses)) == ["duplicate", "posted"]
    assert statuses.count("posted") == len(rows) == 30 and statuses.count("duplicate") == 30
    with uow:
        assert uow.session.scalar(select(func.count()).select_from(ClaimRecord)) == 30
    # Each relative: ten claims of 100.00 at level 1 (deductible 50.00, 60 %): whatever the
    # order, 50.00 deductible in all and fund 50.00 x 60% + 9 x 100.00 x 60% = 30.00 + 540.00 = 570.00
    # (under the 800.00 cap); personal 1000.00 - 570.00 = 430.00. Three relatives: 1290.00 of
    # personal share against the holder's 500.00: the account pays exactly 500.00 and stops at 0.00.
    for psn in RELATIVES:
        [b] = claims.usage(uow, psn, 2025)["buckets"]
        assert (str(b["fund_paid"]), str(b["deductible_met"])) == ("570.00", "50.00")
    assert str(accounts.show_account(uow, WORKER)["balance"]) == "0.00"
    with uow:
        paid = uow.session.execute(
            select(func.sum(ClaimRecord.acct_mulaid_pay), func.sum(ClaimRecord.psn_cash_pay))
        ).one()
    assert (int(paid[0]), int(paid[1])) == (50000, 79000)  # 500.00 from the account, 790.00 cash
    assert verify(uow)["ok"]


def _reverse(url: str, n: int, setl_ids: list[str], start, out) -> None:
    """Reverse each claim as soon as it is posted; a claim another worker reversed first is
    refused as already reversed."""
    import random
    import time

    from ledger.errors import Conflict, NotFound

    engine = make_engine(url)
    uow = UnitOfWork(engine)
    start.wait()
    outcomes = []
    for setl_id in random.Random(n).sample(setl_ids, len(setl_ids)):
        for _ in range(2000):
            try:
                claims.reverse_claim(uow, f"rev{n}", setl_id, "racing", date(2025, 4, 1))
                outcomes.append((setl_id, "reversed"))
                break
            except Conflict:
                outcomes.append((setl_id, "already reversed"))
                break
            except NotFound:  # not posted yet
                time.sleep(0.005)
        else:
            outcomes.append((setl_id, "never posted"))
    engine.dispose()
    out.put(outcomes)


def test_reversals_racing_postings_leave_each_claim_posted_once_and_reversed_once(db_url):
    """Four processes post the 30 claims (each claim twice) while four others reverse half of
    them (each of those twice), all at once."""
    uow = _household(db_url)
    rows = _claims()
    posters, reversers = 4, 4
    targets = [c["setl_id"] for i, c in enumerate(rows) if i % 2 == 0]  # 15 claims
    post_shares = [[c for i, c in enumerate(rows) if i % posters in (n, (n + 1) % posters)] for n in range(posters)]
    reverse_shares = [
        [t for i, t in enumerate(targets) if i % reversers in (n, (n + 1) % reversers)] for n in range(reversers)
    ]
    ctx = mp.get_context("spawn")
    start, out = ctx.Barrier(posters + reversers, timeout=120), ctx.Queue()
    procs = [
        ctx.Process(target=_post, args=(db_url, n, post_shares[n], start, out), daemon=True) for n in range(posters)
    ]
    procs += [
        ctx.Process(target=_reverse, args=(db_url, n, reverse_shares[n], start, out), daemon=True)
        for n in range(reversers)
    ]
    for p in procs:
        p.start()
    results = [out.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    statuses = [s for r in results for s in r if isinstance(s, str)]
    reversals = [s for r in results for s in r if isinstance(s, tuple)]
    assert statuses.count("posted") == 30 and statuses.count("duplicate") == 30
    # each target: reversed by exactly one of its two workers, refused to the other
    assert sorted(t for t, what in reversals if what == "reversed") == sorted(targets)
    assert sorted(t for t, what in reversals if what == "already reversed") == sorted(targets)
    with uow:
        s = uow.session
        assert s.scalar(select(func.count()).select_from(ClaimRecord)) == 30
        assert s.scalar(select(func.count()).select_from(ClaimReversal)) == 15
        live = select(ClaimRecord).where(ClaimRecord.id.not_in(select(ClaimReversal.claim_id))).subquery()
        mulaid = s.scalar(select(func.coalesce(func.sum(live.c.acct_mulaid_pay), 0)))
    # The holder's 500.00 is what is left plus what the claims still standing took from it.
    balance = accounts.show_account(uow, WORKER)["balance"].fen
    assert balance >= 0 and balance + int(mulaid) == 50000
    for psn in RELATIVES:
        [b] = claims.usage(uow, psn, 2025)["buckets"]
        assert 0 <= b["fund_paid"].fen <= b["cap"].fen == 80000
    v = verify(uow)
    assert v["ok"], v["problems"]


def _post_file(url: str, n: int, rows: list[dict], chunk: int, start, out) -> None:
    """Post a whole file as `claim post` does: chunk after chunk, a result for every row."""
    engine = make_engine(url)
    uow = UnitOfWork(engine)
    start.wait()
    try:
        out.put(
            (
                n,
                [
                    (r["setl_id"], r["status"])
                    for r in claims.post_claims(uow, f"feed{n}", list(enumerate(rows, 1)), chunk)
                ],
            )
        )
    except Exception as e:  # noqa: BLE001 - reported to the test, which names it
        out.put((n, f"{type(e).__name__}: {str(e).splitlines()[0]}"))
    engine.dispose()


TOTAL, WORKERS, BIG = 800, 6, 400  # claims, processes, the large chunk (the others take 5)


def test_overlapping_batches_in_any_order_report_every_row(db_url):
    """Six processes post the same 800 claims, each in its own shuffled order, in chunks of
    5 or 400: large chunks meet other writers' setl_ids all the time. Every process reports
    every row, each claim is posted exactly once and is a duplicate to the five others."""
    import random

    uow = _household(db_url)
    people = (WORKER, *RELATIVES)
    rows = [
        {
            "setl_id": f"O{k}",
            "psn_no": people[k % 4],
            "service_date": f"2025-{k % 12 + 1:02d}-{k % 28 + 1:02d}",
            "med_type": "11",
            "hosp_lv": "1",
            "medfee_sumamt": "1.00",
            "acct_used_flag": "0",
        }
        for k in range(TOTAL)
    ]
    workers = WORKERS
    orders = [random.Random(n).sample(rows, len(rows)) for n in range(workers)]
    ctx = mp.get_context("spawn")
    start, out = ctx.Barrier(workers, timeout=120), ctx.Queue()
    procs = [
        ctx.Process(target=_post_file, args=(db_url, n, orders[n], (5, BIG)[n % 2], start, out), daemon=True)
        for n in range(workers)
    ]
    for p in procs:
        p.start()
    reports = dict(out.get(timeout=300) for _ in procs)
    for p in procs:
        p.join(timeout=60)
    for n in range(workers):
        assert isinstance(reports[n], list), f"worker {n} gave up: {reports[n]}"
        assert sorted(sid for sid, _ in reports[n]) == sorted(r["setl_id"] for r in rows)
    statuses = [status for n in range(workers) for _, status in reports[n]]
    assert statuses.count("posted") == TOTAL and statuses.count("duplicate") == (WORKERS - 1) * TOTAL
    with uow:
        assert uow.session.scalar(select(func.count()).select_from(ClaimRecord)) == TOTAL
    v = verify(uow)
    assert v["ok"], v["problems"]
