"""Both seeded cities work as their documents say. Each figure is worked by hand from the
document's own words, quoted beside it; an operator's file supplies only what a document
leaves open, and the test says which numbers those are.

Songyuan (220700): 2025吉林松原医保门诊共济政策. Changchun (220100): the bureau's letter to
retirees of 2023-12-27."""

import json
from datetime import date

import pytest

from ledger.errors import PolicyError
from ledger.services import accounts, claims, persons, policies, rollover, verify
from tests.ids import RETIREE, WORKER
from tests.policy_text import policy_text

CHANGCHUN_DISTRICT = "220102"  # 南关区, in the pooling area 220100


def money(result, *fields):
    return tuple(str(result[f]) for f in fields)


def buckets(uow, psn_no, year):
    return {b["bucket"]: (str(b["cap"]), str(b["fund_paid"]), str(b["deductible_met"])) for b in claims.usage(uow, psn_no, year)["buckets"]}


def test_songyuan_pharmacy_purchase_is_in_outpatient_pooling(uow):
    """将符合条件的定点零售药店纳入门诊统筹管理; 起付线:一级医院200元; in service 55% at level 1.
    120.00 at a pharmacy (med_type 41, level 1): all of it goes to the 200.00 deductible,
    the fund pays (120.00 - 120.00) x 55% = 0.00, the own account pays 120.00."""
    persons.add_person(uow, "clerk", psn_no=WORKER, name="李建国", insutype="310", psn_type="1101", region="220702", enrolled=[2025])
    accounts.credit(uow, "clerk", WORKER, 100000, "opening balance", date(2025, 1, 1))  # 1000.00
    r = claims.post_claim(uow, "feed", {"setl_id": "PH1", "psn_no": WORKER, "service_date": "2025-03-01", "med_type": "41", "hosp_lv": "1",
                                        "medfee_sumamt": "120.00"})
    assert r["status"] == "posted", r["errors"]
    assert money(r, "act_pay_dedc", "hifp_pay", "acct_pay", "psn_cash_pay") == ("120.00", "0.00", "120.00", "0.00")
    assert buckets(uow, WORKER, 2025) == {"outpatient": ("1000.00", "0.00", "120.00")}
    assert str(accounts.show_account(uow, WORKER)["balance"]) == "880.00"  # 1000.00 - 120.00


# An operator's file for Changchun: the letter names 47 chronic diseases but not which; two of
# them are listed here, with no cap of their own (the letter's cap is per person).
CHANGCHUN_CHRONIC = policy_text({"employee.chronic.diseases": '[{code = "E11", name = "糖尿病"}, {code = "I10", name = "高血压"}]'},
                                region="220100", effective_from="2024-01-01")


@pytest.fixture
def changchun_retiree(uow):
    persons.add_person(uow, "clerk", psn_no=RETIREE, name="王桂兰", insutype="310", psn_type="1201", region=CHANGCHUN_DISTRICT, enrolled=[2024])
    return RETIREE


def test_changchun_chronic_cap_is_one_per_person_a_year(uow, changchun_retiree):
    """门诊慢性病病种保障达到47种、报销70%,每年最高报销6500元; level-1 facilities have no
    deductible (取消了一级及以下定点医疗机构……门诊慢性病的起付线).
    E11 10000.00 at level 1: 10000.00 x 70% = 7000.00, capped at 6500.00.
    I10 2000.00 later that year: 2000.00 x 70% = 1400.00, but the person's 6500.00 is spent: 0.00."""
    policies.load_policy(uow, "clerk", CHANGCHUN_CHRONIC, "changchun-chronic.toml")
    first = claims.post_claim(uow, "feed", {"setl_id": "CC1", "psn_no": RETIREE, "service_date": "2024-03-01", "med_type": "140104", "hosp_lv": "1",
                                            "dise_codg": "E11", "medfee_sumamt": "10000.00"})
    second = claims.post_claim(uow, "feed", {"setl_id": "CC2", "psn_no": RETIREE, "service_date": "2024-04-01", "med_type": "140104", "hosp_lv": "1",
                                             "dise_codg": "I10", "medfee_sumamt": "2000.00"})
    assert (first["status"], second["status"]) == ("posted", "posted"), (first["errors"], second["errors"])
    assert money(first, "act_pay_dedc", "hifp_pay", "psn_cash_pay") == ("0.00", "6500.00", "3500.00")
    assert money(second, "act_pay_dedc", "hifp_pay", "psn_cash_pay") == ("0.00", "0.00", "2000.00")
    assert buckets(uow, RETIREE, 2024) == {"chronic": ("6500.00", "6500.00", "0.00")}
    assert verify.verify(uow)["ok"]


def test_a_per_person_chronic_cap_refuses_a_disease_with_its_own_cap(uow, changchun_retiree):
    own_cap = policy_text({"employee.chronic.diseases": '[{code = "E11", name = "糖尿病", annual_cap = "1800.00"}]'}, region="220100", effective_from="2024-01-01")
    policies.load_policy(uow, "clerk", own_cap, "changchun-own-cap.toml")
    r = claims.post_claim(uow, "feed", {"setl_id": "CC3", "psn_no": RETIREE, "service_date": "2024-03-01", "med_type": "140104", "hosp_lv": "1",
                                        "dise_codg": "E11", "medfee_sumamt": "100.00"})
    assert r["status"] == "rejected"
    assert r["errors"] == ["region 220100 on 2024-03-01: employee.chronic.cap_per_person is true, yet disease E11 has its own annual_cap on "
                           "employee.chronic.diseases; one cap per person cannot also be one per disease: drop one of them"]


# The letter does not give the inpatient rules; this test file does, with round numbers:
# deductible 1000.00 and 90 % at level 2, a 200,000.00 basic cap, and a large-expense subsidy
# of 90 % on all the year's self-pay, capped at 600,000.00.
CHANGCHUN_INPATIENT = policy_text({
    "employee.inpatient.deductible.level2": '"1000.00"',
    "employee.inpatient.ratio.in_service.level2": '"0.90"',
    "employee.inpatient.annual_cap": '"200000.00"',
    "employee.large_expense.segments": '[{from = "0.00", ratio = "0.90"}]',
    "employee.large_expense.annual_cap": '"600000.00"',
}, region="220100", effective_from="2024-01-01")


def test_changchun_basic_fund_and_large_expense_subsidy_together_pay_at_most_700000_a_year(uow):
    """叠加大额医疗费用补助,每年最多能报销70万元.
    900,000.00 inpatient at level 2: basic (900,000.00 - 1,000.00) x 90% = 809,100.00, capped
    at 200,000.00. Self-pay 900,000.00 - 200,000.00 = 700,000.00; the subsidy would pay
    700,000.00 x 90% = 630,000.00, capped at 600,000.00: 800,000.00 in all without the
    combined cap. With it, the subsidy pays 700,000.00 - 200,000.00 = 500,000.00: 700,000.00
    in all, 200,000.00 personal. A second claim that year gets nothing from either fund."""
    persons.add_person(uow, "clerk", psn_no=WORKER, name="李建国", insutype="310", psn_type="1101", region=CHANGCHUN_DISTRICT, enrolled=[2024])
    policies.load_policy(uow, "clerk", CHANGCHUN_INPATIENT, "changchun-inpatient.toml")
    stay = {"psn_no": WORKER, "med_type": "21", "hosp_lv": "2"}
    r = claims.post_claim(uow, "feed", stay | {"setl_id": "IP1", "service_date": "2024-05-01", "medfee_sumamt": "900000.00"})
    assert r["status"] == "posted", r["errors"]
    assert money(r, "hifp_pay", "hifob_pay", "fund_pay_sumamt", "psn_cash_pay") == ("200000.00", "500000.00", "700000.00", "200000.00")
    assert buckets(uow, WORKER, 2024)["basic_and_large_expense"] == ("700000.00", "700000.00", "0.00")
    later = claims.post_claim(uow, "feed", stay | {"setl_id": "IP2", "service_date": "2024-08-01", "medfee_sumamt": "10000.00"})
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
    persons.add_person(uow, "clerk", psn_no=RETIREE, name="王桂兰", insutype="310", psn_type="1201", region=CHANGCHUN_DISTRICT, enrolled=[2023, 2024])
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


def test_the_rollover_cli_says_what_the_policy_warnings_are(run):
    assert run("person", "add", RETIREE, "--name", "王桂兰", "--insutype", "310", "--psn-type", "1201", "--region", CHANGCHUN_DISTRICT,
               "--enrolled", "2024").exit_code == 0
    r = run("rollover", "--year", "2024", "--json")
    assert r.exit_code == 0
    assert "warning: policy file seed/220100-2024-01-01.toml (region 220100, effective 2024-01-01) is used on 2025-01-01" in r.stderr
    assert "are for 2024" in json.loads(r.stdout)["warnings"][0]


@pytest.mark.parametrize("reading, cap_2026", [
    # 零报销激励:当年未发生医疗费用的参保人,次年大病保险最高支付限额可提高至少1000元. The 40.00
    # claim is a medical expense: no zero-claim raise, the 2026 cap stays 400,000.00.
    (None, "400000.00"),
    # The national reading, chosen by a file: the funds paid nothing, so 2025 is a zero-claim
    # year: 400,000.00 + 1,000.00 = 401,000.00 (continuous years 2025-2026: 2 < 4, nothing more).
    ("no_fund_reimbursement", "401000.00"),
])
def test_a_claim_the_fund_paid_nothing_for_is_or_is_not_a_zero_claim_year_as_the_policy_reads_it(uow, reading, cap_2026):
    from tests.claim_policy import CLAIM_POLICY
    from tests.ids import STUDENT

    policies.load_policy(uow, "clerk", CLAIM_POLICY, "claims.toml")  # resident outpatient: deductible 50.00 at level 1
    if reading is not None:
        policies.load_policy(uow, "clerk", policy_text({"resident.incentive.zero_claim.basis": f'"{reading}"'}, effective_from="2025-01-01"), "reading.toml")
    persons.add_person(uow, "clerk", psn_no=STUDENT, name="李明", insutype="390", resident_category="ordinary", region="220702", enrolled=[2025, 2026])
    r = claims.post_claim(uow, "feed", {"setl_id": "Z1", "psn_no": STUDENT, "service_date": "2025-03-01", "med_type": "11", "hosp_lv": "1",
                                        "medfee_sumamt": "40.00"})
    assert money(r, "act_pay_dedc", "hifp_pay", "psn_cash_pay") == ("40.00", "0.00", "40.00")  # all of it under the 50.00 deductible
    rollover.rollover(uow, "bureau", 2025)
    assert buckets(uow, STUDENT, 2026)["major_illness"][0] == cap_2026
