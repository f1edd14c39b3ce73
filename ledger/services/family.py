"""Binding and unbinding family members (家庭共济绑定), and listing the bindings. Paying a
bound member's resident contribution is in contributions (`family.pay_contribution` still
names it)."""

from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..db.models import (
    Account,
    ClaimMutualAid,
    ClaimRecord,
    ContributionPayment,
    Enrollment,
    FamilyBinding,
    Person,
    utcnow,
)
from ..db.retry import retried
from ..db.sql import lock_persons, one_of
from ..errors import Conflict, ValidationError
from ..i18n import _
from ..policy.book import PolicyBook
from ..rules.codes import RESIDENT
from ..rules.family import BindingPolicy, Bound, Party, check_binding, check_relation_name
from ..rules.idcard import mask
from ..rules.text import REASON_LENGTH, check_text
from ..uow import UnitOfWork
from . import archive
from .contributions import pay_contribution as pay_contribution  # its old home: family.pay_contribution
from .listings import person_filter
from .policies import policy_book
from .records import audit, effective_date, flush_or, get_person


@retried
def bind(
    uow: UnitOfWork,
    operator: str,
    holder: str,
    member: str,
    relation: str,
    on: date | None = None,
    reason: str | None = None,
) -> dict:
    relation = check_relation_name(relation)
    reason = check_text(reason, "reason", required=False, max_length=REASON_LENGTH)
    on = effective_date(on)
    with uow:
        s = uow.session
        h, m = get_person(s, holder, "holder"), get_person(s, member, "member")
        archive.require_live(s, on, "date")  # an archived year's history is closed
        book = policy_book(s)
        member_party = _party(s, m)
        contribution_year = _contribution_year(book, m, member_party, on)
        # A binding made in a central contribution period for the coming year follows that
        # year's rules, even before any file for it is in force on the day.
        rules_on = max(on, date(contribution_year, 1, 1)) if contribution_year else on
        policy, used = binding_policy(book, h.region, rules_on)
        # Counted under the holder's and the member's binding rows, which concurrent binds of
        # the same pair or member also lock (a limit cannot be passed by two clerks at once).
        bound = _bound(s, h.psn_no, m.psn_no)
        check_binding(_party(s, h), member_party, relation, policy, on, bound, contribution_year)
        _refuse_overlap(s, h, m, on)
        b = FamilyBinding(
            holder_psn_no=h.psn_no,
            member_psn_no=m.psn_no,
            relation=relation,
            bound_on=on,
            bound_by=operator,
            bind_reason=reason,
        )
        s.add(b)
        flush_or(
            s,
            Conflict(
                _("{psn_no} is already bound to member {psn_no2}").format(psn_no=mask(h.psn_no), psn_no2=mask(m.psn_no))
            ),
        )
        audit(
            s,
            operator=operator,
            action="family.bind",
            subject=h.psn_no,
            reason=reason,
            member=m.psn_no,
            relation=relation,
            bound_on=on,
            binding=b.id,
        )
        view = binding_views(s, [b])[0]
        uow.commit()
        view["contribution_year"] = contribution_year
        return view | {"warnings": [w for r in used if (w := r.warning)]}


def _refuse_overlap(s: Session, h: Person, m: Person, on: date) -> None:
    """A pair is bound once at a time: not while a binding of it is open, nor from a day
    before its last binding ended."""
    pair = (FamilyBinding.holder_psn_no == h.psn_no, FamilyBinding.member_psn_no == m.psn_no)
    active = s.scalars(select(FamilyBinding).where(*pair, FamilyBinding.is_open)).first()
    if active is not None:
        raise Conflict(
            _("{psn_no} is already bound to member {psn_no2} (as {relation}, since {bound_on})").format(
                psn_no=mask(h.psn_no), psn_no2=mask(m.psn_no), relation=active.relation, bound_on=active.bound_on
            )
        )
    last_end = s.scalar(select(FamilyBinding.ended_on).where(*pair).order_by(FamilyBinding.ended_on.desc()).limit(1))
    if last_end is not None and on < last_end:
        raise ValidationError(
            "date",
            _("{on} is before {last_end}, when the previous binding of this pair ended").format(
                on=on, last_end=last_end
            ),
        )


def binding_policy(book: PolicyBook, region: str, on: date) -> tuple[BindingPolicy, list]:
    """The family parameters in force for the holder's region on a day, and the resolved
    values they came from (for their review warnings)."""
    relations = book.get(region, on, "family.relations")
    same_province = book.get(region, on, "family.member_same_province")
    limits = {name: book.find(region, on, f"family.{name}") for name in LIMITS}
    policy = BindingPolicy(
        relations.document.policy.region,
        on,
        relations.value,
        same_province.value,
        **{name: r.value if r is not None else None for name, r in limits.items()},
    )
    return policy, [relations, same_province, *(r for r in limits.values() if r is not None)]


LIMITS = ("max_holders_per_member", "max_members_per_holder", "cross_region_allowed", "min_days_before_unbind")


def _contribution_year(book: PolicyBook, m: Person, member: Party, on: date) -> int | None:
    """The year whose central contribution period `on` falls in, for a resident member not
    enrolled in the year of `on`: binding then lets the holder pay the member's first
    contribution. None otherwise (the member must be enrolled, as for any binding)."""
    if m.insutype != RESIDENT or on.year in member.enrolled:
        return None
    for year in (on.year + 1, on.year):
        jan1 = date(year, 1, 1)
        start = book.find(m.region, jan1, "resident.contribution.central_period.start")
        end = book.find(m.region, jan1, "resident.contribution.central_period.end")
        if start is not None and end is not None and start.value <= on <= end.value and year not in member.enrolled:
            return year
    return None


def _bound(s: Session, holder: str, member: str) -> Bound:
    """Active bindings of the member (to any holder) and of the holder (to any member).
    The two persons' rows are locked first, so two clerks binding the same member (or for
    the same holder) at once are counted one after the other, and a limit holds."""
    lock_persons(s, {holder, member})
    rows = s.execute(
        select(FamilyBinding.holder_psn_no, FamilyBinding.member_psn_no)
        .where(FamilyBinding.is_open, or_(FamilyBinding.member_psn_no == member, FamilyBinding.holder_psn_no == holder))
        .order_by(FamilyBinding.id)
    ).all()
    return Bound(sum(1 for r in rows if r.member_psn_no == member), sum(1 for r in rows if r.holder_psn_no == holder))


@retried
def unbind(
    uow: UnitOfWork, operator: str, holder: str, member: str, on: date | None = None, reason: str | None = None
) -> dict:
    reason = check_text(reason, "reason", required=False, max_length=REASON_LENGTH)
    on = effective_date(on)
    with uow:
        s = uow.session
        h, m = get_person(s, holder, "holder"), get_person(s, member, "member")
        b = s.scalars(
            select(FamilyBinding)
            .where(
                FamilyBinding.holder_psn_no == h.psn_no,
                FamilyBinding.member_psn_no == m.psn_no,
                FamilyBinding.is_open,
            )
            .with_for_update()
        ).first()
        if b is None:
            raise Conflict(
                _("{psn_no} is not bound to member {psn_no2}: nothing to unbind").format(
                    psn_no=mask(h.psn_no), psn_no2=mask(m.psn_no)
                )
            )
        if on < b.bound_on:
            raise ValidationError(
                "date", _("{on} is before the binding began on {bound_on}").format(on=on, bound_on=b.bound_on)
            )
        # An archived year's payments under the binding left with it: its history is closed
        archive.require_live(s, on, "date")
        least = policy_book(s).find(h.region, on, "family.min_days_before_unbind")
        if least is not None and (on - b.bound_on).days < least.value:
            raise ValidationError(
                "date",
                _(
                    "the binding began on {bound_on} and the policy for region {region} keeps a binding at least {value} days (family.min_days_before_unbind): end it on {bound_on2} or later"
                ).format(
                    bound_on=b.bound_on,
                    region=least.document.policy.region,
                    value=least.value,
                    bound_on2=b.bound_on + timedelta(days=least.value),
                ),
            )
        _refuse_end_before_paid(s, b, on)
        b.ended_on, b.ended_by, b.end_reason, b.ended_at = on, operator, reason, utcnow()
        audit(
            s,
            operator=operator,
            action="family.unbind",
            subject=h.psn_no,
            reason=reason,
            member=m.psn_no,
            ended_on=on,
            binding=b.id,
        )
        view = binding_views(s, [b])[0]
        uow.commit()
        return view


def _refuse_end_before_paid(s: Session, b: FamilyBinding, on: date) -> None:
    """An end on or before a day the holder's account paid under the binding (a claim, a
    contribution) would leave that payment made under no binding at all."""
    # Claims and contributions hold the binding FOR SHARE while they post, so this sees
    # every payment committed before the lock, and none can come after it unseen.
    last = s.execute(
        select(ClaimRecord.service_date, ClaimRecord.setl_id)
        .join(ClaimMutualAid, ClaimMutualAid.claim_id == ClaimRecord.id)
        .where(ClaimMutualAid.binding_id == b.id)
        .order_by(ClaimRecord.service_date.desc(), ClaimRecord.setl_id)
        .limit(1)
    ).first()
    if last is not None and on <= last.service_date:
        raise ValidationError(
            "date",
            _(
                "{on} would end the binding before claim {setl_id} of {service_date}, which the holder's account paid under it; end it on {service_date2} or later"
            ).format(
                on=on,
                setl_id=last.setl_id,
                service_date=last.service_date,
                service_date2=last.service_date + timedelta(days=1),
            ),
        )
    # The same for a resident contribution the holder paid under it (paid_on is its day).
    paid = s.execute(
        select(ContributionPayment.paid_on, ContributionPayment.year)
        .where(ContributionPayment.binding_id == b.id)
        .order_by(ContributionPayment.paid_on.desc())
        .limit(1)
    ).first()
    if paid is not None and on <= paid.paid_on:
        raise ValidationError(
            "date",
            _(
                "{on} would end the binding before the {year} contribution paid under it on {paid_on}; end it on {paid_on2} or later"
            ).format(on=on, year=paid.year, paid_on=paid.paid_on, paid_on2=paid.paid_on + timedelta(days=1)),
        )


def list_bindings(
    uow: UnitOfWork,
    psn_no: str | None = None,
    *,
    holder: str | None = None,
    member: str | None = None,
    relation: str | None = None,
    active: bool | None = None,
    limit: int | None = None,
) -> list[dict]:
    """Bindings, active and ended, oldest first: every one `psn_no` is in, as holder or
    member (each row then says which, `role`); or, without it, every binding. The filters
    narrow either: the `holder`, the `member`, the `relation` (what the member is to the
    holder), `active` True or False. At most `limit` rows."""
    fb = FamilyBinding
    relation = None if relation is None else check_relation_name(relation)
    holder, member = person_filter(holder, "--holder"), person_filter(member, "--member")
    with uow.read_only():
        s = uow.session
        q = select(fb).order_by(fb.bound_on, fb.id)
        p = None
        if psn_no is not None:
            p = get_person(s, psn_no)
            q = q.where(or_(fb.holder_psn_no == p.psn_no, fb.member_psn_no == p.psn_no))
        if holder:
            q = q.where(fb.holder_psn_no == holder)
        if member:
            q = q.where(fb.member_psn_no == member)
        if relation:
            q = q.where(fb.relation == relation)
        if active is not None:
            q = q.where(fb.is_open if active else ~fb.is_open)
        views = binding_views(s, s.scalars(q.limit(limit)).all())
        return views if p is None else _with_role(views, p.psn_no)


def active_bindings(session: Session, psn_no: str) -> list[dict]:
    rows = session.scalars(
        select(FamilyBinding)
        .where(
            or_(FamilyBinding.holder_psn_no == psn_no, FamilyBinding.member_psn_no == psn_no),
            FamilyBinding.is_open,
        )
        .order_by(FamilyBinding.id)
    ).all()
    return _with_role(binding_views(session, rows), psn_no)


def _with_role(views: list[dict], psn_no: str) -> list[dict]:
    return [v | {"role": "holder" if v["holder"] == psn_no else "member"} for v in views]


def binding_views(session: Session, rows: list[FamilyBinding]) -> list[dict]:
    if not rows:
        return []
    ids = {r.holder_psn_no for r in rows} | {r.member_psn_no for r in rows}
    names = dict(session.execute(select(Person.psn_no, Person.name).where(one_of(session, Person.psn_no, ids))).all())
    return [
        {
            "id": r.id,
            "holder": r.holder_psn_no,
            "holder_name": names[r.holder_psn_no],
            "member": r.member_psn_no,
            "member_name": names[r.member_psn_no],
            "relation": r.relation,
            "bound_on": r.bound_on,
            "bound_by": r.bound_by,
            "bind_reason": r.bind_reason,
            "ended_on": r.ended_on,
            "ended_by": r.ended_by,
            "end_reason": r.end_reason,
            "active": r.is_open,
        }
        for r in rows
    ]


def _party(session: Session, p: Person) -> Party:
    has_account = session.scalar(select(Account.id).where(Account.psn_no == p.psn_no)) is not None
    years = frozenset(session.scalars(select(Enrollment.year).where(Enrollment.psn_no == p.psn_no)))
    return Party(p.psn_no, p.birth_date, p.region, has_account, years)
