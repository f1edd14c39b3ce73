from datetime import date

import pytest
from sqlalchemy import text

from ledger.errors import NotFound, ValidationError
from ledger.services import accounts, persons
from ledger.services.verify import verify
from tests.ids import STUDENT, WORKER


@pytest.fixture
def worker(uow):
    persons.add_person(uow, "clerk", psn_no=WORKER, name="李建国", insutype="310", psn_type="1101", region="220702")
    return WORKER


def test_credits_add_up_to_the_fen(uow, worker):
    accounts.credit(uow, "clerk", worker, 96000, "opening balance", date(2025, 1, 1))
    r = accounts.credit(uow, "clerk", worker, 15240, "January", date(2025, 1, 31))
    assert str(r["balance"]) == "1112.40"  # 960.00 + 152.40


def test_statement_runs_a_balance_and_ties_any_window(uow, worker):
    for fen, on in [
        (96000, date(2025, 1, 1)),
        (15240, date(2025, 1, 31)),
        (15240, date(2025, 2, 28)),
        (15240, date(2025, 3, 31)),
    ]:
        accounts.credit(uow, "clerk", worker, fen, f"credit {on}", on)
    full = accounts.statement(uow, worker)
    # 960.00, +152.40 = 1112.40, +152.40 = 1264.80, +152.40 = 1417.20
    assert [str(line["balance"]) for line in full["lines"]] == ["960.00", "1112.40", "1264.80", "1417.20"]
    window = accounts.statement(uow, worker, date(2025, 2, 1), date(2025, 2, 28))
    assert (
        str(window["opening_balance"]),
        [str(line["amount"]) for line in window["lines"]],
        str(window["closing_balance"]),
    ) == ("1112.40", ["152.40"], "1264.80")


def test_statement_window_must_be_ordered(uow, worker):
    with pytest.raises(ValidationError, match="--from: 2025-03-01 is after --to 2025-02-01"):
        accounts.statement(uow, worker, date(2025, 3, 1), date(2025, 2, 1))


def test_a_resident_has_no_account_to_credit(uow, snapshot):
    persons.add_person(
        uow, "clerk", psn_no=STUDENT, name="李明", insutype="390", resident_category="ordinary", region="220702"
    )
    before = snapshot()
    with pytest.raises(NotFound, match="has no personal account"):
        accounts.credit(uow, "clerk", STUDENT, 100, "x")
    assert snapshot() == before


@pytest.mark.parametrize(
    "amount, reason, message",
    [
        (0, "x", "amount: must be greater than zero"),
        (-100, "x", "amount: must be greater"),
        (100, " ", "reason: is required"),
    ],
)
def test_credit_validates_before_writing(uow, worker, snapshot, amount, reason, message):
    before = snapshot()
    with pytest.raises(ValidationError, match=message):
        accounts.credit(uow, "clerk", worker, amount, reason)
    assert snapshot() == before


def test_credit_is_journaled_double_entry_and_audited(uow, worker, engine):
    accounts.credit(uow, "zhang.wei", worker, 12345, "opening balance")
    with engine.connect() as conn:
        entries = conn.execute(text("SELECT book, amount, psn_no FROM journal_entries ORDER BY id")).all()
        audit = conn.execute(
            text("SELECT operator, action, subject, reason FROM audit_log WHERE action = 'account.credit'")
        ).one()
    assert [tuple(e) for e in entries] == [("personal_account", 12345, WORKER), ("account_funding", -12345, WORKER)]
    assert tuple(audit) == ("zhang.wei", "account.credit", WORKER, "opening balance")


def test_verify_finds_a_balance_that_does_not_tie_to_the_journal(uow, worker, engine):
    accounts.credit(uow, "clerk", worker, 10000, "opening balance")
    assert verify(uow)["ok"]
    with engine.begin() as conn:
        conn.execute(text("UPDATE accounts SET balance = 10001"))
    result = verify(uow)
    assert result["problems"] == ["account of 220702********0035: balance 100.01 but its journal entries sum to 100.00"]


def test_a_credit_dated_in_the_future_is_refused(uow, worker, snapshot):
    before = snapshot()
    with pytest.raises(ValidationError, match="date: 2999-01-01 is in the future"):
        accounts.credit(uow, "clerk", worker, 100, "x", date(2999, 1, 1))
    assert snapshot() == before
