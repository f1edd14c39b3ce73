"""Archiving an old year (`ledger db archive`, services/archive.py): its claims and journal
entries leave the live tables for the schema ledger_archive, and the books still add up.

Each test has a database of its own: archiving detaches partitions for good, which the
shared test database (emptied, not rebuilt, between tests) must keep.

Figures (Songyuan's seed, employee outpatient at a level-2 hospital: deductible 300.00,
57 % above it), the worker's account opened with 1000.00 on 2025-01-01:
- R1 of 500.00 on 2025-03-01: fund (500 - 300) x 57 % = 114.00, account 386.00: 614.00 left;
- R2 of 100.00 on 2025-04-01, over the deductible met: fund 57.00, account 43.00: 571.00;
  reversed on 2025-05-01: the 43.00 back, 614.00;
- so 2025's entries moved the account by 1000.00 - 386.00 - 43.00 + 43.00 = 614.00;
- R3 of 100.00 on 2026-02-01 is in a new year, whose deductible of 300.00 takes it all:
  account 100.00, 514.00 left.
"""

import json
import os
import threading
import time
from datetime import date, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from ledger.cli import cli
from ledger.db import migrate, partitions
from ledger.db.engine import make_engine
from ledger.errors import Conflict, NotFound, ValidationError
from ledger.services import accounts, archive, claims, family, listings, monitor, persons, reports, rollover, verify
from ledger.services.claim_reversal import reverse_claim
from ledger.uow import UnitOfWork
from tests.ids import SPOUSE, WORKER
from tests.integration.test_claim_service import claim as worker_claim
from tests.integration.test_partitions import open_worker

PG_URL = os.environ.get("LEDGER_TEST_DATABASE_URL")


def claim(setl_id: str, day: str, fee: str) -> dict:
    return worker_claim(setl_id, WORKER, service_date=day, medfee_sumamt=fee)


@pytest.fixture
def own_url(private_postgres):
    """A migrated database for this test alone."""
    engine = make_engine(private_postgres)
    migrate.upgrade(engine)
    partitions.add_years(engine, (2025, 2026))  # the years its books are dated in, made ahead
    engine.dispose()
    return private_postgres.render_as_string(hide_password=False)


@pytest.fixture
def own(own_url):
    engine = make_engine(own_url)
    yield UnitOfWork(engine)
    engine.dispose()


def two_years(uow: UnitOfWork, *, reverse_r2_on: date = date(2025, 5, 1), roll: bool = True, check: bool = True):
    open_worker(uow)
    assert claims.post_claim(uow, "feed", claim("R1", "2025-03-01", "500.00")).status == "posted"
    assert claims.post_claim(uow, "feed", claim("R2", "2025-04-01", "100.00")).status == "posted"
    if reverse_r2_on.year == 2025:
        reverse_claim(uow, "clerk", "R2", "entered twice", reverse_r2_on)
    if roll:
        rollover.rollover(uow, "bureau", 2025)
    assert claims.post_claim(uow, "feed", claim("R3", "2026-02-01", "100.00")).status == "posted"
    if reverse_r2_on.year == 2026:
        reverse_claim(uow, "clerk", "R2", "entered twice", reverse_r2_on)
    if check:
        assert verify.verify(uow)["problems"] == []


def scalar(uow: UnitOfWork, sql: str):
    with uow.engine.connect() as c:
        return c.scalar(text(sql))


def balance(uow: UnitOfWork) -> str:
    return str(accounts.show_account(uow, WORKER)["balance"])


def test_an_archived_year_leaves_and_the_books_still_add_up(own_url, own):
    two_years(own)
    postings_2025 = scalar(own, "SELECT count(*) FROM journal_postings_2025")
    r = CliRunner().invoke(cli, ["--db", own_url, "db", "archive", "--through", "2025", "--json"])
    assert r.exit_code == 0, r.output
    [year] = json.loads(r.output)["years"]
    # R1 and R2 left with their reversal; 614.00 is what 2025's entries moved the account by
    assert (year["year"], year["claims"], year["reversals"], year["mutual_aid"], year["moved"]) == (
        2025,
        2,
        1,
        0,
        "614.00",
    )
    assert year["postings"] == postings_2025  # they stay
    # the partitions are in the archive now, with their rows; the live tables keep 2026's
    assert scalar(own, "SELECT count(*) FROM ledger_archive.claims_2025") == 2
    assert scalar(own, "SELECT count(*) FROM ledger_archive.claim_reversals_2025") == 1
    assert scalar(own, "SELECT to_regclass('public.claims_2025')") is None
    assert scalar(own, "SELECT string_agg(setl_id, ',') FROM claims") == "R3"
    assert scalar(own, "SELECT count(*) FROM claim_reversals") == 0
    assert scalar(own, "SELECT count(*) FROM journal_postings WHERE effective_date < '2026-01-01'") == postings_2025
    # the balance stands (1000.00 - 386.00 - 100.00), and verify finds it equal to the
    # live entries (-100.00) plus the archived year's 614.00, the chain whole through 2025
    assert balance(own) == "514.00"
    checked = verify.verify(own)
    assert checked["problems"] == [] and checked["ok"]
    # the statement opens with the archived 614.00 and shows 2026's line
    st = accounts.statement(own, WORKER)
    assert (str(st["opening_balance"]), [str(x["amount"]) for x in st["lines"]], str(st["closing_balance"])) == (
        "614.00",
        ["-100.00"],
        "514.00",
    )
    with pytest.raises(
        ValidationError, match=r"--from: 2025-06-01 is in an archived year \(through 2025\): give 2026-01-01 or later"
    ):
        accounts.statement(own, WORKER, date(2025, 6, 1))
    # the archive refuses changes as the live tables did
    with pytest.raises(Exception, match="claims_2025 is append-only"), own.engine.begin() as c:
        c.execute(text("DELETE FROM ledger_archive.claims_2025"))
    assert scalar(own, "SELECT max(year) FROM archived_years") == 2025


def test_the_reports_after_an_archived_year(own):
    two_years(own)
    archive.archive(own, "bureau", 2025)
    # the trial balance of 2026 opens where 2025 closed: the account's 614.00 (above); each
    # column still sums to zero
    trial = {r["book"]: r for r in reports.balance(own, date(2026, 1, 1), date(2026, 12, 31)).rows}
    assert (str(trial["personal_account"]["opening"]), str(trial["personal_account"]["closing"])) == (
        "614.00",
        "514.00",
    )
    assert sum(r["opening"].fen for r in trial.values()) == 0
    # the accounts at the end of 2025 hold 614.00, from the archived sums alone; in 2026 514.00
    assert str(reports.accounts(own, date(2025, 12, 31)).total["balance"]) == "614.00"
    assert str(reports.accounts(own, date(2026, 12, 1)).total["balance"]) == "514.00"
    # the running sums stay: 2025's funds report still counts R1 (R2 was reversed), fee 500.00
    funds = reports.funds(own, date(2025, 1, 1), date(2025, 12, 31))
    assert (funds.total["claims"], str(funds.total["medfee_sumamt"])) == (1, "500.00")
    # what would add up an archived year's claims or entries is refused, not short
    for refused in (
        lambda: reports.balance(own, date(2025, 1, 1), date(2026, 12, 31)),
        lambda: reports.accounts(own, date(2025, 12, 30)),
        lambda: reports.mutual_aid(own, date(2025, 1, 1), date(2025, 12, 31)),
        lambda: monitor.monitor(own, date(2025, 1, 1), date(2025, 12, 31)),
        lambda: listings.list_claims(own, date_from=date(2025, 1, 1)),
    ):
        with pytest.raises(ValidationError, match=r"2025-\d\d-\d\d is in an archived year \(through 2025\)"):
            refused()


def test_nothing_can_be_dated_in_an_archived_year(own):
    two_years(own)
    archive.archive(own, "bureau", 2025)
    # R1 again: its setl_id stays taken, kept by the registry without the claim
    again = claims.post_claim(own, "feed", claim("R1", "2025-03-01", "500.00"))
    assert again.status == "rejected"
    assert again.errors == ("setl_id: R1 was settled on 2025-03-01, in an archived year (ledger db archive)",)
    late = claims.post_claim(own, "feed", claim("R9", "2025-12-30", "50.00"))
    assert late.errors == (
        "service_date: 2025-12-30 is in an archived year (ledger db archive): nothing can be dated in it",
    )
    with pytest.raises(NotFound, match="claim R1 of 2025-03-01 is in an archived year"):
        reverse_claim(own, "clerk", "R1", "late", date(2026, 3, 1))
    with pytest.raises(Conflict, match="2025 is archived"):
        accounts.credit(own, "clerk", WORKER, 1_00, "a late correction", date(2025, 12, 31))
    # no partition of 2025 came back, and the books are as they were: 514.00
    assert scalar(own, "SELECT to_regclass('public.journal_entries_2025')") is None
    assert balance(own) == "514.00"
    assert verify.verify(own)["ok"]


def test_a_binding_cannot_begin_or_end_in_an_archived_year(own):
    """The worker's spouse (an employee in service with nothing in her account), bound to him
    on 2025-01-02, has a claim of 500.00 on 2025-03-10 under the Songyuan seed: fund
    (500 - 300) x 57 % = 114.00, her share 386.00 paid by his account (1000.00 - 386.00 =
    614.00). Once 2025 is archived, that payment is gone from the live tables: an end of the
    binding dated in 2025 (before the payment) is refused as a live one would be, and so is
    any binding or end dated in the archived year."""
    open_worker(own)
    persons.add_person(own, "clerk", psn_no=SPOUSE, name="配偶", insutype="310", psn_type="1101", region="220702",
                       enrolled=[2025, 2026])  # fmt: skip
    family.bind(own, "clerk", WORKER, SPOUSE, "spouse", date(2025, 1, 2))
    paid = claims.post_claim(own, "feed", worker_claim("S1", SPOUSE, service_date="2025-03-10", medfee_sumamt="500.00"))
    assert (str(paid["hifp_pay"]), str(paid["acct_mulaid_pay"])) == ("114.00", "386.00")
    with pytest.raises(ValidationError, match="would end the binding before claim S1 of 2025-03-10"):
        family.unbind(own, "clerk", WORKER, SPOUSE, date(2025, 2, 1))  # refused while 2025 is live
    rollover.rollover(own, "bureau", 2025)
    assert verify.verify(own)["ok"]
    archive.archive(own, "bureau", 2025)
    archived = r"date: 2025-02-01 is in an archived year \(through 2025\): give 2026-01-01 or later"
    with pytest.raises(ValidationError, match=archived):
        family.unbind(own, "clerk", WORKER, SPOUSE, date(2025, 2, 1))
    with pytest.raises(ValidationError, match=archived):
        family.bind(own, "clerk", SPOUSE, WORKER, "spouse", date(2025, 2, 1))
    assert verify.verify(own)["ok"]
    ended = family.unbind(own, "clerk", WORKER, SPOUSE, date(2026, 1, 1))
    assert ended["ended_on"] == date(2026, 1, 1)


def test_archive_that_meets_a_writer_halfway_is_run_again(own_url, own, caplog):
    """A writer holding the registry of settlement ids (as a claim being posted does) then
    asking for the claims, which archive has locked while it waits for the registry: a
    deadlock. Archive's session looks for it first (deadlock_timeout 2 s against the
    writer's 60 s), so archive is the one PostgreSQL stops; it is run again and archives."""
    two_years(own)
    writer = make_engine(own_url).connect()
    writer.exec_driver_sql("SET deadlock_timeout = '60s'")  # autobegins the transaction the locks are held in
    writer.exec_driver_sql("LOCK TABLE claim_setl_ids IN ROW EXCLUSIVE MODE")
    archiving = make_engine(own_url, connect_args={"options": "-c deadlock_timeout=2000"})
    done: dict = {}
    worker = threading.Thread(target=lambda: done.update(archive.archive(UnitOfWork(archiving), "bureau", 2025)))
    worker.start()
    time.sleep(1)  # archive holds the claims by now and waits for the registry
    writer.exec_driver_sql("LOCK TABLE claims IN ROW EXCLUSIVE MODE")  # waits; archive is stopped
    writer.rollback()
    writer.close()
    worker.join(60)
    assert [y["year"] for y in done["years"]] == [2025]
    assert any("archive retried" in m and "deadlock detected" in m for m in caplog.messages)
    archiving.dispose()


def test_archive_refuses_what_it_cannot_take_whole(own):
    two_years(own, reverse_r2_on=date(2026, 3, 1), check=False)
    # R2 of 2025 reversed in 2026: the claim cannot leave without its reversal
    assert verify.verify(own)["ok"]
    with pytest.raises(Conflict, match="claim R2 of 2025-04-01 was reversed on 2026-03-01: .* archive through 2026"):
        archive.archive(own, "bureau", 2025)
    with pytest.raises(ValidationError, match="--through: 2026 is not over"):
        archive.archive(own, "bureau", 2026)
    assert scalar(own, "SELECT count(*) FROM claims") == 3  # nothing moved
    assert scalar(own, "SELECT count(*) FROM archived_years") == 0


def test_archive_wants_the_year_rolled_over_and_verified(own):
    two_years(own, roll=False, check=False)
    with pytest.raises(Conflict, match="2025 is not rolled over"):
        archive.archive(own, "bureau", 2025)
    rollover.rollover(own, "bureau", 2025)
    with pytest.raises(Conflict, match="run `ledger verify` first"):
        archive.archive(own, "bureau", 2025)
    assert verify.verify(own)["ok"]
    assert [y["year"] for y in archive.archive(own, "bureau", 2025)["years"]] == [2025]
    with pytest.raises(Conflict, match="nothing to archive through 2025"):
        archive.archive(own, "bureau", 2025)


def test_verify_finds_a_changed_archive(own):
    two_years(own)
    archive.archive(own, "bureau", 2025)
    with own.engine.begin() as c:  # a superuser sets the history's triggers aside
        c.execute(text("SET LOCAL session_replication_role = replica"))
        c.execute(text("UPDATE archived_balances SET amount = amount + 100"))
        c.execute(text("UPDATE journal_postings SET hash = repeat('0', 64) WHERE effective_date = '2025-03-01'"))
    kinds = {p.kind for p in verify.verify(own)["problems"]}
    # the account's sum is 1.00 more than its balance, and the year's postings are not as
    # they left (R1's posting is one of them; its entries are gone, so only the digest shows it)
    assert kinds == {"balance_not_journal", "archive_balances_differ", "archive_postings_differ"}


def test_verify_follows_the_chain_out_of_an_archived_year(own):
    two_years(own)
    archive.archive(own, "bureau", 2025)
    last = "SELECT max(id) FROM journal_postings WHERE effective_date < '2026-01-01'"
    with own.engine.begin() as c:
        c.execute(text("SET LOCAL session_replication_role = replica"))
        c.execute(text(f"UPDATE journal_postings SET hash = repeat('0', 64) WHERE id = ({last})"))
    broken = [(p.kind, p.id) for p in verify.verify(own)["problems"] if p.kind == "chain_broken"]
    # the first live posting after it no longer follows from it
    first_after = scalar(own, f"SELECT min(id) FROM journal_postings WHERE id > ({last})")
    assert broken == [("chain_broken", first_after)]


def test_an_sqlite_ledger_archives_nothing(uow, backend):
    if backend != "sqlite":
        pytest.skip("SQLite's refusal")
    with pytest.raises(ValidationError, match="SQLite ledger keeps single tables"):
        archive.archive(uow, "bureau", 2025)


def test_a_wallet_funded_in_an_archived_year_still_adds_up(own):
    """The worker sends 500.00 to his mother's wallet on 2025-06-02 (docs/wallet.md; the
    Songyuan seed enables it from 2025-03-10, no binding needed): after 2025 is archived, her
    wallet's 500.00 is the archived year's sum of its entries, and verify finds it so."""
    from ledger.services import wallets
    from tests.ids import RETIREE

    two_years(own, check=False)
    persons.add_person(
        own, "clerk", psn_no=RETIREE, name="母亲", insutype="310", psn_type="1201", region="220702", enrolled=[2025]
    )
    wallets.transfer(own, "clerk", WORKER, RETIREE, 500_00, datetime(2025, 6, 2, 9, 0), "parent")
    assert verify.verify(own)["ok"]
    archive.archive(own, "bureau", 2025)
    assert scalar(own, "SELECT amount FROM archived_wallets WHERE year = 2025") == 500_00
    assert str(wallets.show_wallet(own, RETIREE)["balance"]) == "500.00"
    # the account: 514.00 (above) less the 500.00 sent = 14.00
    assert balance(own) == "14.00"
    checked = verify.verify(own)
    assert checked["problems"] == [] and checked["ok"]
