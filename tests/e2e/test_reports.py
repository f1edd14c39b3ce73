"""`ledger report funds` and `ledger report balance` on a small ledger whose every figure is
worked by hand below: a worker's own claims, his son's claim paid from the worker's account
(mutual aid), and a claim reversed."""

import csv
import io
import json

import pytest

from tests.claim_policy import CLAIM_POLICY
from tests.ids import STUDENT, WORKER

# Songyuan's seed (employees) and the test policy (residents), both in force in 2025:
# A1 WORKER 03-01, 800.00 at level 2: deductible 300.00, fund (800 - 300) x 57% = 285.00,
#    personal 515.00 from his account (1000.00 -> 485.00).
# S1 STUDENT 03-05, 300.00 at level 2: resident deductible 100.00, fund (300 - 100) x 55% =
#    110.00, personal 190.00: the son has no account; his father's pays it (485.00 -> 295.00).
# A2 WORKER 04-01, 1000.00 at level 3: deductible 400.00 - 300.00 met = 100.00, fund
#    (1000 - 100) x 50% = 450.00, personal 550.00: account 295.00 (-> 0.00), cash 255.00.
# R1 WORKER 04-10, 100.00 at level 1: deductible 200.00 - 400.00 met -> 0.00, fund
#    100 x 55% = 55.00, personal 45.00, all cash (the account is empty); reversed on 04-20.
CLAIMS = [
    {"setl_id": "A1", "psn_no": WORKER, "service_date": "2025-03-01", "med_type": "11", "hosp_lv": "2", "medfee_sumamt": "800.00"},
    {"setl_id": "S1", "psn_no": STUDENT, "service_date": "2025-03-05", "med_type": "11", "hosp_lv": "2", "medfee_sumamt": "300.00"},
    {"setl_id": "A2", "psn_no": WORKER, "service_date": "2025-04-01", "med_type": "11", "hosp_lv": "3", "medfee_sumamt": "1000.00"},
    {"setl_id": "R1", "psn_no": WORKER, "service_date": "2025-04-10", "med_type": "11", "hosp_lv": "1", "medfee_sumamt": "100.00"},
]  # fmt: skip


@pytest.fixture
def books(run, tmp_path):
    policy = tmp_path / "claims-policy.toml"
    policy.write_text(CLAIM_POLICY)
    claims = tmp_path / "claims.jsonl"
    claims.write_text("".join(json.dumps(c) + "\n" for c in CLAIMS))
    for args in (
        ("policy", "load", policy),
        ("person", "add", WORKER, "--name", "李建国", "--insutype", "310", "--psn-type", "1101", "--region", "220702",
         "--enrolled", "2025"),
        ("person", "add", STUDENT, "--name", "李明", "--insutype", "390", "--resident-category", "ordinary",
         "--region", "220702", "--enrolled", "2025"),
        ("account", "credit", WORKER, "1000.00", "--reason", "opening balance", "--date", "2025-01-01"),
        ("family", "bind", WORKER, STUDENT, "--relation", "child", "--date", "2025-01-02"),
        ("claim", "post", claims),
        ("claim", "reverse", "R1", "--reason", "settled twice", "--date", "2025-04-20"),
    ):  # fmt: skip
        r = run(*args)
        assert r.exit_code == 0, (args, r.output)


def report(run, *args) -> dict:
    r = run("report", *args, "--from", "2025-01-01", "--to", "2025-12-31", "--format", "json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_funds_in_all_leave_the_reversed_claim_out(run, books):
    (row,) = report(run, "funds")["rows"]
    # 人次 3 (A1, S1, A2; R1 reversed), 2 people; fee 800 + 300 + 1000 = 2100.00
    # = fund 285 + 110 + 450 = 845.00 + own accounts 515 + 0 + 295 = 810.00
    # + mutual aid 190.00 + cash 0 + 0 + 255 = 255.00
    assert row == {
        "claims": 3, "people": 2, "medfee_sumamt": "2100.00", "fund_pay_sumamt": "845.00", "hifp_pay": "845.00",
        "hifmi_pay": "0.00", "hifob_pay": "0.00", "other_funds_pay": "0.00", "acct_pay": "810.00",
        "wallet_pay": "0.00", "acct_mulaid_pay": "190.00", "psn_cash_pay": "255.00",
    }  # fmt: skip


def test_funds_by_month_and_by_status(run, books):
    by_month = report(run, "funds", "--by", "month")
    figures = [(r["month"], r["claims"], r["people"], r["medfee_sumamt"], r["fund_pay_sumamt"], r["acct_pay"],
                r["acct_mulaid_pay"], r["psn_cash_pay"]) for r in by_month["rows"]]  # fmt: skip
    assert figures == [
        # March: A1 and S1: 800 + 300; fund 285 + 110; account 515; mutual aid 190; cash 0
        ("2025-03", 2, 2, "1100.00", "395.00", "515.00", "190.00", "0.00"),
        # April: A2 alone (R1 reversed): 1000; fund 450; account 295; cash 255
        ("2025-04", 1, 1, "1000.00", "450.00", "295.00", "0.00", "255.00"),
    ]
    assert by_month["total"]["medfee_sumamt"] == "2100.00" and by_month["total"]["claims"] == 3
    by_status = {r["status"]: (r["claims"], r["medfee_sumamt"]) for r in report(run, "funds", "--by", "status")["rows"]}
    assert by_status == {"in service": (2, "1800.00"), "resident": (1, "300.00")}


def test_the_trial_balance_ties_to_zero(run, books):
    b = report(run, "balance")
    rows = {r["book"]: (r["opening"], r["received"], r["paid"], r["movement"], r["closing"]) for r in b["rows"]}
    # provider: +800 +300 +1000 +100, the reversal -100; pooled fund: -285 -110 -450 -55, +55;
    # personal accounts: +1000 credit, -515 -190 -295; funding: -1000; cash: -255 -45, +45
    assert rows["provider"] == ("0.00", "2200.00", "100.00", "2100.00", "2100.00")
    assert rows["pooled_fund"] == ("0.00", "55.00", "900.00", "-845.00", "-845.00")
    assert rows["personal_account"] == ("0.00", "1000.00", "1000.00", "0.00", "0.00")
    assert rows["account_funding"] == ("0.00", "0.00", "1000.00", "-1000.00", "-1000.00")
    assert rows["patient_cash"] == ("0.00", "45.00", "300.00", "-255.00", "-255.00")
    # received 1000 + 2200 + 55 + 45 = 3300.00 = paid 100 + 900 + 1000 + 1000 + 300
    assert b["total"] == {
        "opening": "0.00",
        "received": "3300.00",
        "paid": "3300.00",
        "movement": "0.00",
        "closing": "0.00",
    }
    # From April on, March's postings are the opening balances: the credit and A1, S1
    april = run("report", "balance", "--from", "2025-04-01", "--to", "2025-12-31", "--format", "json")
    opening = {r["book"]: r["opening"] for r in json.loads(april.stdout)["rows"]}
    assert (opening["provider"], opening["personal_account"], opening["pooled_fund"]) == (
        "1100.00",
        "295.00",
        "-395.00",
    )


def test_table_csv_and_json_agree(run, books):
    as_json = report(run, "funds", "--by", "month")
    r = run("report", "funds", "--from", "2025-01-01", "--to", "2025-12-31", "--by", "month", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [row["medfee_sumamt"] for row in rows] == ["1100.00", "1000.00", "2100.00"]
    assert rows[-1]["month"] == "total"
    assert [row["psn_cash_pay"] for row in rows[:-1]] == [x["psn_cash_pay"] for x in as_json["rows"]]
    table = run("report", "funds", "--from", "2025-01-01", "--to", "2025-12-31", "--by", "month").stdout
    assert "2025-03" in table and "1100.00" in table and "2100.00" in table.splitlines()[-1]


def test_a_region_outside_the_books_reports_nothing_and_a_bad_grouping_is_named(run, books, tmp_path):
    assert report(run, "funds", "--region", "2201")["rows"] == [
        {"claims": 0, "people": 0, **dict.fromkeys(
            ("medfee_sumamt", "fund_pay_sumamt", "hifp_pay", "hifmi_pay", "hifob_pay", "other_funds_pay", "acct_pay",
             "wallet_pay", "acct_mulaid_pay", "psn_cash_pay"), "0.00")}
    ]  # fmt: skip
    r = run("report", "funds", "--by", "weekday")
    assert r.exit_code == 1 and "by: weekday: not a grouping" in r.output
    out = tmp_path / "b.csv"
    r = run("report", "balance", "--from", "2025-01-01", "--to", "2025-12-31", "--format", "csv", "-o", out)
    assert r.exit_code == 0 and out.read_text(encoding="utf-8").startswith(
        "book,opening,received,paid,movement,closing"
    )


def test_mutual_aid_by_relation_claims_and_contributions(run, books):
    # The worker's account is empty after A2; 410.00 more, then he pays his son's 2026
    # contribution (ordinary resident, Songyuan: 410.00) on 2025-10-15.
    assert run("account", "credit", WORKER, "410.00", "--reason", "transfer", "--date", "2025-10-01").exit_code == 0
    r = run("family", "pay-contribution", WORKER, STUDENT, "--year", "2026", "--date", "2025-10-15")
    assert r.exit_code == 0, r.output
    aid = report(run, "mutual-aid")
    rows = [
        (x["kind"], x["relation"], x["period"], x["holders"], x["members"], x["payments"], x["amount"])
        for x in aid["rows"]
    ]
    assert rows == [
        ("claims", "child", "2025-03", 1, 1, 1, "190.00"),  # S1: the son's 190.00 personal share
        ("contributions", "child", "2026", 1, 1, 1, "410.00"),
    ]
    assert aid["total"]["amount"] == "600.00"  # 190.00 + 410.00
    # the balance still ties: the contribution moved 410.00 from the account to the collection
    assert report(run, "balance")["total"]["closing"] == "0.00"


def test_caps_by_bucket_and_tenth(run, books):
    (row,) = report(run, "caps")["rows"]
    # WORKER's outpatient counter: fund 285 + 450 + 55 - 55 (R1 given back) = 735.00 of his
    # 1000.00 cap: the 70-80% tenth; deductible 300 + 100 = 400.00.
    # STUDENT's: fund 110.00 of the resident cap 800.00 (13.75%): 10-20%; deductible 100.00.
    assert (row["year"], row["bucket"], row["people"], row["at cap"], row["fund_paid"], row["deductible_met"]) == (
        2025, "outpatient", 2, 0, "845.00", "500.00",
    )  # fmt: skip
    assert {k: v for k, v in row.items() if k.endswith("%") and v} == {"10-20%": 1, "70-80%": 1}


def test_accounts_at_a_date_from_the_journal(run, books):
    # WORKER (in service, 220702): 1000.00 - 515.00 (A1) - 190.00 (S1) - 295.00 (A2) = 0.00 at
    # the year's end; at the end of March 1000.00 - 515.00 - 190.00 = 295.00. The son has none.
    def figures(day):
        r = run("report", "accounts", "--date", day, "--json")
        assert r.exit_code == 0, r.output
        return [
            (x["region"], x["status"], x["accounts"], x["empty"], x["balance"]) for x in json.loads(r.stdout)["rows"]
        ]

    assert figures("2025-12-31") == [("220702", "in service", 1, 1, "0.00")]
    assert figures("2025-03-31") == [("220702", "in service", 1, 0, "295.00")]
    assert figures("2024-12-31") == [("220702", "in service", 1, 1, "0.00")]  # before the opening credit


def test_xlsx_agrees_with_json(run, books, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "funds.xlsx"
    r = run(
        "report", "funds", "--from", "2025-01-01", "--to", "2025-12-31", "--by", "month", "--format", "xlsx", "-o", out
    )
    assert r.exit_code == 0, r.output
    ws = load_workbook(out).active
    header = [c.value for c in ws[2]]
    rows = [dict(zip(header, [c.value for c in row], strict=True)) for row in ws.iter_rows(min_row=3)]
    as_json = report(run, "funds", "--by", "month")
    assert [r["month"] for r in rows] == ["2025-03", "2025-04", "total"]
    for got, want in zip(rows, [*as_json["rows"], as_json["total"]], strict=True):
        assert {k: f"{got[k]:.2f}" for k in ("medfee_sumamt", "acct_pay", "psn_cash_pay")} == {
            k: want[k] for k in ("medfee_sumamt", "acct_pay", "psn_cash_pay")
        }
        assert got["claims"] == want["claims"]
    assert ws.cell(row=3, column=header.index("medfee_sumamt") + 1).number_format == "0.00"  # money shows two places
    no_file = run("report", "funds", "--format", "xlsx")
    assert no_file.exit_code == 2 and "--format xlsx writes a file" in no_file.output
