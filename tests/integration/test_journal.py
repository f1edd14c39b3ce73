"""The one journal writer, and the database behind it: a posting that does not balance is
refused by the writer and, were the writer wrong, by the database too."""

import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ledger.db.models import Account
from ledger.services import accounts, journal, persons
from ledger.services.journal import Draft, Leg, UnbalancedPosting, post_many
from tests.ids import WORKER

LEDGER = Path(__file__).resolve().parents[2] / "ledger"


@pytest.fixture
def account_id(uow):
    persons.add_person(
        uow, "clerk", psn_no=WORKER, name="李建国", insutype="310", psn_type="1101", region="220702", enrolled=[2025]
    )
    accounts.credit(uow, "clerk", WORKER, 10000, "opening balance", date(2025, 1, 1))
    with uow:
        return uow.session.scalar(select(Account.id).where(Account.psn_no == WORKER))


@pytest.mark.parametrize(
    "legs, says",
    [
        ([Leg("personal_account", 100, WORKER), Leg("account_funding", -99)], "does not balance"),
        ([Leg("personal_account", 0, WORKER)], "zero leg"),
        ([], "has no legs"),
    ],
)
def test_the_writer_refuses_a_posting_that_does_not_balance(uow, snapshot, legs, says):
    before = snapshot()
    with uow, pytest.raises(UnbalancedPosting, match=says):
        post_many(uow.session, [Draft("test", date(2025, 1, 2), "test", legs)], "clerk")
    assert snapshot() == before


def test_the_database_refuses_an_unbalanced_posting_when_the_writers_check_is_off(
    uow, snapshot, monkeypatch, backend, account_id
):
    """100.00 credited against 99.99 from the funding book: 0.01 out of balance."""
    monkeypatch.setattr(journal, "check_draft", lambda d: None)
    before = snapshot()
    legs = [Leg("personal_account", 10000, WORKER, account_id), Leg("account_funding", -9999)]
    # PostgreSQL: the deferred trigger, at commit. SQLite: the writer's question to the database.
    expected = IntegrityError if backend == "postgresql" else UnbalancedPosting
    with pytest.raises(expected, match="not balance"), uow:
        post_many(uow.session, [Draft("test", date(2025, 1, 2), "unbalanced on purpose", legs)], "clerk")
        uow.commit()
    assert snapshot() == before


def test_one_statement_moves_balances_and_one_inserts_entries():
    """grep, as a reader would: the balance updates (accounts, wallets) and the entries
    insert are written once each, in the journal writer."""
    sources = {p: p.read_text(encoding="utf-8") for p in LEDGER.rglob("*.py")}
    balance_updates = [
        p.name for p, s in sources.items() for _ in re.finditer(r"balance=\w+\.c\.balance \+|Account\.balance \+", s)
    ]
    entry_inserts = [
        p.name
        for p, s in sources.items()
        for _ in re.finditer(r"bulk_insert\(\s*session,\s*Entry\.__table__|Entry\(posting_id", s)
    ]
    assert balance_updates == ["journal.py", "journal.py"]  # the accounts', and the wallets' (docs/wallet.md)
    assert entry_inserts == ["journal.py"]
