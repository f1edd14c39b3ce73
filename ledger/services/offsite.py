"""Off-site registrations (异地就医备案; docs/institutions.md): a person's registration for
care outside their insured area, dated, by kind. Appended, never changed: a registration
ends with its `enddate`, or with a later one of kind `cancelled`.

    add_registration(uow, operator, psn_no, kind, begndate, enddate, area, reason) -> registrations_of's view
    registrations_of(uow, psn_no, on=None) -> {psn_no, on, in_force, registrations: [...]}
"""

from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from .. import clock
from ..db.models import OffsiteRegistration, utcnow
from ..db.retry import retried
from ..errors import ValidationError
from ..i18n import _
from ..policy.book import pooling_area
from ..rules.codes import OFFSITE_KINDS
from ..rules.offsite import Registration, in_force
from ..rules.text import REASON_LENGTH, check_text
from ..uow import UnitOfWork
from .records import audit, get_person

COLUMNS = ("id", "kind", "begndate", "enddate", "area", "reason", "operator", "created_at")


@retried
def add_registration(
    uow: UnitOfWork,
    operator: str,
    psn_no: str,
    kind: str,
    begndate: date,
    enddate: date | None = None,
    area: str | None = None,
    reason: str | None = None,
) -> dict:
    """Record a registration from `begndate` (to `enddate`; None: no end) for care in `area`
    (None: anywhere). Kind `cancelled` ends the registration in force before it."""
    if kind not in OFFSITE_KINDS:
        raise ValidationError(
            "kind", _("{kind} is not one of {kinds}").format(kind=kind, kinds=", ".join(OFFSITE_KINDS))
        )
    if enddate is not None and enddate < begndate:
        raise ValidationError("enddate", _("{end} is before begndate {begin}").format(end=enddate, begin=begndate))
    area = (area or "").strip() or None
    if area is not None and kind == "cancelled":
        raise ValidationError(
            "area", _("a cancellation ends the registration before it, wherever it is for: give no area")
        )
    if area is not None:
        pooling_area(area, "area")  # refuses what is no region code
    reason = check_text(reason, "reason", max_length=REASON_LENGTH)
    with uow:
        s = uow.session
        person = get_person(s, psn_no)
        values = {"kind": kind, "begndate": begndate, "enddate": enddate, "area": area}
        s.execute(
            insert(OffsiteRegistration.__table__).values(
                psn_no=person.psn_no, operator=operator, created_at=utcnow(), reason=reason, **values
            )
        )
        audit(s, operator=operator, action="offsite.add", subject=person.psn_no, reason=reason, **values)
        view = _view(s, person.psn_no, clock.today())
        uow.commit()
    return view


def registrations_of(uow: UnitOfWork, psn_no: str, on: date | None = None) -> dict:
    with uow.read_only():
        person = get_person(uow.session, psn_no)
        return _view(uow.session, person.psn_no, on or clock.today())


def _view(s: Session, psn_no: str, on: date) -> dict:
    t = OffsiteRegistration.__table__
    rows = [
        dict(r._mapping)
        for r in s.execute(select(*(t.c[c] for c in COLUMNS)).where(t.c.psn_no == psn_no).order_by(t.c.id))
    ]
    n = in_force([Registration(r["kind"], r["begndate"], r["enddate"], r["area"]) for r in rows], on)
    in_force_now = rows[n] if n is not None else None
    return {"psn_no": psn_no, "on": on, "in_force": in_force_now, "registrations": rows}
