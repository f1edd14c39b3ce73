"""`ledger monitor` and `ledger person died` as people and scripts use them, on the planted
data set of tests/integration/test_monitor.py (ten findings, every figure worked there)."""

import csv
import io
import json

from tests.integration.test_monitor import DEAD, DUP, planted  # noqa: F401 - the fixture

PERIOD = ("--from", "2025-01-01", "--to", "2025-12-31")


def test_json_is_one_object_per_finding_a_line_and_the_summary_on_stderr(run, planted):  # noqa: F811
    r = run("monitor", *PERIOD, "--json")
    assert r.exit_code == 0, r.output
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    assert [f["rule_id"] for f in lines] == ["R01", "R03", "R04", "R05", "R06", "R07", "R08", "R09", "R10", "R11"]
    assert all(
        list(f)
        == [
            "jr_id",
            "rule_id",
            "rule_name",
            "sev_deg",
            "vola_bhvr_type",
            "patn_id",
            "psn_nos",
            "setl_ids",
            "vola_amt",
            "vola_cont",
            "vola_evid",
            "new",
            "review",
        ]  # fmt: skip
        for f in lines
    )
    assert lines[0]["patn_id"] == DEAD and lines[0]["vola_amt"] == "200.00"  # whole ID numbers, yuan strings
    summary = json.loads(r.stderr.splitlines()[-1])
    assert (summary["findings"], summary["new"], summary["run"]) == (10, 10, None)
    assert len(summary["rules"]) == 12 and all(st["ran"] for st in summary["rules"])


def test_a_table_and_csv_mask_the_people_and_chinese_says_severity(run, planted):  # noqa: F811
    table = run("monitor", *PERIOD, "--rule", "R03").output.splitlines()
    masked = f"{DUP[:6]}********{DUP[-4:]}"
    assert table[0].split()[:4] == ["jr_id", "rule_id", "rule_name", "sev_deg"]
    assert masked in table[2] and DUP not in "\n".join(table)
    assert table[-1] == "1 finding(s), 1 new"
    rows = list(csv.DictReader(io.StringIO(run("monitor", *PERIOD, "--rule", "R03", "--format", "csv").stdout)))
    assert [(r["rule_id"], r["patn_id"], r["setl_ids"], r["vola_amt"]) for r in rows] == [
        ("R03", masked, "D1 D2", "150.00")
    ]
    zh = run("--lang", "zh", "monitor", *PERIOD, "--rule", "R03").output.splitlines()
    assert zh[0].split()[:4] == ["违规标识", "规则", "规则名称", "严重程度"]
    assert "高度可疑" in zh[2] and "重复结算" in zh[2]


def test_save_review_and_the_next_run(run, planted):  # noqa: F811
    saved = run("monitor", *PERIOD, "--rule", "R01", "--save")
    assert saved.output.splitlines()[-1].startswith("1 finding(s), 1 new; saved as run ")
    (finding,) = [json.loads(line) for line in run("monitor", *PERIOD, "--rule", "R01", "--json").stdout.splitlines()]
    assert (finding["new"], finding["review"]) == (False, None)
    r = run("monitor", "review", finding["jr_id"], "--confirm", "--reason", "the hospital billed a dead man")
    assert r.exit_code == 0 and r.output == f"{finding['jr_id']}: confirmed (the hospital billed a dead man)\n"
    (after,) = [json.loads(line) for line in run("monitor", *PERIOD, "--rule", "R01", "--json").stdout.splitlines()]
    assert after["review"] == "confirmed"
    unknown = run("monitor", "review", "R01-0000000000000000", "--dismiss", "--reason", "x")
    assert unknown.exit_code == 1 and "no saved finding R01-0000000000000000" in unknown.output


def test_bad_calls_name_what_is_wrong(run, planted):  # noqa: F811
    r = run("monitor", "--from", "2025-01-01")
    assert r.exit_code == 2 and "give the period: --from DATE --to DATE" in r.output
    r = run("monitor", *PERIOD, "--rule", "R99")
    assert r.exit_code == 1 and "--rule: R99: no such rule; the rules are R01, R02" in r.output
    r = run("monitor", "review", "R01-x", "--reason", "x")
    assert r.exit_code == 2 and "give a verdict: --confirm or --dismiss" in r.output


def test_a_death_is_recorded_once_and_shown(run, planted):  # noqa: F811
    shown = run("person", "show", DEAD)
    assert "  died on 2025-03-10" in shown.output
    assert json.loads(run("person", "show", DEAD, "--json").stdout)["died_on"] == "2025-03-10"
    again = run("person", "died", DEAD, "--date", "2025-03-11", "--reason", "again")
    assert (
        again.exit_code == 1 and "the death of" in again.output and "is recorded already (2025-03-10)" in again.output
    )
    early = run("person", "died", DUP, "--date", "1969-01-01", "--reason", "a typo")
    assert early.exit_code == 1 and "1969-01-01 is before the person was born (1970-01-02)" in early.output
