"""What the year-end rollover decides for one person, as pure functions: the residents'
major-illness cap incentives (国办发〔2024〕38号, docs/rules.md §3, §5) and the year-end
deductions from personal accounts (docs/rules.md §2, §5). No database here."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property

from ..i18n import _
from ..policy.book import PolicyBook, review_warning
from .adjudication import Counter, round_fen
from .benefits import LARGE_EXPENSE, MAJOR_ILLNESS, cap_parameter

YEAR_END_ITEMS = ("employee.retired.year_end.large_expense_premium", "employee.retired.year_end.disabled_care_premium")
YEAR_END_FOR = "employee.retired.year_end.for_year"


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

    @cached_property
    def limit(self) -> int:
        """The most the two bonuses may add together, fen (rounded half-up)."""
        return round_fen(self.base_cap * self.max_share_of_cap)


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
    raise ValueError(
        _("unknown zero-claim basis {basis!r}").format(basis=basis)
    )  # the policy schema admits only the two


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
    return Incentive(years, zero, continuous_bonus, min(continuous_bonus + zero, p.limit))


def incentive_for(
    p: IncentivePolicy,
    closing_year: int,
    enrolled: set[int],
    before: Incentive | None,
    closing_major_illness: Counter | None,
    fund_paid: int,
    claims_standing: int,
) -> Incentive:
    """The new year's incentive of a resident enrolled in the closing year, from what the
    closing year left: its incentive (None before the first), its major-illness counter,
    what the funds paid and how many of its claims stand."""
    through = (
        before.continuous_years
        if before is not None
        else continuous_years_through(closing_year, enrolled, p.start_year)
    )
    # The bonus was used when the fund paid into the part of the cap the bonus had added.
    used = (
        before is not None
        and before.bonus > 0
        and closing_major_illness is not None
        and closing_major_illness.fund_paid > closing_major_illness.cap - before.bonus
    )
    zero = zero_claim_year(p.zero_claim_basis, fund_paid, claims_standing)
    return next_incentive(p, closing_year, through, before.zero_claim_bonus if before is not None else 0, zero, used)


def year_end_collection(balance: int | None, items: list[tuple[str, int]]) -> bool:
    """Whether the year-end items are taken from the account. Changchun collects them "in
    one go" (一次性缴纳) from the account where there is one: all items if the balance
    covers them all, none otherwise, and then they are all due in cash. No partial
    deduction of an item, ever."""
    return balance is not None and balance >= sum(amount for _name, amount in items)


# The counters each scheme opens in the new year, each with its cap parameter (benefits.py).
CAPS = {
    scheme: tuple((bucket, cap_parameter(scheme, bucket)) for bucket in buckets)
    for scheme, buckets in (
        ("employee", ("outpatient", "inpatient", LARGE_EXPENSE)),
        ("resident", ("outpatient", "inpatient", MAJOR_ILLNESS)),
    )
}


class RegionRules:
    """The new year's parameters for one pooling area, read once per run: the counters'
    caps by scheme, the retirees' year-end items, the incentive policy, and what a person
    running the rollover must hear about them (`warnings`)."""

    def __init__(self, book: PolicyBook, region: str, new_year: int):
        on = date(new_year, 1, 1)
        in_force = book.in_force(region, on)
        given = {name: r.value for name, r in in_force.items()}
        self.caps = {
            scheme: {bucket: given[name] for bucket, name in caps if name in given} for scheme, caps in CAPS.items()
        }
        used = [name for caps in CAPS.values() for _cap, name in caps if name in given]
        self.warnings: list[str] = []
        self.items = self._items(region, new_year, in_force)
        used += [name for name, _amount in self.items] + (
            [YEAR_END_FOR] if self.items and YEAR_END_FOR in given else []
        )
        self.incentive = self._incentive(book, region, on, given)
        if self.incentive is not None:
            used += [n for n in in_force if n.startswith("resident.incentive.")]
        # Values used past their file's review date are used, and said so (as for claims).
        documents = {in_force[n].document.name: in_force[n].document for n in used}
        self.warnings += [w for name in sorted(documents) if (w := review_warning(documents[name], on))]

    def _items(self, region: str, new_year: int, in_force: dict) -> list[tuple[str, int]]:
        """The year-end items to collect for the new year. They are announced for a year
        (Changchun: 2024年大额医疗费用补助100元……需于12月末一次性缴纳): a file that names the
        year collects them for that year only, and another year's are said, not collected."""
        items = [
            (name, in_force[name].value) for name in YEAR_END_ITEMS if name in in_force and in_force[name].value > 0
        ]
        meant = in_force.get(YEAR_END_FOR)
        if items and meant is not None and meant.value != new_year:
            self.warnings.append(
                _(
                    "region {region}: the year-end items in force ({value}) are for {value2} ({name}), not {new_year}: none collected; load a policy file that sets them for {new_year} to collect them"
                ).format(
                    region=region,
                    value=", ".join(n.rsplit(".", 1)[-1] for n, _amount in items),
                    value2=meant.value,
                    name=meant.document.name,
                    new_year=new_year,
                )
            )
            return []
        return items

    def _incentive(self, book: PolicyBook, region: str, on: date, given: dict) -> IncentivePolicy | None:
        """A region takes part in the incentives from the year its policy names; once it
        does, every amount they need must be given (a missing one is an error, not 0)."""
        if "resident.incentive.start_year" not in given or "major_illness" not in self.caps["resident"]:
            return None
        return IncentivePolicy(
            start_year=given["resident.incentive.start_year"],
            years_before_bonus=book.get(region, on, "resident.incentive.continuous.years_before_bonus").value,
            per_continuous_year=book.get(region, on, "resident.incentive.continuous.minimum_per_year").value,
            per_zero_claim_year=book.get(region, on, "resident.incentive.zero_claim.minimum").value,
            max_share_of_cap=book.get(region, on, "resident.incentive.max_share_of_cap").value,
            base_cap=self.caps["resident"]["major_illness"],
            zero_claim_basis=book.get(region, on, "resident.incentive.zero_claim.basis").value,
        )
