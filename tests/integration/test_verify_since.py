"""`verify --since`: a clean run is recorded with each chain's head; a later run checks only
what was posted after it, with the accounts, counters and report sums that moved.

The books are those of test_verify.py: postings 1 (the worker's 1000.00 credit), 2 (F1), 3
(W1) and 4 (W1's reversal); the worker holds 810.00 (1000.00 - 190.00 paid for his son).
The fixture's `verify` is the clean run 1, marked at journal posting 4.

After the mark the worker's claim W2: 800.00 at level 2 on 2025-03-05 (Songyuan seed, as
W1 was): deductible 300.00, (800.00 - 300.00) x 57% = 285.00 fund, 515.00 from his account,
leaving 810.00 - 515.00 = 295.00; one posting of three entries (provider +800.00, pooled
fund -285.00, his account -515.00)."""

import hashlib
from datetime import UTC, date, datetime

from click.testing import CliRunner
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ledger.cli import cli
from ledger.db.models import VerifyRun
from ledger.services import accounts, claims, persons, verify_digest, wallets
from ledger.services.verify import check, verify
from ledger.services.verify_scope import Scope, last_mark
from tests.ids import RETIREE, SPOUSE, STUDENT, WORKER
from tests.integration.test_verify import books, unguarded  # noqa: F401  (the books, and a way to damage them)

W2 = {"setl_id": "W2", "psn_no": WORKER, "service_date": "2025-03-05", "med_type": "11", "hosp_lv": "2",
      "medfee_sumamt": "800.00"}  # fmt: skip


def post_w2(uow):
    w2 = claims.post_claim(uow, "feed", W2)
    assert (str(w2["hifp_pay"]), str(w2["acct_pay"]), str(w2["balc"])) == ("285.00", "515.00", "295.00")


def since_problems(conn) -> list[str]:
    s = Session(bind=conn)
    return check(s, scope=Scope(last_mark(s)))["problems"]


def test_a_clean_run_is_recorded_with_the_heads_it_saw(uow, books):  # noqa: F811
    with uow:
        runs = uow.session.execute(
            select(VerifyRun.id, VerifyRun.mode, VerifyRun.journal_last_id, VerifyRun.balances, VerifyRun.postings)
        ).all()
    assert [tuple(r) for r in runs] == [(1, "full", 4, 81000, 4)]  # 810.00 held; postings 1 to 4


def test_since_checks_what_was_posted_after_the_last_clean_run(uow, books):  # noqa: F811
    post_w2(uow)
    v = verify(uow, since=True)
    assert (v["ok"], v["problems"], v["checked"]) == (True, [], {"accounts": 1, "postings": 1, "entries": 3})
    assert (v["since"]["run"], v["since"]["journal"]) == (1, 4)
    # that run is clean too, and marks posting 5: nothing after it yet
    again = verify(uow, since=True)
    assert (again["checked"], again["since"]["journal"]) == ({"accounts": 0, "postings": 0, "entries": 0}, 5)
    with uow:
        modes = uow.session.scalars(select(VerifyRun.mode).order_by(VerifyRun.id)).all()
    assert modes == ["full", "since", "since"]


def test_since_needs_a_clean_run_first(uow):
    try:
        verify(uow, since=True)
    except Exception as e:  # noqa: BLE001 - the message is what is asserted
        assert str(e) == "no clean run of `ledger verify` is recorded yet: run it once in full"
    else:
        raise AssertionError("verify --since ran without a clean run to start from")


def test_a_run_with_problems_is_not_recorded(uow, engine, books):  # noqa: F811
    post_w2(uow)
    with engine.begin() as conn:  # a balance the journal does not back (no guard stops this edit)
        conn.execute(text("UPDATE accounts SET balance = balance + 1"))
    assert verify(uow)["ok"] is False
    with uow:
        assert uow.session.scalar(select(VerifyRun.id).order_by(VerifyRun.id.desc())) == 1


def test_damage_to_a_claim_posted_after_the_mark_is_found(uow, engine, books):  # noqa: F811
    post_w2(uow)
    with unguarded(engine, "claims") as conn:
        conn.execute(text("UPDATE claims SET psn_cash_pay = psn_cash_pay + 1 WHERE setl_id = 'W2'"))
        assert since_problems(conn) == [
            "claim W2: does not satisfy psn_part_amt = acct_pay + wallet_pay + acct_mulaid_pay + other_funds_pay + psn_cash_pay",
            "claim W2: its journal posting gives patient_cash 0.00, the claim says 0.01",
            "claim_totals 2025-03-05 11/2/- 220702 310: the stored sums less its claims' are 0 claims, fee 0.00,"
            " fund 0.00, cash -0.01",
        ]


def test_a_counter_moved_after_the_mark_is_checked_against_all_its_claims(uow, engine, books):  # noqa: F811
    post_w2(uow)
    with unguarded(engine, "benefit_usage") as conn:
        # the worker's basic counter: W1 was reversed, so W2 alone: 285.00 fund, 300.00 deductible
        conn.execute(text(f"UPDATE benefit_usage SET fund_paid = fund_paid + 1 WHERE psn_no = '{WORKER}'"))
        assert since_problems(conn) == [
            f"usage of {WORKER[:6]}********{WORKER[-4:]} 2025 outpatient: fund paid 285.01, deductible met "
            "300.00, self-pay 0.00; its claims give 285.00, 300.00, 0.00"
        ]


def test_damage_before_the_mark_waits_for_a_full_run(uow, engine, books):  # noqa: F811
    post_w2(uow)
    with unguarded(engine, "claims") as conn:
        conn.execute(text("UPDATE claims SET psn_cash_pay = psn_cash_pay + 1 WHERE setl_id = 'F1'"))
        # F1 (posting 2) is before the mark and W2 moved nothing of the son's: not looked at
        assert since_problems(conn) == []
        assert (
            "claim F1: its journal posting gives patient_cash 0.00, the claim says 0.01"
            in check(Session(bind=conn))["problems"]
        )


def test_a_balance_changed_behind_the_ledgers_back_shows_in_the_total(engine, books):  # noqa: F811
    with unguarded(engine, "accounts") as conn:
        # no posting since the mark moved the worker's account, so its own check is not run;
        # the balances together are 810.01, the mark's 810.00 plus nothing moved
        conn.execute(text("UPDATE accounts SET balance = balance + 1"))
        assert since_problems(conn) == [BALANCES_CHANGED.format(run=1, now="810.01", then="810.00", moved="0.00")]


BALANCES_CHANGED = (
    "accounts and wallets: their balances are not what the clean run {run} left and the postings since moved "
    "(accounts: {now} now, {then} then, {moved} moved): a balance changed behind the ledger's back "
    "(run `ledger verify` in full to name it)"
)


def test_two_balances_changed_by_as_much_either_way_show_though_the_total_holds(uow, engine, books):  # noqa: F811
    persons.add_person(
        uow, "clerk", psn_no=RETIREE, name="王淑珍", insutype="310", psn_type="1201", region="220702", enrolled=[2025]
    )
    accounts.credit(uow, "clerk", RETIREE, 200000, "opening balance", date(2025, 1, 1))
    assert verify(uow)["ok"]  # run 2, marked at posting 5: the worker 810.00, the retiree 2000.00
    with unguarded(engine, "accounts") as conn:
        conn.execute(text(f"UPDATE accounts SET balance = balance + 100000 WHERE psn_no = '{WORKER}'"))
        conn.execute(text(f"UPDATE accounts SET balance = balance - 100000 WHERE psn_no = '{RETIREE}'"))
        # 1810.00 + 1000.00 = 810.00 + 2000.00: the total holds, the digest does not
        assert since_problems(conn) == [BALANCES_CHANGED.format(run=2, now="2810.00", then="2810.00", moved="0.00")]
        assert {p.kind for p in check(Session(bind=conn))["problems"]} == {"balance_not_journal"}


def test_a_wallet_changed_behind_the_ledgers_back_shows_and_no_clean_run_is_recorded(uow, engine, books):  # noqa: F811
    # Songyuan's wallet is enabled from 2025-03-10: the worker sends his son 100.00 of his 810.00
    wallets.transfer(uow, "clerk", WORKER, STUDENT, 10000, datetime(2025, 6, 2, 1, 30, tzinfo=UTC), "child")
    assert verify(uow)["ok"]  # run 2: the worker 710.00, the son's wallet 100.00
    with engine.begin() as conn:  # nothing guards a wallet's balance from its owner: the journal is its proof
        conn.execute(text(f"UPDATE wallets SET balance = balance + 100000 WHERE psn_no = '{STUDENT}'"))
    since = verify(uow, since=True)
    assert since["problems"] == [BALANCES_CHANGED.format(run=2, now="710.00", then="710.00", moved="0.00")]
    assert [p.kind for p in verify(uow, record=False)["problems"]] == ["wallet_balance_differs"]
    with uow:
        assert uow.session.scalar(select(func.max(VerifyRun.id))) == 2  # neither run was recorded


def test_accounts_and_wallets_opened_since_the_mark_are_checked_and_found_clean(uow, engine, books):  # noqa: F811
    # After run 1: the retiree registered (her account opens at 0.00) and credited 2000.00, the
    # son's wallet opened by the worker's transfer of 100.00 (810.00 - 100.00 = 710.00 left)
    persons.add_person(
        uow, "clerk", psn_no=RETIREE, name="王淑珍", insutype="310", psn_type="1201", region="220702", enrolled=[2025]
    )
    accounts.credit(uow, "clerk", RETIREE, 200000, "opening balance", date(2025, 1, 1))
    wallets.transfer(uow, "clerk", WORKER, STUDENT, 10000, datetime(2025, 6, 2, 1, 30, tzinfo=UTC), "child")
    persons.add_person(uow, "clerk", psn_no=SPOUSE, name="配偶", insutype="310", psn_type="1101", region="220702",
                       enrolled=[2025])  # fmt: skip
    since = verify(uow, since=True)
    assert (since["ok"], since["problems"]) == (True, [])
    # and a balance of 0.00 no posting since touched, made 1000.00, is found all the same
    with unguarded(engine, "accounts") as conn:
        conn.execute(text(f"UPDATE accounts SET balance = 100000 WHERE psn_no = '{SPOUSE}'"))
        assert [p.kind for p in since_problems(conn)] == ["balances_total"]


def test_the_digest_is_the_product_of_each_balances_hash(uow, books):  # noqa: F811
    # The worker's 810.00 (account 1) is the books' only balance that is not 0: the digest is
    # its element alone, SHAKE-256 of "a:1:81000" to 384 bytes, modulo 2**3072 - 1103717
    # (on PostgreSQL as on SQLite: the rows are read and hashed in Python on both)
    element = int.from_bytes(hashlib.shake_256(b"a:1:81000").digest(384), "big") % (2**3072 - 1103717)
    with uow:
        assert verify_digest.digest(uow.session) == element
        recorded = uow.session.scalar(select(VerifyRun.digest).where(VerifyRun.id == 1))
    assert int(recorded, 16) == element


def test_the_marked_posting_changed_is_named(engine, books):  # noqa: F811
    with unguarded(engine, "journal_postings") as conn:
        conn.execute(text("UPDATE journal_postings SET memo = 'rewritten' WHERE id = 4"))
        assert since_problems(conn) == [
            "journal posting 4: its hash does not follow from its content and the journal before it: "
            "changed, inserted or something before it removed (every later row is chained to it)"
        ]
    with unguarded(engine, "journal_postings") as conn:  # the owner rehashed it as well
        conn.execute(text("UPDATE journal_postings SET hash = :h WHERE id = 4"), {"h": "0" * 64})
        assert since_problems(conn)[0] == (
            "journal posting 4: its hash does not follow from its content and the journal before it: "
            "changed, inserted or something before it removed (every later row is chained to it)"
        )


def test_the_cli_says_where_it_started(books, db_url):  # noqa: F811
    runner = CliRunner()
    r = runner.invoke(cli, ["--db", db_url, "verify", "--since"])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].startswith("since the clean run 1 of ") and lines[0].endswith(" UTC (journal posting 4):")
    assert lines[1:] == ["checked 0 accounts, 0 postings, 0 entries", "ok"]
    both = runner.invoke(cli, ["--db", db_url, "verify", "--since", "--expect-head", "journal:4:" + "0" * 64])
    assert both.exit_code != 0 and "--expect-head: walks the whole chain: give it without --since" in both.output
