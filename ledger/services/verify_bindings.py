"""`ledger verify`, the bindings: no pair bound twice at once, and every mutual-aid payment
and every contribution made under a binding that bound that holder to that member that day."""

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from ..db.models import ClaimMutualAid, ClaimRecord, ContributionPayment, FamilyBinding
from ..rules.idcard import mask
from .verify_problem import Problem, problem
from .verify_scope import EVERYTHING, Scope


def binding_problems(s, scope: Scope = EVERYTHING) -> list[Problem]:
    """No pair is bound twice at once (every binding, always: they are few), and every
    mutual-aid payment and contribution (since a mark: posted after it) was made by the
    binding's holder, for its member, on a day the binding was active."""
    return _overlaps(s) + _payments_unbound(s, scope) + _contributions_unbound(s, scope)


def _overlaps(s) -> list[Problem]:
    problems = []
    a, b = aliased(FamilyBinding), aliased(FamilyBinding)
    overlap = (
        select(a.id, b.id, a.holder_psn_no, a.member_psn_no)
        .join(b, and_(a.holder_psn_no == b.holder_psn_no, a.member_psn_no == b.member_psn_no, a.id < b.id))
        .where(or_(a.ended_on.is_(None), b.bound_on < a.ended_on), or_(b.ended_on.is_(None), a.bound_on < b.ended_on))
        .order_by(a.id, b.id)
    )
    for first, second, holder, member in s.execute(overlap):
        problems.append(
            problem(
                "binding_twice",
                "family_bindings",
                first,
                "bindings {first} and {second}: {holder} and member {member} are bound twice at once",
                first=first,
                second=second,
                holder=mask(holder),
                member=mask(member),
            )
        )
    return problems


def _payments_unbound(s, scope: Scope) -> list[Problem]:
    problems = []
    m, bd = ClaimMutualAid, FamilyBinding
    wrong = (
        select(ClaimRecord.setl_id, m.payer_psn_no, bd.id, ClaimRecord.service_date)
        .join(m, m.claim_id == ClaimRecord.id)
        .join(bd, bd.id == m.binding_id)
        .where(
            or_(
                bd.holder_psn_no != m.payer_psn_no,
                bd.member_psn_no != ClaimRecord.psn_no,
                ~bd.active_on(ClaimRecord.service_date),
            ),
            scope.after(ClaimRecord.posting_id),
        )
        .order_by(ClaimRecord.setl_id, m.seq)
    )
    for setl_id, payer, binding_id, day in s.execute(wrong):
        problems.append(
            problem(
                "mutual_aid_unbound",
                "claim_mulaid_payments",
                setl_id,
                "claim {setl_id}: paid by {payer} under binding {binding}, which did not bind that payer to the "
                "patient on {day}",
                setl_id=setl_id,
                payer=mask(payer),
                binding=binding_id,
                day=day,
            )
        )
    return problems


def _contributions_unbound(s, scope: Scope) -> list[Problem]:
    problems = []
    cp, bd = ContributionPayment, FamilyBinding
    wrong = (
        select(cp.year, cp.member_psn_no, cp.holder_psn_no, cp.paid_on, bd.id)
        .join(bd, bd.id == cp.binding_id)
        .where(
            or_(bd.holder_psn_no != cp.holder_psn_no, bd.member_psn_no != cp.member_psn_no, ~bd.active_on(cp.paid_on)),
            scope.after(cp.posting_id),
        )
        .order_by(cp.member_psn_no, cp.year)
    )
    for year, member, holder, day, binding_id in s.execute(wrong):
        problems.append(
            problem(
                "contribution_unbound",
                "contribution_payments",
                f"{member}/{year}",
                "contribution {year} of {member}: paid by {holder} on {day} under binding {binding}, which did "
                "not bind that holder to the member that day",
                year=year,
                member=mask(member),
                holder=mask(holder),
                day=day,
                binding=binding_id,
            )
        )
    return problems
