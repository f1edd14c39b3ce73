"""`ledger person list`, `ledger claim list`, `ledger family list` with their filters and
formats, and a holder's statement that names the relative each mutual-aid line paid for.

The ledger is test_reports.py's, every figure worked by hand there:
A1 WORKER 03-01 800.00: fund 285.00, own account 515.00.
S1 STUDENT 03-05 300.00: fund 110.00, mutual aid 190.00 from WORKER's account.
A2 WORKER 04-01 1000.00: fund 450.00, own account 295.00, cash 255.00.
R1 WORKER 04-10 100.00: fund 55.00, cash 45.00; reversed on 04-20."""

import csv
import io
import json

from ledger.render import display
from tests.e2e.test_national_post import worker  # noqa: F401 - the fixture
from tests.e2e.test_reports import books  # noqa: F401 - the fixture
from tests.ids import STUDENT, WORKER
from tests.platform_records import AGREES, record_text

M = "220702********"  # a masked ID number's first 14 characters


def listed(run, *args) -> list[dict]:
    r = run(*args, "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_persons_by_filter(run, books):  # noqa: F811
    everyone = listed(run, "person", "list")
    assert [(p["psn_no"], p["name"], p["insutype"], p["enrolled"], p["balance"]) for p in everyone] == [
        # the worker's account: 1000.00 credited, 515.00 (A1) + 190.00 (S1) + 295.00 (A2) paid
        (WORKER, "李建国", "310", [2025], "0.00"),
        (STUDENT, "李明", "390", [2025], None),  # a resident has no account
    ]
    assert [p["psn_no"] for p in listed(run, "person", "list", "--insutype", "390")] == [STUDENT]
    assert [p["psn_no"] for p in listed(run, "person", "list", "--name", "建")] == [WORKER]
    assert [p["psn_no"] for p in listed(run, "person", "list", "--region", "2207")] == [WORKER, STUDENT]
    assert listed(run, "person", "list", "--region", "2201") == []
    assert listed(run, "person", "list", "--enrolled", "2026") == []
    r = run("person", "list", "--enrolled", "twenty")
    assert r.exit_code == 1 and "--enrolled" in r.output


def test_a_table_with_chinese_names_lines_up_by_display_width(run, books):  # noqa: F811
    lines = run("--lang", "zh", "person", "list").output.splitlines()
    assert lines[0].split() == ["身份证号", "姓名", "险种", "人员类别", "居民类别", "统筹区", "参保年度", "余额"]
    rows = lines[2:]
    assert [r.split()[:2] for r in rows] == [[f"{M}0035", "李建国"], [f"{M}0136", "李明"]]
    # every column starts at the same terminal column on every line: 李建国 (6 columns) and
    # 李明 (4) are padded to the width of the heading 姓名 or the longest name, whichever wider
    starts = [display.width(r[: r.index(" 220702 ") + 1]) for r in rows]  # the region column
    assert starts[0] == starts[1] == display.width(lines[0][: lines[0].index("统筹区")])
    years = display.width(lines[0][: lines[0].index("参保年度")])
    assert all(display.width(r[: r.index(" 2025") + 1]) == years for r in rows)


def test_claims_by_every_filter(run, books):  # noqa: F811
    every = listed(run, "claim", "list")
    assert [
        (c["setl_id"], c["service_date"], c["medfee_sumamt"], c["fund_pay_sumamt"], c["acct_pay"],
         c["acct_mulaid_pay"], c["psn_cash_pay"], c["status"])
        for c in every
    ] == [
        ("A1", "2025-03-01", "800.00", "285.00", "515.00", "0.00", "0.00", "posted"),
        ("S1", "2025-03-05", "300.00", "110.00", "0.00", "190.00", "0.00", "posted"),
        ("A2", "2025-04-01", "1000.00", "450.00", "295.00", "0.00", "255.00", "posted"),
        ("R1", "2025-04-10", "100.00", "55.00", "0.00", "0.00", "45.00", "reversed"),
    ]  # fmt: skip

    def ids(*args):
        return [c["setl_id"] for c in listed(run, "claim", "list", *args)]

    assert ids("--status", "posted") == ["A1", "S1", "A2"]
    assert ids("--status", "reversed") == ["R1"]
    assert ids("--person", STUDENT) == ["S1"]
    assert ids("--holder", WORKER) == ["S1"]  # the son's claim, paid from the father's account
    assert ids("--holder", STUDENT) == []
    assert ids("--from", "2025-04-01", "--to", "2025-04-30") == ["A2", "R1"]
    assert ids("--bucket", "outpatient", "--person", WORKER) == ["A1", "A2", "R1"]
    assert ids("--med-type", "41") == []
    r = run("claim", "list", "--limit", "2", "--json")
    assert [c["setl_id"] for c in json.loads(r.stdout)] == ["A1", "S1"]
    assert "(the first 2 shown; --limit N shows more, --limit 0 all)" in r.stderr


def test_a_claim_list_as_csv_masks_and_as_a_table_says_the_status(run, books):  # noqa: F811
    rows = list(csv.DictReader(io.StringIO(run("claim", "list", "--person", STUDENT, "--format", "csv").stdout)))
    assert rows == [
        {
            "setl_id": "S1", "service_date": "2025-03-05", "psn_no": f"{M}0136", "name": "李明", "med_type": "11",
            "hosp_lv": "2", "fixmedins_code": "", "bucket": "outpatient", "medfee_sumamt": "300.00",
            "fund_pay_sumamt": "110.00", "acct_pay": "0.00", "wallet_pay": "0.00", "acct_mulaid_pay": "190.00",
            "psn_cash_pay": "0.00", "status": "posted",
        }
    ]  # fmt: skip
    table = run("--lang", "zh", "claim", "list", "--status", "reversed").output.splitlines()
    assert table[0].split()[0] == "结算编号" and table[0].split()[-1] == "状态"
    assert table[2].split()[0] == "R1" and table[2].split()[-1] == "已冲正"


def test_a_bad_filter_names_its_option(run, books):  # noqa: F811
    r = run("claim", "list", "--person", "123")
    assert r.exit_code == 1 and "--person: an ID number has 18 characters, got 3" in r.output
    r = run("claim", "list", "--from", "2025-05-01", "--to", "2025-04-01")
    assert r.exit_code == 1 and "--from: 2025-05-01 is after --to 2025-04-01" in r.output
    assert run("claim", "list", "--status", "lost").exit_code == 2


def test_claims_at_an_institution(run, worker, tmp_path):  # noqa: F811
    # a platform record carries its institution (fixmedins_code H22070200001)
    records = tmp_path / "records.json"
    records.write_text(record_text(AGREES) + "\n")
    assert run("claim", "post", records, "--profile", "national").exit_code == 0
    assert [c["setl_id"] for c in listed(run, "claim", "list", "--institution", "H22070200001")] == ["N1"]
    assert listed(run, "claim", "list", "--institution", "H99999999999") == []


def test_bindings_by_holder_member_relation_and_state(run, books):  # noqa: F811
    (b,) = listed(run, "family", "list", "--holder", WORKER)
    assert (b["holder"], b["member"], b["relation"], b["bound_on"], b["active"]) == (
        WORKER, STUDENT, "child", "2025-01-02", True
    )  # fmt: skip
    assert listed(run, "family", "list", "--member", STUDENT) == [b]
    assert listed(run, "family", "list", "--holder", STUDENT) == []
    assert listed(run, "family", "list", "--relation", "parent") == []
    assert listed(run, "family", "list", "--ended") == []
    assert listed(run, "family", "list", "--active") == [b]
    table = run("family", "list", "--holder", WORKER).output.splitlines()
    assert table[0].split() == [
        "id",
        "holder",
        "holder_name",
        "member",
        "member_name",
        "relation",
        "bound_on",
        "ended_on",
    ]
    assert table[2].split() == [str(b["id"]), f"{M}0035", "李建国", f"{M}0136", "李明", "child", "2025-01-02"]


def test_the_holders_statement_names_whom_each_mutual_aid_line_paid_for(run, books):  # noqa: F811
    lines = listed(run, "account", "statement", WORKER)["lines"]
    paid_for = [(x["ref"], x["amount"], x["for"]) for x in lines if x["kind"] == "claim"]
    assert paid_for == [
        ("A1", "-515.00", None),  # his own claim
        ("S1", "-190.00", {"psn_no": STUDENT, "name": "李明", "relation": "child"}),
        ("A2", "-295.00", None),
    ]
    text = run("account", "statement", WORKER).output.splitlines()
    # the memo column is 40 wide: what does not fit goes on below it, under the memo
    at = text.index("2025-03-05  claim S1: general outpatient                  -190.00       295.00")
    assert text[at + 1] == "            (for 李明, child)"
    in_chinese = run("--lang", "zh", "account", "statement", WORKER).output.splitlines()
    assert in_chinese[in_chinese.index(text[at]) + 1] == "            （为子女李明支付）"
