"""What every claim's money satisfies (docs/claims.md, step 7), stated once.

The database's CHECK constraints (db/models/claims.py), `ledger verify`
(services/verify_claims.py) and the monitor's R12 (services/monitor_claims.py) all read
these: a new way of paying (the wallet was one) is added here, and every check knows it.
Pure data: each identity names its columns; the callers turn it into SQL."""

from typing import NamedTuple


class Identity(NamedTuple):
    """`total` = the sum of `parts` less the sum of `less`, columns of `claims`."""

    total: str
    parts: tuple[str, ...]
    less: tuple[str, ...] = ()

    @property
    def formula(self) -> str:
        """The identity as a person reads it (and the CHECK's SQL): a formula is its own translation."""
        right = " + ".join(self.parts) + "".join(f" - {c}" for c in self.less)
        return f"{self.total} = {right}"

    def broken(self, row) -> object:
        """The condition that `row` (a table or a row of the claims' columns, SQL or plain
        values) breaks the identity."""
        right = sum((getattr(row, c) for c in self.parts[1:]), getattr(row, self.parts[0]))
        right = right - sum(getattr(row, c) for c in self.less) if self.less else right
        return getattr(row, self.total) != right


FEE_SPLIT = Identity("medfee_sumamt", ("fund_pay_sumamt", "psn_part_amt"))
FUND_SUM = Identity("fund_pay_sumamt", ("hifp_pay", "hifmi_pay", "hifob_pay"))
# The personal share: the accounts, the patient's wallet (migration 0021), the funds outside
# the basic scheme (a platform record's cvlserv_pay, maf_pay, ...) and cash (migration 0014).
PERSONAL_SPLIT = Identity(
    "psn_part_amt", ("acct_pay", "wallet_pay", "acct_mulaid_pay", "other_funds_pay", "psn_cash_pay")
)
POLICY_SCOPE = Identity("inscp_scp_amt", ("medfee_sumamt",), ("fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt"))

# What the money of a claim adds up to, in the order a reader follows it.
MONEY_SUMS = (FEE_SPLIT, FUND_SUM, PERSONAL_SPLIT)
# Every identity of a claim: its money, and the part of the fee within the policy's scope.
IDENTITIES = (*MONEY_SUMS, POLICY_SCOPE)
# The amounts' ranges, as the CHECK `amounts_not_negative` states them (migrations 0003, 0008),
# and the two shares added since, which the CHECK `personal_split` holds (0014, 0021).
AMOUNTS_IN_RANGE = (
    "medfee_sumamt > 0 AND inscp_scp_amt >= 0 AND act_pay_dedc >= 0 AND act_pay_dedc <= inscp_scp_amt"
    " AND hifp_pay >= 0 AND hifmi_pay >= 0 AND hifob_pay >= 0 AND psn_part_amt >= 0"
    " AND acct_pay >= 0 AND acct_mulaid_pay >= 0 AND psn_cash_pay >= 0 AND layer_selfpay >= 0"
)
SHARES_NOT_NEGATIVE = "other_funds_pay >= 0 AND wallet_pay >= 0"
