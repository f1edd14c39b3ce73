"""Posting claims through the service layer, on the real database. Figures are worked by
hand from the Songyuan 2025 seed (RULES.md §1) and tests/claim_policy.py."""

from datetime import date

import pytest
from freezegun import freeze_time

from ledger.errors import Conflict, NotFound, ValidationError
from ledger.rules.claim_input import BadRow
from ledger.services import accounts, claims, family, persons, policies, verify
from tests.claim_policy import CLAIM_POLICY
from tests.ids import RETIREE, SPOUSE, STUDENT, WORKER
from tests.policy_text import policy_text


def employee(uow, psn_no, name, psn_type="1101", enrolled=(2025,)):
    persons.add_person(
        uow,
        "clerk",
        psn_no=psn_no,
        name=name,
        insutype="310",
        psn_type=psn_type,
        region="220702",
        enrolled=list(enrolled),
    )


def resident(uow, psn_no, name, enrolled=(2025,)):
    persons.add_person(
        uow,
        "clerk",
        psn_no=psn_no,
        name=name,
        insutype="390",
        resident_category="ordinary",
        region="220702",
        enrolled=list(enrolled),
    )


def fund(uow, psn_no, yuan_fen):
    accounts.credit(uow, "clerk", psn_no, yuan_fen, "opening balance", date(2025, 1, 1))


def claim(setl_id="S1", psn_no=WORKER, **kw):
    return {
        "setl_id": setl_id,
        "psn_no": psn_no,
        "service_date": "2025-03-01",
        "med_type": "11",
        "hosp_lv": "2",
        "medfee_sumamt": "800.00",
    } | kw


def balance(uow, psn_no):
    return str(accounts.show_account(uow, psn_no)["balance"])


def buckets(uow, psn_no, year=2025):
    return {
        b["bucket"]: {k: str(v) for k, v in b.items() if k != "bucket"}
        for b in claims.usage(uow, psn_no, year)["buckets"]
    }


def money(result, *fields):
    return tuple(None if result[f] is None else str(result[f]) for f in fields)


@pytest.fixture
def worker(uow):
    employee(uow, WORKER, "李建国")
    fund(uow, WORKER, 100000)  # 1000.00
    return WORKER


@pytest.fixture
def family_of_three(uow, worker):
    """Worker holds 1000.00; his son (a resident, no account) and his wife (employee,
    empty account) are bound to him; the operator's file gives the resident rules."""
    policies.load_policy(uow, "clerk", CLAIM_POLICY, "claims.toml")
    resident(uow, STUDENT, "李明")
    employee(uow, SPOUSE, "王芳")
    family.bind(uow, "clerk", WORKER, STUDENT, "child", date(2025, 1, 2))
    family.bind(uow, "clerk", WORKER, SPOUSE, "spouse", date(2025, 1, 3))


def test_level_2_then_level_3_then_the_cap(uow, worker):
    r = claims.post_claim(uow, "feed", claim("A1", medfee_sumamt="800.00"))
    assert r["status"] == "posted" and r["year"] == 2025 and r["errors"] == []
    # deductible 300.00; (800.00 - 300.00) x 57% = 285.00; personal 515.00 from the account
    assert money(
        r,
        "inscp_scp_amt",
        "act_pay_dedc",
        "hifp_pay",
        "fund_pay_sumamt",
        "psn_part_amt",
        "acct_pay",
        "acct_mulaid_pay",
        "psn_cash_pay",
        "balc",
    ) == ("800.00", "300.00", "285.00", "285.00", "515.00", "515.00", "0.00", "0.00", "485.00")
    assert r["policy"] == ["seed/220700-2025-01-01.toml"]
    r = claims.post_claim(uow, "feed", claim("A2", hosp_lv="3", medfee_sumamt="1000.00", service_date="2025-04-01"))
    # owes 400.00 - 300.00 = 100.00; (1000.00 - 100.00) x 50% = 450.00 (715.00 of the cap left);
    # personal 550.00: 485.00 from the account, 65.00 cash
    assert money(r, "act_pay_dedc", "hifp_pay", "psn_part_amt", "acct_pay", "psn_cash_pay", "balc") == (
        "100.00",
        "450.00",
        "550.00",
        "485.00",
        "65.00",
        "0.00",
    )
    r = claims.post_claim(uow, "feed", claim("A3", hosp_lv="1", medfee_sumamt="1000.00", service_date="2025-05-01"))
    # 1000.00 x 55% = 550.00, but only 1000.00 - 285.00 - 450.00 = 265.00 remains
    assert money(r, "act_pay_dedc", "hifp_pay", "psn_cash_pay") == ("0.00", "265.00", "735.00")
    assert buckets(uow, WORKER) == {
        "outpatient": {"cap": "1000.00", "fund_paid": "1000.00", "deductible_met": "400.00", "remaining": "0.00"}
    }
    assert verify.verify(uow)["ok"]


def test_a_relative_without_an_account_is_paid_for_by_the_holder_then_cash(uow, family_of_three):
    accounts.credit(uow, "clerk", WORKER, 1, "top-up", date(2025, 1, 1))  # 1000.01 now
    # Son, resident outpatient L2 (operator file): deductible 100.00, 55%.
    # 2100.00: (2100.00 - 100.00) x 55% = 1100.00 -> capped at the resident cap 800.00; personal 1300.00;
    # the holder's 1000.01 pays, cash 299.99
    r = claims.post_claim(uow, "feed", claim("B1", STUDENT, medfee_sumamt="2100.00"))
    assert money(r, "hifp_pay", "psn_part_amt", "acct_pay", "acct_mulaid_pay", "psn_cash_pay") == (
        "800.00",
        "1300.00",
        "0.00",
        "1000.01",
        "299.99",
    )
    assert r["mulaid_payers"][0]["psn_no"] == WORKER and str(r["mulaid_payers"][0]["amount"]) == "1000.01"
    assert r["balc"] is None  # a resident has no account of his own
    assert balance(uow, WORKER) == "0.00"
    # Next claim: 300.00 at L2, deductible met, cap reached: no fund; the holder is empty, so all cash
    r = claims.post_claim(uow, "feed", claim("B2", STUDENT, medfee_sumamt="300.00", service_date="2025-03-02"))
    assert (
        money(r, "hifp_pay", "acct_mulaid_pay", "psn_cash_pay") == ("0.00", "0.00", "300.00")
        and r["mulaid_payers"] == []
    )
    assert verify.verify(uow)["ok"]


def test_holders_pay_in_binding_order_and_a_named_payer_alone(uow, family_of_three):
    employee(uow, RETIREE, "张秀英", psn_type="1201")
    fund(uow, RETIREE, 5000)  # 50.00
    family.bind(uow, "clerk", RETIREE, STUDENT, "grandchild", date(2025, 1, 5))
    accounts.credit(uow, "clerk", SPOUSE, 100000, "x", date(2025, 1, 1))
    # Son's 300.00 at L1: (300.00 - 50.00) x 60% = 150.00, personal 150.00: the worker (bound first) pays it all
    r = claims.post_claim(uow, "feed", claim("C1", STUDENT, hosp_lv="1", medfee_sumamt="300.00"))
    assert [(p["psn_no"], str(p["amount"])) for p in r["mulaid_payers"]] == [(WORKER, "150.00")]
    # Named: only the grandmother pays. 200.00 at L1, deductible met: 200.00 x 60% = 120.00, personal 80.00; she holds 50.00, cash 30.00
    r = claims.post_claim(uow, "feed", claim("C2", STUDENT, hosp_lv="1", medfee_sumamt="200.00", mulaid_payer=RETIREE))
    assert [(p["psn_no"], str(p["amount"])) for p in r["mulaid_payers"]] == [(RETIREE, "50.00")] and str(
        r["psn_cash_pay"]
    ) == "30.00"
    # acct_used_flag 0: all cash even with money in the accounts (120.00 x 60% = 72.00; personal 48.00)
    r = claims.post_claim(uow, "feed", claim("C3", STUDENT, hosp_lv="1", medfee_sumamt="120.00", acct_used_flag="0"))
    assert money(r, "hifp_pay", "acct_mulaid_pay", "psn_cash_pay") == ("72.00", "0.00", "48.00")
    # The wife's own account pays first for her own claim, no holder is touched:
    # 400.00 at L2: deductible 300.00, (400.00 - 300.00) x 57% = 57.00, personal 343.00; 1000.00 - 343.00 = 657.00
    r = claims.post_claim(uow, "feed", claim("C4", SPOUSE, medfee_sumamt="400.00"))
    assert money(r, "hifp_pay", "acct_pay", "acct_mulaid_pay", "balc") == ("57.00", "343.00", "0.00", "657.00")


def test_a_payer_must_be_bound_on_the_service_date(uow, family_of_three, snapshot):
    employee(uow, RETIREE, "张秀英", psn_type="1201")
    before = snapshot()
    r = claims.post_claim(uow, "feed", claim("D1", STUDENT, mulaid_payer=RETIREE))
    assert snapshot() == before
    assert r["status"] == "rejected"
    assert r["errors"] == [
        "mulaid_payer: 220702********0020 is not bound to the patient 220702********0136 on 2025-03-01"
    ]
    # Bound on 2025-01-02: a claim from 2025-01-01 gets no mutual aid. 90.00 at L2, under the 100.00 deductible: all cash
    r = claims.post_claim(uow, "feed", claim("D2", STUDENT, service_date="2025-01-01", medfee_sumamt="90.00"))
    assert money(r, "act_pay_dedc", "acct_mulaid_pay", "psn_cash_pay") == ("90.00", "0.00", "90.00")


def test_duplicate_and_conflicting_claims_change_nothing(uow, worker, snapshot):
    first = claims.post_claim(uow, "feed", claim("E1"))
    before = snapshot()
    again = claims.post_claim(uow, "feed", claim("E1", medfee_sumamt="800"))  # same content, written differently
    assert again["status"] == "duplicate"
    assert {k: v for k, v in again.items() if k != "status"} == {k: v for k, v in first.items() if k != "status"}
    other = claims.post_claim(uow, "feed", claim("E1", medfee_sumamt="801.00"))
    assert other["status"] == "rejected" and other["errors"][0].startswith("setl_id: E1 was already posted on ")
    assert snapshot() == before


def test_a_claim_is_not_reversed_on_a_day_before_its_service_date(uow, family_of_three, snapshot):
    claims.post_claim(uow, "feed", claim("RD1", STUDENT, service_date="2025-03-10"))
    before = snapshot()
    with pytest.raises(
        ValidationError,
        match="date: 2025-03-09 is before the claim's own service date 2025-03-10: a claim is reversed on or after it",
    ):
        claims.reverse_claim(uow, "supervisor", "RD1", "entered in error", date(2025, 3, 9))
    assert snapshot() == before
    assert claims.reverse_claim(uow, "supervisor", "RD1", "entered in error", date(2025, 3, 10))["reversal"][
        "reversed_on"
    ] == date(2025, 3, 10)
    assert verify.verify(uow)["ok"]


def test_reversal_restores_usage_and_balances_once(uow, family_of_three, snapshot):
    claims.post_claim(uow, "feed", claim("F0", STUDENT, hosp_lv="1", medfee_sumamt="100.00"))
    r = claims.post_claim(uow, "feed", claim("F1", STUDENT, medfee_sumamt="600.00"))
    # L2, 50.00 of the 100.00 deductible met at L1: owes 50.00; (600.00 - 50.00) x 55% = 302.50; personal 297.50 from the worker
    assert money(r, "act_pay_dedc", "hifp_pay", "acct_mulaid_pay") == ("50.00", "302.50", "297.50")
    # F0: 100.00 at L1, deductible 50.00, 50.00 x 60% = 30.00, personal 70.00; the worker: 1000.00 - 70.00 - 297.50
    assert balance(uow, WORKER) == "632.50"
    v = claims.reverse_claim(uow, "supervisor", "F1", "duplicate settlement at the hospital", date(2025, 6, 1))
    assert v["reversal"]["reason"] == "duplicate settlement at the hospital"
    assert balance(uow, WORKER) == "930.00"  # 632.50 + 297.50
    assert buckets(uow, STUDENT)["outpatient"] == {
        "cap": "800.00",
        "fund_paid": "30.00",
        "deductible_met": "50.00",
        "remaining": "770.00",
    }
    before = snapshot()
    with pytest.raises(Conflict, match="setl_id: claim F1 was already reversed on 2025-06-01 by supervisor"):
        claims.reverse_claim(uow, "supervisor", "F1", "again")
    with pytest.raises(NotFound, match="no claim 'NOPE' is posted"):
        claims.reverse_claim(uow, "supervisor", "NOPE", "x")
    with pytest.raises(ValidationError, match="reason: is required"):
        claims.reverse_claim(uow, "supervisor", "F0", "  ")
    assert snapshot() == before
    # Posting the reversed claim again is still a duplicate: a setl_id is posted once.
    assert claims.post_claim(uow, "feed", claim("F1", STUDENT, medfee_sumamt="600.00"))["status"] == "duplicate"
    assert verify.verify(uow)["ok"]


def test_a_batch_with_bad_rows_posts_the_good_ones(uow, worker):
    rows = [
        (2, claim("G1", medfee_sumamt="100.00")),
        (3, claim("G2", medfee_sumamt="abc")),
        (4, claim("G3", psn_no="110105194912310021")),
        (5, claim("G1", medfee_sumamt="100.00")),  # same as line 2: a duplicate
        (6, claim("G1", medfee_sumamt="100.01")),  # same id, other content
        (7, BadRow("line is not valid JSON: Expecting value")),
        (8, claim("G4", service_date="2025-02-30")),
        (9, claim("G5", medfee_sumamt="300.00", fulamt_ownpay_amt="200.00", overlmt_selfpay="100.01")),
        (10, claim("G6", medfee_sumamt="200.00", service_date="2025-03-05")),
        (11, claim("G7", psn_no=STUDENT)),
        (12, claim("G8", service_date="2024-12-31")),
    ]
    out = list(claims.post_claims(uow, "feed", rows, chunk_size=4))
    assert [(r["line"], r["status"]) for r in out] == [
        (2, "posted"),
        (3, "rejected"),
        (4, "rejected"),
        (5, "duplicate"),
        (6, "rejected"),
        (7, "rejected"),
        (8, "rejected"),
        (9, "rejected"),
        (10, "posted"),
        (11, "rejected"),
        (12, "rejected"),
    ]
    errors = {r["line"]: r["errors"][0] for r in out if r["errors"]}
    assert errors[3] == "medfee_sumamt: is not a number (got 'abc'); write yuan like 1234.50"
    assert errors[4] == "psn_no: check digit is wrong for 110105********0021 (GB 11643 MOD 11-2)"
    assert errors[6].startswith("setl_id: G1 was already posted")  # line 2 committed in an earlier chunk
    assert errors[7] == "line is not valid JSON: Expecting value"
    assert errors[8] == "service_date: 2025-02-30 is not a calendar date"
    assert (
        errors[9] == "medfee_sumamt: 300.00 is less than fulamt_ownpay_amt + overlmt_selfpay + preselfpay_amt = 300.01"
    )
    assert errors[11] == "psn_no: no person 220702********0136 is registered"
    assert (
        errors[12]
        == "psn_no: 220702********0035 is not enrolled for 2024; benefits need enrollment in the service year"
    )
    # 100.00 and 200.00 both under the 300.00 deductible: all personal, from the account
    assert balance(uow, WORKER) == "700.00"


def test_a_duplicate_within_one_chunk(uow, worker):
    out = list(claims.post_claims(uow, "feed", [(1, claim("H1")), (2, claim("H1")), (3, claim("H1", hosp_lv="3"))]))
    assert [r["status"] for r in out] == ["posted", "duplicate", "rejected"]
    assert out[2]["errors"] == ["setl_id: H1 appears earlier in this input (line 1) with different content"]
    assert str(out[1]["hifp_pay"]) == "285.00"


def test_a_claim_needing_a_parameter_no_file_gives_is_rejected_naming_it(uow, worker):
    resident(uow, STUDENT, "李明")
    r = claims.post_claim(uow, "feed", claim("M1", STUDENT))
    assert r["status"] == "rejected"
    assert r["errors"] == [
        "policy parameter 'resident.outpatient.deductible.level2' is not given for region 220700 on 2025-03-01: load a policy file that sets it (see docs/policy-files.md)"
    ]


def test_a_future_service_date_is_refused(uow, worker):
    r = claims.post_claim(uow, "feed", claim("N1", service_date="2099-01-01"))
    assert r["errors"] == ["service_date: 2099-01-01 is in the future"]


def test_show_and_usage(uow, worker):
    claims.post_claim(uow, "feed", claim("P1"))
    v = claims.show_claim(uow, "P1")
    assert (
        v["status"] == "posted" and v["reversal"] is None and v["operator"] == "feed" and str(v["hifp_pay"]) == "285.00"
    )
    with pytest.raises(NotFound):
        claims.show_claim(uow, "P2")
    u = claims.usage(uow, WORKER, 2025)
    assert u["psn_no"] == WORKER and u["year"] == 2025
    assert claims.usage(uow, WORKER, 2026)["buckets"] == []


def test_verify_finds_a_counter_that_drifted_from_its_claims(uow, worker, engine):
    from sqlalchemy import text

    claims.post_claim(uow, "feed", claim("V1"))
    assert verify.verify(uow)["ok"]
    with engine.begin() as conn:
        conn.execute(text("UPDATE benefit_usage SET deductible_met = deductible_met - 1"))
    v = verify.verify(uow)
    assert v["problems"] == [
        "usage of 220702********0035 2025 outpatient: fund paid 285.00, deductible met 299.99, self-pay 0.00; its claims give 285.00, 300.00, 0.00"
    ]


def test_posted_claims_cannot_be_changed_or_deleted(uow, worker, engine):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    claims.post_claim(uow, "feed", claim("W1"))
    claims.reverse_claim(uow, "supervisor", "W1", "test")
    for sql in (
        "UPDATE claims SET hifp_pay = 0",
        "DELETE FROM claims",
        "UPDATE claim_reversals SET reason = 'x'",
        "DELETE FROM claim_reversals",
    ):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(sql))


def test_a_resident_hospital_stay_reaches_major_illness_insurance(uow, family_of_three, engine):
    from sqlalchemy import text

    # Son, inpatient at level 2 (operator file): deductible 800.00, 70 %; bands from
    # 10000.00 at 60 %, from 50000.00 at 70 %.
    # Stay 1, 30000.00: (30000.00 - 800.00) x 70% = 20440.00; self-pay 9560.00, under the band.
    r = claims.post_claim(uow, "feed", claim("I1", STUDENT, med_type="21", medfee_sumamt="30000.00"))
    assert money(r, "act_pay_dedc", "hifp_pay", "hifmi_pay", "psn_part_amt") == (
        "800.00",
        "20440.00",
        "0.00",
        "9560.00",
    )
    # Stay 2, 80000.00: 56000.00 basic, self-pay 24000.00, accumulated 33560.00;
    # (33560.00 - 10000.00) x 60% = 14136.00 from major illness; personal 80000 - 70136 = 9864.00
    r = claims.post_claim(
        uow, "feed", claim("I2", STUDENT, med_type="21", medfee_sumamt="80000.00", service_date="2025-06-01")
    )
    assert money(r, "hifp_pay", "hifmi_pay", "hifob_pay", "fund_pay_sumamt", "psn_part_amt") == (
        "56000.00",
        "14136.00",
        "0.00",
        "70136.00",
        "9864.00",
    )
    # The worker's 1000.00 paid toward stay 1; nothing is left for stay 2.
    assert money(r, "acct_mulaid_pay", "psn_cash_pay") == ("0.00", "9864.00")
    u = {b["bucket"]: b for b in claims.usage(uow, STUDENT, 2025)["buckets"]}
    assert (str(u["inpatient"]["fund_paid"]), str(u["inpatient"]["cap"])) == ("76440.00", "200000.00")
    assert (
        str(u["major_illness"]["fund_paid"]),
        str(u["major_illness"]["selfpay"]),
        str(u["major_illness"]["cap"]),
    ) == ("14136.00", "33560.00", "400000.00")
    with engine.connect() as conn:
        books = dict(
            conn.execute(
                text(
                    "SELECT book, SUM(amount) FROM journal_entries e JOIN journal_postings p ON p.id = e.posting_id WHERE p.kind = 'claim' GROUP BY book"
                )
            ).all()
        )
    # provider owed 110000.00; basic 76440.00, major illness 14136.00, accounts 1000.00, cash 18424.00
    assert {k: int(v) for k, v in books.items()} == {
        "provider": 11000000,
        "pooled_fund": -7644000,
        "major_illness_insurance": -1413600,
        "personal_account": -100000,
        "patient_cash": -1842400,
    }
    assert verify.verify(uow)["ok"]


def test_mutual_aid_needs_the_policy_to_allow_it(uow, worker):
    # Changchun's seed does not say whether an account may pay a relative's share.
    persons.add_person(
        uow, "clerk", psn_no=SPOUSE, name="王芳", insutype="310", psn_type="1101", region="220102", enrolled=[2024]
    )
    persons.add_person(
        uow, "clerk", psn_no=RETIREE, name="张秀英", insutype="310", psn_type="1201", region="220102", enrolled=[2024]
    )
    policies.load_policy(
        uow,
        "clerk",
        policy_text(
            {
                "family.relations": '["parent"]',
                "family.member_same_province": "false",
                "employee.outpatient.ratio.retired.level1": '"0.62"',
            },
            region="220100",
            effective_from="2024-01-01",
        ),
        "cc.toml",
    )
    family.bind(uow, "clerk", SPOUSE, RETIREE, "parent", date(2024, 1, 2))
    r = claims.post_claim(uow, "feed", claim("J1", RETIREE, service_date="2024-03-01", hosp_lv="1"))
    assert r["errors"] == [
        "policy parameter 'family.pays_relatives_personal_share' is not given for region 220100 on 2024-03-01: load a policy file that sets it (see docs/policy-files.md)"
    ]
    # Cash only (acct_used_flag 0) needs no mutual aid: Changchun level 1, deductible 0.00 (seed),
    # the test file's 62 %: 800.00 x 62% = 496.00 fund, 304.00 cash; cap 2500.00 (seed)
    r = claims.post_claim(uow, "feed", claim("J2", RETIREE, service_date="2024-03-01", hosp_lv="1", acct_used_flag="0"))
    assert money(r, "act_pay_dedc", "hifp_pay", "psn_cash_pay") == ("0.00", "496.00", "304.00")
    assert buckets(uow, RETIREE, 2024)["outpatient"]["cap"] == "2500.00"


def test_every_result_has_the_same_keys_in_the_same_order(uow, worker):
    posted = claims.post_claim(uow, "feed", claim("K1"))
    duplicate = claims.post_claim(uow, "feed", claim("K1"))
    bad = claims.post_claim(uow, "feed", claim("K2", medfee_sumamt="x"))
    assert list(posted) == list(duplicate) == list(bad)
    assert list(posted)[:14] == [
        "line",
        "setl_id",
        "psn_no",
        "service_date",
        "med_type",
        "hosp_lv",
        "dise_codg",
        "medfee_sumamt",
        "fulamt_ownpay_amt",
        "overlmt_selfpay",
        "preselfpay_amt",
        "acct_used_flag",
        "mulaid_payer",
        "status",
    ]


def test_a_claim_of_today_in_songyuan_posts_while_utc_is_still_on_yesterday(uow, family_of_three, monkeypatch):
    """2025-03-01 01:00 in Songyuan is 2025-02-28 17:00 UTC: the machine's date said the
    claim was in the future; the bureau's does not."""
    monkeypatch.delenv("LEDGER_TIMEZONE", raising=False)
    with freeze_time("2025-02-28 17:00:00"):
        r = claims.post_claim(uow, "feed", claim("TZ1", service_date="2025-03-01"))
    assert r["status"] == "posted", r["errors"]
