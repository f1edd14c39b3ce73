"""The last phase of posting claims: what the fold settled, written with a few set-based
statements (the journal writer's postings, the claim rows by column name, the mutual-aid
payments, the counters, the reports' running sums). Never commits; the posting service does."""

from collections import namedtuple
from datetime import datetime
from typing import NamedTuple

from sqlalchemy.orm import Session

from ..db import claim_gateway as gateway
from ..db import rollups
from ..db.models import ClaimMutualAid, ClaimRecord
from ..db.sql import bulk_insert, reserve_ids
from ..rules.adjudication import Adjudication, Payments
from ..rules.benefits import COMBINED, LAYER_BOOKS, ClaimRules
from ..rules.claim_input import FIELDS, MED_TYPES, Claim
from ..rules.claim_result import ClaimResult
from ..rules.codes import OTHER_FUNDS
from ..rules.national import Record
from ..rules.settlement import Held
from .journal import WALLET, Draft, Leg, post_many
from .platform_records import write_sources

CLAIM_COLUMNS = (
    "id", *FIELDS, "year", "fingerprint", "bucket", "layer_bucket", "combined_bucket", "inscp_scp_amt", "act_pay_dedc",
    "hifp_pay", "hifmi_pay", "hifob_pay", "layer_selfpay", "fund_pay_sumamt", "psn_part_amt", "acct_pay", "acct_mulaid_pay",
    "psn_cash_pay", "balc", "policy", "no_fund_reason", "posting_id", "operator", "created_at", "other_funds_pay",
    "fixmedins_code", "wallet_pay",
)  # fmt: skip
MULAID_COLUMNS = ("claim_id", "service_date", "seq", "payer_psn_no", "binding_id", "amount")
# A claim row is a tuple in column order, built by column name.
ClaimRow = namedtuple("ClaimRow", CLAIM_COLUMNS)


class Settled(NamedTuple):
    """A claim the fold settled: what the writer needs of it."""

    claim: Claim
    rules: ClaimRules
    bindings: dict[str, int]  # holder -> the binding their account pays under
    no_fund_reason: str | None
    adjudication: Adjudication
    payments: Payments
    result: ClaimResult
    source: Record | None = None  # the platform record it was posted from


def write(
    s: Session,
    operator: str,
    settled: list[Settled],
    held: Held,
    counter_ids: dict,
    account_ids: dict,
    now: datetime,
    patients: dict | None = None,
) -> None:
    """The counters moved and the reports' running sums first, then the postings (the
    journal writer moves the balances to what `held` says they are now), the claims that
    reference them and their payers. `patients`: psn_no -> (.., region, insutype,
    psn_type) of the claims' patients where the caller has them already.

    The order is the lock order: the journal's chain head (taken by the journal writer) is
    the one lock every writer shares, and it is held until commit, so it comes last and
    covers only the statements that need the postings' ids."""
    gateway.save_counters(s, counter_ids, held.counters, held.moved)
    claim_ids = reserve_ids(s, ClaimRecord.__table__, len(settled))
    claims = [
        claim_row(x, id=cid, posting_id=None, operator=operator, created_at=now)
        for x, cid in zip(settled, claim_ids, strict=True)
    ]
    if patients is None:
        patients = gateway.persons(s, {c.psn_no for c in claims})
    rollups.add_claims(s, claims, {p: (x.region, x.insutype, x.psn_type or "") for p, x in patients.items()})
    drafts = [
        Draft(
            "claim",
            x.claim.service_date,
            f"claim {x.claim.setl_id}: {MED_TYPES[x.claim.med_type].name}",
            claim_legs(x.claim, x.rules, x.adjudication, x.payments, account_ids, x.source),
            x.claim.setl_id,
        )
        for x in settled
    ]
    posting_ids = post_many(s, drafts, operator, now)
    claims = [c._replace(posting_id=pid) for c, pid in zip(claims, posting_ids, strict=True)]
    bulk_insert(s, ClaimRecord.__table__, CLAIM_COLUMNS, claims)
    mulaid = [
        (cid, x.claim.service_date, n, h, x.bindings[h], amount)
        for x, cid in zip(settled, claim_ids, strict=True)
        for n, (h, amount) in enumerate(x.payments.mulaid, 1)
    ]
    bulk_insert(s, ClaimMutualAid.__table__, MULAID_COLUMNS, mulaid)
    sources = [
        (x.source, cid, x.claim.service_date) for x, cid in zip(settled, claim_ids, strict=True) if x.source is not None
    ]
    if sources:
        write_sources(s, sources, now)


def claim_row(x: Settled, **written) -> ClaimRow:
    """A claim's row by column name; `written` adds what the writer knows (ids, times)."""
    c, rules, a, pay, balc = x.claim, x.rules, x.adjudication, x.payments, x.result.balc
    return ClaimRow(
        **written,
        setl_id=c.setl_id,
        psn_no=c.psn_no,
        service_date=c.service_date,
        med_type=c.med_type,
        hosp_lv=c.hosp_lv,
        dise_codg=c.dise_codg,
        medfee_sumamt=c.medfee_sumamt,
        fulamt_ownpay_amt=c.fulamt_ownpay_amt,
        overlmt_selfpay=c.overlmt_selfpay,
        preselfpay_amt=c.preselfpay_amt,
        acct_used_flag=c.acct_used_flag,
        mulaid_payer=c.mulaid_payer,
        year=c.year,
        fingerprint=c.fingerprint(),
        bucket=rules.basic.bucket if rules.basic else None,
        layer_bucket=rules.layer.bucket if rules.layer else None,
        combined_bucket=COMBINED if rules.layer and rules.layer.combined_cap is not None else None,
        inscp_scp_amt=a.inscp_scp_amt,
        act_pay_dedc=a.act_pay_dedc,
        hifp_pay=a.hifp_pay,
        hifmi_pay=a.hifmi_pay,
        hifob_pay=a.hifob_pay,
        layer_selfpay=a.layer_selfpay,
        fund_pay_sumamt=a.fund_pay_sumamt,
        psn_part_amt=a.psn_part_amt,
        acct_pay=pay.acct_pay,
        acct_mulaid_pay=pay.acct_mulaid_pay,
        psn_cash_pay=pay.psn_cash_pay,
        balc=None if balc is None else balc.fen,
        policy=rules.policy_json,
        no_fund_reason=x.no_fund_reason,
        other_funds_pay=pay.other_funds_pay,
        fixmedins_code=x.source.fixmedins_code if x.source is not None else None,
        wallet_pay=pay.wallet_pay,
    )


def claim_legs(
    c: Claim,
    rules: ClaimRules,
    a: Adjudication,
    pay: Payments,
    account_ids: dict[str, int],
    source: Record | None = None,
) -> list[Leg]:
    """The double entry of a claim: the provider is owed the whole fee; the funds, the
    accounts, the funds outside the basic scheme (a platform record's, each its own book)
    and the patient's cash pay it. Signed: what a book receives is positive."""
    legs = [Leg("provider", c.medfee_sumamt, c.psn_no), Leg("pooled_fund", -a.hifp_pay, c.psn_no)]
    if rules.layer is not None:
        legs.append(Leg(LAYER_BOOKS[rules.layer.bucket], -(a.hifmi_pay + a.hifob_pay), c.psn_no))
    if pay.acct_pay:
        legs.append(Leg("personal_account", -pay.acct_pay, c.psn_no, account_ids[c.psn_no]))
    if pay.wallet_pay:
        legs.append(Leg(WALLET, -pay.wallet_pay, c.psn_no))
    for h, amount in pay.mulaid:
        legs.append(Leg("personal_account", -amount, h, account_ids[h]))
    if source is not None and pay.other_funds_pay:
        legs += [Leg(book, -(source.figures[f] or 0), c.psn_no) for f, book in OTHER_FUNDS.items()]
    legs.append(Leg("patient_cash", -pay.psn_cash_pay, c.psn_no))
    return [leg for leg in legs if leg.amount]
