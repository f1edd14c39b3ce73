"""Claims read back: the results of posted claims (rules.claim_result), `ledger claim show`,
and a person's usage of the year's buckets. Reads only."""

import json
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import Text, cast, column, select, table
from sqlalchemy.orm import Session

from ..db.models import BenefitUsage, ClaimMutualAid, ClaimRecord, ClaimReversal, ClaimSource
from ..db.partitions import REGISTRY
from ..db.sql import one_of
from ..errors import NotFound
from ..formats.json_objects import exact_json
from ..i18n import _
from ..rules.benefits import LAYER_BOOKS
from ..rules.claim_input import FIELDS, Claim
from ..rules.claim_result import AMOUNTS, ClaimResult
from ..rules.codes import OTHER_FUNDS
from ..rules.money import Yuan
from ..rules.persons import check_year
from ..uow import UnitOfWork
from .records import get_person

rejected = ClaimResult.rejected  # its old name here


class PostedClaim(NamedTuple):
    """A claim as posted: its result, and what tells a repeat from a conflict."""

    result: ClaimResult
    fingerprint: str
    posted_at: datetime
    claim_id: int | None = None


def posted_claims(s: Session, setl_ids: set[str]) -> dict[str, PostedClaim]:
    """The claims posted under these setl_ids, by setl_id."""
    if not setl_ids:
        return {}
    records = s.scalars(select(ClaimRecord).where(one_of(s, ClaimRecord.setl_id, setl_ids))).all()
    payers: dict[int, list] = {}
    if records:
        for m in s.execute(
            select(ClaimMutualAid.claim_id, ClaimMutualAid.payer_psn_no, ClaimMutualAid.amount)
            .where(one_of(s, ClaimMutualAid.claim_id, [r.id for r in records]))
            .order_by(ClaimMutualAid.claim_id, ClaimMutualAid.seq)
        ):
            payers.setdefault(m.claim_id, []).append((m.payer_psn_no, m.amount))
    return {
        r.setl_id: PostedClaim(_result(r, payers.get(r.id, ())), r.fingerprint, r.created_at, r.id) for r in records
    }


def _result(r: ClaimRecord, payers) -> ClaimResult:
    return ClaimResult.posted(
        Claim(**{f: getattr(r, f) for f in FIELDS}),
        tuple(getattr(r, f) for f in AMOUNTS),
        tuple(payers),
        r.balc,
        tuple(json.loads(r.policy)),
        no_fund_reason=r.no_fund_reason,
    )


def show_claim(uow: UnitOfWork, setl_id: str, field: str = "setl_id") -> dict:
    """The claim posted as `setl_id`; a NotFound names `field`, the input that gave it."""
    with uow.read_only():
        return show(uow.session, claim_record(uow.session, setl_id, field))


def claim_record(s: Session, setl_id: str, field: str = "setl_id") -> ClaimRecord:
    setl_id = (setl_id or "").strip()
    r = s.scalars(select(ClaimRecord).where(ClaimRecord.setl_id == setl_id)).one_or_none()
    if r is None:
        day = archived_claims(s, {setl_id}).get(setl_id)
        if day is not None:
            raise NotFound(
                _("{field}: claim {setl_id} of {day} is in an archived year (ledger db archive)").format(
                    field=field, setl_id=setl_id, day=day
                )
            )
        raise NotFound(_("{field}: no claim {setl_id!r} is posted").format(field=field, setl_id=setl_id))
    return r


def archived_claims(s: Session, setl_ids: set[str]) -> dict[str, date]:
    """setl_id -> service day, of those of `setl_ids` whose claims left with an archived
    year (services/archive.py): the registry keeps the id, without the claim. PostgreSQL
    only; an SQLite ledger archives nothing."""
    if not setl_ids or s.get_bind().dialect.name != "postgresql":
        return {}
    r = table(REGISTRY, column("setl_id"), column("claim_id"), column("service_date"))
    rows = s.execute(
        select(r.c.setl_id, r.c.service_date).where(one_of(s, r.c.setl_id, setl_ids), r.c.claim_id.is_(None))
    )
    return {setl_id: day for setl_id, day in rows}


def show(s: Session, r: ClaimRecord) -> dict:
    """`ledger claim show`: the result without its input line, who posted it when, and its reversal."""
    view = {k: v for k, v in posted_claims(s, {r.setl_id})[r.setl_id].result.items() if k != "line"}
    rev = s.scalars(select(ClaimReversal).where(ClaimReversal.claim_id == r.id)).first()
    view["posted_at"] = r.created_at
    view["operator"] = r.operator
    view["reversal"] = (
        None if rev is None else {"reversed_on": rev.reversed_on, "reason": rev.reason, "operator": rev.operator}
    )
    view["fixmedins_code"] = r.fixmedins_code
    view["source"] = _source(s, r.id)
    return view


def _source(s: Session, claim_id: int) -> dict | None:
    """The platform record the claim was posted from (None for a claim in the ledger's own format)."""
    t = ClaimSource.__table__
    # The record is read as its text, so its numbers stay as the platform wrote them, never floats.
    columns = [c for c in t.c if c.name not in ("claim_id", "received")]
    src = s.execute(
        select(*columns, cast(t.c.received, Text).label("received")).where(t.c.claim_id == claim_id)
    ).first()
    if src is None:
        return None
    return {
        "profile": src.profile,
        "mdtrt_id": src.mdtrt_id,
        "platform_psn_no": src.platform_psn_no,
        "fixmedins_name": src.fixmedins_name,
        "setl_time": src.setl_time.isoformat(sep=" "),
        "begndate": src.begndate,
        "enddate": src.enddate,
        **{f: Yuan(getattr(src, f)) for f in OTHER_FUNDS},
        "mdtrtarea_admvs": src.mdtrtarea_admvs,  # where the care was given (docs/institutions.md)
        "offsite": src.offsite,  # the off-site kind it was adjudicated as; None: local care
        "received": exact_json(src.received),
    }


def usage(uow: UnitOfWork, psn_no: str, year: int) -> dict:
    """`ledger usage`: the year's counters of one person (docs/cli.md)."""
    year = check_year(year)
    with uow.read_only(replica=True):
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
