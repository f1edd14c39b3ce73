"""The contract for scripts (docs/cli.md, "Exit codes"): each exit code, produced by the
thing it stands for, and with `--json` the error as a JSON object on stderr.

0 done; 1 refused or rows rejected; 2 a usage error; 3 `verify` found violations; 4 the
database unreachable or not migrated; 5 a batch stopped before the end of its file
(tests/e2e/test_cli_claims.py); 70 an internal error."""

import json

from click.testing import CliRunner
from sqlalchemy import text

import ledger.cli.verify
from ledger.cli import cli
from tests.e2e.test_cli_persons_accounts import ADD_WORKER
from tests.ids import WORKER


def error_of(r) -> dict:
    return json.loads(r.stderr)["error"]


def test_0_done_and_1_refused(run):
    assert run(*ADD_WORKER).exit_code == 0
    again = run(*ADD_WORKER, "--json")
    assert again.exit_code == 1
    # a refusal names its field in its words; "field" is given by a validation error only
    assert error_of(again) == {
        "code": 1,
        "message": f"psn_no: {WORKER[:6]}********{WORKER[-4:]} is already registered",
        "field": None,
    }


def test_1_names_the_field_under_json(run):
    r = run(
        "person", "add", "123", "--name", "x", "--insutype", "310", "--psn-type", "1101", "--region", "220702", "--json"
    )
    assert (r.exit_code, r.stdout) == (1, "")
    assert error_of(r) == {"code": 1, "message": "psn_no: an ID number has 18 characters, got 3", "field": "psn_no"}


def test_2_a_usage_error_plain_and_under_json(run):
    plain = run("verify", "--nope")
    assert plain.exit_code == 2 and "No such option" in plain.stderr
    r = run("verify", "--json", "--nope")
    assert r.exit_code == 2
    assert error_of(r)["code"] == 2 and error_of(r)["message"].startswith("No such option '--nope'")


def test_3_verify_found_violations(run, engine):
    assert run(*ADD_WORKER).exit_code == 0
    with engine.begin() as conn:  # a balance no journal entry backs
        conn.execute(text("UPDATE accounts SET balance = balance + 1"))
    r = run("verify", "--json")
    assert r.exit_code == 3
    assert json.loads(r.stdout)["ok"] is False
    assert error_of(r) == {"code": 3, "message": "verify found 1 violation(s)", "field": None}
    # each problem an object for scripts: its kind, table and row, and the line people read
    # (the new account holds 0.00 in its journal, 0.01 in its balance)
    masked = f"{WORKER[:6]}********{WORKER[-4:]}"
    assert json.loads(r.stdout)["problems"] == [
        {
            "kind": "balance_not_journal",
            "table": "accounts",
            "id": WORKER,
            "message": f"account of {masked}: balance 0.01 but its journal entries sum to 0.00",
        }
    ]
    plain = run("verify")
    assert plain.exit_code == 3
    assert f"  VIOLATION account of {masked}: balance 0.01 but its journal entries sum to 0.00" in plain.stdout


def test_1_not_4_when_another_writer_got_in_the_way_on_every_attempt():
    """A deadlock or serialization failure left after every retry (db/retry.py) is a
    refusal: the database is there, run it again. 4 is for a database out of reach."""
    import psycopg
    from sqlalchemy.exc import OperationalError

    from ledger.cli import _database_error

    for orig in (psycopg.errors.DeadlockDetected("deadlock detected"), psycopg.errors.SerializationFailure("x")):
        message, code = _database_error(OperationalError("LOCK TABLE claims", {}, orig), None)
        assert code == 1 and message.startswith("the database cancelled the transaction"), message


def test_4_a_database_not_migrated_or_not_reachable(tmp_path):
    r = CliRunner().invoke(cli, ["--db", f"sqlite:///{tmp_path / 'empty.db'}", "verify", "--json"])
    assert r.exit_code == 4
    assert error_of(r)["message"].endswith("has no ledger schema: run `ledger db upgrade` first")
    # nothing listens on port 1
    r = CliRunner().invoke(cli, ["--db", "postgresql://clerk@127.0.0.1:1/ledger", "verify"])
    assert r.exit_code == 4 and r.stderr.startswith("Error: database postgresql+psycopg://clerk@127.0.0.1:1/ledger: ")


def test_70_an_internal_error(db_url, monkeypatch, capsys, ledger_main):
    def broken(*args, **kw):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(ledger.cli.verify, "verify", broken)
    monkeypatch.delenv("LEDGER_DEBUG", raising=False)
    for argv, json_error in ((["verify"], False), (["verify", "--json"], True)):
        assert ledger_main("--db", db_url, *argv) == 70
        said = capsys.readouterr().err
        message = "internal error ZeroDivisionError: division by zero (set LEDGER_DEBUG=1 for the traceback)"
        if json_error:
            assert json.loads(said) == {"error": {"code": 70, "message": message, "field": None}}
        else:
            assert said == f"Error: {message}\n"
