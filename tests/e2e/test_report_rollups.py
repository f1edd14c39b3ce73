"""`report funds` read from the running sums (db/rollups.py): periods that cut a month,
groupings by the kind of claim that must count a person once, the sums kept through a
reversal, `ledger verify` catching sums that drifted, and migration 0015 filling them from
claims posted before it. The ledger and its hand-worked figures are tests/e2e/test_reports.py's."""

import json
from datetime import date
from importlib import import_module

from alembic import command
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from ledger.cli import cli
from ledger.db import migrate, partitions
from ledger.db.engine import make_engine
from tests.conftest import TEST_YEARS
from tests.e2e import test_reports

books = test_reports.books  # the fixture: the ledger whose figures are worked there

FIGURES = ("claims", "people", "medfee_sumamt", "fund_pay_sumamt", "acct_pay", "acct_mulaid_pay", "psn_cash_pay")


def funds(run, start, end, *args) -> dict:
    r = run("report", "funds", "--from", start, "--to", end, *args, "--format", "json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def figures(row: dict) -> tuple:
    return tuple(row[f] for f in FIGURES)


def test_a_period_that_cuts_months_takes_those_days_claims(run, books):
    # 03-03..04-05: S1 (03-05) and A2 (04-01); A1 (03-01) is before it, R1 (04-10) after.
    # fee 300 + 1000 = 1300.00; fund 110 + 450 = 560.00; account 0 + 295; mutual aid 190 + 0; cash 0 + 255
    (row,) = funds(run, "2025-03-03", "2025-04-05")["rows"]
    assert figures(row) == (2, 2, "1300.00", "560.00", "295.00", "190.00", "255.00")
    by_month = funds(run, "2025-03-03", "2025-04-05", "--by", "month")["rows"]
    assert [(r["month"], *figures(r)) for r in by_month] == [
        ("2025-03", 1, 1, "300.00", "110.00", "0.00", "190.00", "0.00"),  # S1: the student
        ("2025-04", 1, 1, "1000.00", "450.00", "295.00", "0.00", "255.00"),  # A2: the worker
    ]
    # 03-02..03-31: S1 alone; the worker's A1 was on 03-01
    (row,) = funds(run, "2025-03-02", "2025-03-31")["rows"]
    assert figures(row) == (1, 1, "300.00", "110.00", "0.00", "190.00", "0.00")
    # 04-02..04-30: only R1, reversed: nothing, and nobody
    (row,) = funds(run, "2025-04-02", "2025-04-30")["rows"]
    assert figures(row) == (0, 0, "0.00", "0.00", "0.00", "0.00", "0.00")


def test_a_person_is_counted_once_in_each_group_of_the_kind_of_claim(run, books):
    # By level: 2: A1 (worker) + S1 (student): 2 claims, 2 people, 800 + 300 = 1100.00;
    # 3: A2 (worker): 1 claim, 1000.00; 1: only R1, reversed: no row.
    by_level = funds(run, "2025-01-01", "2025-12-31", "--by", "level")
    assert [(r["level"], r["claims"], r["people"], r["medfee_sumamt"]) for r in by_level["rows"]] == [
        ("2", 2, 2, "1100.00"),
        ("3", 1, 1, "1000.00"),
    ]
    assert (by_level["total"]["claims"], by_level["total"]["people"]) == (3, 2)  # the worker once
    # By medical type: all three are 11; the worker's two claims make one person.
    (row,) = funds(run, "2025-01-01", "2025-12-31", "--by", "med_type")["rows"]
    assert (row["med_type"], row["claims"], row["people"], row["medfee_sumamt"]) == ("11", 3, 2, "2100.00")
    # By month and level, from April 1 (a whole month) to May 15 (a part): A2 alone.
    rows = funds(run, "2025-04-01", "2025-05-15", "--by", "month,level")["rows"]
    assert [(r["month"], r["level"], r["claims"], r["people"]) for r in rows] == [("2025-04", "3", 1, 1)]


def test_verify_checks_the_running_sums_against_the_claims(run, books, db_url):
    assert run("verify").exit_code == 0  # R1's reversal took its sums off and its month's bit away
    engine = create_engine(db_url)
    with engine.begin() as c:
        c.execute(text("UPDATE claim_totals SET medfee_sumamt = medfee_sumamt + 1 WHERE service_date = '2025-03-05'"))
        c.execute(text("UPDATE claim_people SET m3 = 0 WHERE scope = 0 AND insutype = '390'"))
    engine.dispose()
    r = run("verify")
    assert r.exit_code != 0
    assert (
        "claim_totals 2025-03-05 11/2/- 220702 390: the stored sums less its claims' are 0 claims, fee 0.01" in r.output
    )
    assert "claim_people of 220702********0136 2025 (all claims): the days stored are not" in r.output


def test_the_migration_fills_the_sums_from_claims_posted_before_it(run, books, db_url):
    cfg = migrate.alembic_config()
    engine = make_engine(db_url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0014")  # the running sums are dropped; the claims stay
    migrate.upgrade(engine)
    partitions.add_years(engine, TEST_YEARS)  # the test database's years again (conftest.py)
    engine.dispose()
    checked = CliRunner().invoke(cli, ["--db", db_url, "verify"])
    assert checked.exit_code == 0, checked.output
    # the figures of tests/e2e/test_reports.py, from the refilled sums
    by_month = funds(run, "2025-01-01", "2025-12-31", "--by", "month")["rows"]
    assert [(r["month"], r["claims"], r["people"], r["medfee_sumamt"]) for r in by_month] == [
        ("2025-03", 2, 2, "1100.00"),
        ("2025-04", 1, 1, "1000.00"),
    ]


def test_a_period_is_its_days_month_by_month():
    days = import_module("ledger.services.reports.funds")._days
    # 2024-12-30..2025-02-01: December's 30th and 31st (bits 29, 30), all of January's 31 days, February 1st
    assert days(date(2024, 12, 30), date(2025, 2, 1)) == {
        (2024, 12): (1 << 29) | (1 << 30),
        (2025, 1): (1 << 31) - 1,
        (2025, 2): 1,
    }
    assert days(date(2025, 2, 10), date(2025, 2, 10)) == {(2025, 2): 1 << 9}  # one day: bit 9
