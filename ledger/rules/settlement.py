"""The fold of a chunk's claims over the figures held for it: each claim is adjudicated on
the counters and balances as the claims before it left them, and moves them. Pure: the
posting service locks and reads the figures, calls `settle` claim by claim, and writes
what the fold leaves (docs/claims.md).

    counter_keys(Claim, ClaimRules)           -> [(counter key, cap it opens at)]
    settle(Claim, ClaimRules, payers, Held)   -> (Adjudication, Payments), Held moved
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..errors import Conflict
from ..i18n import _
from .adjudication import Adjudication, Counter, Payments, adjudicate, pay_personal_share
from .benefits import COMBINED, ClaimRules
from .claim_input import Claim
from .money import format_fen

CounterKey = tuple[str, int, str]  # (psn_no, year, bucket)


@dataclass
class Held:
    """The chunk's figures in memory: usage counters by key, personal-account balances by
    owner, and which counters the claims so far have moved."""

    counters: dict[CounterKey, Counter]
    balances: dict[str, int]
    moved: set[CounterKey] = field(default_factory=set)
    wallets: dict[str, int] = field(default_factory=dict)  # owner -> what their wallet holds


def counter_keys(c: Claim, rules: ClaimRules) -> list[tuple[CounterKey, int]]:
    """The usage counters a claim moves, each with the cap it opens at: its basic bucket,
    its second layer, and the two together where the policy caps them so."""
    out = [((c.psn_no, c.year, r.bucket), r.cap) for r in (rules.basic, rules.layer) if r is not None]
    if rules.layer is not None and rules.layer.combined_cap is not None:
        out.append(((c.psn_no, c.year, COMBINED), rules.layer.combined_cap))
    return out


def settle(
    c: Claim,
    rules: ClaimRules,
    payers: Sequence[str],
    held: Held,
    other_funds: int = 0,
    wallet_first: bool | None = None,
) -> tuple[Adjudication, Payments]:
    """Adjudicate one claim on the held figures and move them. `payers`: the bound holders
    whose accounts may pay, in paying order. `other_funds`: what funds outside the basic
    scheme paid of the personal share (a platform record's); they pay before the accounts,
    and a claim whose share is smaller than they is refused, nothing moved. `wallet_first`:
    None where the patient's wallet does not pay, else whether it pays before the holders'
    accounts (docs/wallet.md). (Written out role by role, not looped: this runs for every
    claim of a batch.)"""
    counters = held.counters
    basic = (c.psn_no, c.year, rules.basic.bucket) if rules.basic is not None else None
    layer = combined = None
    if rules.layer is not None:
        layer = (c.psn_no, c.year, rules.layer.bucket)
        if rules.layer.combined_cap is not None:
            combined = (c.psn_no, c.year, COMBINED)
    a = adjudicate(
        c,
        rules,
        counters.get(basic) if basic else None,
        counters.get(layer) if layer else None,
        counters.get(combined) if combined else None,
    )
    if other_funds > a.psn_part_amt:
        raise Conflict(
            _(
                "other funds: cvlserv_pay, hifes_pay, maf_pay, oth_pay and hosp_part_amt pay {other_funds}, more than the personal share {psn_part_amt} the ledger leaves after the basic scheme"
            ).format(other_funds=format_fen(other_funds), psn_part_amt=format_fen(a.psn_part_amt))
        )
    if basic in counters:
        counters[basic] = counters[basic].basic_after(a)
        held.moved.add(basic)
    if layer in counters:
        counters[layer] = counters[layer].layer_after(a)
        held.moved.add(layer)
    if combined in counters:
        counters[combined] = counters[combined].combined_after(a)
        held.moved.add(combined)
    balances = held.balances
    own = balances.get(c.psn_no)
    others = [(h, balances[h]) for h in payers if h in balances] if payers else []
    wallet = held.wallets.get(c.psn_no) if wallet_first is not None else None
    pay = pay_personal_share(
        a.psn_part_amt - other_funds, c.acct_used_flag == "1", own, others, wallet, wallet_first is not False
    )
    if other_funds:
        pay = pay._replace(other_funds_pay=other_funds)
    if own is not None and pay.acct_pay:
        balances[c.psn_no] -= pay.acct_pay
    if pay.wallet_pay:
        held.wallets[c.psn_no] -= pay.wallet_pay
    for h, amount in pay.mulaid:
        balances[h] -= amount
    return a, pay
