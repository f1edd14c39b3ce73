"""`ledger db roles` on PostgreSQL: the ledger runs whole as the writer role, and the writer
can neither erase nor rewrite history: TRUNCATE, DELETE, UPDATE of history, DISABLE TRIGGER
and DDL are all refused. A database of its own, so the roles' grants meet no other test."""

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from ledger.cli import cli
from ledger.cli.demo import demo_id

CLERK = "ledger_test_clerk"
AUDITOR = "ledger_test_auditor"  # a login of the reader role
KEEPER = "ledger_test_keeper"  # a login of the owner role


@pytest.fixture
def database(private_postgres):
    return private_postgres


def ledger(url, *args):
    r = CliRunner().invoke(cli, ["--db", url.render_as_string(hide_password=False), "--operator", "t", *args])
    assert r.exit_code == 0, (args, r.output)
    return r


def test_the_ledger_runs_as_the_writer_and_the_writer_cannot_erase_history(database, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the demo writes its report into the current folder
    ledger(database, "db", "roles")
    ledger(database, "db", "upgrade")  # as the owner, which now owns every table
    ledger(database, "db", "roles")  # a second time: nothing new, nothing refused
    admin = create_engine(database, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": CLERK}):
            conn.exec_driver_sql(f"CREATE ROLE {CLERK} LOGIN IN ROLE ledger_writer")
        owners = set(conn.scalars(text("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")))
    admin.dispose()
    assert owners == {"ledger_owner"}
    clerk = database.set(username=CLERK, password=None)
    # The whole write path: persons, policy, credits, bindings, claims, a reversal, a
    # contribution, the rollover, verify (the demo walks it all), and an upgrade at head.
    r = ledger(clerk, "demo")
    assert "all balances tie to the journal" in r.output
    # and a transfer to a wallet (docs/wallet.md): the son to his mother, both of the demo
    son, grandma = demo_id("22070219780611003"), demo_id("22070219520315002")
    r = ledger(clerk, "wallet", "transfer", son, grandma, "10.00", "--relation", "parent", "--at", "2025-06-02T09:00")
    assert "transfer 1 of the day" in r.output
    ledger(clerk, "verify", "--head")
    writer = create_engine(clerk)
    refused = {
        "TRUNCATE journal_entries": "permission denied",
        "TRUNCATE audit_log CASCADE": "permission denied",
        "DELETE FROM audit_log": "permission denied",
        "DELETE FROM claims": "permission denied",
        "UPDATE journal_postings SET memo = 'changed'": "permission denied",
        "UPDATE claims SET operator = 'mallory'": "permission denied",
        "UPDATE persons SET name = 'x'": "permission denied",
        "ALTER TABLE journal_postings DISABLE TRIGGER USER": "must be owner",
        "DROP TABLE audit_log": "must be owner",
        "CREATE TABLE mine (id int)": "permission denied",
        "UPDATE verify_runs SET mode = 'full'": "permission denied",  # the demo's verify recorded a run
        "DELETE FROM verify_runs": "permission denied",
        # a year's partitions, made as the demo's first write dated in the year met none
        # (the writer may call ledger_add_year, which runs as the owner): the owner's too
        "TRUNCATE claims_2025 CASCADE": "permission denied",
        "DELETE FROM journal_entries_2025": "permission denied",
        "UPDATE claim_setl_ids SET setl_id = 'x'": "permission denied",
        "ALTER TABLE claims DETACH PARTITION claims_2025": "must be owner",
        # the archive's records, which the owner writes as it archives a year: an archived
        # balance added by hand would let a balance and its journal agree on money never posted
        "INSERT INTO archived_years VALUES (2019, now(), 'm', 0, 0, 0, 0, 0, 0, 0, 'x')": "permission denied",
        "INSERT INTO archived_balances VALUES (2019, 1, 100)": "permission denied",
        "INSERT INTO archived_books VALUES (2019, 'personal_account', 100)": "permission denied",
        "INSERT INTO archived_wallets VALUES (2019, '220702195203150020', 100)": "permission denied",
        "UPDATE wallet_transfers SET amount = 1": "permission denied",
        # a cap is the policy's (migration 0022): raised, one claim could draw past it
        "UPDATE benefit_usage SET cap = cap + 2888000": "permission denied",
    }
    for statement, said in refused.items():
        with pytest.raises(DBAPIError, match=said), writer.begin() as conn:
            conn.exec_driver_sql(statement)
    # the owner archives the demo's first year; the writer can neither read nor change it
    admin = create_engine(database, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": KEEPER}):
            conn.exec_driver_sql(f"CREATE ROLE {KEEPER} LOGIN IN ROLE ledger_owner")
    admin.dispose()
    first = min(writer_years(writer))
    r = ledger(database.set(username=KEEPER, password=None), "db", "archive", "--through", str(first))
    assert f"{first} archived: " in r.output
    for statement in (
        f"SELECT count(*) FROM ledger_archive.claims_{first}",
        f"DELETE FROM ledger_archive.claims_{first}",
    ):
        with pytest.raises(DBAPIError, match="permission denied"), writer.begin() as conn:
            conn.exec_driver_sql(statement)
    ledger(clerk, "verify")
    # the owner may still change a cap, and the clerk's verify names the counter it changed
    keeper = create_engine(database.set(username=KEEPER, password=None))
    with keeper.begin() as conn:
        changed = conn.execute(
            text("UPDATE benefit_usage SET cap = cap + 2888000 WHERE id = (SELECT min(id) FROM benefit_usage "
                 "WHERE year > :y) RETURNING psn_no, year, bucket"), {"y": first}
        ).one()  # fmt: skip
    keeper.dispose()
    r = CliRunner().invoke(cli, ["--db", clerk.render_as_string(hide_password=False), "verify", "--json"])
    assert r.exit_code == 3, r.output
    found = [(p["kind"], p["id"]) for p in json.loads(r.stdout)["problems"]]
    assert found == [("usage_cap_not_policy", "/".join(map(str, changed)))]
    writer.dispose()


def writer_years(engine) -> list[int]:
    with engine.connect() as conn:
        return [int(y) for y in conn.scalars(text("SELECT DISTINCT extract(year FROM service_date) FROM claims"))]


def test_a_reader_checks_the_books_but_records_no_run(database):
    ledger(database, "db", "roles")
    ledger(database, "db", "upgrade")
    admin = create_engine(database, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": AUDITOR}):
            conn.exec_driver_sql(f"CREATE ROLE {AUDITOR} LOGIN IN ROLE ledger_reader")
    admin.dispose()
    r = ledger(database.set(username=AUDITOR, password=None), "verify")
    assert r.output.splitlines()[-2:] == [
        "ok",
        "(not recorded: this login may not write verify_runs; the next --since starts from an earlier run)",
    ]
