"""The order of money in a claim (docs/claims.md), as pure arithmetic on integer fen.

`adjudicate` splits a claim between the funds and the patient from the rules and the
year's counters; `pay_personal_share` splits the patient's share between accounts and
cash. Neither touches a database: the posting service reads the counters and balances,
calls these, and writes what they return.
"""

from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from ..policy.parameters import Segment
from .benefits import LARGE_EXPENSE, ClaimRules
from .claim_input import Claim


def round_fen(amount: Decimal) -> int:
    """Half-up to the fen (四舍五入), applied once per computed amount (docs/rules.md §5)."""
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


class Counter(NamedTuple):
    """A year's usage of one bucket before the claim: what the fund has paid against
    `cap`, the deductible met, and (second layer) the policy-scope self-pay so far."""

    cap: int
    fund_paid: int = 0
    deductible_met: int = 0
    selfpay: int = 0

    @property
    def remaining(self) -> int:
        return max(0, self.cap - self.fund_paid)

    # The counter after a claim, one rule per role a counter plays for it. (Immutable values
    # made for every claim of a batch: named tuples, one allocation each.)
    def basic_after(self, a: "Adjudication") -> "Counter":
        return Counter(self.cap, self.fund_paid + a.hifp_pay, self.deductible_met + a.act_pay_dedc, self.selfpay)

    def layer_after(self, a: "Adjudication") -> "Counter":
        return Counter(
            self.cap, self.fund_paid + a.hifmi_pay + a.hifob_pay, self.deductible_met, self.selfpay + a.layer_selfpay
        )

    def combined_after(self, a: "Adjudication") -> "Counter":
        return Counter(self.cap, self.fund_paid + a.hifp_pay + a.hifob_pay, self.deductible_met, self.selfpay)


class Adjudication(NamedTuple):
    inscp_scp_amt: int
    act_pay_dedc: int
    hifp_pay: int
    hifmi_pay: int
    hifob_pay: int
    layer_selfpay: int  # policy-scope self-pay this claim added to the second layer's base
    fund_pay_sumamt: int
    psn_part_amt: int


def segment_total(segments: tuple[Segment, ...], accumulated: int) -> int:
    """What the bands pay on `accumulated` self-pay in all, rounded once. A claim's payment
    is total(after) − total(before), so a year's payments add up exactly to the total on
    the year's sum, whatever the order and size of the claims."""
    total = Decimal(0)
    for i, seg in enumerate(segments):
        end = segments[i + 1].start if i + 1 < len(segments) else None
        top = accumulated if end is None else min(accumulated, end)
        if top > seg.start:
            total += (top - seg.start) * seg.ratio
    return round_fen(total)


def adjudicate(
    claim: Claim, rules: ClaimRules, basic: Counter | None, layer: Counter | None, combined: Counter | None = None
) -> Adjudication:
    """Steps 1-5 of the order of money (docs/claims.md) for one claim, given the counters as
    they stand before it. `combined` is the year's counter of a cap on the basic fund and
    the second layer together, where the policy sets one: the basic fund takes its share of
    what is left under it first, the second layer the rest."""
    inscp = claim.medfee_sumamt - claim.fulamt_ownpay_amt - claim.overlmt_selfpay - claim.preselfpay_amt
    dedc = hifp = 0
    if rules.basic is not None:
        assert basic is not None
        owed = max(0, rules.basic.deductible - basic.deductible_met)
        dedc = min(owed, inscp)
        hifp = min(round_fen((inscp - dedc) * rules.basic.ratio), basic.remaining)
    if combined is not None:
        hifp = min(hifp, combined.remaining)
    second = selfpay = 0
    if rules.layer is not None:
        assert layer is not None
        # Everything in scope the basic fund did not pay: deductible, co-insurance, and
        # whatever its cap cut off.
        selfpay = inscp - hifp
        due = segment_total(rules.layer.segments, layer.selfpay + selfpay) - segment_total(
            rules.layer.segments, layer.selfpay
        )
        second = min(due, layer.remaining)
        if combined is not None:
            second = min(second, combined.remaining - hifp)
    hifmi, hifob = (0, second) if rules.layer is not None and rules.layer.bucket == LARGE_EXPENSE else (second, 0)
    fund = hifp + hifmi + hifob
    return Adjudication(inscp, dedc, hifp, hifmi, hifob, selfpay, fund, claim.medfee_sumamt - fund)


class Payments(NamedTuple):
    acct_pay: int
    mulaid: tuple[tuple[str, int], ...]  # (payer psn_no, amount), in paying order
    psn_cash_pay: int
    other_funds_pay: int = 0  # funds outside the basic scheme, which pay before the accounts
    wallet_pay: int = 0  # the patient's 医保钱包 (docs/wallet.md)

    @property
    def acct_mulaid_pay(self) -> int:
        return sum(a for _, a in self.mulaid)


def pay_personal_share(
    share: int,
    use_accounts: bool,
    own_balance: int | None,
    payers: list[tuple[str, int]],
    wallet: int | None = None,
    wallet_first: bool = True,
) -> Payments:
    """docs/claims.md, step 6: the patient's own account first, then their wallet (which
    holds `wallet`; None: it does not pay) and each bound holder's account in the order
    given, the wallet before the holders' accounts where `wallet_first`, after them
    otherwise; then cash. Balances are what each holds now; none is drawn below zero."""
    if not use_accounts:
        return Payments(0, (), share)
    acct = min(share, own_balance or 0)
    left = share - acct
    from_wallet = 0
    if wallet and wallet_first:
        from_wallet = min(left, wallet)
        left -= from_wallet
    mulaid = []
    for psn_no, balance in payers:
        if left == 0:
            break
        take = min(left, balance)
        if take > 0:
            mulaid.append((psn_no, take))
            left -= take
    if wallet and not wallet_first:
        from_wallet = min(left, wallet)
        left -= from_wallet
    return Payments(acct, tuple(mulaid), left, wallet_pay=from_wallet)
