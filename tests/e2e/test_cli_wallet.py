"""`ledger wallet transfer` and `ledger wallet show` as a clerk runs them (docs/wallet.md):
the worker sends 2000.00 to his mother in Changchun on 2025-06-02 at 09:30; his account held
10000.00: 10000.00 - 2000.00 = 8000.00 left, her wallet 2000.00."""

import json

import pytest

from tests.ids import WORKER
from tests.integration.test_wallet import PARENT


@pytest.fixture
def pair(run):
    for args in (
        ("person", "add", WORKER, "--name", "李建国", "--insutype", "310", "--psn-type", "1101", "--region", "220702",
         "--enrolled", "2025"),
        ("person", "add", PARENT, "--name", "王秀英", "--insutype", "310", "--psn-type", "1201", "--region", "220102",
         "--enrolled", "2025"),
        ("account", "credit", WORKER, "10000.00", "--reason", "opening balance", "--date", "2025-01-01"),
    ):  # fmt: skip
        r = run(*args)
        assert r.exit_code == 0, r.output


def test_a_transfer_and_the_wallet_it_fills(run, pair):
    r = run("wallet", "transfer", WORKER, PARENT, "2000.00", "--relation", "parent", "--at", "2025-06-02T09:30")
    assert r.exit_code == 0, r.output
    assert r.stdout == (
        "transferred 2000.00 from 220702********0035's account to 220102********0026's wallet (parent) at "
        "2025-06-02T09:30:00+08:00; account 8000.00, wallet 2000.00; transfer 1 of the day\n"
    )
    shown = run("wallet", "show", PARENT)
    assert shown.stdout.splitlines() == [
        "220102********0026 王秀英: wallet 2000.00",
        "  2025-06-02T09:30:00+08:00 in 2000.00 from 220702********0035 李建国 (parent)",
    ]
    # the account shows the wallet beside it: 2000.00
    assert "  医保钱包 2000.00 (ledger wallet show)" in run("account", "show", PARENT).stdout.splitlines()
    data = json.loads(run("wallet", "show", WORKER, "--json").stdout)
    assert (data["balance"], [(t["direction"], t["with"], t["amount"]) for t in data["transfers"]]) == (
        "0.00",
        [("out", PARENT, "2000.00")],
    )


def test_the_fourth_transfer_of_a_day_is_refused_by_name(run, pair):
    for minute in ("00", "01", "02"):
        r = run("wallet", "transfer", WORKER, PARENT, "1.00", "--relation", "parent", "--at", f"2025-06-02T09:{minute}")
        assert r.exit_code == 0, r.output
    r = run("wallet", "transfer", WORKER, PARENT, "1.00", "--relation", "parent", "--at", "2025-06-02T09:03", "--json")
    assert r.exit_code == 1
    assert "holder: has made 3 wallet transfers on 2025-06-02, the most a day in region 220700" in r.stderr
    assert "(wallet.transfer.max_per_day = 3)" in r.stderr


def test_in_chinese(run, pair):
    r = run("--lang", "zh", "wallet", "transfer", WORKER, PARENT, "100.00", "--relation", "parent", "--at",
            "2025-06-02T22:30")  # fmt: skip
    assert r.exit_code == 1
    assert "当地时间 22:30 处于 22:00 至 06:00 的禁止转账时段" in r.stderr


@pytest.mark.parametrize("at", ["24:00", "23:59:60", "2025-06-02T24:00", "2025-06-02T23:59:60", "2025-06-31T09:30"])
def test_a_time_of_the_wrong_form_is_a_usage_error_naming_at(run, pair, snapshot, at):
    """docs/cli.md, "Exit codes": a value of the wrong form is a usage error (2), said
    before anything is read or written; under --json too, naming the option."""
    before = snapshot()
    plain = run("wallet", "transfer", WORKER, PARENT, "1.00", "--relation", "parent", "--at", at)
    assert plain.exit_code == 2, plain.output
    assert plain.stderr.splitlines()[-1] == (
        f"Error: Invalid value for '--at': is a local time written YYYY-MM-DDTHH:MM, "
        f"optionally with seconds and an offset (got {at!r})"
    )
    r = run("wallet", "transfer", WORKER, PARENT, "1.00", "--relation", "parent", "--at", at, "--json")
    assert r.exit_code == 2 and r.stdout == ""
    error = json.loads(r.stderr)["error"]
    assert (error["code"], error["field"]) == (2, "at")
    assert error["message"].startswith("Invalid value for '--at': is a local time written YYYY-MM-DDTHH:MM")
    assert snapshot() == before
