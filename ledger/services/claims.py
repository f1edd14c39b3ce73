"""Posting claim settlements (docs/claims.md; fields in docs/cli.md). Reading them back is in
claim_views, reversing them in claim_reversal.

Claims are posted in chunks; a chunk is one transaction, in phases:

1. parse: each raw row into a `Claim` (rules.claim_input), or a rejected result;
2. find repeats: under the chunk's setl_id locks, the claims already posted (a `duplicate`
   with the same content, `rejected` with other content) and repeats within the chunk;
3. eligibility: a pure function of the claim and the chunk's context (persons,
   enrollments, bindings, policy; db.claim_gateway fetches it) -> the rules and payers;
4. lock: the usage counters (by person, year, bucket) and then the accounts (by id) the
   eligible claims touch, in the one global order, so concurrent writers queue;
5. settle: the pure fold (rules.settlement) adjudicates claim by claim on the figures held
   in memory, each claim seeing what the one before it left;
6. write: postings, claim rows, payers and counters in a few set-based statements
   (claim_writes).

A single claim is a chunk of one. A claim is recorded once, by `setl_id`. Two writers racing
with one setl_id meet at the unique constraint; the loser's chunk is retried and then sees
the winner's claim. On PostgreSQL they do not even meet there: each writer holds the
setl_ids of its chunk (advisory locks) before it looks for them.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import islice

from sqlalchemy.orm import Session

from .. import clock
from ..db import claim_gateway as gateway
from ..db import partitions
from ..db.models import utcnow
from ..db.retry import attempt
from ..db.sql import lock_setl_ids
from ..errors import LedgerError
from ..i18n import _
from ..policy.book import pooling_area
from ..rules.ahead import Parsed
from ..rules.claim_input import BadRow, Claim, parse_claim
from ..rules.claim_result import ClaimResult
from ..rules.eligibility import Context, Eligible, eligibility
from ..rules.national import Record, other_funds
from ..rules.placing import designation
from ..rules.settlement import Held, counter_keys, settle
from ..uow import UnitOfWork
from . import archive
from .claim_reversal import reverse_claim
from .claim_views import PostedClaim, archived_claims, posted_claims, rejected, show_claim, usage
from .claim_writes import Settled, write
from .platform_records import same_record
from .policies import policy_book

# The public API of claims, as scripts call it; reading and reversing live beside posting.
__all__ = ["CHUNK", "ClaimResult", "post_claim", "post_claims", "rejected", "reverse_claim", "show_claim", "usage"]

CHUNK = 1000


@dataclass(slots=True)
class _Item:
    """One row of the chunk on its way through the phases."""

    line: int
    raw: object
    claim: Claim | None = None
    result: ClaimResult | None = None  # once decided
    source: Record | None = None  # the national platform's record it was read from
    eligible: Eligible | None = None
    first: "_Item | None" = None  # the same claim earlier in this chunk
    notes: tuple[str, ...] = ()  # warnings of its own (an institution not designated that day)


def post_claims(
    uow: UnitOfWork, operator: str, rows: Iterable[tuple[int, object]], chunk_size: int = CHUNK
) -> Iterator[ClaimResult]:
    """Post (line, raw claim) rows; yield one result per row, in input order, chunk by
    chunk as each chunk commits."""
    it = iter(rows)
    while chunk := list(islice(it, chunk_size)):
        yield from _post_chunk(uow, operator, chunk)


def post_claim(uow: UnitOfWork, operator: str, raw: object) -> ClaimResult:
    return next(post_claims(uow, operator, [(1, raw)]))


def _post_chunk(uow: UnitOfWork, operator: str, chunk: list[tuple[int, object]]) -> list[ClaimResult]:
    parsed = [_parse(line, raw) for line, raw in chunk]  # (line, raw, claim, result, source): kept as read

    def once() -> list[ClaimResult]:
        items = [_Item(*p) for p in parsed]  # each attempt, a retry too, starts from what was read
        with uow:
            results = _post_items(uow.session, operator, items)
            uow.commit()
        return results

    return attempt(once, "claims chunk")


def _parse(line: int, raw: object) -> tuple[int, object, Claim | None, ClaimResult | None, Record | None]:
    """Phase 1: the row as a Claim, or rejected with the reader's or the parser's message.
    A platform record (rules/national.py, already read) is posted as the claim it gives; a
    row parsed ahead (rules/ahead.py) as the claim it was parsed into."""
    if type(raw) is Parsed:
        return line, raw.raw, raw.claim, None, None
    source = raw if isinstance(raw, Record) else None
    if source is not None:
        raw = source.claim
        if source.parsed is not None:  # read and checked already
            return line, raw, source.parsed, None, source
    try:
        if isinstance(raw, BadRow):
            raise LedgerError(raw.message)
        return line, raw, parse_claim(raw), None, source
    except LedgerError as e:
        return line, raw, None, rejected(line, raw, str(e)), source


def _post_items(s: Session, operator: str, items: list[_Item]) -> list[ClaimResult]:
    today = clock.today()
    todo = [i for i in items if i.result is None]
    for i in todo:
        if i.claim.service_date > today:
            i.result = rejected(
                i.line,
                i.raw,
                _("service_date: {service_date} is in the future").format(service_date=i.claim.service_date),
            )
    todo = _fresh(s, [i for i in todo if i.result is None])
    todo, persons = _eligible(s, todo)
    if todo:
        _settle_and_write(s, operator, todo, persons)
    return [i.result if i.first is None else _repeat_in_chunk(i) for i in items]


def _fresh(s: Session, todo: list[_Item]) -> list[_Item]:
    """Phase 2: the claims not posted before (in an earlier run, by another writer, or
    earlier in this chunk). Read under the setl_id locks, so a writer posting the same claim
    now has committed."""
    setl_ids = {i.claim.setl_id for i in todo}
    lock_setl_ids(s, setl_ids)
    known = posted_claims(s, setl_ids)
    archived = archived_claims(s, setl_ids - known.keys())
    live_from = archive.live_from(s)
    made = partitions.made(s.connection())  # PostgreSQL: the years with partitions
    first_in_chunk: dict[str, _Item] = {}
    fresh = []
    for i in todo:
        sid = i.claim.setl_id
        if sid in known:
            i.result = _repeat(s, i, known[sid])
        elif sid in archived:  # posted once, in a year archived since: never again
            message = _("setl_id: {sid} was settled on {day}, in an archived year (ledger db archive)")
            i.result = rejected(i.line, i.raw, message.format(sid=sid, day=archived[sid]))
        elif live_from is not None and i.claim.service_date < live_from:
            message = _("service_date: {day} is in an archived year (ledger db archive): nothing can be dated in it")
            i.result = rejected(i.line, i.raw, message.format(day=i.claim.service_date))
        elif made is not None and i.claim.service_date.year not in made:
            i.result = rejected(i.line, i.raw, f"service_date: {partitions.missing(i.claim.service_date.year)}")
        elif sid in first_in_chunk:
            first = first_in_chunk[sid]
            if first.claim.fingerprint() == i.claim.fingerprint():
                i.first = first
            else:
                i.result = rejected(
                    i.line,
                    i.raw,
                    _("setl_id: {sid} appears earlier in this input (line {line}) with different content").format(
                        sid=sid, line=first.line
                    ),
                )
        else:
            first_in_chunk[sid] = i
            fresh.append(i)
    return fresh


def _repeat(s: Session, i: _Item, prior: PostedClaim) -> ClaimResult:
    """A setl_id posted before: a duplicate if the content is the same (for a platform
    record: the same record as received, wherever the registry places it now), else rejected."""
    if prior.fingerprint == i.claim.fingerprint():
        return prior.result.again(i.line)
    if i.source is not None and prior.claim_id is not None and same_record(s, prior.claim_id, i.source):
        return prior.result.again(i.line)
    return rejected(
        i.line,
        i.raw,
        _("setl_id: {setl_id} was already posted on {posted_at:%Y-%m-%d} with different content").format(
            setl_id=i.claim.setl_id, posted_at=prior.posted_at
        ),
    )


def _repeat_in_chunk(i: _Item) -> ClaimResult:
    """The same claim twice in one chunk: what became of the first, as a duplicate."""
    first = i.first.result
    return first.again(i.line, "duplicate" if first.status == "posted" else first.status)


def _eligible(s: Session, todo: list[_Item]) -> tuple[list[_Item], dict]:
    """Phase 3: the chunk's context, fetched once (bindings held FOR SHARE: an unbinding
    waits until the claims paid under the binding are in), and each claim judged on it.
    The eligible items, and the persons read (the writer keys the reports' sums by them)."""
    if not todo:
        return [], {}
    patients = {i.claim.psn_no for i in todo}
    named = {i.claim.mulaid_payer for i in todo if i.claim.mulaid_payer}
    bindings = gateway.bindings_of_members(s, patients, share_lock=True)
    holders = {b.holder_psn_no for bs in bindings.values() for b in bs}
    ctx = Context(
        gateway.persons(s, patients | named),
        gateway.enrollments(s, patients),
        bindings,
        {p.psn_no: p.region for p in gateway.persons(s, holders).values()},
        book := policy_book(s),
        book.worked_out,
        gateway.wallet_owners(s, patients),
    )
    ctx.registrations = gateway.registrations(s, _offsite_patients(todo, ctx.persons))
    eligible = []
    for i in todo:
        try:
            i.eligible = eligibility(i.claim, ctx, _treated_in(i))
            if i.source is not None and i.source.institution is not None:
                region = ctx.persons[i.claim.psn_no].region
                if note := designation(book, region, i.claim.service_date, i.source.institution):
                    i.notes = (note,)
        except LedgerError as e:
            i.result = rejected(i.line, i.raw, str(e))
        else:
            eligible.append(i)
    return eligible, ctx.persons


def _offsite_patients(todo: list[_Item], persons: dict) -> set[str]:
    """The patients of claims treated outside their own pooling area: only their
    registrations are read (rules/offsite.py)."""
    return {
        i.claim.psn_no
        for i in todo
        if (area := _treated_in(i)) is not None
        and (p := persons.get(i.claim.psn_no)) is not None
        and pooling_area(area) != pooling_area(p.region)
    }


def _treated_in(i: _Item) -> str | None:
    """Where a platform record's care was given (rules/placing.py), if it says."""
    return i.source.treatment_area if i.source is not None else None


def _settle_and_write(s: Session, operator: str, todo: list[_Item], persons: dict) -> None:
    """Phases 4-6: lock, fold, write."""
    caps: dict[tuple, tuple[int, date]] = {}
    for i in todo:
        for key, cap in counter_keys(i.claim, i.eligible.rules):
            # a counter opens at the cap of the first claim that needs it, read on its service date
            caps.setdefault(key, (cap, i.claim.service_date))
    counter_ids, counters = gateway.lock_counters(s, caps)
    owners = {i.claim.psn_no for i in todo} | {h for i in todo for _binding, h in i.eligible.payers}
    account_ids, balances = gateway.lock_accounts(s, owners)
    wallets = gateway.lock_wallets(s, {i.claim.psn_no for i in todo if i.eligible.wallet_first is not None})
    held = Held(counters, balances, wallets=wallets)
    now = utcnow()
    settled = []
    for i in todo:
        c, e = i.claim, i.eligible
        try:
            a, pay = settle(
                c,
                e.rules,
                [h for _binding, h in e.payers] if e.payers else (),
                held,
                other_funds(i.source),
                e.wallet_first,
            )
        except LedgerError as err:  # refused before it moved anything
            i.result = rejected(i.line, i.raw, str(err))
            continue
        i.result = ClaimResult.settled(
            c,
            a,
            pay,
            held.balances.get(c.psn_no),
            e.rules.policy_file_names,
            line=i.line,
            warnings=e.rules.warnings(c.service_date) + i.notes,
            no_fund_reason=e.no_fund_reason,
        )
        bindings = {h: b for b, h in e.payers} if pay.mulaid else {}
        source = i.source._replace(offsite=e.offsite) if e.offsite else i.source
        settled.append(Settled(c, e.rules, bindings, e.no_fund_reason, a, pay, i.result, source))
    write(s, operator, settled, held, counter_ids, account_ids, now, persons)
