"""`ledger claim reconcile`: the national platform's settlement records, shaped as the platform
writes them (every field present, amounts as JSON numbers, its own codes), beside the ledger's
adjudication under the Songyuan 2025 seed, writing nothing."""

import json

import pytest

from tests.ids import WORKER


class Num(str):
    """An amount written as a JSON number, digits as given ("800.00", not 800.0)."""


def record_text(fields: dict) -> str:
    parts = [
        f'"{k}": {v}' if isinstance(v, Num) else f'"{k}": {json.dumps(v, ensure_ascii=False)}'
        for k, v in fields.items()
    ]
    return "{" + ", ".join(parts) + "}"


def record(setl_id, setl_time, hosp_lv, fee, hifp, psn_pay, acct, cash, **kw) -> dict:
    """A 5203 结算信息 record of a general outpatient settlement (med_type 11) for WORKER."""
    return (
        {
            "setl_id": setl_id,
            "mdtrt_id": "M" + setl_id,
            "psn_no": "22000000000000000000000012",  # the platform's 人员编号, not the ID number
            "psn_name": "李建国",
            "psn_cert_type": "01",
            "certno": WORKER,
            "gend": "1",
            "naty": "01",
            "brdy": "1978-06-11",
            "age": Num("46.0"),
            "insutype": "310",
            "psn_type": "1101",
            "cvlserv_flag": "0",
            "flxempe_flag": "0",
            "nwb_flag": "0",
            "insu_optins": "220702",
            "emp_name": "松原市某单位",
            "pay_loc": "2",
            "fixmedins_code": "H22070200001",
            "fixmedins_name": "松原市某医院",
            "hosp_lv": hosp_lv,
            "fixmedins_poolarea": "220700",
            "lmtpric_hosp_lv": "",
            "dedc_hosp_lv": "",
            "begndate": setl_time[:10],
            "enddate": setl_time[:10],
            "setl_time": setl_time,
            "mdtrt_cert_type": "02",
            "med_type": "11",
            "clr_type": "11",
            "clr_way": "1",
            "clr_optins": "220702",
            "medfee_sumamt": Num(fee),
            "fulamt_ownpay_amt": Num("0.00"),
            "overlmt_selfpay": Num("0.00"),
            "preselfpay_amt": Num("0.00"),
            "inscp_scp_amt": Num(fee),
            "act_pay_dedc": Num(kw.pop("dedc")),
            "hifp_pay": Num(hifp),
            "pool_prop_selfpay": Num(kw.pop("ratio")),
            "cvlserv_pay": Num("0.00"),
            "hifes_pay": Num("0.00"),
            "hifmi_pay": Num("0.00"),
            "hifob_pay": Num("0.00"),
            "maf_pay": Num("0.00"),
            "oth_pay": Num("0.00"),
            "fund_pay_sumamt": Num(hifp),
            "psn_pay": Num(psn_pay),
            "acct_pay": Num(acct),
            "cash_payamt": Num(cash),
            "balc": Num(kw.pop("balc")),
            "acct_mulaid_pay": Num("0.00"),
            "medins_setl_id": "S" + setl_id,
            "refd_setl_flag": "0",
            "year": setl_time[:4],
            "dise_codg": "",
            "dise_name": "",
            "invono": "",
            "opter_id": "0001",
            "opter_name": "收费员",
            "opt_time": setl_time,
        }
        | kw
    )


# Songyuan 2025, employee in service, general outpatient (docs: the seed's quotes):
# 1) 800.00 at 二级甲等 (hosp_lv 05 -> deductible level 2): deductible 300.00,
#    fund (800 - 300) x 57% = 285.00, personal 515.00, all from the account (1000.00 -> 485.00).
AGREES = record(
    "N1",
    "2025-03-01 09:30:00",
    "05",
    "800.00",
    "285.00",
    "515.00",
    "515.00",
    "0.00",
    dedc="300.00",
    ratio="0.57",
    balc="485.00",
)
# 2) 1000.00 at 三级甲等 (02 -> level 3): deductible 400.00 - 300.00 met = 100.00,
#    fund (1000 - 100) x 50% = 450.00, personal 550.00: account 485.00, cash 65.00.
#    The platform says 450.01 (and so 549.99 personal, 64.99 cash).
DIFFERS = record(
    "N2",
    "2025-04-01 10:00:00",
    "02",
    "1000.00",
    "450.01",
    "549.99",
    "485.00",
    "64.99",
    dedc="100.00",
    ratio="0.50",
    balc="0.00",
)


@pytest.fixture
def worker(run):
    assert run("person", "add", WORKER, "--name", "李建国", "--insutype", "310", "--psn-type", "1101",
               "--region", "220702", "--enrolled", "2025").exit_code == 0  # fmt: skip
    assert run("account", "credit", WORKER, "1000.00", "--reason", "opening", "--date", "2025-01-01").exit_code == 0
    return WORKER


def write(tmp_path, *records) -> str:
    f = tmp_path / "setlinfo.jsonl"
    f.write_text("".join(record_text(r) + "\n" for r in records), encoding="utf-8")
    return str(f)


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
    ]
    assert "hifp_pay: 1 record(s) differ, ledger less platform -0.01 in all" in r.stderr
    assert snapshot() == before  # the rehearsal was rolled back


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
        ({"hosp_lv": "11"}, "dedc_hosp_lv: is required where hosp_lv is 11 (无等级)"),
        ({"setl_time": "2025/03/01"}, "setl_time: is a time yyyy-MM-dd HH:mm:ss"),
        ({"medfee_sumamt": Num("-800.00")}, "medfee_sumamt: must not be negative"),
        ({"certno": ""}, "certno: is required"),
    ],
)
def test_a_bad_platform_record_names_its_line_setl_id_and_one_field(run, worker, tmp_path, change, message):
    r = run("claim", "reconcile", write(tmp_path, AGREES | change))
    assert r.exit_code == 1
    lines = [x for x in r.output.splitlines() if x.startswith("line 1")]
    assert lines == [f"line 1, setl_id N1: the ledger would not post it: {message}" + lines[0].split(message, 1)[1]]
    assert lines[0].count(message.split(":")[0] + ":") == 1  # the field named once


def test_dedc_hosp_lv_wins_over_the_grade(run, worker, tmp_path):
    # 三级甲等 would be level 3 (deductible 400.00); dedc_hosp_lv 2 says level 2: 300.00, as AGREES.
    r = run("claim", "reconcile", write(tmp_path, AGREES | {"hosp_lv": "02", "dedc_hosp_lv": "2"}))
    assert r.exit_code == 0, r.output
