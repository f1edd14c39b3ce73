"""`reports.incentives` after the rollovers of tests/integration/test_rollover.py, with the
same hand-worked figures."""

from datetime import date

from ledger.services import accounts, claims, policies, reports, rollover
from tests.claim_policy import CLAIM_POLICY
from tests.ids import GRANDPARENT, RETIREE, STUDENT
from tests.integration.test_rollover import employee, resident


def rows(report) -> list[tuple]:
    return [(r["kind"], r["item"], r["status"], r["people"], str(r["amount"])) for r in report.rows]


def test_year_end_items_by_item_and_how_they_were_paid(uow):
    # Changchun, for 2024: 100.00 large-expense premium and 33.36 disabled-care insurance.
    # RETIREE's account (300.00) pays both; GRANDPARENT's (120.00 < 133.36) pays neither: due in cash.
    employee(uow, RETIREE, "1201", "220102", (2023,))
    employee(uow, GRANDPARENT, "1201", "220102", (2023,))
    accounts.credit(uow, "clerk", RETIREE, 30000, "opening", date(2023, 1, 1))
    accounts.credit(uow, "clerk", GRANDPARENT, 12000, "opening", date(2023, 1, 1))
    rollover.rollover(uow, "bureau", 2023)
    assert rows(reports.incentives(uow, 2024)) == [
        ("incentive", "zero_claim_bonus", None, 0, "0.00"),  # retirees get no major-illness raise
        ("incentive", "continuous_bonus", None, 0, "0.00"),
        ("incentive", "bonus", None, 0, "0.00"),
        ("year_end", "employee.retired.year_end.disabled_care_premium", "deducted", 1, "33.36"),
        ("year_end", "employee.retired.year_end.disabled_care_premium", "due_cash", 1, "33.36"),
        ("year_end", "employee.retired.year_end.large_expense_premium", "deducted", 1, "100.00"),
        ("year_end", "employee.retired.year_end.large_expense_premium", "due_cash", 1, "100.00"),
    ]
    assert rows(reports.incentives(uow, 2024, region="2207")) == [
        ("incentive", "zero_claim_bonus", None, 0, "0.00"),
        ("incentive", "continuous_bonus", None, 0, "0.00"),
        ("incentive", "bonus", None, 0, "0.00"),
    ]  # no Songyuan persons: nothing


def test_major_illness_raises_for_the_year_opened(uow):
    # Songyuan, into 2026: STUDENT had no reimbursement in 2025: 1000.00 zero-claim bonus;
    # GRANDPARENT got 11.00 from the fund: none. Continuous 2025-2026 is 2 years, under 4: 0.
    policies.load_policy(uow, "clerk", CLAIM_POLICY, "claims.toml")
    resident(uow, STUDENT)
    resident(uow, GRANDPARENT)
    claims.post_claim(uow, "feed", {"setl_id": "Z1", "psn_no": GRANDPARENT, "service_date": "2025-05-01",
                                    "med_type": "11", "hosp_lv": "2", "medfee_sumamt": "120.00"})  # fmt: skip
    rollover.rollover(uow, "bureau", 2025)
    assert rows(reports.incentives(uow, 2026)) == [
        ("incentive", "zero_claim_bonus", None, 1, "1000.00"),
        ("incentive", "continuous_bonus", None, 0, "0.00"),
        ("incentive", "bonus", None, 1, "1000.00"),
    ]
