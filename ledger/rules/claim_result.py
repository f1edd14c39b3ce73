"""The result of a claim, in the shape and field order scripts read (docs/cli.md): built here
and serialised here, for a posted, duplicate or rejected claim alike.

A result is a frozen value. It is also a read-only mapping of its fields (`r["status"]`,
`r.items()`), since results were dicts before it and scripts index them so: through the
mapping, the lists are lists (`r["errors"] == []`) and each payer is `{psn_no, amount}`, as
they were; copies, so nothing a script does to them changes the result.
"""

from collections.abc import Iterator, Mapping
from typing import NamedTuple

from .adjudication import Adjudication, Payments
from .claim_input import FIELDS, Claim
from .money import Yuan, format_fen

# The amounts of a result, in order: what the funds paid, then how the patient's share was paid.
AMOUNTS = (
    "inscp_scp_amt", "act_pay_dedc", "hifp_pay", "hifmi_pay", "hifob_pay", "fund_pay_sumamt",
    "psn_part_amt", "acct_pay", "wallet_pay", "acct_mulaid_pay", "other_funds_pay", "psn_cash_pay",
)  # fmt: skip
POSTED, DUPLICATE, REJECTED = "posted", "duplicate", "rejected"
REVERSED = "reversed"  # a platform refund record: the claim it names was reversed


class Payer(NamedTuple):
    """A bound holder whose account paid part of the patient's share (acct_mulaid_pay)."""

    psn_no: str
    amount: Yuan


class ClaimResult(Mapping):
    """One claim's result; money as Yuan (integer fen inside), None where a rejected claim has none.

    Frozen: its values are one tuple, set once, and every field is a read-only property of
    it (built per claim of a batch, so it costs one allocation, not one per field)."""

    __slots__ = ("_values",)

    line: int | None
    # The input fields (docs/cli.md), as given or as read back
    setl_id: str | None
    psn_no: str | None
    service_date: str | None
    med_type: str | None
    hosp_lv: str | None
    dise_codg: str | None
    medfee_sumamt: str | None
    fulamt_ownpay_amt: str | None
    overlmt_selfpay: str | None
    preselfpay_amt: str | None
    acct_used_flag: str | None
    mulaid_payer: str | None
    # What became of it
    status: str
    year: int | None
    inscp_scp_amt: Yuan | None
    act_pay_dedc: Yuan | None
    hifp_pay: Yuan | None
    hifmi_pay: Yuan | None
    hifob_pay: Yuan | None
    fund_pay_sumamt: Yuan | None
    psn_part_amt: Yuan | None
    acct_pay: Yuan | None
    wallet_pay: Yuan | None  # the patient's 医保钱包 (docs/wallet.md)
    acct_mulaid_pay: Yuan | None
    mulaid_payers: tuple[Payer, ...]  # in paying order
    other_funds_pay: Yuan | None  # funds outside the basic scheme (a platform record's cvlserv_pay, maf_pay, ...)
    psn_cash_pay: Yuan | None
    balc: Yuan | None  # the patient's own account after the claim; None without one
    policy: tuple[str, ...]  # the policy files whose parameters were used
    no_fund_reason: str | None  # why no fund paid (a waiting period)
    errors: tuple[str, ...]
    warnings: tuple[str, ...]

    def __init__(self, *values):
        if len(values) != len(_NAMES):
            raise TypeError(f"a ClaimResult has {len(_NAMES)} fields, got {len(values)} values")
        object.__setattr__(self, "_values", values)

    def __setattr__(self, name, value):
        raise AttributeError(f"a ClaimResult is frozen: {name} cannot be set")

    def __delattr__(self, name):
        raise AttributeError(f"a ClaimResult is frozen: {name} cannot be deleted")

    def __eq__(self, other):
        if isinstance(other, ClaimResult):
            return self._values == other._values
        return Mapping.__eq__(self, other)

    __hash__ = None  # a mapping of lists and dicts, as dicts are

    @classmethod
    def posted(
        cls,
        c: Claim,
        amounts: tuple[int, ...],
        payers: tuple[tuple[str, int], ...],
        balc: int | None,
        policy: tuple[str, ...],
        *,
        line: int | None = None,
        warnings: tuple[str, ...] = (),
        no_fund_reason: str | None = None,
    ) -> "ClaimResult":
        """A posted claim: its input as read, `amounts` in AMOUNTS order (fen), `payers`
        as (holder psn_no, fen) in paying order."""
        inscp, dedc, hifp, hifmi, hifob, fund, part, acct, wallet, mulaid, other, cash = amounts
        return cls(
            line,
            c.setl_id,
            c.psn_no,
            c.service_date.isoformat(),
            c.med_type,
            c.hosp_lv,
            c.dise_codg,
            format_fen(c.medfee_sumamt),
            format_fen(c.fulamt_ownpay_amt),
            format_fen(c.overlmt_selfpay),
            format_fen(c.preselfpay_amt),
            c.acct_used_flag,
            c.mulaid_payer,
            POSTED,
            c.year,
            Yuan(inscp),
            Yuan(dedc),
            Yuan(hifp),
            Yuan(hifmi),
            Yuan(hifob),
            Yuan(fund),
            Yuan(part),
            Yuan(acct),
            Yuan(wallet),
            Yuan(mulaid),
            tuple([Payer(h, Yuan(amount)) for h, amount in payers]) if payers else (),
            Yuan(other),
            Yuan(cash),
            None if balc is None else Yuan(balc),
            tuple(policy),
            no_fund_reason,
            (),
            tuple(warnings),
        )

    @classmethod
    def settled(
        cls, c: Claim, a: Adjudication, pay: Payments, balc: int | None, policy: tuple[str, ...], **kw
    ) -> "ClaimResult":
        """A claim posted now, from the pure rules' split of it."""
        amounts = (
            a.inscp_scp_amt, a.act_pay_dedc, a.hifp_pay, a.hifmi_pay, a.hifob_pay, a.fund_pay_sumamt,
            a.psn_part_amt, pay.acct_pay, pay.wallet_pay, pay.acct_mulaid_pay, pay.other_funds_pay, pay.psn_cash_pay,
        )  # fmt: skip
        return cls.posted(c, amounts, pay.mulaid, balc, policy, **kw)

    @classmethod
    def rejected(cls, line: int | None, raw: object, message: str) -> "ClaimResult":
        """A claim refused: the input fields as given (where the row was an object), one message."""
        given = [raw.get(f) if isinstance(raw, Mapping) else None for f in FIELDS]
        return cls(line, *given, REJECTED, None, *([None] * 10), (), None, None, None, (), None, (message,), ())

    @classmethod
    def refund(cls, line: int | None, given: dict, status: str) -> "ClaimResult":
        """A platform refund record (refd_setl_flag 1), as read: `reversed` when the claim
        it names was reversed now, `duplicate` when this record had reversed it before."""
        return cls(
            line, *(given.get(f) for f in FIELDS), status, None, *([None] * 10), (), None, None, None, (), None, (), ()
        )

    def again(self, line: int | None, status: str = DUPLICATE) -> "ClaimResult":
        """The same claim met again (on `line`): a duplicate of what was posted."""
        v = list(self._values)
        v[0], v[_STATUS] = line, status
        return ClaimResult(*v)

    # Read-only mapping of the fields, in order ---------------------------------------

    def __getitem__(self, key: str):
        i = _INDEX.get(key) if isinstance(key, str) else None
        if i is None:
            raise KeyError(key)
        v = self._values[i]
        if key == "mulaid_payers":
            return [p._asdict() for p in v]
        return list(v) if isinstance(v, tuple) else v

    def __iter__(self) -> Iterator[str]:
        return iter(_NAMES)

    def __len__(self) -> int:
        return len(_NAMES)

    def __repr__(self) -> str:
        return f"ClaimResult({self.status} {self.setl_id!r}, line {self.line})"

    def as_json(self) -> dict:
        """The result as JSON values: money as yuan strings with two decimals, lists for tuples."""
        out = {}
        for name in _NAMES:
            v = self[name]
            if isinstance(v, Yuan):
                v = str(v)
            elif name == "mulaid_payers":
                v = [{"psn_no": p["psn_no"], "amount": str(p["amount"])} for p in v]
            out[name] = v
        return out


_NAMES = tuple(ClaimResult.__annotations__)
_INDEX = {name: i for i, name in enumerate(_NAMES)}
_STATUS = _INDEX["status"]
for _i, _name in enumerate(_NAMES):
    setattr(ClaimResult, _name, property(lambda self, _i=_i: self._values[_i], doc=f"{_name}, read-only"))
assert _NAMES[1 : 1 + len(FIELDS)] == FIELDS, "a result starts with the input fields, in order"
assert _NAMES[15:25] + _NAMES[26:28] == AMOUNTS, "the amounts, in order"
