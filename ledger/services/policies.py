"""Policy files: the shipped seeds plus whatever operators loaded into this database."""

import hashlib
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.models import StoredPolicyFile
from ..db.retry import retried
from ..errors import Conflict, PolicyError
from ..i18n import _
from ..policy.book import PolicyBook, PolicyDocument, pooling_area, seed_documents
from ..policy.parameters import PARAMETERS, Kind, Need
from ..policy.schema import parse_policy_text
from ..policy.template import policy_template
from ..rules.money import Yuan
from ..rules.national_maps import maps_of
from ..uow import UnitOfWork
from .records import audit


def policy_book(session: Session) -> PolicyBook:
    """The seeds and the files loaded into this database. One query tells which files are
    loaded; while that list is the one seen last, the book built then is given again, with
    what was worked out from it (a process posting claim after claim builds it once). The
    list names each file by id, name and content hash, so it says all the book holds."""
    global _book
    q = select(StoredPolicyFile.id, StoredPolicyFile.name, StoredPolicyFile.sha256).order_by(StoredPolicyFile.id)
    loaded = tuple(tuple(r) for r in session.execute(q))
    if _book is None or _book[0] != loaded:
        docs = list(seed_documents())
        # Loaded files outrank seeds of the same region and date; later loads outrank earlier.
        docs += [_loaded_document(session, file_id, name, digest) for file_id, name, digest in loaded]
        _book = loaded, PolicyBook(docs)
    return _book[1]


_book: tuple[tuple, PolicyBook] | None = None


def books_as_loaded(session: Session) -> list[PolicyBook]:
    """The book as it stood after each load, from the seeds alone to every file loaded: a
    figure fixed when something opened (a counter's cap, an incentive) is the policy's if
    one of them gave it, though a file loaded since (dated back, say) says otherwise now."""
    q = select(StoredPolicyFile.id, StoredPolicyFile.name, StoredPolicyFile.sha256).order_by(StoredPolicyFile.id)
    loaded = [_loaded_document(session, *r) for r in session.execute(q)]
    seeds = list(seed_documents())
    return [PolicyBook(seeds + loaded[:k]) for k in range(len(loaded) + 1)]


_parsed: dict[str, PolicyDocument] = {}


def _loaded_document(session: Session, file_id: int, name: str, digest: str) -> PolicyDocument:
    """A stored file is immutable once loaded, so its parse is kept by content hash and
    the text is read only the first time."""
    key = f"{digest}:{file_id}:{name}"
    if key not in _parsed:
        content = session.scalar(select(StoredPolicyFile.content).where(StoredPolicyFile.id == file_id))
        _parsed[key] = PolicyDocument(parse_policy_text(content, name), f"loaded#{file_id}", name, order=file_id)
    return _parsed[key]


@retried
def load_policy(uow: UnitOfWork, operator: str, text: str, name: str) -> dict:
    policy = parse_policy_text(text, name)  # validate before opening the transaction
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with uow:
        existing = uow.session.scalar(select(StoredPolicyFile).where(StoredPolicyFile.sha256 == digest))
        if existing is not None:
            raise Conflict(
                _("{name}: this file is already loaded (as {name2}, #{id})").format(
                    name=name, name2=existing.name, id=existing.id
                )
            )
        row = StoredPolicyFile(
            name=name,
            region=policy.region,
            effective_from=policy.effective_from,
            sha256=digest,
            content=text,
            loaded_by=operator,
        )
        uow.session.add(row)
        uow.session.flush()
        if any(n.startswith("national.") for n in policy.parameters):  # refused now, not at the next post
            book = policy_book(uow.session)
            maps_of(PolicyBook((*book.documents, PolicyDocument(policy, "new", name, order=row.id))))
        audit(
            uow.session,
            operator=operator,
            action="policy.load",
            subject=policy.region,
            file=name,
            sha256=digest,
            effective_from=policy.effective_from,
            parameters=len(policy.parameters),
        )
        uow.commit()
        return {
            "id": row.id,
            "name": name,
            "region": policy.region,
            "effective_from": policy.effective_from,
            "parameters": len(policy.parameters),
            "sha256": digest,
        }


def list_policies(uow: UnitOfWork) -> list[dict]:
    with uow.read_only():
        book = policy_book(uow.session)
    return [
        {
            "name": d.name,
            "origin": d.origin,
            "region": d.policy.region,
            "region_name": d.policy.region_name,
            "title": d.policy.title,
            "effective_from": d.policy.effective_from,
            "review_by": d.policy.review_by,
            "parameters": len(d.policy.parameters),
        }
        for d in sorted(book.documents, key=lambda d: (d.policy.region, d.policy.effective_from, d.order))
    ]


def show_policy(uow: UnitOfWork, region: str, year: int, on: date | None = None) -> dict:
    """Every parameter in force in the region on `on` (default: 1 January of `year`)."""
    on = on or date(year, 1, 1)
    with uow.read_only():
        book = policy_book(uow.session)
    resolved = book.in_force(region, on)
    if not resolved:
        raise PolicyError(
            _("no policy file for region {region} is in force on {on} (see `ledger policy list`)").format(
                region=pooling_area(region), on=on
            )
        )
    return {
        "region": pooling_area(region),
        "year": year,
        "date": on,
        "parameters": [
            {
                "name": r.name,
                "value": _shown(r),
                "kind": PARAMETERS[r.name].kind.value,
                "source": {
                    "id": r.source_id,
                    "title": r.source.title,
                    "grade": r.source.grade,
                    "file": r.source.file,
                    "quote": r.quote,
                },
                "policy_file": r.document.name,
                "effective_from": r.document.policy.effective_from,
                "review_by": r.document.policy.review_by,
                "past_review": r.past_review,
            }
            for r in resolved.values()
        ],
        "warnings": [r.warning for r in resolved.values() if r.warning],
        # What no file gives: a computation that needs one of these fails until an
        # operator's file sets it; an optional one unset means no such rule.
        "needs_operator_value": [
            {"name": p.name, "kind": p.kind.value, "description": p.description}
            for p in PARAMETERS.values()
            if p.need is Need.REQUIRED and p.name not in resolved
        ],
        "not_set": [
            {"name": p.name, "kind": p.kind.value, "description": p.description}
            for p in PARAMETERS.values()
            if p.need is Need.OPTIONAL and p.name not in resolved
        ],
    }


def template(uow: UnitOfWork, region: str, year: int) -> str:
    """`ledger policy template`: a file to fill in, for what the files in force leave open."""
    with uow.read_only():
        book = policy_book(uow.session)
    return policy_template(book, region, year)


def _shown(r) -> object:
    """A value for people and JSON: money as yuan, tables (diseases, bands) as written."""
    kind = PARAMETERS[r.name].kind
    if kind is Kind.MONEY:
        return Yuan(r.value)
    if kind in (Kind.DISEASES, Kind.SEGMENTS, Kind.MAP):
        return r.raw
    if kind is Kind.TIME:
        return r.value.isoformat(timespec="minutes")
    return r.value
