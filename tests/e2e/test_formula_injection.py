"""Formula injection (docs/cli.md, "Lists"): a name that begins with = + - or @ is a formula
to Excel and WPS; in a list's or a report's CSV it is written with a leading apostrophe, in
an .xlsx as a text cell, and the ledger itself (its JSON, its database) keeps it as given.
A figure is not text: a negative amount stays -285.00.

The ledger: WORKER and his son STUDENT, both under the name being tried, bound on
2025-01-02; WORKER's account credited 1000.00 on 2025-01-01; one platform record N1 at an
institution whose code begins with '-' (a code may: letters, digits and _.-): 800.00 on
2025-03-01, fund (800 - 300) x 57% = 285.00, account 515.00 (1000.00 -> 485.00)."""

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from ledger.cli.output import csv_text
from ledger.formats import spreadsheet
from ledger.rules.money import Yuan
from ledger.services.reports import Report
from tests.ids import STUDENT, WORKER
from tests.platform_records import AGREES, write

# What a clerk's spreadsheet would run; the names the ledger takes (one line of printable
# text), each beginning with a character OWASP's CSV-injection guidance lists.
NAMES = ["=1+2", "+SUM(A1)", "-2+3", "@cmd", '=HYPERLINK("http://x")', "=cmd|' /C calc'!A0"]
INSTITUTION = "-H22070200001"


def ledger_of(run, tmp_path, name: str) -> None:
    for args in (
        ("person", "add", WORKER, "--name", name, "--insutype", "310", "--psn-type", "1101", "--region", "220702",
         "--enrolled", "2025"),
        ("person", "add", STUDENT, "--name", name, "--insutype", "390", "--resident-category", "ordinary",
         "--region", "220702", "--enrolled", "2025"),
        ("account", "credit", WORKER, "1000.00", "--reason", "opening", "--date", "2025-01-01"),
        ("family", "bind", WORKER, STUDENT, "--relation", "child", "--date", "2025-01-02"),
        ("claim", "post", "--profile", "national", write(tmp_path, AGREES | {"fixmedins_code": INSTITUTION})),
    ):  # fmt: skip
        r = run(*args)
        assert r.exit_code == 0, (args, r.output)


def csv_rows(run, *args) -> list[dict]:
    r = run(*args, "--format", "csv")
    assert r.exit_code == 0, r.output
    return list(csv.DictReader(io.StringIO(r.stdout)))


def sheet_rows(path) -> list[dict]:
    """A report's workbook: under the title and the header, a row each, its cells by column."""
    ws = load_workbook(path).active
    header = [c.value for c in ws[2]]
    return [dict(zip(header, row, strict=True)) for row in ws.iter_rows(min_row=3)]


@pytest.mark.parametrize("name", NAMES)
def test_a_person_list_in_csv_quotes_the_name_and_json_keeps_it(run, tmp_path, name):
    ledger_of(run, tmp_path, name)
    rows = csv_rows(run, "person", "list")
    assert [(p["name"], p["balance"]) for p in rows] == [("'" + name, "485.00"), ("'" + name, "")]
    as_json = json.loads(run("person", "list", "--json").stdout)
    assert [p["name"] for p in as_json] == [name, name]  # the data as given


@pytest.mark.parametrize("name", NAMES)
def test_a_family_list_in_csv_quotes_both_names(run, tmp_path, name):
    ledger_of(run, tmp_path, name)
    (row,) = csv_rows(run, "family", "list")
    assert (row["holder_name"], row["member_name"], row["bound_on"]) == ("'" + name, "'" + name, "2025-01-02")


@pytest.mark.parametrize("name", NAMES)
def test_a_claim_list_in_csv_quotes_the_name_and_the_institution_but_not_the_money(run, tmp_path, name):
    ledger_of(run, tmp_path, name)
    (row,) = csv_rows(run, "claim", "list")
    assert (row["name"], row["fixmedins_code"]) == ("'" + name, "'" + INSTITUTION)
    assert (row["medfee_sumamt"], row["fund_pay_sumamt"], row["acct_pay"]) == ("800.00", "285.00", "515.00")
    (claim,) = json.loads(run("claim", "list", "--json").stdout)
    assert (claim["name"], claim["fixmedins_code"]) == (name, INSTITUTION)


def test_a_report_in_csv_quotes_text_and_leaves_a_negative_amount_a_number(run, tmp_path):
    ledger_of(run, tmp_path, "李建国")
    period = ("--from", "2025-01-01", "--to", "2025-12-31")
    funds = csv_rows(run, "report", "funds", *period, "--by", "institution")
    assert [(r["institution"], r["medfee_sumamt"]) for r in funds] == [
        ("'" + INSTITUTION, "800.00"),
        ("total", "800.00"),
    ]
    books = {r["book"]: (r["movement"], r["closing"]) for r in csv_rows(run, "report", "balance", *period)}
    # the fund paid 285.00 of N1; the account's 1000.00 came from account_funding
    assert books["pooled_fund"] == ("-285.00", "-285.00")
    assert books["account_funding"] == ("-1000.00", "-1000.00")


def test_a_report_in_xlsx_keeps_text_as_text_and_money_as_numbers(run, tmp_path):
    ledger_of(run, tmp_path, "李建国")
    out = tmp_path / "funds.xlsx"
    period = ("--from", "2025-01-01", "--to", "2025-12-31")
    assert run("report", "funds", *period, "--by", "institution", "--format", "xlsx", "-o", out).exit_code == 0
    row, _total = sheet_rows(out)
    # A text cell is not run: the code as given, no apostrophe (openpyxl writes a string that
    # begins with '-' as text of itself; one that begins with '=' is the writer's test below).
    assert (row["institution"].value, row["institution"].data_type) == (INSTITUTION, "s")
    assert (f"{row['medfee_sumamt'].value:.2f}", row["medfee_sumamt"].data_type) == ("800.00", "n")
    out = tmp_path / "balance.xlsx"
    assert run("report", "balance", *period, "--format", "xlsx", "-o", out).exit_code == 0
    books = {r["book"].value: r["movement"] for r in sheet_rows(out)}
    assert (f"{books['pooled_fund'].value:.2f}", books["pooled_fund"].data_type) == ("-285.00", "n")


@pytest.mark.parametrize("name", [n for n in NAMES if n.startswith("=")])
def test_the_xlsx_writer_writes_a_name_as_a_text_cell_never_a_formula(tmp_path, name):
    # No report names a person today; the writer holds whatever text reaches it all the same.
    # openpyxl makes a formula of a string that begins with '=' (the others it writes as text).
    report = Report(name, ("name", "amount"), [{"name": name, "amount": Yuan(-1250)}], None)
    out = tmp_path / "r.xlsx"
    spreadsheet.write(report, str(out), [[name, "-12.50"]])
    ws = load_workbook(out).active
    assert [(c.value, c.data_type) for c in (ws["A1"], ws["A3"])] == [(name, "s"), (name, "s")]
    assert (f"{ws['B3'].value:.2f}", ws["B3"].data_type) == ("-12.50", "n")


@pytest.mark.parametrize("text", ["\t=1+2", "\r=1+2"])
def test_a_csv_cell_that_begins_with_a_tab_or_a_return_is_quoted_too(text):
    # A name holding a tab or a return is refused on input (rules/text.py); the writer quotes
    # one all the same.
    out = csv_text(["name", "amount"], [{"name": text, "amount": Yuan(-1250)}], lambda _c, v: str(v))
    assert out.split("\n") == ["name,amount", f"'{text},-12.50", ""]
