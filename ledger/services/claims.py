"""Posting claim settlements (docs/claims.md; fields in docs/cli.md). Reading them back is in
claim_views, reversing them in claim_reversal; the database side of the path in db/claim_gateway.

Claims are posted in chunks. A chunk is one transaction: every claim in it is checked
first (a bad claim is rejected and writes nothing), then the usage counters and accounts
the good claims touch are locked in one global order (usage counters by person, year and
bucket, then accounts by id) so that concurrent writers queue instead of deadlocking, then
the pure rules run claim by claim on those figures held in memory, and then everything is
written with a few set-based statements. A single claim is a chunk of one.

A posted claim is recorded once, by `setl_id`: the same content again is a `duplicate`
and changes nothing, other content under the same id is `rejected`. Two writers racing
with one `setl_id` meet at the unique constraint; the loser's chunk is retried and then
sees the winner's claim. On PostgreSQL they do not even meet there: each writer holds the
setl_ids of its chunk (advisory locks) before it looks for them, so the second waits for the
first to commit and then finds its claim.
"""

import logging
from collections import namedtuple
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session

from ..db import claim_gateway as gateway
from ..db.models import (
    BenefitUsage,
    ClaimMutualAid,
    ClaimRecord,
    utcnow,
)
from ..db.retry import attempt
from ..db.sql import bulk_insert, lock_setl_ids, reserve_ids
from ..errors import LedgerError
from ..rules.adjudication import (
    Adjudication,
    Counter,
    Payments,
    adjudicate,
    pay_personal_share,
)
from ..rules.benefits import (
    COMBINED,
    LAYER_BOOKS,
    ClaimRules,
)
from ..rules.claim_input import FIELDS, MED_TYPES, BadRow, Claim, parse_claim
from ..rules.eligibility import Context, eligibility
from ..rules.money import Yuan
from ..uow import UnitOfWork
from .claim_reversal import reverse_claim
from .claim_views import posted_views, rejected, show_claim, usage, view
from .journal import Draft, Leg, post_many
from .policies import policy_book

# The public API of claims, as scripts call it; reading and reversing live beside posting.
__all__ = ["CHUNK", "post_claim", "post_claims", "rejected", "reverse_claim", "show_claim", "usage"]

log = logging.getLogger(__name__)
CHUNK = 1000


@dataclass
class _Item:
    line: int
    raw: object
    claim: Claim | None = None
    result: dict | None = None  # decided: rejected or duplicate
    rules: ClaimRules | None = None
    payers: list[tuple[int, str]] = field(default_factory=list)  # (binding id, holder), paying order
    dup_of: "_Item | None" = None  # the same claim earlier in this chunk
    no_fund_reason: str | None = None  # set when a waiting period keeps the funds out


def post_claims(
    uow: UnitOfWork, operator: str, rows: Iterable[tuple[int, object]], chunk_size: int = CHUNK
) -> Iterator[dict]:
    """Post (line, raw claim) rows; yield one result per row, in input order, chunk by
    chunk as each chunk commits."""
    it = iter(rows)
    while chunk := list(islice(it, chunk_size)):
        yield from _post_chunk(uow, operator, chunk)


def post_claim(uow: UnitOfWork, operator: str, raw: object) -> dict:
    return next(post_claims(uow, operator, [(1, raw)]))


def _repeat(i: _Item, prior: dict) -> dict:
    """A setl_id posted before: a duplicate if the content is the same, else rejected."""
    if prior["_fingerprint"] == i.claim.fingerprint():
        return {k: v for k, v in prior.items() if not k.startswith("_")} | {"line": i.line, "status": "duplicate"}
    return rejected(
        i.line,
        i.raw,
        f"setl_id: {i.claim.setl_id} was already posted on {prior['_posted_at']:%Y-%m-%d} with different content",
    )


def _post_chunk(uow: UnitOfWork, operator: str, chunk: list[tuple[int, object]]) -> list[dict]:
    base = []
    for line, raw in chunk:
        item = _Item(line, raw)
        try:
            if isinstance(raw, BadRow):
                raise LedgerError(raw.message)
            item.claim = parse_claim(raw)
        except LedgerError as e:
            item.result = rejected(line, raw, str(e))
        base.append(item)

    def once() -> list[dict]:
        items = [_Item(i.line, i.raw, i.claim, i.result) for i in base]  # a retry starts afresh
        with uow:
            results = _post_items(uow.session, operator, items)
            uow.commit()
        return results

    return attempt(once, "claims chunk")


def _post_items(s: Session, operator: str, items: list[_Item]) -> list[dict]:
    today = date.today()
    todo = [i for i in items if i.result is None]
    for i in todo:
        if i.claim.service_date > today:
            i.result = rejected(i.line, i.raw, f"service_date: {i.claim.service_date} is in the future")
    todo = [i for i in todo if i.result is None]
    # Already posted in an earlier run, by another writer, or earlier in this chunk? Read
    # under the setl_id locks, so a writer posting the same claim now has committed.
    lock_setl_ids(s, {i.claim.setl_id for i in todo})
    known = posted_views(s, {i.claim.setl_id for i in todo})
    first_in_chunk: dict[str, _Item] = {}
    fresh = []
    for i in todo:
        sid = i.claim.setl_id
        if sid in known:
            i.result = _repeat(i, known[sid])
        elif sid in first_in_chunk:
            first = first_in_chunk[sid]
            if first.claim.fingerprint() == i.claim.fingerprint():
                i.dup_of = first
            else:
                i.result = rejected(
                    i.line,
                    i.raw,
                    f"setl_id: {sid} appears earlier in this input (line {first.line}) with different content",
                )
        else:
            first_in_chunk[sid] = i
            fresh.append(i)
    todo = fresh
    # The people, their enrollment, their bindings (held FOR SHARE: an unbinding waits
    # until the claims paid under the binding are in).
    patients = {i.claim.psn_no for i in todo}
    named = {i.claim.mulaid_payer for i in todo if i.claim.mulaid_payer}
    persons = gateway.persons(s, patients | named)
    enrolled = gateway.enrollments(s, patients)
    bindings = gateway.bindings_of_members(s, patients, share_lock=True)
    holder_regions = {
        p.psn_no: p.region
        for p in gateway.persons(s, {b.holder_psn_no for bs in bindings.values() for b in bs}).values()
    }
    ctx = Context(persons, enrolled, bindings, holder_regions, policy_book(s))
    for i in todo:
        try:
            e = eligibility(i.claim, ctx)
        except LedgerError as err:
            i.result = rejected(i.line, i.raw, str(err))
            continue
        i.rules, i.payers, i.no_fund_reason = e.rules, list(e.payers), e.no_fund_reason
    todo = [i for i in todo if i.result is None]
    if todo:
        _post_checked(s, operator, todo)
    return [_final(i) for i in items]


def _post_checked(s: Session, operator: str, todo: list[_Item]) -> None:
    counters = _lock_usage(s, todo)
    accounts = gateway.lock_accounts(s, {i.claim.psn_no for i in todo} | {h for i in todo for _, h in i.payers})
    posted = [(i, *_apply(i, counters, accounts)) for i in todo]
    _write(s, operator, posted, counters, accounts)


def _final(i: _Item) -> dict:
    if i.dup_of is None:
        return i.result
    first = i.dup_of.result
    return first | {"line": i.line, "status": "duplicate" if first["status"] == "posted" else first["status"]}


def _lock_usage(s: Session, todo: list[_Item]) -> dict:
    """Open the year's counters this chunk needs (cap from the rules of the first claim
    that needs it) and lock them in key order."""
    caps: dict[tuple, int] = {}
    for i in todo:
        for bucket, cap in _buckets(i.rules):
            caps.setdefault((i.claim.psn_no, i.claim.year, bucket), cap)
    return gateway.lock_counters(s, caps)


def _buckets(rules: ClaimRules) -> list[tuple[str, int]]:
    """The usage counters a claim moves, each with the cap it opens at."""
    out = [(rule.bucket, rule.cap) for rule in (rules.basic, rules.layer) if rule is not None]
    if rules.layer is not None and rules.layer.combined_cap is not None:
        out.append((COMBINED, rules.layer.combined_cap))
    return out


def _apply(i: _Item, counters: dict, accounts: dict) -> tuple[Adjudication, Payments]:
    """Adjudicate on the figures in memory and move them, so the next claim in the chunk
    sees what this one left."""
    c, rules = i.claim, i.rules
    held = [
        (counters.get((c.psn_no, c.year, rules.basic.bucket)) if rules.basic else None, Counter.basic_after),
        (counters.get((c.psn_no, c.year, rules.layer.bucket)) if rules.layer else None, Counter.layer_after),
        (counters.get((c.psn_no, c.year, COMBINED)) if rules.layer and rules.layer.combined_cap is not None else None, Counter.combined_after),
    ]  # fmt: skip
    a = adjudicate(c, rules, *(h["counter"] if h else None for h, _ in held))
    for h, after in held:
        if h is not None:
            h["counter"], h["dirty"] = after(h["counter"], a), True
    own = accounts.get(c.psn_no)
    payers = [(h, accounts[h]["balance"]) for _, h in i.payers if h in accounts]
    pay = pay_personal_share(a.psn_part_amt, c.acct_used_flag == "1", own["balance"] if own else None, payers)
    if own is not None and pay.acct_pay:
        own["balance"] -= pay.acct_pay
    for h, amount in pay.mulaid:
        accounts[h]["balance"] -= amount
    amounts = (
        a.inscp_scp_amt,
        a.act_pay_dedc,
        a.hifp_pay,
        a.hifmi_pay,
        a.hifob_pay,
        a.fund_pay_sumamt,
        a.psn_part_amt,
        pay.acct_pay,
        pay.acct_mulaid_pay,
        pay.psn_cash_pay,
    )
    payers = [{"psn_no": h, "amount": Yuan(amt)} for h, amt in pay.mulaid]
    i.result = view(
        c,
        "posted",
        amounts,
        payers,
        own["balance"] if own else None,
        rules.policy_files,
        line=i.line,
        warnings=rules.warnings(c.service_date),
        no_fund_reason=i.no_fund_reason,
    )
    return a, pay


CLAIM_COLUMNS = (
    "id", *FIELDS, "year", "fingerprint", "bucket", "layer_bucket", "combined_bucket", "inscp_scp_amt", "act_pay_dedc",
    "hifp_pay", "hifmi_pay", "hifob_pay", "layer_selfpay", "fund_pay_sumamt", "psn_part_amt", "acct_pay", "acct_mulaid_pay",
    "psn_cash_pay", "balc", "policy", "no_fund_reason", "posting_id", "operator", "created_at",
)  # fmt: skip
MULAID_COLUMNS = ("claim_id", "seq", "payer_psn_no", "binding_id", "amount")


def _write(s: Session, operator: str, posted: list, counters: dict, accounts: dict) -> None:
    now = utcnow()
    drafts = [
        Draft("claim", i.claim.service_date, f"claim {i.claim.setl_id}: {MED_TYPES[i.claim.med_type].name}",
              claim_legs(i.claim, i.rules, a, pay, accounts), i.claim.setl_id)
        for i, a, pay in posted
    ]  # fmt: skip
    # The journal writer moves the balances; the figures in `accounts` are what it will leave.
    posting_ids = post_many(s, drafts, operator, now)
    claim_ids = reserve_ids(s, ClaimRecord.__table__, len(posted))
    claims, mulaid = [], []
    for (i, a, pay), pid, cid in zip(posted, posting_ids, claim_ids, strict=True):
        claims.append(_claim_row(i, a, pay, id=cid, posting_id=pid, operator=operator, created_at=now))
        if pay.mulaid:
            binding_of = {h: bid for bid, h in i.payers}
            mulaid += [(cid, n, h, binding_of[h], amt) for n, (h, amt) in enumerate(pay.mulaid, 1)]
    bulk_insert(s, ClaimRecord.__table__, CLAIM_COLUMNS, claims)
    bulk_insert(s, ClaimMutualAid.__table__, MULAID_COLUMNS, mulaid)
    used = [
        {
            "u_id": u["id"],
            "u_fund": u["counter"].fund_paid,
            "u_dedc": u["counter"].deductible_met,
            "u_self": u["counter"].selfpay,
        }
        for u in counters.values()
        if u["dirty"]
    ]
    if used:
        t = BenefitUsage.__table__
        s.execute(
            update(t)
            .where(t.c.id == bindparam("u_id"))
            .values(fund_paid=bindparam("u_fund"), deductible_met=bindparam("u_dedc"), selfpay=bindparam("u_self")),
            used,
        )


# A claim row is a tuple in column order, built by column name.
ClaimRow = namedtuple("ClaimRow", CLAIM_COLUMNS)


def _claim_row(i: _Item, a: Adjudication, pay: Payments, **written) -> ClaimRow:
    """A claim's row by column name; `written` adds what the writer knows (ids, times)."""
    c, rules, balc = i.claim, i.rules, i.result["balc"]
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
        no_fund_reason=i.no_fund_reason,
    )


def claim_legs(c: Claim, rules: ClaimRules, a: Adjudication, pay: Payments, accounts: dict) -> list[Leg]:
    """The double entry of a claim: the provider is owed the whole fee; the funds, the
    accounts and the patient's cash pay it. Signed: what a book receives is positive."""
    legs = [Leg("provider", c.medfee_sumamt, c.psn_no), Leg("pooled_fund", -a.hifp_pay, c.psn_no)]
    if rules.layer is not None:
        legs.append(Leg(LAYER_BOOKS[rules.layer.bucket], -(a.hifmi_pay + a.hifob_pay), c.psn_no))
    if pay.acct_pay:
        legs.append(Leg("personal_account", -pay.acct_pay, c.psn_no, accounts[c.psn_no]["id"]))
    for h, amount in pay.mulaid:
        legs.append(Leg("personal_account", -amount, h, accounts[h]["id"]))
    legs.append(Leg("patient_cash", -pay.psn_cash_pay, c.psn_no))
    return [leg for leg in legs if leg.amount]
