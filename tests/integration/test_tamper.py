"""Tamper evidence: the journal and the audit log are hash chains (ledger/db/chain.py).

The damage here is done as the database's owner would do it: triggers off, in a transaction
of its own, committed; `verify` must name the row where each chain breaks, and a head noted
before the damage must show it even when the owner rewrote every hash after it."""

from contextlib import contextmanager
from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from ledger.cli import cli
from ledger.db import chain
from ledger.services import accounts, persons
from ledger.services.verify import heads, verify
from tests.ids import WORKER


@pytest.fixture
def books(uow):
    persons.add_person(
        uow, "clerk", psn_no=WORKER, name="李建国", insutype="310", psn_type="1101", region="220702", enrolled=[2025]
    )
    for n, day in enumerate((1, 2, 3), 1):
        accounts.credit(uow, "clerk", WORKER, 1000 * n, f"credit {n}", date(2025, 1, day))
    assert verify(uow)["ok"]
    return uow


@contextmanager
def as_owner(engine, table):
    """A committed transaction with `table`'s triggers off, then on again."""
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            saved = conn.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"), {"t": table}
            ).all()
            for name, _ in saved:
                conn.exec_driver_sql(f"DROP TRIGGER {name}")
            yield conn
            for _, sql in saved:
                conn.exec_driver_sql(sql)
        else:
            conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            yield conn
            conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def second_posting(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(text("SELECT id FROM journal_postings ORDER BY id LIMIT 1 OFFSET 1"))


def test_an_entry_memo_changed_by_the_owner_is_named(books, engine):
    target = second_posting(engine)
    with as_owner(engine, "journal_postings") as conn:
        conn.execute(text("UPDATE journal_postings SET memo = 'credit 2 (corrected)' WHERE id = :i"), {"i": target})
    # The sums still hold; only the chain can tell.
    assert verify(books)["problems"] == [
        f"journal posting {target}: its hash does not follow from its content and the journal before it: "
        "changed, inserted or something before it removed (every later row is chained to it)"
    ]


def test_an_owner_who_rehashes_the_chain_is_caught_by_the_noted_head(books, engine):
    noted = heads(books)["journal"]
    target = second_posting(engine)
    with as_owner(engine, "journal_postings") as conn:
        conn.execute(text("UPDATE journal_postings SET memo = 'credit 2 (corrected)' WHERE id = :i"), {"i": target})
    # ... and then every hash after it, and the head: the chain is whole again.
    from sqlalchemy.orm import Session

    from ledger.services.verify_chain import recompute

    with as_owner(engine, "journal_postings") as conn:
        rows = list(recompute(Session(bind=conn), chain.JOURNAL))
        for row_id, _, computed in rows:
            conn.execute(text("UPDATE journal_postings SET hash = :h WHERE id = :i"), {"h": computed, "i": row_id})
        conn.execute(text("UPDATE chain_heads SET hash = :h WHERE name = 'journal'"), {"h": rows[-1][2]})
    assert verify(books)["ok"]
    assert verify(books, {"journal": (noted["id"], noted["hash"])})["problems"] == [
        f"journal posting {noted['id']}: the journal up to it is not the one whose head was noted ({noted['hash'][:16]}…)"
    ]


def test_an_audit_log_wiped_by_the_owner_is_seen(books, engine):
    last = heads(books)["audit"]["id"]
    with as_owner(engine, "audit_log") as conn:
        conn.execute(text("DELETE FROM audit_log"))
    assert verify(books)["problems"] == [
        f"the audit log's head names audit record {last}, but its last row is none: "
        "rows were removed from its end, or added behind the writer's back"
    ]


def test_verify_head_prints_what_expect_head_takes_back(books, db_url):
    runner = CliRunner()
    r = runner.invoke(cli, ["--db", db_url, "verify", "--head"])
    assert r.exit_code == 0, r.output
    noted = [line.split(": ", 1)[1] for line in r.output.splitlines() if line.startswith("head of the ")]
    assert [n.split(":")[0] for n in noted] == ["audit", "journal"]
    args = [a for n in noted for a in ("--expect-head", n)]
    assert runner.invoke(cli, ["--db", db_url, "verify", *args]).exit_code == 0
    bad = runner.invoke(cli, ["--db", db_url, "verify", "--expect-head", "journal:2:abc"])
    assert bad.exit_code == 2 and "write CHAIN:ID:HASH as `ledger verify --head` prints it" in bad.output
