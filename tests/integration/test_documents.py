"""Both seeded cities work as their documents say. Each figure is worked by hand from the
document's own words, quoted beside it; an operator's file supplies only what a document
leaves open, and the test says which numbers those are.

Songyuan (220700): 2025吉林松原医保门诊共济政策. Changchun (220100): the bureau's letter to
retirees of 2023-12-27."""

import json
from datetime import date

import pytest

from ledger.services import accounts, claims, persons, policies, rollover, verify
from tests.ids import RETIREE, WORKER
from tests.policy_text import policy_text

CHANGCHUN_DISTRICT = "220102"  # 南关区, in the pooling area 220100


def money(result, *fields):
    return tuple(str(result[f]) for f in fields)


def buckets(uow, psn_no, year):
    return {
        b["bucket"]: (str(b["cap"]), str(b["fund_paid"]), str(b["deductible_met"]))
        for b in claims.usage(uow, psn_no, year)["buckets"]
    }


def test_songyuan_pharmacy_purchase_is_in_outpatient_pooling(uow):
    """将符合条件的定点零售药店纳入门诊统筹管理; 起付线:一级医院200元; in service 55% at level 1.
    120.00 at a pharmacy (med_type 41, level 1): all of it goes to the 200.00 deductible,
    the fund pays (120.00 - 120.00) x 55% = 0.00, the own account pays 120.00."""
    persons.add_person(
        uow, "clerk", psn_no=WORKER, name="李建国", insutype="310", psn_type="1101", region="220702", enrolled=[2025]
    )
    accounts.credit(uow, "clerk", WORKER, 100000, "opening balance", date(2025, 1, 1))  # 1000.00
    r = claims.post_claim(
        uow,
        "feed",
        {
            "setl_id": "PH1",
            "psn_no": WORKER,
            "service_date": "2025-03-01",
            "med_type": "41",
            "hosp_lv": "1",
            "medfee_sumamt": "120.00",
        },
    )
    assert r["status"] == "posted", r["errors"]
    assert money(r, "act_pay_dedc", "hifp_pay", "acct_pay", "psn_cash_pay") == ("120.00", "0.00", "120.00", "0.00")
    assert buckets(uow, WORKER, 2025) == {"outpatient": ("1000.00", "0.00", "120.00")}
    assert str(accounts.show_account(uow, WORKER)["balance"]) == "880.00"  # 1000.00 - 120.00


# An operator's file for Changchun: the letter names 47 chronic diseases but not which; two of
# them are listed here, with no cap of their own (the letter's cap is per person).
CHANGCHUN_CHRONIC = policy_text(
    {"employee.chronic.diseases": '[{code = "E11", name = "糖尿病"}, {code = "I10", name = "高血压"}]'},
    region="220100",
    effective_from="2024-01-01",
)


@pytest.fixture
def changchun_retiree(uow):
    persons.add_person(
        uow,
        "clerk",
        psn_no=RETIREE,
        name="王桂兰",
        insutype="310",
        psn_type="1201",
        region=CHANGCHUN_DISTRICT,
        enrolled=[2024],
    )
    return RETIREE


def test_changchun_chronic_cap_is_one_per_person_a_year(uow, changchun_retiree):
    """门诊慢性病病种保障达到47种、报销70%,每年最高报销6500元; level-1 facilities have no
    deductible (取消了一级及以下定点医疗机构……门诊慢性病的起付线).
    E11 10000.00 at level 1: 10000.00 x 70% = 7000.00, capped at 6500.00.
    I10 2000.00 later that year: 2000.00 x 70% = 1400.00, but the person's 6500.00 is spent: 0.00."""
    policies.load_policy(uow, "clerk", CHANGCHUN_CHRONIC, "changchun-chronic.toml")
    first = claims.post_claim(
        uow,
        "feed",
        {
            "setl_id": "CC1",
            "psn_no": RETIREE,
            "service_date": "2024-03-01",
            "med_type": "140104",
            "hosp_lv": "1",
            "dise_codg": "E11",
            "medfee_sumamt": "10000.00",
        },
    )
    second = claims.post_claim(
        uow,
        "feed",
        {
            "setl_id": "CC2",
            "psn_no": RETIREE,
            "service_date": "2024-04-01",
            "med_type": "140104",
            "hosp_lv": "1",
            "dise_codg": "I10",
            "medfee_sumamt": "2000.00",
        },
    )
    assert (first["status"], second["status"]) == ("posted", "posted"), (first["errors"], second["errors"])
    assert money(first, "act_pay_dedc", "hifp_pay", "psn_cash_pay") == ("0.00", "6500.00", "3500.00")
    assert money(second, "act_pay_dedc", "hifp_pay", "psn_cash_pay") == ("0.00", "0.00", "2000.00")
    assert buckets(uow, RETIREE, 2024) == {"chronic": ("6500.00", "6500.00", "0.00")}
    assert verify.verify(uow)["ok"]


def test_a_per_person_chronic_cap_refuses_a_disease_with_its_own_cap(uow, changchun_retiree):
    own_cap = policy_text(
        {"employee.chronic.diseases": '[{code = "E11", name = "糖尿病", annual_cap = "1800.00"}]'},
        region="220100",
        effective_from="2024-01-01",
    )
    policies.load_policy(uow, "clerk", own_cap, "changchun-own-cap.toml")
    r = claims.post_claim(
        uow,
        "feed",
        {
            "setl_id": "CC3",
            "psn_no": RETIREE,
            "service_date": "2024-03-01",
            "med_type": "140104",
            "hosp_lv": "1",
            "dise_codg": "E11",
            "medfee_sumamt": "100.00",
        },
    )
    assert r["status"] == "rejected"
    assert r["errors"] == [
        "region 220100 on 2024-03-01: employee.chronic.cap_per_person is true, yet disease E11 has its own annual_cap on "
        "employee.chronic.diseases; one cap per person cannot also be one per disease: drop one of them"
    ]


# The letter does not give the inpatient rules; this test file does, with round numbers:
# deductible 1000.00 and 90 % at level 2, a 200,000.00 basic cap, and a large-expense subsidy
# of 90 % on all the year's self-pay, capped at 600,000.00.
CHANGCHUN_INPATIENT = policy_text(
    {
        "employee.inpatient.deductible.level2": '"1000.00"',
        "employee.inpatient.ratio.in_service.level2": '"0.90"',
        "employee.inpatient.annual_cap": '"200000.00"',
        "employee.large_expense.segments": '[{from = "0.00", ratio = "0.90"}]',
        "employee.large_expense.annual_cap": '"600000.00"',
    },
    region="220100",
    effective_from="2024-01-01",
)


def test_changchun_basic_fund_and_large_expense_subsidy_together_pay_at_most_700000_a_year(uow):
    """叠加大额医疗费用补助,每年最多能报销70万元.
    900,000.00 inpatient at level 2: basic (900,000.00 - 1,000.00) x 90% = 809,100.00, capped
    at 200,000.00. Self-pay 900,000.00 - 200,000.00 = 700,000.00; the subsidy would pay
    700,000.00 x 90% = 630,000.00, capped at 600,000.00: 800,000.00 in all without the
    combined cap. With it, the subsidy pays 700,000.00 - 200,000.00 = 500,000.00: 700,000.00
    in all, 200,000.00 personal. A second claim that year gets nothing from either fund."""
    persons.add_person(
        uow,
        "clerk",
        psn_no=WORKER,
        name="李建国",
        insutype="310",
        psn_type="1101",
        region=CHANGCHUN_DISTRICT,
        enrolled=[2024],
    )
    policies.load_policy(uow, "clerk", CHANGCHUN_INPATIENT, "changchun-inpatient.toml")
    stay = {"psn_no": WORKER, "med_type": "21", "hosp_lv": "2"}
    r = claims.post_claim(
        uow, "feed", stay | {"setl_id": "IP1", "service_date": "2024-05-01", "medfee_sumamt": "900000.00"}
    )
    assert r["status"] == "posted", r["errors"]
    assert money(r, "hifp_pay", "hifob_pay", "fund_pay_sumamt", "psn_cash_pay") == (
        "200000.00",
        "500000.00",
        "700000.00",
        "200000.00",
    )
    assert buckets(uow, WORKER, 2024)["basic_and_large_expense"] == ("700000.00", "700000.00", "0.00")
    later = claims.post_claim(
        uow, "feed", stay | {"setl_id": "IP2", "service_date": "2024-08-01", "medfee_sumamt": "10000.00"}
    )
    assert money(later, "hifp_pay", "hifob_pay") == ("0.00", "0.00")
    assert verify.verify(uow)["ok"]
    # Reversing the large claim gives the combined counter back exactly what it took.
    claims.reverse_claim(uow, "supervisor", "IP1", "settled twice", date(2024, 9, 1))
    assert buckets(uow, WORKER, 2024)["basic_and_large_expense"] == ("700000.00", "0.00", "0.00")
    assert verify.verify(uow)["ok"]


def test_changchun_year_end_items_are_collected_for_the_year_the_letter_names_only(uow):
    """2024年大额医疗费用补助100元、失能人员医疗照护保险费33.36元,需于12月末一次性缴纳.
    The rollover of 2023 (into 2024) takes 100.00 + 33.36 = 133.36: 300.00 -> 166.64. The
    rollover of 2024 (into 2025) takes nothing, because the letter speaks of 2024 only, and
    says so, with the letter's review date (2024-12-31) passed on 2025-01-01."""
    persons.add_person(
        uow,
        "clerk",
        psn_no=RETIREE,
        name="王桂兰",
        insutype="310",
        psn_type="1201",
        region=CHANGCHUN_DISTRICT,
        enrolled=[2023, 2024],
    )
    accounts.credit(uow, "clerk", RETIREE, 30000, "opening", date(2023, 1, 1))
    first = rollover.rollover(uow, "bureau", 2023)
    assert str(accounts.show_account(uow, RETIREE)["balance"]) == "166.64" and first["warnings"] == []
    second = rollover.rollover(uow, "bureau", 2024)
    assert str(accounts.show_account(uow, RETIREE)["balance"]) == "166.64"  # not 33.28
    assert str(second["deductions"]["total"]) == "0.00" and second["due_in_cash"] == []
    assert second["warnings"] == [
        "region 220100: the year-end items in force (large_expense_premium, disabled_care_premium) are for 2024 (seed/220100-2024-01-01.toml), "
        "not 2025: none collected; load a policy file that sets them for 2025 to collect them",
        "policy file seed/220100-2024-01-01.toml (region 220100, effective 2024-01-01) is used on 2025-01-01, past its review date 2024-12-31",
    ]
    assert rollover.rollover(uow, "bureau", 2024)["warnings"] == second["warnings"]  # a second run says it again
    assert verify.verify(uow)["ok"]


def add_changchun_retiree(run) -> None:
    args = [
        "--name",
        "王桂兰",
        "--insutype",
        "310",
        "--psn-type",
        "1201",
        "--region",
        CHANGCHUN_DISTRICT,
        "--enrolled",
        "2024",
    ]
    assert run("person", "add", RETIREE, *args).exit_code == 0


def test_the_rollover_cli_says_what_the_policy_warnings_are(run):
    add_changchun_retiree(run)
    r = run("rollover", "--year", "2024", "--json")
    assert r.exit_code == 0
    assert (
        "warning: policy file seed/220100-2024-01-01.toml (region 220100, effective 2024-01-01) is used on 2025-01-01"
        in r.stderr
    )
    assert "are for 2024" in json.loads(r.stdout)["warnings"][0]


@pytest.mark.parametrize(
    "reading, cap_2026",
    [
        # 零报销激励:当年未发生医疗费用的参保人,次年大病保险最高支付限额可提高至少1000元. The 40.00
        # claim is a medical expense: no zero-claim raise, the 2026 cap stays 400,000.00.
        (None, "400000.00"),
        # The national reading, chosen by a file: the funds paid nothing, so 2025 is a zero-claim
        # year: 400,000.00 + 1,000.00 = 401,000.00 (continuous years 2025-2026: 2 < 4, nothing more).
        ("no_fund_reimbursement", "401000.00"),
    ],
)
def test_a_claim_the_fund_paid_nothing_for_is_or_is_not_a_zero_claim_year_as_the_policy_reads_it(
    uow, reading, cap_2026
):
    from tests.claim_policy import CLAIM_POLICY
    from tests.ids import STUDENT

    policies.load_policy(uow, "clerk", CLAIM_POLICY, "claims.toml")  # resident outpatient: deductible 50.00 at level 1
    if reading is not None:
        policies.load_policy(
            uow,
            "clerk",
            policy_text({"resident.incentive.zero_claim.basis": f'"{reading}"'}, effective_from="2025-01-01"),
            "reading.toml",
        )
    persons.add_person(
        uow,
        "clerk",
        psn_no=STUDENT,
        name="李明",
        insutype="390",
        resident_category="ordinary",
        region="220702",
        enrolled=[2025, 2026],
    )
    r = claims.post_claim(
        uow,
        "feed",
        {
            "setl_id": "Z1",
            "psn_no": STUDENT,
            "service_date": "2025-03-01",
            "med_type": "11",
            "hosp_lv": "1",
            "medfee_sumamt": "40.00",
        },
    )
    assert money(r, "act_pay_dedc", "hifp_pay", "psn_cash_pay") == (
        "40.00",
        "0.00",
        "40.00",
    )  # all of it under the 50.00 deductible
    rollover.rollover(uow, "bureau", 2025)
    assert buckets(uow, STUDENT, 2026)["major_illness"][0] == cap_2026


def fill(template: str, values: dict[str, str]) -> str:
    """Fill in an operator template: the values given by name, every other open one with a
    plain value of its kind (these serve claims this test does not post)."""
    from ledger.policy.parameters import PARAMETERS, Kind

    plain = {
        Kind.MONEY: '"1.00"',
        Kind.RATIO: '"0.50"',
        Kind.COUNT: "0",
        Kind.YEAR: "2024",
        Kind.DATE: "2024-01-01",
        Kind.FLAG: "false",
        Kind.RELATIONS: '["spouse"]',
        Kind.DISEASES: '[{code = "X1", name = "x"}]',
        Kind.SEGMENTS: '[{from = "1.00", ratio = "0.50"}]',
    }
    out, name = [], None
    for line in template.splitlines():
        if line.startswith('[parameters."'):
            name = line.split('"')[1]
        if line == 'value = ""' and name is not None:
            p = PARAMETERS[name]
            line = f"value = {values.get(name) or (repr(p.choices[0]).replace(chr(39), chr(34)) if p.kind is Kind.CHOICE else plain[p.kind])}"
        line = line.replace('title = ""', 'title = "长春市医保局 operator file (test)"').replace(
            'grade = ""', 'grade = "D"'
        )
        out.append(line)
    return "\n".join(out) + "\n"


def test_changchun_retiree_claims_post_once_the_template_is_filled_in(run, tmp_path):
    """The seed alone names what is missing; the template, filled in, makes a retiree's
    outpatient, chronic and special-disease claims post. Numbers the test fills in (the
    letter gives none): outpatient deductible L2 200.00, retiree ratios L1 62 %, L2 57 %;
    inpatient ratio for retirees at L2 90 %; special-disease deductible L2 0.00; the N18
    list entry with a 50,000.00 cap; large-expense bands from 20,000.00."""
    add_changchun_retiree(run)
    shown = json.loads(run("policy", "show", "220100", "2024", "--json").output)
    missing = {p["name"] for p in shown["needs_operator_value"]}
    assert {
        "employee.outpatient.deductible.level2",
        "employee.outpatient.deductible.level3",
        "employee.outpatient.ratio.retired.level1",
        "employee.chronic.diseases",
        "employee.special.diseases",
        "employee.inpatient.ratio.retired.level2",
        "employee.large_expense.segments",
        "employee.pharmacy.pooled",
    } <= missing
    assert not missing & {p["name"] for p in shown["parameters"]}  # given ones are not missing
    assert "family.max_holders_per_member" in {p["name"] for p in shown["not_set"]}
    outpatient = {
        "setl_id": "CO1",
        "psn_no": RETIREE,
        "service_date": "2024-03-01",
        "med_type": "11",
        "hosp_lv": "2",
        "medfee_sumamt": "1000.00",
    }
    f = tmp_path / "claims.jsonl"
    f.write_text(json.dumps(outpatient) + "\n")
    r = run("claim", "post", f, "--json")
    assert r.exit_code == 1
    assert json.loads(r.stdout)["errors"] == [
        "policy parameter 'employee.outpatient.deductible.level2' is not given for region 220100 on 2024-03-01: "
        "load a policy file that sets it (see docs/policy-files.md)"
    ]
    template = run("policy", "template", "220100", "--year", "2024").output
    assert '[parameters."employee.outpatient.deductible.level2"]\nvalue = ""' in template
    filled = tmp_path / "changchun-2024.toml"
    filled.write_text(
        fill(
            template,
            {
                "employee.outpatient.deductible.level2": '"200.00"',
                "employee.outpatient.ratio.retired.level1": '"0.62"',
                "employee.outpatient.ratio.retired.level2": '"0.57"',
                "employee.inpatient.ratio.retired.level2": '"0.90"',
                "employee.special.deductible.level2": '"0.00"',
                "employee.chronic.diseases": '[{code = "E11", name = "糖尿病"}]',
                "employee.special.diseases": '[{code = "N18", name = "肾功能衰竭", annual_cap = "50000.00"}]',
                "employee.large_expense.segments": '[{from = "20000.00", ratio = "0.80"}]',
                "employee.large_expense.annual_cap": '"600000.00"',
            },
        )
    )
    assert run("policy", "check", filled).exit_code == 0
    assert run("policy", "load", filled).exit_code == 0
    assert json.loads(run("policy", "show", "220100", "2024", "--json").output)["needs_operator_value"] == []
    f.write_text(
        "\n".join(
            json.dumps(c)
            for c in (
                outpatient,
                {
                    "setl_id": "CO2",
                    "psn_no": RETIREE,
                    "service_date": "2024-03-02",
                    "med_type": "11",
                    "hosp_lv": "1",
                    "medfee_sumamt": "100.00",
                },
                {
                    "setl_id": "CC1",
                    "psn_no": RETIREE,
                    "service_date": "2024-03-03",
                    "med_type": "140104",
                    "hosp_lv": "1",
                    "dise_codg": "E11",
                    "medfee_sumamt": "1000.00",
                },
                {
                    "setl_id": "CS1",
                    "psn_no": RETIREE,
                    "service_date": "2024-03-04",
                    "med_type": "140201",
                    "hosp_lv": "2",
                    "dise_codg": "N18",
                    "medfee_sumamt": "10000.00",
                },
            )
        )
        + "\n"
    )
    r = run("claim", "post", f, "--json")
    assert r.exit_code == 0, r.output
    out = {o["setl_id"]: o for o in map(json.loads, r.stdout.splitlines())}
    # CO1: 1000.00 at L2: deductible 200.00 (filled in), (1000.00 - 200.00) x 57% = 456.00
    assert money(out["CO1"], "act_pay_dedc", "hifp_pay") == ("200.00", "456.00")
    # CO2: 100.00 at L1: no deductible (取消了一级及以下……门诊统筹……的起付线), 100.00 x 62% = 62.00
    assert money(out["CO2"], "act_pay_dedc", "hifp_pay") == ("0.00", "62.00")
    # CC1: E11 1000.00 at L1: no deductible, 报销70%: 700.00 (of the 6500.00 per person)
    assert money(out["CC1"], "act_pay_dedc", "hifp_pay") == ("0.00", "700.00")
    # CS1: N18 10000.00 at L2, 按住院比例报销: 90% = 9000.00; self-pay 1000.00 is below the 20,000.00 band: no subsidy
    assert money(out["CS1"], "act_pay_dedc", "hifp_pay", "hifob_pay") == ("0.00", "9000.00", "0.00")
    assert run("verify").exit_code == 0
