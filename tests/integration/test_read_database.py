"""A read database (`--read-db`) must be a replica of the write database, or it is refused.

Pointed at another ledger, `verify` once reported a tampered primary as clean and recorded
the clean run on it. Now the read database is proven a copy of the write one before its
first read: on PostgreSQL the same cluster and database; on both backends, each hash chain's
head on it is a row of the write database with the same hash (tests/integration/test_replica.py
reads a real standby).

The primary: the worker credited 1000.00 on 2025-01-02 (posting 1). The other ledger: the
same worker credited 500.00 on 2025-01-03 instead; its chain's head is its own."""

import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from ledger.cli import cli
from tests.ids import WORKER

ADD = ["person", "add", WORKER, "--name", "李建国", "--insutype", "310", "--psn-type", "1101", "--region", "220702"]
ADD += ["--enrolled", "2025"]


def ledger(*args, ok=True):
    r = CliRunner().invoke(cli, ["--operator", "t", *args])
    if ok:
        assert r.exit_code == 0, (args, r.output)
    return r


@pytest.fixture
def two_ledgers(db_url, backend, request, tmp_path):
    """(primary, another ledger), each with one credit to the worker."""
    if backend == "postgresql":
        other = request.getfixturevalue("private_postgres").render_as_string(hide_password=False)
    else:
        other = f"sqlite:///{tmp_path / 'other.db'}"
    for url, amount, day in ((db_url, "1000.00", "2025-01-02"), (other, "500.00", "2025-01-03")):
        ledger("--db", url, "db", "upgrade")
        ledger("--db", url, "db", "add-year", "2025")  # PostgreSQL's partitions of the credits' year
        ledger("--db", url, *ADD)
        ledger("--db", url, "account", "credit", WORKER, amount, "--reason", "opening", "--date", day)
    return db_url, other


def runs(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        n = conn.scalar(text("SELECT count(*) FROM verify_runs"))
    engine.dispose()
    return n


def test_another_ledger_as_the_read_database_is_refused_and_no_run_recorded(two_ledgers):
    primary, other = two_ledgers
    engine = create_engine(primary)
    with engine.begin() as conn:  # the primary tampered with: a balance its journal does not back
        conn.execute(text("UPDATE accounts SET balance = balance + 2888000"))
    engine.dispose()
    r = ledger("--db", primary, "--read-db", other, "verify", ok=False)
    assert r.exit_code == 1, r.output
    assert "Error: --read-db: is not a replica of the write database" in r.output
    assert runs(primary) == 0
    # the reports that may read a replica are refused alike
    r = ledger(
        "--db", primary, "--read-db", other, "report", "funds", "--from", "2025-01-01", "--to", "2025-12-31", ok=False
    )
    assert "--read-db: is not a replica of the write database" in r.output
    # and read on the primary itself, verify names what was done
    r = ledger("--db", primary, "verify", ok=False)
    assert r.exit_code == 3 and "balance 29880.00 but its journal entries sum to 1000.00" in r.output


def sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def test_a_copy_behind_the_primary_is_a_replica_and_a_copy_ahead_of_it_is_not(db_url, backend, tmp_path):
    if backend != "sqlite":
        pytest.skip("copies of a file; a PostgreSQL standby is tests/integration/test_replica.py's")
    ledger("--db", db_url, *ADD)
    ledger("--db", db_url, "account", "credit", WORKER, "1000.00", "--reason", "opening", "--date", "2025-01-02")
    behind = tmp_path / "behind.db"
    with sqlite3.connect(sqlite_path(db_url)) as primary, sqlite3.connect(behind) as copy:
        primary.backup(copy)
    ledger("--db", db_url, "account", "credit", WORKER, "500.00", "--reason", "more", "--date", "2025-01-03")
    r = ledger("--db", db_url, "--read-db", f"sqlite:///{behind}", "verify")
    assert "VIOLATION" not in r.output and runs(db_url) == 1  # the copy's clean run, marked at its head
    ledger("--db", db_url, "verify")  # the primary's own: marked at posting 2
    r = ledger("--db", db_url, "--read-db", f"sqlite:///{behind}", "verify")  # clean, but behind that mark
    assert "the read database is behind the last clean run (journal posting 1, the run's 2)" in r.output
    assert runs(db_url) == 2
    # the primary restored from the older copy: what was the primary is now ahead of it
    restored = tmp_path / "restored.db"
    shutil.copyfile(behind, restored)
    r = ledger("--db", f"sqlite:///{restored}", "--read-db", db_url, "verify", ok=False)
    assert "--read-db: is not a replica of the write database: the head of its journal chain (row 2)" in r.output
