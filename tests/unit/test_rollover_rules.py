"""Rollover rules worked by hand from RULES.md §1-3 and the Songyuan seed."""

from decimal import Decimal

from ledger.rules.rollover import (
    IncentivePolicy,
    continuous_years_through,
    next_incentive,
    year_end_collection,
)

# Songyuan 2025: from 2025; 4 years earn nothing; 1000.00 per further year; 1000.00 per zero-claim
# year; at most 20% of the 400000.00 cap (national rule) = 80000.00.
SONGYUAN = IncentivePolicy(2025, 4, 100000, 100000, Decimal("0.20"), 40000000, "no_medical_expense")


def test_a_year_without_reimbursement_raises_next_years_cap_by_1000():
    # Enrolled 2025, no fund paid in 2025: zero-claim 1000.00; continuous 2 years (2025, 2026) < 4: 0
    i = next_incentive(SONGYUAN, 2025, 1, 0, True, False)
    assert (i.continuous_years, i.zero_claim_bonus, i.continuous_bonus, i.bonus) == (
        2,
        100000,
        0,
        100000,
    )  # cap 401000.00


def test_continuous_enrollment_pays_from_the_fifth_year():
    # 2025..2028 enrolled (4 years), rolling into 2029: 5 years -> (5 - 4) x 1000.00
    i = next_incentive(SONGYUAN, 2028, 4, 0, False, False)
    assert (i.continuous_years, i.continuous_bonus, i.zero_claim_bonus, i.bonus) == (5, 100000, 0, 100000)
    # Rolling into 2031 after 6 years: 7 - 4 = 3 x 1000.00, plus two earlier zero-claim years
    i = next_incentive(SONGYUAN, 2030, 6, 200000, False, False)
    assert (i.continuous_bonus, i.zero_claim_bonus, i.bonus) == (300000, 200000, 500000)


def test_the_two_together_are_limited_to_20_percent_of_the_original_cap():
    # 30 zero-claim years accumulated (30000.00) + a 31st, and 40 continuous years (37 x 1000.00):
    # 31000.00 + 37000.00 = 68000.00, under 80000.00
    i = next_incentive(SONGYUAN, 2064, 40, 3000000, True, False)
    assert (i.zero_claim_bonus, i.continuous_bonus, i.bonus) == (3100000, 3700000, 6800000)
    # With 45000.00 accumulated: 46000.00 + 37000.00 = 83000.00, over the limit: 80000.00
    i = next_incentive(SONGYUAN, 2064, 40, 4500000, True, False)
    assert (i.zero_claim_bonus + i.continuous_bonus, i.bonus) == (8300000, 8000000)
    # With a 123456.78 cap, 20% is 24691.356 -> 24691.36 (half-up)
    small = IncentivePolicy(2025, 4, 100000, 3000000, Decimal("0.20"), 12345678, "no_medical_expense")
    assert next_incentive(small, 2025, 1, 0, True, False).bonus == 2469136


def test_using_the_bonus_resets_the_zero_claim_accumulation():
    i = next_incentive(SONGYUAN, 2027, 3, 200000, False, True)
    assert (i.zero_claim_bonus, i.bonus) == (0, 0)  # continuous: 4 years, not yet paying


def test_a_year_with_reimbursement_keeps_but_does_not_add():
    assert next_incentive(SONGYUAN, 2026, 2, 100000, False, False).zero_claim_bonus == 100000


def test_years_before_the_start_year_do_not_count():
    assert continuous_years_through(2026, {2020, 2021, 2022, 2023, 2024, 2025, 2026}, 2025) == 2
    assert continuous_years_through(2026, {2024, 2026}, 2025) == 1  # 2025 missed: a break
    assert continuous_years_through(2026, {2025}, 2025) == 0
    # A zero-claim year before the start year earns nothing
    assert next_incentive(SONGYUAN, 2024, 0, 0, True, False).zero_claim_bonus == 0


def test_year_end_items_are_collected_in_one_go_or_not_at_all():
    items = [("large_expense_premium", 10000), ("disabled_care_premium", 3336)]
    assert year_end_collection(30000, items)  # 300.00 - 100.00 - 33.36 = 166.64 left
    assert year_end_collection(13336, items)  # exactly enough
    assert not year_end_collection(13335, items)
    assert not year_end_collection(12000, items)  # 120.00: both due in cash
    assert not year_end_collection(None, items)  # no account: cash
