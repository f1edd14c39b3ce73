"""Every bad input gets one clear line, a non-zero exit, and leaves the database as it was."""

import json

import pytest

from ledger.render import display
from tests.ids import RETIREE, STANDARD_EXAMPLE, STUDENT, WORKER

ADD_WORKER = (
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
)
ADD_STUDENT = (
    "person",
    "add",
    STUDENT,
    "--name",
    "李明",
    "--insutype",
    "390",
    "--resident-category",
    "ordinary",
    "--region",
    "220702",
)


@pytest.fixture
def family(run):
    assert run(*ADD_WORKER, "--enrolled", "2025").exit_code == 0
    assert run(*ADD_STUDENT).exit_code == 0


def test_the_standard_example_id_is_accepted(run):
    r = run(
        "person",
        "add",
        STANDARD_EXAMPLE,
        "--name",
        "王芳",
        "--insutype",
        "310",
        "--psn-type",
        "1201",
        "--region",
        "110105",
        "--json",
    )
    assert r.exit_code == 0, r.output
    p = json.loads(r.stdout)
    assert (p["psn_no"], p["birth_date"], p["sex"], p["balance"]) == (STANDARD_EXAMPLE, "1949-12-31", "F", "0.00")


def test_human_output_masks_the_id_number(run, family):
    out = run("person", "show", WORKER).output
    assert "220702********0035" in out and WORKER not in out


@pytest.mark.parametrize(
    "args, message",
    [
        (
            (
                "person",
                "add",
                STANDARD_EXAMPLE[:17] + "1",
                "--name",
                "王芳",
                "--insutype",
                "310",
                "--psn-type",
                "1201",
                "--region",
                "110105",
            ),
            "Error: psn_no: check digit is wrong for 110105********0021 (GB 11643 MOD 11-2)\n",
        ),
        (ADD_WORKER, "Error: psn_no: 220702********0035 is already registered\n"),
        (
            (
                "person",
                "add",
                RETIREE,
                "--name",
                "王桂兰",
                "--insutype",
                "320",
                "--psn-type",
                "1201",
                "--region",
                "220702",
            ),
            "Error: insutype: must be 310 (employee) or 390 (resident), got '320'\n",
        ),
        (
            (
                "person",
                "add",
                RETIREE,
                "--name",
                "王桂兰",
                "--insutype",
                "310",
                "--psn-type",
                "9999",
                "--region",
                "220702",
            ),
            "Error: psn_type: must be one of 1101, 1103, 1201, 1203, got '9999'\n",
        ),
        (
            (
                "person",
                "add",
                RETIREE,
                "--name",
                "王桂兰",
                "--insutype",
                "390",
                "--resident-category",
                "vip",
                "--region",
                "220702",
            ),
            "Error: resident_category: must be one of ordinary, hardship, extreme_poverty, got 'vip'\n",
        ),
        (("person", "show", RETIREE), "Error: psn_no: no person 220702********0020 is registered\n"),
        (
            ("person", "enroll", RETIREE, "--year", "2025"),
            "Error: psn_no: no person 220702********0020 is registered\n",
        ),
        (
            ("person", "enroll", WORKER, "--year", "2025"),
            "Error: year: 220702********0035 is already enrolled for 2025\n",
        ),
        (("account", "credit", WORKER, "-5.00", "--reason", "x"), "Error: AMOUNT: must not be negative (got -5.00)\n"),
        (
            ("account", "credit", WORKER, "abc", "--reason", "x"),
            "Error: AMOUNT: is not a number (got 'abc'); write yuan like 1234.50\n",
        ),
        (
            ("account", "credit", WORKER, "1.234", "--reason", "x"),
            "Error: AMOUNT: has more than two decimals (got 1.234); amounts are in yuan to the fen\n",
        ),
        (("account", "credit", WORKER, "0", "--reason", "x"), "Error: AMOUNT: must be greater than zero\n"),
        (("account", "credit", WORKER, "5.00", "--reason", " "), "Error: reason: is required for a manual credit\n"),
        (
            ("account", "credit", STUDENT, "5.00", "--reason", "x"),
            "Error: psn_no: 220702********0136 has no personal account (residents under insutype 390 have none)\n",
        ),
        (
            ("account", "credit", RETIREE, "5.00", "--reason", "x"),
            "Error: psn_no: no person 220702********0020 is registered\n",
        ),
        (
            ("account", "show", STUDENT),
            "Error: psn_no: 220702********0136 has no personal account (residents under insutype 390 have none)\n",
        ),
    ],
)
def test_bad_input_is_refused_with_one_line_and_nothing_written(run, family, snapshot, args, message):
    before = snapshot()
    r = run(*args)
    assert r.exit_code == 1
    assert r.stderr == message
    assert snapshot() == before


def test_credit_show_and_statement(run, family):
    assert run("account", "credit", WORKER, "960", "--reason", "opening balance", "--date", "2025-01-01").exit_code == 0
    r = run("account", "credit", WORKER, "152.4", "--reason", "January", "--date", "2025-01-31", "--json")
    assert json.loads(r.stdout)["balance"] == "1112.40"  # 960.00 + 152.40
    shown = json.loads(run("account", "show", WORKER, "--json").stdout)
    assert shown == {"psn_no": WORKER, "name": "李建国", "balance": "1112.40", "wallet": None, "bindings": []}
    st = json.loads(run("account", "statement", WORKER, "--from", "2025-01-15", "--json").stdout)
    assert (st["opening_balance"], [(ln["amount"], ln["balance"]) for ln in st["lines"]], st["closing_balance"]) == (
        "960.00",
        [("152.40", "1112.40")],
        "1112.40",
    )
    text = run("account", "statement", WORKER).output
    assert "opening balance" in text and "1112.40" in text and WORKER not in text


def test_person_import_csv_reports_each_bad_row_and_writes_nothing(run, tmp_path, snapshot):
    f = tmp_path / "persons.csv"
    f.write_text(
        "psn_no,name,insutype,psn_type,resident_category,region,enrolled\n"
        f"{WORKER},李建国,310,1101,,220702,2025;2026\n"
        f"{STUDENT},李明,390,,student,220702,2025\n"
        f"{RETIREE},王桂兰,310,1201,,22070,\n",
        encoding="utf-8",
    )
    before = snapshot()
    r = run("person", "import", f)
    assert r.exit_code == 1
    assert r.stderr == (
        "Error: 2 row(s) rejected, nothing imported:\n"
        "line 3 (220702********0136): resident_category: must be one of ordinary, hardship, extreme_poverty, got 'student'\n"
        "line 4 (220702********0020): region: a region is a 6-digit administrative code (got '22070')\n"
    )
    assert snapshot() == before


def test_person_import_json_lines(run, tmp_path):
    f = tmp_path / "persons.jsonl"
    f.write_text(
        json.dumps(
            {
                "psn_no": WORKER,
                "name": "李建国",
                "insutype": "310",
                "psn_type": "1101",
                "region": "220702",
                "enrolled": [2025, 2026],
            }
        )
        + "\n"
        + json.dumps(
            {"psn_no": STUDENT, "name": "李明", "insutype": "390", "resident_category": "hardship", "region": "220702"}
        )
        + "\n",
        encoding="utf-8",
    )
    r = run("person", "import", f, "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == {"imported": 2, "errors": []}
    assert json.loads(run("person", "show", WORKER, "--json").stdout)["enrolled"] == [2025, 2026]


def test_verify_on_a_clean_ledger(run, family):
    run("account", "credit", WORKER, "10", "--reason", "x")
    r = run("verify", "--json")
    assert r.exit_code == 0
    assert json.loads(r.stdout) == {"ok": True, "problems": [], "checked": {"accounts": 1, "postings": 1, "entries": 2}}


def test_an_unmigrated_database_is_named_without_traceback(tmp_path):
    from click.testing import CliRunner

    from ledger.cli import cli

    r = CliRunner().invoke(cli, ["--db", f"sqlite:///{tmp_path / 'empty.db'}", "person", "show", WORKER])
    assert r.exit_code == 4  # the database is not usable yet (docs/cli.md, "Exit codes")
    assert r.stderr.endswith("has no ledger schema: run `ledger db upgrade` first\n")


def test_a_statement_with_chinese_memos_lines_up_and_cuts_nothing(run, family):
    memo = "开户初始余额，由原医保系统迁移而来，核对无误"  # 22 characters: 44 columns, the memo column is 40
    assert run("account", "credit", WORKER, "960", "--reason", memo, "--date", "2025-01-01").exit_code == 0
    assert run("account", "credit", WORKER, "152.4", "--reason", "January", "--date", "2025-01-31").exit_code == 0
    lines = run("account", "statement", WORKER).output.splitlines()
    # date (10) + 2 + memo (40) + 1 + amount (12) + 1 + balance (12): every amount ends at
    # column 65 and every balance at 78, counted as the terminal shows them (a Chinese
    # character is 2 columns); the opening, both credits and the closing line
    figures = [x for x in lines[1:] if x[-1].isdigit()]
    assert [display.width(x) for x in figures] == [78, 78, 78, 78]
    first, january = figures[1], figures[2]
    assert display.width(first[: first.index("960.00") + len("960.00")]) == 65
    assert display.width(january[: january.index("152.40") + len("152.40")]) == 65
    # the memo wraps onto a line of its own under the memo column: 20 characters, then 2
    assert first[12:32] == memo[:20]
    assert lines[lines.index(first) + 1] == " " * 12 + memo[20:]
