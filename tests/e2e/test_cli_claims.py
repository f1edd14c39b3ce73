"""`ledger claim` and `ledger usage` as scripts use them: files in every format, JSON
lines out, exit codes, and nothing written for a bad row."""

import json
import os

import pytest

from tests.ids import STUDENT, WORKER

HEADER = "setl_id,psn_no,service_date,med_type,hosp_lv,medfee_sumamt,fulamt_ownpay_amt"


@pytest.fixture
def worker(run):
    assert (
        run(
            "person",
            "add",
            WORKER,
            "--name",
            "李建国",
            "--insutype",
            "310",
            "--psn-type",
            "1101",
            "--region",
            "220702",
            "--enrolled",
            "2025",
        ).exit_code
        == 0
    )
    assert (
        run("account", "credit", WORKER, "1000.00", "--reason", "opening balance", "--date", "2025-01-01").exit_code
        == 0
    )
    return WORKER


def lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def c(setl_id, fee, level="2", date="2025-03-01", **kw):
    return {
        "setl_id": setl_id,
        "psn_no": WORKER,
        "service_date": date,
        "med_type": "11",
        "hosp_lv": level,
        "medfee_sumamt": fee,
    } | kw


@pytest.mark.parametrize("fmt", ["object", "array", "jsonl", "csv"])
def test_each_input_format_posts_the_same(run, worker, tmp_path, fmt):
    claims = [c("A1", "800.00"), c("A2", "1000.00", level="3", date="2025-04-01")]
    f = tmp_path / f"claims.{fmt}"
    if fmt == "object":
        claims = claims[:1]
        f.write_text(json.dumps(claims[0], indent=2, ensure_ascii=False))
    elif fmt == "array":
        f.write_text(json.dumps(claims, indent=1))
    elif fmt == "jsonl":
        f.write_text("".join(json.dumps(x) + "\n" for x in claims))
    else:
        f.write_text(
            HEADER
            + "\n"
            + "".join(
                f"{x['setl_id']},{x['psn_no']},{x['service_date']},11,{x['hosp_lv']},{x['medfee_sumamt']},\n"
                for x in claims
            )
        )
    r = run("claim", "post", f, "--json")
    assert r.exit_code == 0, r.output
    out = lines(r.stdout)
    # 800.00 at L2: (800 - 300) x 57% = 285.00; then 1000.00 at L3: (1000 - 100) x 50% = 450.00
    assert [(o["setl_id"], o["status"], o["hifp_pay"]) for o in out] == [
        ("A1", "posted", "285.00"),
        ("A2", "posted", "450.00"),
    ][: len(claims)]
    assert set(out[0]) >= {
        "status",
        "year",
        "inscp_scp_amt",
        "act_pay_dedc",
        "hifp_pay",
        "hifmi_pay",
        "hifob_pay",
        "fund_pay_sumamt",
        "psn_part_amt",
        "acct_pay",
        "acct_mulaid_pay",
        "mulaid_payers",
        "psn_cash_pay",
        "balc",
        "policy",
        "errors",
    }
    # Posting the file again changes nothing and says so.
    again = run("claim", "post", f)
    assert again.exit_code == 0
    assert f"{len(claims)} claims: 0 posted, {len(claims)} duplicates, 0 rejected" in again.output


def test_a_batch_reports_each_bad_row_posts_the_good_and_exits_1(run, worker, tmp_path, reading):
    f = tmp_path / "mixed.csv"
    f.write_text(
        HEADER + "\n"
        f"B1,{WORKER},2025-03-01,11,2,800.00,\n"
        f"B2,{WORKER},2025-03-01,11,2,12.345,\n"
        f"B3,{WORKER},2025-03-01,99,2,10.00,\n"
        f"B4,{WORKER},2025-03-01\n"
        f"B5,{WORKER},2025-03-02,11,2,100.00,150.00\n"
        f"B6,{WORKER},2025-03-03,11,2,100.00,20.00\n"
    )
    r = run("claim", "post", f)
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [
        "line 3, setl_id B2: medfee_sumamt: has more than two decimals (got 12.345); amounts are in yuan to the fen",
        "line 4, setl_id B3: med_type: unknown medical type '99'; known: 11, 13, 14, 140104, 140201, 21, 41",
        "line 5, setl_id ?: expected 7 cells as in the header, got 3",
        "line 6, setl_id B5: medfee_sumamt: 100.00 is less than fulamt_ownpay_amt + overlmt_selfpay + preselfpay_amt = 150.00",
    ]
    # B1: fund 285.00, account 515.00. B6: 100.00 with 20.00 全自费, in scope 80.00, all deductible
    # (300.00 met): 80.00 x 57% = 45.60 fund, personal 54.40 from the account.
    assert (
        r.stdout.strip()
        == "6 claims: 2 posted, 0 duplicates, 4 rejected; fund paid 330.60, accounts paid 569.40, cash 0.00"
    )
    shown = json.loads(run("usage", WORKER, "--year", "2025", "--json").stdout)
    assert shown["buckets"] == [
        {
            "bucket": "outpatient",
            "cap": "1000.00",
            "fund_paid": "330.60",
            "deductible_met": "300.00",
            "remaining": "669.40",
        }
    ]


def test_stdin_and_a_broken_json_line(run, worker, reading):
    text = json.dumps(c("C1", "100.00")) + "\n{not json\n" + json.dumps(c("C2", "50.00")) + "\n"
    r = run("claim", "post", "-", "--json", input=text)
    assert r.exit_code == 1
    out = lines(r.stdout)
    assert [(o["line"], o["status"]) for o in out] == [(1, "posted"), (2, "rejected"), (3, "posted")]
    assert out[1]["errors"] == ["not valid JSON: Expecting property name enclosed in double quotes (column 2)"]
    assert "3 claims: 2 posted, 0 duplicates, 1 rejected" in r.stderr


def test_a_file_with_unknown_columns_is_refused_whole(run, worker, tmp_path, snapshot):
    f = tmp_path / "bad.csv"
    f.write_text("setl_id,psn_no,service_date,med_type,medfee,hosp_lv\nX,1,2,3,4,5\n")
    before = snapshot()
    r = run("claim", "post", f)
    assert r.exit_code == 1
    assert "line 1: unknown column(s) 'medfee'" in r.stderr
    assert snapshot() == before


def test_a_file_neither_utf8_nor_gb18030_is_refused(run, worker, tmp_path):
    # a Latin-1 file (a GBK one is read: tests/e2e/test_spreadsheet_input.py)
    f = tmp_path / "latin1.csv"
    f.write_bytes((HEADER + f"\nD1,{WORKER},2025-03-01,11,2,10.00,\n").encode() + "café".encode("latin-1") + b"\n")
    r = run("claim", "post", f)
    assert r.exit_code == 1 and "is not UTF-8 text" in r.stderr


def test_show_reverse_and_usage(run, worker, tmp_path):
    f = tmp_path / "one.json"
    f.write_text(json.dumps(c("E1", "800.00")))
    assert run("claim", "post", f).exit_code == 0
    shown = run("claim", "show", "E1")
    assert "220702********0035" in shown.output and WORKER not in shown.output  # masked for people
    assert "fund 285.00 (basic 285.00" in shown.output
    assert json.loads(run("claim", "show", "E1", "--json").output)["psn_no"] == WORKER  # never masked in JSON
    r = run("claim", "reverse", "E1", "--reason", "settled twice", "--json")
    assert r.exit_code == 0 and json.loads(r.output)["reversal"]["reason"] == "settled twice"
    r = run("claim", "reverse", "E1", "--reason", "again")
    assert r.exit_code == 1 and "already reversed" in r.stderr
    assert json.loads(run("account", "show", WORKER, "--json").output)["balance"] == "1000.00"
    u = json.loads(run("usage", WORKER, "--year", "2025", "--json").output)
    assert u["buckets"] == [
        {
            "bucket": "outpatient",
            "cap": "1000.00",
            "fund_paid": "0.00",
            "deductible_met": "0.00",
            "remaining": "1000.00",
        }
    ]
    r = run("usage", STUDENT, "--year", "2025")
    assert r.exit_code == 1 and "no person 220702********0136 is registered" in r.stderr
    r = run("claim", "show", "NOPE")
    assert r.exit_code == 1 and r.stderr.strip() == "Error: setl_id: no claim 'NOPE' is posted"


def test_two_exports_written_one_after_the_other_are_both_posted(run, worker, tmp_path, reading):
    f = tmp_path / "two.json"
    f.write_text(json.dumps([c("T1", "10.00")]) + json.dumps([c("T2", "10.00")]))
    r = run("claim", "post", f)
    assert r.exit_code == 0 and "2 claims: 2 posted, 0 duplicates, 0 rejected" in r.output, r.output


def test_a_bad_byte_mid_file_rejects_its_row_and_posts_the_rest(run, worker, tmp_path, reading):
    rows = [f"M{k},{WORKER},2025-03-01,11,2,1.00,\n" for k in range(40)]
    f = tmp_path / "gbk-row.csv"
    f.write_bytes(
        (HEADER + "\n" + "".join(rows[:20])).encode()
        + f"X1,{WORKER},2025-03-01,11,2,1.00,café\n".encode("latin-1")
        + "".join(rows[20:]).encode()
    )
    r = run("claim", "post", f, "--chunk", "7")
    assert r.exit_code == 1, r.output
    assert "line 22, setl_id ?: is not UTF-8 text (byte 0xe9); save the file as UTF-8" in r.stderr
    assert "41 claims: 40 posted, 0 duplicates, 1 rejected" in r.output


@pytest.mark.parametrize(
    "bad, says",
    [
        ('{"setl_id": "Z", "x": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
        ('{"setl_id": "Z", "medfee_sumamt": ' + "9" * 5000 + "}", "Exceeds the limit"),
        ('{"setl_id": "Z", "medfee_sumamt": "10.00", "medfee_sumamt": "9999.00"}', "key 'medfee_sumamt' appears twice"),
    ],
)
def test_a_row_that_used_to_crash_the_batch_is_rejected_and_the_rest_posted(run, worker, tmp_path, bad, says):
    f = tmp_path / "bad.jsonl"
    f.write_text(json.dumps(c("K1", "1.00")) + "\n" + bad + "\n" + json.dumps(c("K2", "1.00")) + "\n")
    r = run("claim", "post", f)
    assert r.exit_code == 1 and "Traceback" not in r.output, r.output
    assert says in r.stderr and "3 claims: 2 posted, 0 duplicates, 1 rejected" in r.output


def test_a_csv_cell_over_128_kib_is_rejected_and_the_rest_posted(run, worker, tmp_path):
    f = tmp_path / "big-cell.csv"
    f.write_text(
        HEADER
        + f"\nL1,{WORKER},2025-03-01,11,2,1.00,\nL2,{WORKER},2025-03-01,11,2,{'1' * 200_000},\nL3,{WORKER},2025-03-01,11,2,1.00,\n"
    )
    r = run("claim", "post", f)
    assert r.exit_code == 1 and "line 3, setl_id ?: not a CSV row: field larger than field limit" in r.stderr
    assert "3 claims: 2 posted, 0 duplicates, 1 rejected" in r.output


def test_a_file_that_cannot_be_read_to_its_end_is_an_incomplete_run_with_its_own_exit_code(
    run, worker, tmp_path, reading
):
    f = tmp_path / "broken-array.json"
    f.write_text(
        "["
        + json.dumps(c("U1", "1.00"))
        + ",\n"
        + json.dumps(c("U2", "1.00"))
        + "\n"
        + json.dumps(c("U3", "1.00"))
        + "]"
    )
    r = run("claim", "post", f)
    assert r.exit_code == 5, r.output
    assert "line 3, setl_id ?: expected ',' or ']' between array items" in r.stderr
    assert f"INCOMPLETE: {f} could not be read past line 3" in r.stderr
    assert "3 claims: 2 posted" in r.output


def test_a_reader_process_that_dies_makes_an_incomplete_run_not_a_short_one(run, worker, tmp_path, monkeypatch):
    """The reader (formats/read_ahead.py) killed on the file's third row: the run says it
    is incomplete and what is in is whole, never "3 claims" as if the file ended there."""
    from ledger.rules import ahead
    from ledger.rules.ahead import claim_ahead

    def dies_on_u3(raw):
        if raw.get("setl_id") == "U3":
            os._exit(9)
        return claim_ahead(raw)

    monkeypatch.setattr(ahead, "claim_ahead", dies_on_u3)
    monkeypatch.setenv("LEDGER_READ_AHEAD", "1")
    f = tmp_path / "claims.jsonl"
    f.write_text("".join(json.dumps(c(f"U{n}", "1.00")) + "\n" for n in range(1, 6)))
    r = run("claim", "post", f)
    assert r.exit_code == 5, r.output
    assert "INCOMPLETE: the reading process ended before the end of the input (exit code 9), after 0 claims" in r.stderr
    assert "0 claims: 0 posted" in r.output
    assert run("verify").exit_code == 0
    monkeypatch.setattr(ahead, "claim_ahead", claim_ahead)  # a reader that lives
    again = run("claim", "post", f)
    assert again.exit_code == 0, again.output
    assert "5 claims: 5 posted, 0 duplicates, 0 rejected" in again.output


def test_a_policy_past_its_review_date_is_said_once_per_file_for_a_whole_feed(run, worker, tmp_path):
    """The Songyuan seed (review date 2025-12-31) still gives 2026's outpatient rules; 30
    claims on 30 days of 2026 used to print the warning 30 times."""
    assert run("person", "enroll", WORKER, "--year", "2026", "--date", "2025-12-01").exit_code == 0
    f = tmp_path / "claims.jsonl"
    f.write_text("".join(json.dumps(c(f"R{d}", "10.00", date=f"2026-01-{d:02d}")) + "\n" for d in range(1, 31)))
    r = run("claim", "post", f)
    assert r.exit_code == 0, r.output
    said = [line for line in r.stderr.splitlines() if "review date" in line]
    assert said == [
        "warning: policy file seed/220700-2025-01-01.toml (region 220700, effective 2025-01-01) is used past its review date 2025-12-31"
    ]
