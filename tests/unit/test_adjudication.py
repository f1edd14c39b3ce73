"""SPEC §3 worked by hand: every expected figure is arithmetic on the policy text, written
in the comment beside it, never a value recomputed by the code under test."""

from datetime import date
from decimal import Decimal

import pytest

from ledger.errors import MissingParameter, ValidationError
from ledger.policy.book import PolicyBook, PolicyDocument, seed_documents
from ledger.policy.parameters import Segment
from ledger.policy.schema import parse_policy_text
from ledger.rules.adjudication import (
    Counter,
    adjudicate,
    pay_personal_share,
    round_fen,
    segment_total,
)
from ledger.rules.benefits import Patient, rules_for
from ledger.rules.claim_input import parse_claim
from tests.claim_policy import CLAIM_POLICY
from tests.ids import RETIREE, STUDENT, WORKER

SEEDS = PolicyBook(seed_documents())
WITH_OPERATOR_FILE = PolicyBook(
    [*seed_documents(), PolicyDocument(parse_policy_text(CLAIM_POLICY), "loaded#1", "claims.toml", order=1)]
)

IN_SERVICE = Patient(WORKER, "310", "1101", "220702")
RETIRED = Patient(RETIREE, "310", "1201", "220702")
RESIDENT = Patient(STUDENT, "390", None, "220702")


def claim(**kw):
    base = {
        "setl_id": "S1",
        "psn_no": WORKER,
        "service_date": "2025-03-01",
        "med_type": "11",
        "hosp_lv": "2",
        "medfee_sumamt": "800.00",
    }
    return parse_claim(base | kw)


def run(patient, c, basic=None, layer=None, book=SEEDS):
    rules = rules_for(book, patient, c)
    basic = basic or (Counter(rules.basic.cap) if rules.basic else None)
    layer = layer or (Counter(rules.layer.cap) if rules.layer else None)
    return rules, adjudicate(c, rules, basic, layer)


def test_level_2_first_claim_pays_the_deductible_then_57_percent():
    rules, a = run(IN_SERVICE, claim(medfee_sumamt="800.00"))
    assert rules.basic.bucket == "outpatient" and rules.basic.cap == 100000  # cap 1000.00
    assert a.inscp_scp_amt == 80000
    assert a.act_pay_dedc == 30000  # level-2 deductible 300.00
    assert a.hifp_pay == 28500  # (800.00 - 300.00) x 57% = 285.00
    assert a.psn_part_amt == 51500  # 800.00 - 285.00
    assert rules.policy_files == ["seed/220700-2025-01-01.toml"]


def test_level_3_later_owes_only_the_rest_of_the_higher_deductible():
    # After the 800.00 claim: deductible met 300.00, fund paid 285.00 of 1000.00.
    _, a = run(
        IN_SERVICE,
        claim(medfee_sumamt="1000.00", hosp_lv="3"),
        basic=Counter(100000, fund_paid=28500, deductible_met=30000),
    )
    assert a.act_pay_dedc == 10000  # 400.00 - 300.00 = 100.00
    assert a.hifp_pay == 45000  # (1000.00 - 100.00) x 50% = 450.00, under the 715.00 left
    assert a.psn_part_amt == 55000  # 1000.00 - 450.00


def test_the_yearly_cap_pays_only_what_remains():
    # 900.00 already paid of the 1000.00 cap; deductible met. 500.00 at level 1:
    # 500.00 x 55% = 275.00, but only 1000.00 - 900.00 = 100.00 remains.
    _, a = run(
        IN_SERVICE,
        claim(medfee_sumamt="500.00", hosp_lv="1"),
        basic=Counter(100000, fund_paid=90000, deductible_met=40000),
    )
    assert (a.act_pay_dedc, a.hifp_pay, a.psn_part_amt) == (0, 10000, 40000)


def test_a_reached_cap_pays_nothing():
    _, a = run(IN_SERVICE, claim(medfee_sumamt="500.00"), basic=Counter(100000, fund_paid=100000, deductible_met=40000))
    assert (a.hifp_pay, a.psn_part_amt) == (0, 50000)


def test_half_a_fen_rounds_up():
    # Deductible met; 0.50 at level 2: 0.50 x 57% = 0.285 -> 0.29 (28.5 fen -> 29).
    _, a = run(IN_SERVICE, claim(medfee_sumamt="0.50"), basic=Counter(100000, deductible_met=40000))
    assert (a.hifp_pay, a.psn_part_amt) == (29, 21)
    # Retired at level 3: 1.10 x 55% = 0.605 -> 0.61.
    _, a = run(
        RETIRED, claim(psn_no=RETIREE, medfee_sumamt="1.10", hosp_lv="3"), basic=Counter(100000, deductible_met=40000)
    )
    assert a.hifp_pay == 61
    # Just under half: 0.70 x 57% = 0.399 -> 0.40; 0.10 x 55% (level 1) = 0.055 -> 0.06; 0.03 x 57% = 0.0171 -> 0.02
    assert round_fen(Decimal(70) * Decimal("0.57")) == 40
    assert round_fen(Decimal("5.5")) == 6 and round_fen(Decimal("5.4999")) == 5


def test_excluded_items_leave_the_policy_scope():
    # 1000.00 with 100.00 全自费, 50.00 超限价, 30.00 乙类先行自付: in scope 820.00;
    # level 2, deductible 300.00: (820.00 - 300.00) x 57% = 296.40; personal 1000.00 - 296.40 = 703.60
    _, a = run(
        IN_SERVICE,
        claim(medfee_sumamt="1000.00", fulamt_ownpay_amt="100.00", overlmt_selfpay="50.00", preselfpay_amt="30.00"),
    )
    assert (a.inscp_scp_amt, a.act_pay_dedc, a.hifp_pay, a.psn_part_amt) == (82000, 30000, 29640, 70360)


def test_a_claim_below_the_deductible_pays_nothing_and_counts_toward_it():
    _, a = run(IN_SERVICE, claim(medfee_sumamt="120.00"))
    assert (a.act_pay_dedc, a.hifp_pay, a.psn_part_amt) == (12000, 0, 12000)


def test_retiree_ratio_at_level_1():
    # Level 1, deductible 200.00, retired 57%: (600.00 - 200.00) x 57% = 228.00
    _, a = run(RETIRED, claim(psn_no=RETIREE, medfee_sumamt="600.00", hosp_lv="1"))
    assert (a.act_pay_dedc, a.hifp_pay) == (20000, 22800)


def test_chronic_disease_with_its_own_cap_and_ratio():
    # E11: cap 1200.00, ratio 60%; chronic deductible at level 1: 100.00.
    # 700.00: (700.00 - 100.00) x 60% = 360.00
    rules, a = run(
        IN_SERVICE, claim(med_type="14", dise_codg="E11", hosp_lv="1", medfee_sumamt="700.00"), book=WITH_OPERATOR_FILE
    )
    assert (rules.basic.bucket, rules.basic.cap) == ("chronic:E11", 120000)
    assert (a.act_pay_dedc, a.hifp_pay, a.psn_part_amt) == (10000, 36000, 34000)
    # Later, 900.00 already paid: 1000.00 x 60% = 600.00, capped at 1200.00 - 900.00 = 300.00
    _, a = run(
        IN_SERVICE,
        claim(med_type="140104", dise_codg="E11", hosp_lv="1", medfee_sumamt="1000.00"),
        basic=Counter(120000, 90000, 10000),
        book=WITH_OPERATOR_FILE,
    )
    assert a.hifp_pay == 30000


def test_chronic_disease_without_own_figures_takes_the_scheme_wide_ones():
    # I10 lists no cap or ratio: 960.00 and 50%. (300.00 - 100.00) x 50% = 100.00
    rules, a = run(
        RESIDENT,
        claim(psn_no=STUDENT, med_type="14", dise_codg="I10", hosp_lv="1", medfee_sumamt="300.00"),
        book=WITH_OPERATOR_FILE,
    )
    assert (rules.basic.bucket, rules.basic.cap, a.hifp_pay) == ("chronic:I10", 96000, 10000)


def test_a_disease_off_the_list_is_named():
    with pytest.raises(
        ValidationError,
        match="dise_codg: J45 is not on the chronic disease list of region 220700 in force on 2025-03-01",
    ):
        rules_for(WITH_OPERATOR_FILE, IN_SERVICE, claim(med_type="14", dise_codg="J45", hosp_lv="1"))
    with pytest.raises(ValidationError, match="dise_codg: is required for med_type 14"):
        rules_for(WITH_OPERATOR_FILE, IN_SERVICE, claim(med_type="14", hosp_lv="1"))


def test_the_seed_alone_has_no_chronic_list_and_says_so():
    with pytest.raises(
        MissingParameter, match="'employee.chronic.diseases' is not given for region 220700 on 2025-03-01"
    ):
        rules_for(SEEDS, IN_SERVICE, claim(med_type="14", dise_codg="E11", hosp_lv="1"))


def test_resident_outpatient_needs_an_operator_file():
    with pytest.raises(MissingParameter, match="'resident.outpatient.deductible.level2'"):
        rules_for(SEEDS, RESIDENT, claim(psn_no=STUDENT))
    # With it: (300.00 - 100.00) x 55% = 110.00
    _, a = run(RESIDENT, claim(psn_no=STUDENT, medfee_sumamt="300.00"), book=WITH_OPERATOR_FILE)
    assert (a.act_pay_dedc, a.hifp_pay) == (10000, 11000)


def test_resident_major_illness_by_segments_over_three_stays():
    # Inpatient L2: deductible 800.00, 70%. Bands: from 10000.00 at 60%, from 50000.00 at 70%.
    patient = RESIDENT
    rules, a = run(patient, claim(psn_no=STUDENT, med_type="21", medfee_sumamt="30000.00"), book=WITH_OPERATOR_FILE)
    assert rules.layer.bucket == "major_illness" and rules.layer.cap == 40000000
    # (30000.00 - 800.00) x 70% = 20440.00; self-pay 30000.00 - 20440.00 = 9560.00 < 10000.00: no major illness
    assert (a.act_pay_dedc, a.hifp_pay, a.layer_selfpay, a.hifmi_pay) == (80000, 2044000, 956000, 0)
    # Second stay 80000.00: basic 80000.00 x 70% = 56000.00, self-pay 24000.00, accumulated 33560.00;
    # (33560.00 - 10000.00) x 60% = 14136.00
    b = Counter(20000000, 2044000, 80000)
    layer = Counter(40000000, 0, 0, 956000)
    _, a = run(
        patient,
        claim(psn_no=STUDENT, med_type="21", medfee_sumamt="80000.00"),
        basic=b,
        layer=layer,
        book=WITH_OPERATOR_FILE,
    )
    assert (a.hifp_pay, a.layer_selfpay, a.hifmi_pay) == (5600000, 2400000, 1413600)
    assert a.fund_pay_sumamt == 7013600 and a.psn_part_amt == 986400  # 56000 + 14136; 80000 - 70136
    # Third stay 100000.00: basic 70000.00, self-pay 30000.00, accumulated 63560.00;
    # total (50000-10000) x 60% + (63560-50000) x 70% = 24000.00 + 9492.00 = 33492.00; this claim 33492.00 - 14136.00 = 19356.00
    b = Counter(20000000, 7644000, 80000)
    layer = Counter(40000000, 1413600, 0, 3356000)
    _, a = run(
        patient,
        claim(psn_no=STUDENT, med_type="21", medfee_sumamt="100000.00"),
        basic=b,
        layer=layer,
        book=WITH_OPERATOR_FILE,
    )
    assert (a.hifp_pay, a.hifmi_pay) == (7000000, 1935600)


def test_employee_large_expense_takes_what_the_basic_cap_cut_off():
    # Employee inpatient L2: deductible 1000.00, 85%, cap 10000.00; large expense from 5000.00 at 80%.
    # 20000.00: (20000 - 1000) x 85% = 16150.00, capped at 10000.00; self-pay 10000.00;
    # large expense (10000.00 - 5000.00) x 80% = 4000.00; personal 20000 - 14000 = 6000.00
    _, a = run(IN_SERVICE, claim(med_type="21", medfee_sumamt="20000.00"), book=WITH_OPERATOR_FILE)
    assert (a.hifp_pay, a.hifob_pay, a.hifmi_pay, a.psn_part_amt) == (1000000, 400000, 0, 600000)


def test_second_layer_cap():
    # The same claim with only 1500.00 of the large-expense cap left pays 1500.00, not 4000.00.
    rules = rules_for(WITH_OPERATOR_FILE, IN_SERVICE, claim(med_type="21", medfee_sumamt="20000.00"))
    a = adjudicate(claim(med_type="21", medfee_sumamt="20000.00"), rules, Counter(1000000), Counter(10000000, 9850000))
    assert a.hifob_pay == 150000


def test_special_disease_at_the_inpatient_ratio():
    # N18 at level 2: deductible 0.00, employee inpatient ratio in service 85%: 2000.00 x 85% = 1700.00
    rules, a = run(
        IN_SERVICE, claim(med_type="140201", dise_codg="N18", medfee_sumamt="2000.00"), book=WITH_OPERATOR_FILE
    )
    assert (rules.basic.bucket, rules.basic.cap) == ("special:N18", 5000000)
    assert (a.hifp_pay, a.layer_selfpay, a.hifob_pay) == (170000, 30000, 0)  # self-pay 300.00, under the 5000.00 band


def test_pharmacy_pooled_or_not():
    # Employees: as outpatient. Level 1: (300.00 - 200.00) x 55% = 55.00
    rules, a = run(IN_SERVICE, claim(med_type="41", hosp_lv="1", medfee_sumamt="300.00"), book=WITH_OPERATOR_FILE)
    assert (rules.basic.bucket, a.hifp_pay) == ("outpatient", 5500)
    # Residents: not pooled, all personal.
    rules, a = run(
        RESIDENT, claim(psn_no=STUDENT, med_type="41", hosp_lv=None, medfee_sumamt="300.00"), book=WITH_OPERATOR_FILE
    )
    assert rules.basic is None and (a.fund_pay_sumamt, a.psn_part_amt) == (0, 30000)


def test_level_is_required_where_it_matters():
    with pytest.raises(ValidationError, match="hosp_lv: is required for med_type 11"):
        rules_for(SEEDS, IN_SERVICE, claim(hosp_lv=None))


def test_segment_total_rounds_once_on_the_whole():
    bands = (Segment(100, Decimal("0.5")),)
    # 1.01 accumulated above a 1.00 threshold... in fen: (101 - 100) x 0.5 = 0.5 -> 1; (103 - 100) x 0.5 = 1.5 -> 2
    assert segment_total(bands, 101) == 1 and segment_total(bands, 103) == 2 and segment_total(bands, 99) == 0


def test_personal_share_own_account_then_holders_in_order_then_cash():
    # 515.00: own 200.00, first holder 100.00, second holder the remaining 215.00 of 1000.00
    p = pay_personal_share(51500, True, 20000, [("H1", 10000), ("H2", 100000)])
    assert (p.acct_pay, p.mulaid, p.psn_cash_pay) == (20000, (("H1", 10000), ("H2", 21500)), 0)
    # A relative with no account: holder pays 300.00 of 515.00, cash 215.00
    p = pay_personal_share(51500, True, None, [("H1", 30000)])
    assert (p.acct_pay, p.acct_mulaid_pay, p.psn_cash_pay) == (0, 30000, 21500)
    # An empty holder account is skipped, not listed
    p = pay_personal_share(100, True, 0, [("H1", 0), ("H2", 50)])
    assert (p.mulaid, p.psn_cash_pay) == ((("H2", 50),), 50)
    # acct_used_flag "0": all cash
    assert pay_personal_share(51500, False, 90000, [("H1", 90000)]) == type(p)(0, (), 51500)


def test_personal_share_with_a_wallet_before_or_after_the_relatives():
    # docs/wallet.md: 114.00 of share; own account 50.00; wallet 40.00; a relative's 30.00
    # wallet first: own 50.00, wallet 40.00, relative 24.00 (114 - 50 - 40), cash 0.00
    p = pay_personal_share(11400, True, 5000, [("H1", 3000)], 4000, True)
    assert (p.acct_pay, p.wallet_pay, p.mulaid, p.psn_cash_pay) == (5000, 4000, (("H1", 2400),), 0)
    # wallet after: own 50.00, relative 30.00, wallet 34.00 (114 - 50 - 30), cash 0.00
    p = pay_personal_share(11400, True, 5000, [("H1", 3000)], 4000, False)
    assert (p.acct_pay, p.mulaid, p.wallet_pay, p.psn_cash_pay) == (5000, (("H1", 3000),), 3400, 0)
    # no wallet (None) or an empty one: as before, the rest in cash: 114 - 50 - 30 = 34.00
    for wallet in (None, 0):
        p = pay_personal_share(11400, True, 5000, [("H1", 3000)], wallet, True)
        assert (p.wallet_pay, p.psn_cash_pay) == (0, 3400)
    # acct_used_flag "0": the wallet is left alone as the accounts are
    assert pay_personal_share(11400, False, 5000, [], 4000, True).wallet_pay == 0


def test_benefit_year_is_the_service_year():
    assert claim(service_date="2025-12-31").year == 2025 and claim(service_date="2026-01-01").year == 2026
    assert date(2025, 1, 1) < claim().service_date
