"""A transaction that loses to another writer is run again from the top, and its effect
lands exactly once.

The failure is injected at the last step of the transaction, after every row of the first
attempt was written, so a retry that did not roll back the first attempt would show up as a
doubled posting."""

import json
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from ledger.db import retry
from ledger.db.models import Account, ClaimRecord, Entry, Posting
from ledger.services import accounts, claims, persons
from ledger.services.verify import verify
from tests.ids import WORKER


class _Orig(Exception):
    def __init__(self, message: str, sqlstate: str | None = None):
        super().__init__(message)
        self.sqlstate = sqlstate


def _error(kind=OperationalError, message="x", sqlstate=None):
    return kind("SELECT 1", {}, _Orig(message, sqlstate))


@pytest.mark.parametrize(
    "error, expected",
    [
        (_error(message="could not serialize access", sqlstate="40001"), True),
        (_error(message="deadlock detected", sqlstate="40P01"), True),
        (_error(message="database is locked"), True),
        (_error(IntegrityError, "duplicate key value violates unique constraint", "23505"), True),
        (_error(IntegrityError, "UNIQUE constraint failed: claims.setl_id"), True),
        (_error(IntegrityError, "new row violates check constraint", "23514"), False),
        (_error(IntegrityError, "CHECK constraint failed: balance_not_negative"), False),
        (_error(message="connection refused", sqlstate="08001"), False),
    ],
)
def test_what_is_retried(error, expected):
    assert retry.retryable(error) is expected


def test_retries_are_bounded(monkeypatch):
    monkeypatch.setattr(retry, "BASE_DELAY", 0)
    calls = []

    def always_deadlocked():
        calls.append(1)
        raise _error(message="deadlock detected", sqlstate="40P01")

    with pytest.raises(OperationalError, match="deadlock"):
        retry.attempt(always_deadlocked, "test")
    assert len(calls) == retry.MAX_ATTEMPTS == 6


def _fail_once(monkeypatch, module, name):
    """Make module.name raise a deadlock the first time it is called, then behave."""
    real = getattr(module, name)
    state = {"failed": 0}

    def flaky(*a, **kw):
        result = real(*a, **kw)
        if not state["failed"]:
            state["failed"] += 1
            raise _error(message="deadlock detected", sqlstate="40P01")
        return result

    monkeypatch.setattr(module, name, flaky)
    monkeypatch.setattr(retry, "BASE_DELAY", 0)
    return state


def test_a_credit_retried_after_a_deadlock_is_applied_once(uow, engine, monkeypatch):
    persons.add_person(uow, "clerk", psn_no=WORKER, name="李建国", insutype="310", psn_type="1101", region="220702")
    # The first attempt writes its posting, moves the balance and the audit row, then dies.
    state = _fail_once(monkeypatch, accounts, "audit")
    r = accounts.credit(uow, "clerk", WORKER, 12345, "opening balance", date(2025, 1, 1))
    assert state["failed"] == 1
    assert str(r["balance"]) == "123.45"
    with engine.connect() as conn:
        assert conn.scalar(select(Account.balance).where(Account.psn_no == WORKER)) == 12345
        assert conn.scalar(select(func.count()).select_from(Posting)) == 1
        assert conn.scalar(select(func.count()).select_from(Entry)) == 2
    assert verify(uow)["ok"]


def test_a_claim_chunk_retried_after_a_deadlock_is_posted_once(uow, engine, monkeypatch):
    persons.add_person(
        uow, "clerk", psn_no=WORKER, name="李建国", insutype="310", psn_type="1101", region="220702", enrolled=[2025]
    )
    accounts.credit(uow, "clerk", WORKER, 100000, "opening balance", date(2025, 1, 1))
    # Dies after every row of the chunk was written (write is its last step).
    state = _fail_once(monkeypatch, claims, "write")
    raw = {
        "setl_id": "RETRY-1",
        "psn_no": WORKER,
        "service_date": "2025-03-01",
        "med_type": "11",
        "hosp_lv": "2",
        "medfee_sumamt": "800.00",
    }
    [r] = list(claims.post_claims(uow, "clerk", [(1, raw)]))
    assert state["failed"] == 1
    # Songyuan level 2: deductible 300.00, (800.00 - 300.00) x 57% = 285.00, 515.00 from the
    # account, which had 1000.00: once, so 485.00 is left (twice would leave 0.00 and cash).
    assert (r["status"], str(r["hifp_pay"]), str(r["acct_pay"]), str(r["balc"])) == (
        "posted",
        "285.00",
        "515.00",
        "485.00",
    )
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(ClaimRecord)) == 1
        assert conn.scalar(select(Account.balance).where(Account.psn_no == WORKER)) == 48500
    assert verify(uow)["ok"]


def test_the_cli_says_each_retry_on_stderr(run, monkeypatch, tmp_path):
    """Retries were logged, but no logging was configured: a clerk never saw one."""
    assert run("person", "add", WORKER, "--name", "李建国", "--insutype", "310", "--psn-type", "1101", "--region", "220702", "--enrolled", "2025").exit_code == 0  # fmt: skip
    _fail_once(monkeypatch, claims, "write")
    f = tmp_path / "c.jsonl"
    claim = {"setl_id": "RT1", "psn_no": WORKER, "service_date": "2025-03-01", "med_type": "11", "hosp_lv": "2"}
    f.write_text(json.dumps(claim | {"medfee_sumamt": "800.00"}) + "\n")
    r = run("claim", "post", f)
    assert r.exit_code == 0, r.output
    assert "warning: claims chunk retried (attempt 1 of 6): deadlock detected" in r.stderr.splitlines()
    assert "1 claims: 1 posted" in r.stderr + r.stdout
