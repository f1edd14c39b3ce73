"""Posting the national platform's settlement records (`ledger claim post --profile
national`, docs/national-records.md): each record read by rules/national.py, its person
found by certno or by the platform's person number learnt before, then posted by the claim
service like any claim, with its source beside it. A refund record (refd_setl_flag 1)
reverses the claim it names, in file order.

    post_records(uow, operator, rows, chunk_size) -> Iterator[ClaimResult]   one per row
"""

from collections.abc import Iterable, Iterator
from itertools import islice

from ..errors import Conflict, LedgerError, NotFound, ValidationError
from ..i18n import _
from ..rules.claim_input import BadRow
from ..rules.claim_result import REVERSED, ClaimResult
from ..rules.national import DEFAULT_MAPS, Maps, Record, maps_of, read_record
from ..rules.placing import Registry, place
from ..uow import UnitOfWork
from .claim_reversal import reverse_claim
from .claim_views import show_claim
from .claims import CHUNK, post_claims, rejected
from .institutions import registry
from .platform_records import claims_of_visit, known_numbers, whose
from .policies import policy_book


def post_records(
    uow: UnitOfWork,
    operator: str,
    rows: Iterable[tuple[int, object]],
    chunk_size: int = CHUNK,
    institution: str | None = None,
) -> Iterator[ClaimResult]:
    """`institution`: the code of the institution whose records these are, for records that
    name none (a hospital's own capture of its settlement outputs; docs/institutions.md)."""
    it = iter(rows)
    seen: dict[str, str] = {}  # numbers this run found in the books: they stay there
    places: dict = {}  # the registry's states this run read (services/institutions.registry)
    maps = policy_maps(uow)
    while chunk := list(islice(it, chunk_size)):
        read = [_read(line, raw, maps) for line, raw in chunk]
        numbers = {r.platform_psn_no for _line, r, _raw in read if isinstance(r, Record)}
        run = _Waiting(uow, operator, chunk_size, _known(uow, numbers, seen), seen)
        where = _registry(uow, read, institution, places)
        for line, r, raw in read:
            if isinstance(r, Record) and r.platform_psn_no in run.pending:
                # A number an earlier record of this file teaches: that record is posted first,
                # so this one is judged on what it taught, as it would be in a later file.
                yield from run.post()
            r = _placed(r, run.known, where, institution)
            if isinstance(r, LedgerError):
                yield from run.post()
                yield rejected(line, raw, str(r))
            elif r.refund:
                yield from run.post()
                yield refund(uow, operator, line, r)
            else:
                run.add(line, r)
        yield from run.post()


class _Waiting:
    """The claims waiting to be posted, in file order, and the platform numbers they teach,
    which are learnt (`known`) once they are posted."""

    def __init__(self, uow: UnitOfWork, operator: str, chunk_size: int, known: dict[str, str], seen: dict):
        self.uow, self.operator, self.chunk_size, self.known, self.seen = uow, operator, chunk_size, known, seen
        self.claims: list[tuple[int, Record]] = []
        self.pending: set[str] = set()

    def add(self, line: int, r: Record) -> None:
        self.claims.append((line, r))
        if r.teaches:
            self.pending.add(r.platform_psn_no)

    def post(self) -> Iterator[ClaimResult]:
        yield from _flush(self.uow, self.operator, self.claims, self.chunk_size)
        self.known.update(_known(self.uow, self.pending, self.seen, again=True))
        self.pending.clear()


# At most this many platform numbers are remembered across the chunks of one run (a few MB).
SEEN = 200_000


def _known(uow: UnitOfWork, numbers: set, seen: dict[str, str], *, again: bool = False) -> dict[str, str]:
    """Whose each of `numbers` is, where the books know: from `seen` (what this run found
    there already; the table of numbers only grows, so what was read stays true), else read.
    `again`: read them all (numbers just taught)."""
    numbers = {n for n in numbers if n}
    known = {} if again else {n: seen[n] for n in numbers & seen.keys()}
    if unseen := numbers - known.keys():
        with uow.read_only():
            found = known_numbers(uow.session, unseen)
        known |= found
        if len(seen) + len(found) > SEEN:  # bounded: start over (this chunk's are in `known`)
            seen.clear()
        seen.update(found)
    return known


def _registry(uow: UnitOfWork, read: list, institution: str | None, places: dict) -> Registry:
    """The registry's states of the institutions the chunk's records name."""
    with uow.read_only():
        return registry(uow.session, (r for _line, r, _raw in read if isinstance(r, Record)), institution, places)


def resolve(uow: UnitOfWork, read: list, seen: dict[str, str] | None = None, institution: str | None = None) -> list:
    """(line, Record or LedgerError, raw) with each Record's person found (`whose`) from
    what the books know (reconcile: it posts nothing, so it learns nothing), and its
    institution placed (rules/placing.py)."""
    known = _known(
        uow, {r.platform_psn_no for _line, r, _raw in read if isinstance(r, Record)}, {} if seen is None else seen
    )
    where = _registry(uow, read, institution, {})
    return [(line, _placed(r, known, where, institution), raw) for line, r, raw in read]


def _placed(r: object, known: dict[str, str], where: Registry, institution: str | None) -> object:
    """A settlement record with its person found (`whose`) and its institution placed
    (rules/placing.py), or why not; anything else as it is (a refund's or cancellation's
    claim knows its person and place; a LedgerError stays one)."""
    if not isinstance(r, Record) or r.refund:
        return r
    r = whose(r, known)
    return place(r, where, institution) if isinstance(r, Record) else r


def _read(line: int, raw: object, maps: Maps = DEFAULT_MAPS) -> tuple[int, Record | LedgerError, object]:
    """(line, Record or LedgerError, the row as received)."""
    r = read_row(line, raw, maps)
    return line, r, raw.raw if isinstance(raw, Record) else raw


def policy_maps(uow: UnitOfWork) -> Maps:
    """How the policy files say a province's records are read (national.med_type_map,
    national.field_map), over the shipped spellings."""
    with uow.read_only():
        return maps_of(policy_book(uow.session))


def read_row(line: int, raw: object, maps: Maps = DEFAULT_MAPS) -> Record | LedgerError:
    """The row's Record (read here, or already, ahead: rules/ahead.py, with the shipped maps
    only: read again where the policy files map more), or why it is none."""
    if isinstance(raw, Record):
        if maps == DEFAULT_MAPS:
            return raw
        raw = raw.raw
    try:
        if isinstance(raw, BadRow):  # the file reader's word for a part it could not read
            raise LedgerError(raw.message)
        return read_record(raw, maps)
    except LedgerError as e:
        return e


def _flush(uow: UnitOfWork, operator: str, run: list, chunk_size: int) -> Iterator[ClaimResult]:
    if run:
        yield from post_claims(uow, operator, list(run), chunk_size)
        run.clear()


def refund(uow: UnitOfWork, operator: str, line: int, r: Record) -> ClaimResult:
    """A refund or cancellation record: its original reversed, on the day of the record.
    The whole claim: a refund of part of it is refused. Met again (the file posted twice),
    a duplicate. A cancellation names its original by init_setl_id, else by its own setl_id
    (a 2208 output repeats the settlement's), else by its visit (mdtrt_id): the one claim of
    the visit settled before it and not reversed."""
    setl_id = r.claim["setl_id"]
    if r.cancellation:
        reason = f"cancellation record {setl_id} (negative amounts, no refd_setl_flag)"
    else:
        reason = f"refund record {setl_id} (refd_setl_flag 1)"
    try:
        original = r.init_setl_id or cancelled_claim(uow, r, reason)
        was = show_claim(uow, original, "init_setl_id" if r.init_setl_id else "setl_id")
        if was["reversal"] is not None:
            if was["reversal"]["reason"] == reason:
                return ClaimResult.refund(line, r.claim, "duplicate")
            raise Conflict(
                _("init_setl_id: claim {original} was already reversed on {reversed_on}").format(
                    original=original, reversed_on=was["reversal"]["reversed_on"]
                )
            )
        refunded = r.claim.get("medfee_sumamt")
        if refunded != str(was["medfee_sumamt"]):
            raise ValidationError(
                "medfee_sumamt",
                _(
                    "the refund is -{refunded}, claim {original} was {medfee_sumamt}: only a whole claim is refunded"
                ).format(refunded=refunded, original=original, medfee_sumamt=was["medfee_sumamt"]),
            )
        source = was.get("source") or {}
        if r.claim.get("psn_no") not in (None, was["psn_no"]) or r.platform_psn_no not in (
            None,
            source.get("platform_psn_no") or r.platform_psn_no,
        ):
            raise Conflict(_("certno: claim {original} is not this person's").format(original=original))
        reverse_claim(uow, operator, original, reason, r.setl_time.date())
    except LedgerError as e:
        return rejected(line, r.claim, str(e))
    return ClaimResult.refund(line, r.claim, REVERSED)


def cancelled_claim(uow: UnitOfWork, r: Record, reason: str) -> str:
    """The setl_id of the claim a cancellation record without init_setl_id cancels: its own
    setl_id where that is posted, else the one claim of its visit it may cancel
    (platform_records.claims_of_visit). NotFound names both."""
    setl_id = r.claim["setl_id"]
    with uow.read_only():
        found = claims_of_visit(uow.session, r, reason)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise Conflict(
            _(
                "init_setl_id: mdtrt_id {mdtrt_id} has {count} claims not reversed ({setl_ids}): name the one cancelled"
            ).format(mdtrt_id=r.mdtrt_id, count=len(found), setl_ids=", ".join(found))
        )
    raise NotFound(
        _("setl_id: no claim {setl_id} is posted to cancel, nor one of mdtrt_id {mdtrt_id}").format(
            setl_id=setl_id, mdtrt_id=r.mdtrt_id or "-"
        )
    )
