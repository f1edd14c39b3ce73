"""Claims read back: the result of a claim in the shape scripts read (docs/cli.md),
`ledger claim show`, and a person's usage of the year's buckets. Reads only."""

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.models import BenefitUsage, ClaimMutualAid, ClaimRecord, ClaimReversal
from ..errors import NotFound
from ..rules.benefits import LAYER_BOOKS
from ..rules.claim_input import FIELDS, Claim
from ..rules.money import Yuan, format_fen
from ..rules.persons import check_year
from ..uow import UnitOfWork
from .records import get_person

RESULT_FIELDS = (
    "inscp_scp_amt", "act_pay_dedc", "hifp_pay", "hifmi_pay", "hifob_pay", "fund_pay_sumamt",
    "psn_part_amt", "acct_pay", "acct_mulaid_pay", "psn_cash_pay",
)  # fmt: skip


def view(
    c: Claim,
    status: str,
    amounts: tuple[int, ...],
    payers: list[dict],
    balc: int | None,
    policy: list[str],
    *,
    line: int | None = None,
    warnings=(),
    no_fund_reason: str | None = None,
) -> dict:
    """A result in docs/cli.md's shape and field order; `amounts` in RESULT_FIELDS order."""
    inscp, dedc, hifp, hifmi, hifob, fund, part, acct, mulaid, cash = amounts
    return {
        "line": line,
        "setl_id": c.setl_id,
        "psn_no": c.psn_no,
        "service_date": c.service_date.isoformat(),
        "med_type": c.med_type,
        "hosp_lv": c.hosp_lv,
        "dise_codg": c.dise_codg,
        "medfee_sumamt": format_fen(c.medfee_sumamt),
        "fulamt_ownpay_amt": format_fen(c.fulamt_ownpay_amt),
        "overlmt_selfpay": format_fen(c.overlmt_selfpay),
        "preselfpay_amt": format_fen(c.preselfpay_amt),
        "acct_used_flag": c.acct_used_flag,
        "mulaid_payer": c.mulaid_payer,
        "status": status,
        "year": c.year,
        "inscp_scp_amt": Yuan(inscp),
        "act_pay_dedc": Yuan(dedc),
        "hifp_pay": Yuan(hifp),
        "hifmi_pay": Yuan(hifmi),
        "hifob_pay": Yuan(hifob),
        "fund_pay_sumamt": Yuan(fund),
        "psn_part_amt": Yuan(part),
        "acct_pay": Yuan(acct),
        "acct_mulaid_pay": Yuan(mulaid),
        "mulaid_payers": payers,
        "psn_cash_pay": Yuan(cash),
        "balc": None if balc is None else Yuan(balc),
        "policy": policy,
        "no_fund_reason": no_fund_reason,
        "errors": [],
        "warnings": list(warnings),
    }


def rejected(line: int | None, raw: object, message: str) -> dict:
    fields = {f: (raw.get(f) if isinstance(raw, dict) else None) for f in FIELDS}
    # The same keys, in the same order, as a posted result: scripts read one shape.
    return {
        "line": line,
        **fields,
        "status": "rejected",
        "year": None,
        **dict.fromkeys(RESULT_FIELDS[:9]),
        "mulaid_payers": [],
        "psn_cash_pay": None,
        "balc": None,
        "policy": [],
        "no_fund_reason": None,
        "errors": [message],
        "warnings": [],
    }


def _recordview(r: ClaimRecord, payers: list[dict]) -> dict:
    c = Claim(**{f: getattr(r, f) for f in FIELDS})
    v = view(
        c,
        "posted",
        tuple(getattr(r, f) for f in RESULT_FIELDS),
        payers,
        r.balc,
        json.loads(r.policy),
        no_fund_reason=r.no_fund_reason,
    )
    return v | {"_fingerprint": r.fingerprint, "_posted_at": r.created_at, "_id": r.id}


def posted_views(s: Session, setl_ids: set[str]) -> dict[str, dict]:
    if not setl_ids:
        return {}
    records = s.scalars(select(ClaimRecord).where(ClaimRecord.setl_id.in_(setl_ids))).all()
    payers: dict[int, list] = {}
    if records:
        for m in s.scalars(
            select(ClaimMutualAid)
            .where(ClaimMutualAid.claim_id.in_([r.id for r in records]))
            .order_by(ClaimMutualAid.claim_id, ClaimMutualAid.seq)
        ):
            payers.setdefault(m.claim_id, []).append({"psn_no": m.payer_psn_no, "amount": Yuan(m.amount)})
    return {r.setl_id: _recordview(r, payers.get(r.id, [])) for r in records}


# Reversal, show, usage ----------------------------------------------------------------


def show_claim(uow: UnitOfWork, setl_id: str) -> dict:
    with uow.read_only():
        return show(uow.session, claim_record(uow.session, setl_id))


def claim_record(s: Session, setl_id: str) -> ClaimRecord:
    r = s.scalars(select(ClaimRecord).where(ClaimRecord.setl_id == (setl_id or "").strip())).one_or_none()
    if r is None:
        raise NotFound(f"setl_id: no claim {setl_id!r} is posted")
    return r


def show(s: Session, r: ClaimRecord) -> dict:
    view = posted_views(s, {r.setl_id})[r.setl_id]
    rev = s.scalars(select(ClaimReversal).where(ClaimReversal.claim_id == r.id)).first()
    view = {k: v for k, v in view.items() if not k.startswith("_") and k != "line"}
    view["posted_at"] = r.created_at
    view["operator"] = r.operator
    view["reversal"] = (
        None if rev is None else {"reversed_on": rev.reversed_on, "reason": rev.reason, "operator": rev.operator}
    )
    return view


def usage(uow: UnitOfWork, psn_no: str, year: int) -> dict:
    """`ledger usage`: the year's counters of one person (docs/cli.md)."""
    year = check_year(year)
    with uow.read_only():
        s = uow.session
        p = get_person(s, psn_no)
        rows = s.scalars(
            select(BenefitUsage)
            .where(BenefitUsage.psn_no == p.psn_no, BenefitUsage.year == year)
            .order_by(BenefitUsage.bucket)
        ).all()
        buckets = []
        for u in rows:
            b = {
                "bucket": u.bucket,
                "cap": Yuan(u.cap),
                "fund_paid": Yuan(u.fund_paid),
                "deductible_met": Yuan(u.deductible_met),
                "remaining": Yuan(u.cap - u.fund_paid),
            }
            if u.bucket in LAYER_BOOKS:
                b["selfpay"] = Yuan(u.selfpay)  # the accumulated policy-scope self-pay the bands apply to
            buckets.append(b)
        return {"psn_no": p.psn_no, "name": p.name, "year": year, "buckets": buckets}
