"""What the year-end rollover decides for one person, as pure functions: the residents'
major-illness cap incentives (国办发〔2024〕38号, docs/rules.md §3, §5) and the year-end
deductions from personal accounts (docs/rules.md §2, §5). No database here."""

from dataclasses import dataclass
from decimal import Decimal

from .adjudication import round_fen


@dataclass(frozen=True)
class IncentivePolicy:
    """Read for the person's region on 1 January of the new year."""

    start_year: int  # years before it never count
    years_before_bonus: int  # continuous years that earn nothing yet (Songyuan: 4)
    per_continuous_year: int  # fen, for each continuous year after those
    per_zero_claim_year: int  # fen, for each year without fund reimbursement
    max_share_of_cap: Decimal  # the two together at most this share of the original cap
    base_cap: int  # the original major-illness cap, fen
    zero_claim_basis: str  # what makes a zero-claim year: see ZERO_CLAIM_BASES


@dataclass(frozen=True)
class Incentive:
    continuous_years: int  # through the new year, counted from start_year
    zero_claim_bonus: int  # accumulated, fen
    continuous_bonus: int
    bonus: int  # what the new year's cap is raised by, after the limit


# Two readings of a "zero-claim" year. Songyuan's document: 当年未发生医疗费用, no medical
# expense at all that year. The national reading: no reimbursement by the funds, so a claim
# that stayed under the deductible still leaves a zero-claim year.
NO_MEDICAL_EXPENSE, NO_FUND_REIMBURSEMENT = "no_medical_expense", "no_fund_reimbursement"
ZERO_CLAIM_BASES = (NO_MEDICAL_EXPENSE, NO_FUND_REIMBURSEMENT)


def zero_claim_year(basis: str, fund_paid: int, claims_standing: int) -> bool:
    """Whether a closing year counts as a zero-claim year: by the funds' payments in it, or
    by the claims (not reversed) posted for it at all."""
    if basis == NO_FUND_REIMBURSEMENT:
        return fund_paid == 0
    if basis == NO_MEDICAL_EXPENSE:
        return claims_standing == 0
    raise ValueError(f"unknown zero-claim basis {basis!r}")  # the policy schema admits only the two


def continuous_years_through(year: int, enrolled: set[int], start_year: int) -> int:
    """Enrolled years in a row ending with `year`, not counting years before start_year.
    A break restarts the count (docs/rules.md §3)."""
    n, y = 0, year
    while y >= start_year and y in enrolled:
        n, y = n + 1, y - 1
    return n


def next_incentive(
    p: IncentivePolicy,
    closing_year: int,
    continuous_through_closing: int,
    zero_bonus_so_far: int,
    zero_claim_in_closing: bool,
    used_bonus_in_closing: bool,
) -> Incentive:
    """The incentive for closing_year + 1, for a resident enrolled in the closing year and
    (as the rollover assumes) continuing in the next.

    - Continuous: after `years_before_bonus` continuous years, each further one adds
      `per_continuous_year`; the new year counts as one of them.
    - Zero claim: a closing year (from start_year on) that `zero_claim_year` counts as one
      adds `per_zero_claim_year` to what earlier such years accumulated; a year in which a
      major-illness claim used the bonus resets the accumulation to zero.
    - Together at most `max_share_of_cap` of the original cap (rounded half-up to the fen).
    """
    years = continuous_through_closing + 1 if closing_year + 1 >= p.start_year else 0
    continuous_bonus = max(0, years - p.years_before_bonus) * p.per_continuous_year
    if used_bonus_in_closing:
        zero = 0
    elif zero_claim_in_closing and closing_year >= p.start_year:
        zero = zero_bonus_so_far + p.per_zero_claim_year
    else:
        zero = zero_bonus_so_far
    limit = round_fen(p.base_cap * p.max_share_of_cap)
    return Incentive(years, zero, continuous_bonus, min(continuous_bonus + zero, limit))


def year_end_collection(balance: int | None, items: list[tuple[str, int]]) -> bool:
    """Whether the year-end items are taken from the account. Changchun collects them "in
    one go" (一次性缴纳) from the account where there is one: all items if the balance
    covers them all, none otherwise, and then they are all due in cash. No partial
    deduction of an item, ever."""
    return balance is not None and balance >= sum(amount for _, amount in items)
