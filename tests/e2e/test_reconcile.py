"""`ledger claim reconcile`: the national platform's settlement records, shaped as the platform
writes them (every field present, amounts as JSON numbers, its own codes), beside the ledger's
adjudication under the Songyuan 2025 seed, writing nothing."""

import json

import pytest

from tests.ids import WORKER
from tests.platform_records import AGREES, DIFFERS, Num, add_worker, write


@pytest.fixture
def worker(run):
    return add_worker(run)


def test_a_record_that_agrees_exits_0_and_writes_nothing(run, worker, tmp_path, snapshot):
    before = snapshot()
    r = run("claim", "reconcile", write(tmp_path, AGREES))
    assert r.exit_code == 0, r.output
    assert "1 records: 1 agree, 0 differ" in r.output
    assert snapshot() == before


def test_a_difference_of_one_fen_is_reported_field_by_field(run, worker, tmp_path, snapshot):
    before = snapshot()
    r = run("claim", "reconcile", write(tmp_path, AGREES, DIFFERS), "--json")
    assert r.exit_code == 1, r.output
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert [(o["setl_id"], o["status"]) for o in out] == [("N1", "agrees"), ("N2", "differs")]
    assert out[1]["differences"] == [
        {"field": "hifp_pay", "platform": "450.01", "ledger": "450.00", "difference": "-0.01"},
        {"field": "fund_pay_sumamt", "platform": "450.01", "ledger": "450.00", "difference": "-0.01"},
        {"field": "psn_pay", "platform": "549.99", "ledger": "550.00", "difference": "0.01"},
        {"field": "cash_payamt", "platform": "64.99", "ledger": "65.00", "difference": "0.01"},
    ]
    assert "hifp_pay: 1 record(s) differ, ledger less platform -0.01 in all" in r.stderr
    assert snapshot() == before  # the rehearsal was rolled back


@pytest.mark.parametrize(
    ("change", "differences"),
    [
        # the record: the settlement output's own names, far off, once "agreed"
        (
            {"psn_part_amt": Num("999.99"), "balc": Num("1.00")},
            [("psn_part_amt", "999.99", "515.00", "-484.99"), ("balc", "1.00", "485.00", "484.00")],
        ),
        # a fen either way, under the settlement output's names (515.00 personal, 485.00 left)
        ({"psn_part_amt": Num("515.01")}, [("psn_part_amt", "515.01", "515.00", "-0.01")]),
        ({"balc": Num("485.01")}, [("balc", "485.01", "485.00", "-0.01")]),
        ({"psn_cash_pay": Num("0.01")}, [("psn_cash_pay", "0.01", "0.00", "-0.01")]),
    ],
    ids=["far off", "psn_part_amt", "balc", "psn_cash_pay"],
)
def test_the_settlement_outputs_own_figures_are_compared(run, worker, tmp_path, change, differences):
    r = run("claim", "reconcile", write(tmp_path, AGREES | change), "--json")
    assert r.exit_code == 1, r.output
    [out] = [json.loads(line) for line in r.stdout.splitlines()]
    assert out["status"] == "differs"
    assert [(d["field"], d["platform"], d["ledger"], d["difference"]) for d in out["differences"]] == differences


def test_human_output_names_record_field_and_both_figures(run, worker, tmp_path):
    r = run("claim", "reconcile", write(tmp_path, AGREES, DIFFERS))
    assert r.exit_code == 1
    assert "line 2, setl_id N2: hifp_pay platform 450.01, ledger 450.00, difference -0.01" in r.output


def test_a_record_already_posted_is_compared_with_what_was_posted(run, worker, tmp_path):
    # Posted in the ledger's own format first: the same claim as AGREES.
    f = tmp_path / "claims.jsonl"
    f.write_text(json.dumps({"setl_id": "N1", "psn_no": WORKER, "service_date": "2025-03-01", "med_type": "11",
                             "hosp_lv": "2", "medfee_sumamt": "800.00"}) + "\n")  # fmt: skip
    assert run("claim", "post", str(f)).exit_code == 0
    r = run("claim", "reconcile", write(tmp_path, AGREES))
    assert r.exit_code == 0, r.output


def test_a_refund_record_is_listed_not_compared(run, worker, tmp_path):
    refund = AGREES | {"setl_id": "N1R", "refd_setl_flag": "1", "init_setl_id": "N1", "medfee_sumamt": Num("-800.00")}
    r = run("claim", "reconcile", write(tmp_path, AGREES, refund))
    assert r.exit_code == 0, r.output
    assert "1 refunds not compared" in r.output


@pytest.mark.parametrize(
    "change, message",
    [
        ({"psn_cert_type": "02"}, "psn_cert_type: 02 is not 01"),
        ({"med_type": "51"}, "med_type: 51 (生育门诊) is maternity insurance"),
        ({"med_type": "9901"}, "med_type: 9901 is not a code the national profile maps"),
        ({"hifp_pay": Num("285.001")}, "hifp_pay: has more than two decimals"),
        # no grade, no level, and no registry to give one
        ({"hosp_lv": "11"}, "fixmedins_code: institution H22070200001 is not in the registry"),
        ({"setl_time": "2025/03/01"}, "setl_time: is a time yyyy-MM-dd HH:mm:ss"),
        ({"medfee_sumamt": Num("-800.00")}, "medfee_sumamt: must not be negative"),
        ({"certno": "", "psn_no": ""}, "certno: is required"),
        ({"certno": ""}, "psn_no: the platform's person number 22000000000000000000000012 is not known yet"),
    ],
)
def test_a_bad_platform_record_names_its_line_setl_id_and_one_field(run, worker, tmp_path, change, message):
    r = run("claim", "reconcile", write(tmp_path, AGREES | change))
    assert r.exit_code == 1
    lines = [x for x in r.output.splitlines() if x.startswith("line 1")]
    assert lines == [f"line 1, setl_id N1: not compared: {message}" + lines[0].split(message, 1)[1]]
    assert lines[0].count(message.split(":")[0] + ":") == 1  # the field named once


def test_dedc_hosp_lv_wins_over_the_grade(run, worker, tmp_path):
    # 三级甲等 would be level 3 (deductible 400.00); dedc_hosp_lv 2 says level 2: 300.00, as AGREES.
    r = run("claim", "reconcile", write(tmp_path, AGREES | {"hosp_lv": "02", "dedc_hosp_lv": "2"}))
    assert r.exit_code == 0, r.output
