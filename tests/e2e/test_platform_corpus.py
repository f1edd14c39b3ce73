"""Real records of the national platform, as hospital systems captured them (tests/data/platform,
SOURCES.md: three public repositories, names and numbers of persons redacted, every amount and
code as received), posted as received once their institutions are registered, and reconciled.

The regions' own policies are not shipped: each test loads an operator's file of its own
choosing for the region (stated below). The figures a record fixes by itself, whatever the
policy, are what the ledger must reach to the fen: the policy-scope amount (medfee less the
three exclusions) everywhere, and for the Hebei patient, whose account history the records
tell whole (opening 1378.15, a settlement of 25.10 cancelled, then one of 4.52), every figure."""

import json
from pathlib import Path

import pytest

from tests.platform_records import Num, record_text
from tests.policy_text import policy_text

CORPUS = Path(__file__).parent.parent / "data" / "platform"


def lines(name: str) -> list[str]:
    return (CORPUS / name).read_text(encoding="utf-8").splitlines()


def post(run, *paths, more=()):
    return run("claim", "post", "--profile", "national", *paths, "--json", *more)


def results(r) -> list[dict]:
    return [json.loads(line) for line in r.stdout.splitlines()]


# The institutions, as a bureau's list gives them; grades and levels are the test's choice
# (1201 gave a grade for the Zhejiang test hospital only).
REGISTRY = """fixmedins_code,fixmedins_name,fixmedins_type,hosp_lv,dedc_hosp_lv,fix_blng_admdvs,begndate,enddate
H13110200026,河北某医院,1,,1,131102,2020-01-01,
H50010302473,重庆某医院,1,02,,500103,2020-01-01,
H43050200156,邵阳某医院,1,05,,430502,2020-01-01,
H43010500209,长沙某医院,1,02,,430105,2020-01-01,
H46010500002,海口某医院,1,02,,460105,2020-01-01,
"""
# Every region's rules, the test's: outpatient level 1 (Hebei) and inpatient level 2 and 3,
# employee in service and retired; Hunan's and Hainan's med_type 2101 (普通住院, not yet
# mapped by the province: tests/data/platform/SOURCES.md) read as 21.
RULES = {
    "employee.outpatient.deductible.level1": '"100.00"',
    "employee.outpatient.ratio.in_service.level1": '"0.50"',
    "employee.outpatient.annual_cap": '"1000.00"',
    **{f"employee.inpatient.deductible.level{n}": '"1000.00"' for n in (2, 3)},
    **{f"employee.inpatient.ratio.{who}.level{n}": '"0.80"' for n in (2, 3) for who in ("in_service", "retired")},
    "employee.inpatient.annual_cap": '"100000.00"',
    "employee.large_expense.segments": '[{from = "50000.00", ratio = "0.80"}]',
    "employee.large_expense.annual_cap": '"300000.00"',
    "national.med_type_map": '{ "2101" = "21" }',
}
# (ID number as redacted, region, person type, opening balance)
PERSONS = [
    ("110101198610040039", "131102", "1101", "1378.15"),  # Hebei: the 2208's balc, before either settlement
    ("110101194710010058", "500103", "1201", "170.04"),  # Chongqing, 73: what the 2304 took of the account
    ("110101196711160110", "430502", "1101", "0.00"),
    ("110101196012060129", "430105", "1101", "0.00"),
    ("110101198302270086", "460105", "1101", "0.00"),
]


@pytest.fixture
def corpus(run, tmp_path):
    f = tmp_path / "fixmedins.csv"
    f.write_text(REGISTRY, encoding="utf-8")
    assert run("institution", "import", str(f)).exit_code == 0
    for region in ("131100", "500100", "430500", "430100", "460100"):
        p = tmp_path / f"{region}.toml"
        p.write_text(policy_text(RULES, region=region, effective_from="2021-01-01"), encoding="utf-8")
        assert run("policy", "load", str(p)).exit_code == 0
    for psn, region, kind, opening in PERSONS:
        assert run("person", "add", psn, "--name", "测试患者", "--insutype", "310", "--psn-type", kind,
                   "--region", region, "--enrolled", "2021").exit_code == 0  # fmt: skip
        if opening != "0.00":
            assert run("account", "credit", psn, opening, "--reason", "opening", "--date", "2021-01-01").exit_code == 0
    return tmp_path


def hebei_original() -> str:
    """The settlement the real 2208 cancels (setl_id 400120618), as the 2208 gives it: its
    amounts negated back, the balance it left (1378.15 - 25.10 = 1353.05), flag 0. Derived
    here, not received; the corpus holds no copy of it."""
    cancel = json.loads(lines("cancel_2208.jsonl")[0])
    text = lines("cancel_2208.jsonl")[0]
    for field, value in cancel.items():
        if isinstance(value, float) and value < 0:
            text = text.replace(f'"{field}":-', f'"{field}":', 1)
    original = json.loads(text)
    assert original["medfee_sumamt"] == 25.1 and original["acct_pay"] == 25.1
    fields = {k: Num(json.dumps(v)) if isinstance(v, (int, float)) else v for k, v in original.items()}
    fields |= {"balc": Num("1353.05"), "psn_part_amt": Num("25.10"), "hosp_part_amt": Num("0"), "refd_setl_flag": "0"}
    return record_text(fields)


def write(tmp_path, name: str, *texts: str) -> str:
    f = tmp_path / name
    f.write_text("".join(t + "\n" for t in texts), encoding="utf-8")
    return str(f)


def test_the_hebei_patients_records_post_as_received_and_agree_to_the_fen(run, corpus):
    # 400120618 (derived): 25.10, 0.23 先行自付 -> policy scope 24.87, all of it to the
    # deductible (the test's 100.00 at level 1, none met): fund 0, account 25.10, 1378.15 -> 1353.05.
    r = post(run, write(corpus, "original.jsonl", hebei_original()))
    assert r.exit_code == 0, r.output
    assert (results(r)[0]["act_pay_dedc"], results(r)[0]["hifp_pay"], results(r)[0]["balc"]) == (
        "24.87",
        "0.00",
        "1353.05",
    )
    # The real 2208, as received: no refd_setl_flag, negative amounts, the settlement's own setl_id.
    r = post(run, str(CORPUS / "cancel_2208.jsonl"))
    assert r.exit_code == 0, r.output
    assert [(o["setl_id"], o["status"]) for o in results(r)] == [("400120618", "reversed")]
    account = json.loads(run("account", "show", "110101198610040039", "--json").stdout)
    assert account["balance"] == "1378.15"  # the 2208's balc
    # The real 2207, as received: no fixmedins_code, no level; its medins_setl_id begins with
    # H13110200026 (level 1 in the registry). 4.52 - 0.23 = 4.29 in scope, all to the
    # deductible (the cancellation gave the 24.87 back); account 4.52: 1378.15 - 4.52 = 1373.63.
    r = post(run, str(CORPUS / "settlement_2207.jsonl"))
    assert r.exit_code == 0, r.output
    [o] = results(r)
    assert (o["hosp_lv"], o["inscp_scp_amt"], o["act_pay_dedc"], o["acct_pay"], o["psn_cash_pay"], o["balc"]) == (
        "1", "4.29", "4.29", "4.52", "0.00", "1373.63",
    )  # fmt: skip
    # Reconciled against what was posted: every figure the record gives agrees.
    agree = run("claim", "reconcile", str(CORPUS / "settlement_2207.jsonl"))
    assert agree.exit_code == 0 and "1 agree, 0 differ" in agree.output, agree.output
    # Edited by 0.01 in psn_part_amt, then in balc: each is reported, to the fen.
    text = lines("settlement_2207.jsonl")[0]
    for field, was, edited in (("psn_part_amt", "4.52", "4.53"), ("balc", "1373.63", "1373.64")):
        changed = text.replace(f'"{field}":{was}', f'"{field}":{edited}', 1)
        assert changed != text
        r = run("claim", "reconcile", write(corpus, "edited.jsonl", changed), "--json")
        assert r.exit_code == 1
        assert results(r)[0]["differences"] == [
            {"field": field, "platform": edited, "ledger": was, "difference": "-0.01"}
        ]
    assert run("verify").exit_code == 0


def test_the_other_provinces_records_post_as_received(run, corpus):
    files = [str(CORPUS / n) for n in ("settlement_2304.jsonl", "query_5261_hainan.jsonl", "cancel_2305.jsonl")]
    every = write(corpus, "all.jsonl", *(line for f in files for line in Path(f).read_text().splitlines()))
    r = post(run, every)
    assert r.exit_code == 1  # the 2305 cancels a settlement this ledger never saw
    out = results(r)
    assert [(o["setl_id"], o["status"], o["med_type"] if o["status"] == "posted" else None) for o in out] == [
        ("300014497225", "posted", "21"),  # Chongqing, med_type 21
        ("11007999", "posted", "21"),  # Hunan, 2101 mapped (national.med_type_map)
        ("19712772", "posted", "21"),  # Hunan, psn_cert_type 90 with an ID number
        ("300000078066", "posted", "21"),  # Hainan: cert_no, med_fee_sumamt; H46010500002 from medins_setl_id
        ("300001010540", "rejected", None),
    ]
    assert out[4]["errors"] == ["setl_id: no claim 300001010540 is posted to cancel, nor one of mdtrt_id 310001913300"]
    # The policy-scope amounts the records fix: medfee less 全自费, 超限价 and 先行自付.
    # 23442.46 - 2533.97 - 1396.89 - 703.44 = 18808.16; 5792.53 - 296.20 - 522.61 = 4973.72;
    # 3338.10 - 30.00 - 82.83 = 3225.27; 3300.00 - 3300.00 = 0.00 (all self-paid).
    assert [o["inscp_scp_amt"] for o in out[:4]] == ["18808.16", "4973.72", "3225.27", "0.00"]
    # Chongqing's 505.01 hospital share (hosp_part_amt) posts in its own book, as received.
    assert json.loads(run("claim", "show", "300014497225", "--json").stdout)["source"]["hosp_part_amt"] == "505.01"
    reconciled = run("claim", "reconcile", every, "--json")
    by_id = {o["setl_id"]: {d["field"] for d in o["differences"]} for o in results(reconciled)}
    assert all("inscp_scp_amt" not in fields for fields in by_id.values())
    # Chongqing keeps the hospital's 505.01 outside its personal share (23442.46 = 18785.39
    # + 4152.06 + 505.01); the ledger's holds it: compared as 4152.06 + 505.01 = 4657.07. The
    # ledger's, under the test's rules (level 3: deductible 1000.00, 80 %): fund
    # (18808.16 - 1000.00) x 80% = 14246.528 -> 14246.53, personal 23442.46 - 14246.53 = 9195.93.
    chongqing = next(o for o in results(reconciled) if o["setl_id"] == "300014497225")
    assert {(d["platform"], d["ledger"]) for d in chongqing["differences"] if d["field"] == "psn_part_amt"} == {
        ("4657.07", "9195.93")
    }
    # Hainan's query reports 0 for the personal share and cash (psnCash_pay, read as psn_cash_pay):
    # the ledger says 3300.00 of each, and says so.
    hainan = next(o for o in results(reconciled) if o["setl_id"] == "300000078066")
    assert {(d["field"], d["platform"], d["ledger"]) for d in hainan["differences"]} == {
        ("psn_part_amt", "0.00", "3300.00"),
        ("psn_cash_pay", "0.00", "3300.00"),
    }
    assert run("verify").exit_code == 0


def test_the_1201_institution_row_is_imported_as_received(run, tmp_path):
    assert run("institution", "import", str(CORPUS / "medinsinfo_1201.jsonl")).exit_code == 1  # no begndate
    r = run("institution", "import", str(CORPUS / "medinsinfo_1201.jsonl"), "--from", "2022-01-01")
    assert r.exit_code == 0, r.output
    shown = json.loads(run("institution", "show", "H33018300564", "--json").stdout)
    first = shown["states"][0]
    assert (first["fixmedins_type"], first["hosp_lv"], first["begndate"]) == ("hospital", "02", "2022-01-01")


def test_two_regions_mapping_one_code_two_ways_are_refused_as_the_second_loads(run, corpus):
    # The corpus's five regions read 2101 as 21 alike; a sixth reading it as 11 is refused.
    f = corpus / "other.toml"
    f.write_text(
        policy_text({"national.med_type_map": '{ "2101" = "11" }'}, region="110100", effective_from="2021-01-01")
    )
    r = run("policy", "load", str(f))
    assert r.exit_code == 1
    assert (
        "national.med_type_map: " in r.output and "maps 2101 to 21" in r.output and "(region 110100) to 11" in r.output
    )
