"""Settlement records shaped as the national platform writes them (docs/national-records.md),
for the tests of `claim post --profile national` and `claim reconcile`: every field of a 5203
record, amounts as JSON numbers, the platform's codes."""

import json

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


def write(tmp_path, *records) -> str:
    f = tmp_path / "setlinfo.jsonl"
    f.write_text("".join(record_text(r) + "\n" for r in records), encoding="utf-8")
    return str(f)


def add_worker(run) -> str:
    """WORKER, employee in service in Songyuan (220702), enrolled for 2025, 1000.00 in the account."""
    assert run("person", "add", WORKER, "--name", "李建国", "--insutype", "310", "--psn-type", "1101",
               "--region", "220702", "--enrolled", "2025").exit_code == 0  # fmt: skip
    assert run("account", "credit", WORKER, "1000.00", "--reason", "opening", "--date", "2025-01-01").exit_code == 0
    return WORKER
