"""Residents' waiting periods (RULES.md §3): 3 months, plus 1 per broken year not paid back,
under the Songyuan seed (central contribution period for 2025 ending 2025-02-28) and the
claim-test policy (resident level 2: deductible 100.00, 55 %)."""

from datetime import date

import pytest

from ledger.services import claims, persons, policies, verify
from tests.claim_policy import CLAIM_POLICY
from tests.ids import STUDENT


@pytest.fixture
def student(uow):
    policies.load_policy(uow, "clerk", CLAIM_POLICY, "claims.toml")

    def register(enrolled=()):
        persons.add_person(
            uow,
            "clerk",
            psn_no=STUDENT,
            name="李明",
            insutype="390",
            resident_category="ordinary",
            region="220702",
            enrolled=list(enrolled),
        )

    return register


def claim(setl_id, on, fee="300.00"):
    return {
        "setl_id": setl_id,
        "psn_no": STUDENT,
        "service_date": on,
        "med_type": "11",
        "hosp_lv": "2",
        "medfee_sumamt": fee,
    }


def test_enrolling_after_the_central_period_waits_three_months(uow, student):
    student()
    persons.enroll(uow, "clerk", STUDENT, 2025, date(2025, 3, 15))
    r = claims.post_claim(uow, "feed", claim("W1", "2025-05-01"))
    assert (str(r["fund_pay_sumamt"]), str(r["psn_cash_pay"])) == ("0.00", "300.00")
    assert r["no_fund_reason"] == (
        "waiting period (enrolled on 2025-03-15, after the central contribution period ended on 2025-02-28): "
        "the funds pay for services from 2025-06-15 on (docs/rules.md §3)"
    )
    # From 2025-06-15 (2025-03-15 + 3 months): (300.00 - 100.00) x 55% = 110.00; the waiting claim met no deductible
    r = claims.post_claim(uow, "feed", claim("W2", "2025-06-15"))
    assert (str(r["act_pay_dedc"]), str(r["hifp_pay"]), r["no_fund_reason"]) == ("100.00", "110.00", None)
    # A duplicate says the same as the first time.
    assert claims.post_claim(uow, "feed", claim("W1", "2025-05-01"))["no_fund_reason"].startswith(
        "waiting period (enrolled on 2025-03-15"
    )
    assert claims.show_claim(uow, "W1")["no_fund_reason"].startswith("waiting period")
    assert verify.verify(uow)["ok"]


def test_a_broken_year_adds_a_month_and_paying_it_back_removes_it(uow, student):
    student(enrolled=[2023])
    persons.enroll(uow, "clerk", STUDENT, 2025, date(2025, 1, 10))  # on time, but 2024 is missing
    # 3 + 1 months from 2025-01-10: the funds pay from 2025-05-10
    r = claims.post_claim(uow, "feed", claim("B1", "2025-05-09"))
    assert str(r["hifp_pay"]) == "0.00" and "1 year(s) of broken enrollment not paid back" in r["no_fund_reason"]
    assert r["no_fund_reason"].endswith("the funds pay for services from 2025-05-10 on (docs/rules.md §3)")
    assert str(claims.post_claim(uow, "feed", claim("B2", "2025-05-10"))["hifp_pay"]) == "110.00"


def test_paying_the_broken_year_back_ends_the_waiting(uow, student):
    student(enrolled=[2023])
    persons.enroll(uow, "clerk", STUDENT, 2025, date(2025, 1, 10))
    persons.enroll(uow, "clerk", STUDENT, 2024, date(2025, 1, 20))  # back-paid
    r = claims.post_claim(uow, "feed", claim("P1", "2025-02-01"))
    assert (str(r["hifp_pay"]), r["no_fund_reason"]) == ("110.00", None)


def test_on_time_and_unbroken_has_no_waiting(uow, student):
    student(enrolled=[2024])
    persons.enroll(uow, "clerk", STUDENT, 2025, date(2025, 2, 28))  # the last day of the period
    assert claims.post_claim(uow, "feed", claim("T1", "2025-03-01"))["no_fund_reason"] is None


def test_a_year_whose_central_period_no_file_gives_is_named(uow, student):
    student(enrolled=[2025])
    persons.enroll(uow, "clerk", STUDENT, 2026, date(2026, 1, 5))
    r = claims.post_claim(uow, "feed", claim("Y1", "2026-02-01"))
    assert r["errors"] == [
        "the central contribution period in force for region 220700 on 2026-01-01 ends 2025-02-28, not in 2026: "
        "load 2026's resident.contribution.central_period.end to judge whether an enrollment for 2026 was late"
    ]
