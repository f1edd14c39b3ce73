"""Lists with filters, for the counter and for scripts: persons, claims (`ledger person
list`, `ledger claim list`). Read-only; at most `limit` rows, and whether there were more.

Each filter is optional; a person given as a filter is checked as an ID number first (a
mistyped one is an error naming the option, not an empty list)."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, or_, select

from ..db.models import Account, ClaimMutualAid, ClaimRecord, ClaimReversal, Enrollment, Person
from ..errors import ValidationError
from ..i18n import _
from ..rules.codes import INSUTYPES
from ..rules.idcard import parse_id_number
from ..rules.money import Yuan
from ..uow import UnitOfWork
from . import archive

STATUSES = ("posted", "reversed")


@dataclass
class Listing:
    """What a list found: its rows, in order, and whether `limit` cut it short."""

    rows: list[dict]
    more: bool


def person_filter(value: str | None, option: str) -> str | None:
    return None if value is None else parse_id_number(value, option).value


def _period(date_from: date | None, date_to: date | None) -> None:
    if date_from and date_to and date_from > date_to:
        raise ValidationError(
            "--from", _("{date_from} is after --to {date_to}").format(date_from=date_from, date_to=date_to)
        )


def _cut(rows: list, limit: int | None) -> tuple[list, bool]:
    if limit is not None and len(rows) > limit:
        return rows[:limit], True
    return rows, False


def list_persons(
    uow: UnitOfWork,
    *,
    region: str | None = None,
    insutype: str | None = None,
    enrolled: int | None = None,
    name: str | None = None,
    limit: int | None = None,
) -> Listing:
    """Persons by ID number: `region` a code or its prefix (2207), `insutype` 310 or 390,
    `enrolled` a year they are insured for, `name` a part of the name."""
    if insutype is not None and insutype not in INSUTYPES:
        raise ValidationError("--insutype", _("must be one of {values}").format(values=", ".join(INSUTYPES)))
    q = select(Person.psn_no, Person.name, Person.insutype, Person.psn_type, Person.resident_category, Person.region)
    if region:
        q = q.where(Person.region.startswith(region.strip(), autoescape=True))
    if insutype:
        q = q.where(Person.insutype == insutype)
    if enrolled is not None:
        q = q.where(exists().where(Enrollment.psn_no == Person.psn_no, Enrollment.year == enrolled))
    if name:
        q = q.where(Person.name.contains(name.strip(), autoescape=True))
    q = q.order_by(Person.psn_no)
    with uow.read_only():
        s = uow.session
        rows, more = _cut(s.execute(q.limit(None if limit is None else limit + 1)).all(), limit)
        ids = [r.psn_no for r in rows]
        years: dict[str, list[int]] = {}
        for psn_no, year in s.execute(
            select(Enrollment.psn_no, Enrollment.year).where(Enrollment.psn_no.in_(ids)).order_by(Enrollment.year)
        ):
            years.setdefault(psn_no, []).append(year)
        balances = dict(s.execute(select(Account.psn_no, Account.balance).where(Account.psn_no.in_(ids))).all())
    return Listing(
        [
            {
                "psn_no": r.psn_no,
                "name": r.name,
                "insutype": r.insutype,
                "psn_type": r.psn_type,
                "resident_category": r.resident_category,
                "region": r.region,
                "enrolled": years.get(r.psn_no, []),
                "balance": Yuan(balances[r.psn_no]) if r.psn_no in balances else None,
            }
            for r in rows
        ],
        more,
    )


CLAIM_FIGURES = ("medfee_sumamt", "fund_pay_sumamt", "acct_pay", "wallet_pay", "acct_mulaid_pay", "psn_cash_pay")


def list_claims(
    uow: UnitOfWork,
    *,
    psn_no: str | None = None,
    holder: str | None = None,
    institution: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    status: str | None = None,
    bucket: str | None = None,
    med_type: str | None = None,
    limit: int | None = None,
) -> Listing:
    """Claims by service date: of the patient `psn_no`; paid in part by `holder`'s account
    (mutual aid for a relative); at the institution `institution` (fixmedins_code); served
    from `date_from` to `date_to`; `status` posted (standing) or reversed; of the usage
    bucket `bucket` (the basic fund's or the second layer's: outpatient, chronic:I10,
    inpatient, major_illness); of the medical type `med_type`. An archived year's claims
    are not listed: they left with it (services/archive.py)."""
    psn_no, holder = person_filter(psn_no, "--person"), person_filter(holder, "--holder")
    _period(date_from, date_to)
    if status is not None and status not in STATUSES:
        raise ValidationError("--status", _("must be one of {values}").format(values=", ".join(STATUSES)))
    c = ClaimRecord
    reversed_ = exists().where(ClaimReversal.claim_id == c.id)
    q = select(
        c.setl_id,
        c.service_date,
        c.psn_no,
        Person.name,
        c.med_type,
        c.hosp_lv,
        c.fixmedins_code,
        c.bucket,
        c.layer_bucket,
        *(c.__table__.c[f] for f in CLAIM_FIGURES),
        reversed_.label("reversed"),
    ).join(Person, Person.psn_no == c.psn_no)
    given = [
        (psn_no, lambda: c.psn_no == psn_no),
        (holder, lambda: exists().where(ClaimMutualAid.claim_id == c.id, ClaimMutualAid.payer_psn_no == holder)),
        (institution, lambda: c.fixmedins_code == institution.strip()),
        (date_from, lambda: c.service_date >= date_from),
        (date_to, lambda: c.service_date <= date_to),
        (status == "posted", lambda: ~reversed_),
        (status == "reversed", lambda: reversed_),
        (bucket, lambda: or_(c.bucket == bucket.strip(), c.layer_bucket == bucket.strip())),
        (med_type, lambda: c.med_type == med_type.strip()),
    ]
    q = q.where(*(condition() for wanted, condition in given if wanted))
    q = q.order_by(c.service_date, c.setl_id)
    with uow.read_only():
        if date_from:
            archive.require_live(uow.session, date_from, "--from")
        rows, more = _cut(uow.session.execute(q.limit(None if limit is None else limit + 1)).all(), limit)
    return Listing([_claim_row(r) for r in rows], more)


def _claim_row(r) -> dict:
    return {
        "setl_id": r.setl_id,
        "service_date": r.service_date,
        "psn_no": r.psn_no,
        "name": r.name,
        "med_type": r.med_type,
        "hosp_lv": r.hosp_lv,
        "fixmedins_code": r.fixmedins_code,
        "bucket": r.bucket,
        "layer_bucket": r.layer_bucket,
        **{f: Yuan(getattr(r, f)) for f in CLAIM_FIGURES},
        "status": "reversed" if r.reversed else "posted",
    }
