"""A client stopped inside a transaction (Ctrl-Z, a hung read) no longer blocks every
writer for ever on PostgreSQL: a writer waiting for its locks gives up after
LEDGER_LOCK_TIMEOUT seconds with a clear message, and the server ends a transaction left
idle for LEDGER_IDLE_TIMEOUT seconds, which frees its locks."""

import time
from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ledger.cli import cli
from ledger.db.engine import make_engine
from ledger.services import accounts, persons
from tests.ids import WORKER


@pytest.fixture
def worker(uow, backend):
    if backend != "postgresql":
        pytest.skip("lock and idle timeouts are PostgreSQL's; SQLite's writers give up after its busy timeout")
    persons.add_person(
        uow, "clerk", psn_no=WORKER, name="李建国", insutype="310", psn_type="1101", region="220702", enrolled=[2025]
    )
    accounts.credit(uow, "clerk", WORKER, 10000, "opening balance", date(2025, 1, 1))


def test_a_writer_waiting_on_a_stuck_client_gives_up_with_a_clear_message(db_url, worker, monkeypatch):
    stuck = make_engine(db_url).connect()
    stuck.begin()
    stuck.execute(text("SELECT balance FROM accounts WHERE psn_no = :p FOR UPDATE"), {"p": WORKER})  # then nothing
    monkeypatch.setenv("LEDGER_LOCK_TIMEOUT", "1")
    started = time.monotonic()
    r = CliRunner().invoke(
        cli, ["--db", db_url, "--operator", "t", "account", "credit", WORKER, "1.00", "--reason", "x"]
    )
    waited = time.monotonic() - started
    stuck.rollback()
    stuck.close()
    assert r.exit_code == 1
    assert r.output.strip() == (
        "Error: another session has held what this command needs for over 1 s (a long write, or a client stopped inside "
        "a transaction): nothing was written; run it again, or find that session in pg_stat_activity "
        "(LEDGER_LOCK_TIMEOUT sets the wait)"
    )
    assert waited < 30  # bounded: it used to wait for ever


def test_the_server_ends_a_transaction_left_idle_and_its_locks_go_with_it(db_url, worker, monkeypatch):
    monkeypatch.setenv("LEDGER_IDLE_TIMEOUT", "1")
    stuck = make_engine(db_url).connect()
    stuck.begin()
    stuck.execute(text("SELECT balance FROM accounts WHERE psn_no = :p FOR UPDATE"), {"p": WORKER})
    time.sleep(3)  # the client is suspended; the server's limit is 1 s
    monkeypatch.setenv("LEDGER_LOCK_TIMEOUT", "5")
    r = CliRunner().invoke(
        cli, ["--db", db_url, "--operator", "t", "account", "credit", WORKER, "1.00", "--reason", "x"]
    )
    assert r.exit_code == 0, r.output  # the lock went with the ended transaction
    with pytest.raises(DBAPIError, match="idle-in-transaction timeout"):
        stuck.execute(text("SELECT 1"))  # the suspended client, resumed, finds its transaction gone
    stuck.close()
