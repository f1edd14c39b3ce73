"""Where care was given (docs/institutions.md): the claims posted from the platform's
records, by area of treatment (mdtrtarea_admvs) and the off-site kind they were adjudicated
as, read from the claims and their sources (the reports' running sums keep no area).
Reversed claims are left out."""

from datetime import date

from sqlalchemy import func, select

from ...db.models import ClaimRecord, ClaimReversal, ClaimSource, Person
from ...db.sql import sum_fen
from ...i18n import _
from ...rules.money import Yuan
from ...uow import UnitOfWork
from .. import archive
from .report import Report

PLACE_FIGURES = ("claims", "people", "medfee_sumamt", "fund_pay_sumamt", "psn_cash_pay")
LOCAL = "local"  # the `offsite` of a claim of local care


def places(uow: UnitOfWork, start: date, end: date, region: str | None = None) -> Report:
    """The unreversed claims served in the period that came from platform records, by area
    of treatment and off-site kind (`local` for care in the patient's own pooling area):
    人次, people, fee, what the funds paid and what the patients paid in cash."""
    c, src = ClaimRecord, ClaimSource
    area = func.coalesce(src.mdtrtarea_admvs, "").label("area")
    kind = func.coalesce(src.offsite, LOCAL).label("offsite")
    figures = (
        func.count(c.id).label("claims"),
        func.count(func.distinct(c.psn_no)).label("people"),
        *(sum_fen(getattr(c, f)).label(f) for f in PLACE_FIGURES[2:]),
    )
    q = _served(select(area, kind, *figures), start, end, region).group_by(area, kind).order_by(area, kind)
    people = _served(select(c.psn_no), start, end, region).distinct().subquery()
    with uow.read_only(replica=True):
        archive.require_live(uow.session, start, "--from")  # an archived year's claims are gone
        rows = [dict(row._mapping) for row in uow.session.execute(q)]
        everyone = uow.session.scalar(select(func.count()).select_from(people))
    for row in rows:
        for f in PLACE_FIGURES[2:]:
            row[f] = Yuan(row[f])
    total = {"area": "total", "claims": sum(x["claims"] for x in rows), "people": everyone}
    total |= {f: Yuan(sum(x[f].fen for x in rows)) for f in PLACE_FIGURES[2:]}
    title = _("claims by area of treatment, {start} to {end}").format(start=start, end=end)
    return Report(title + (f", region {region}" if region else ""), ("area", "offsite", *PLACE_FIGURES), rows, total)


def _served(q, start: date, end: date, region: str | None):
    """`q` over the unreversed claims served in the period that came from platform records,
    of patients of `region` (a prefix), if given."""
    c, src, r, p = ClaimRecord, ClaimSource, ClaimReversal, Person
    q = (
        q.join_from(c, src, src.claim_id == c.id)
        .join(p, p.psn_no == c.psn_no)
        .outerjoin(r, r.claim_id == c.id)
        .where(c.service_date.between(start, end), src.service_date.between(start, end), r.id.is_(None))
    )
    return q.where(p.region.startswith(region)) if region else q
