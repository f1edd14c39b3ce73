"""Family mutual aid (家庭共济): who may be bound to whose personal account. Pure rules.

The relation is what the member is *to the holder*: binding holder 李建国 to member 王桂兰
with `parent` says 王桂兰 is 李建国's parent, so she must be older than he is.
"""

from dataclasses import dataclass
from datetime import date

from ..errors import Conflict, ValidationError
from ..i18n import _
from ..policy.parameters import RELATIONS
from .idcard import mask

# The member is of an older generation than the holder / of a younger one.
OLDER = {"parent", "grandparent", "maternal_grandparent"}
YOUNGER = {"child", "grandchild", "maternal_grandchild"}


@dataclass(frozen=True)
class Party:
    """What the rules need to know of a holder or a member."""

    psn_no: str
    birth_date: date
    region: str
    has_account: bool
    enrolled: frozenset[int]


@dataclass(frozen=True)
class BindingPolicy:
    """The family parameters in force for the holder's region on the binding date (or on
    1 January of the contribution year, for a binding made in its central contribution
    period). A limit left as None is not set: no such limit."""

    region: str
    on: date
    relations: tuple[str, ...]
    member_same_province: bool
    max_holders_per_member: int | None = None
    max_members_per_holder: int | None = None
    cross_region_allowed: bool | None = None
    min_days_before_unbind: int | None = None


@dataclass(frozen=True)
class Bound:
    """How many active bindings the two parties are in now."""

    member_holders: int  # holders the member is bound to
    holder_members: int  # members bound to the holder


def check_relation_name(relation: str) -> str:
    relation = (relation or "").strip()
    if relation not in RELATIONS:
        raise ValidationError(
            "relation",
            _("{relation!r} is not a relation; use one of {relations}").format(
                relation=relation, relations=", ".join(RELATIONS)
            ),
        )
    return relation


def check_binding(
    holder: Party,
    member: Party,
    relation: str,
    policy: BindingPolicy,
    on: date,
    bound: Bound = Bound(0, 0),
    contribution_year: int | None = None,
) -> None:
    """Raise the first reason the binding may not be made; return if it may.

    `contribution_year`: the binding is made in that year's central contribution period
    for a resident member not yet enrolled, so that the holder's account can pay the
    member's first contribution (which enrolls them); the member need not be enrolled yet."""
    _check_parties(holder, member, relation, policy, on, contribution_year)
    _check_limits(holder, member, policy, bound)
    _check_ages(holder, member, relation)


def _check_parties(holder: Party, member: Party, relation: str, policy: BindingPolicy, on: date, contribution_year):
    if holder.psn_no == member.psn_no:
        raise ValidationError("member", _("a person cannot be bound to their own account"))
    if not holder.has_account:
        raise Conflict(
            _("holder: {psn_no} has no personal account to share (residents have none)").format(
                psn_no=mask(holder.psn_no)
            )
        )
    if on.year not in member.enrolled and contribution_year is None:
        raise Conflict(
            _("member: {psn_no} is not enrolled for {year}, the year of the binding date").format(
                psn_no=mask(member.psn_no), year=on.year
            )
        )
    if relation not in policy.relations:
        raise Conflict(
            _(
                "relation: {relation} is not allowed by the policy for region {region} on {on} (allowed: {relations})"
            ).format(relation=relation, region=policy.region, on=on, relations=", ".join(policy.relations))
        )
    if policy.member_same_province and member.region[:2] != holder.region[:2]:
        raise Conflict(
            _(
                "member: insured in region {region}, outside the holder's province ({region2}0000); the policy for region {region3} on {on} requires the same province"
            ).format(region=member.region, region2=holder.region[:2], region3=policy.region, on=on)
        )
    if policy.cross_region_allowed is False and member.region[:4] != holder.region[:4]:
        raise Conflict(
            _(
                "member: insured in region {region}, outside the holder's pooling area ({region2}00); the policy for region {region3} on {on} allows no cross-region binding (family.cross_region_allowed)"
            ).format(region=member.region, region2=holder.region[:4], region3=policy.region, on=policy.on)
        )


def _check_limits(holder: Party, member: Party, policy: BindingPolicy, bound: Bound) -> None:
    if policy.max_holders_per_member is not None and bound.member_holders >= policy.max_holders_per_member:
        raise Conflict(
            _(
                "member: {psn_no} is already bound to {member_holders} holder(s), the most the policy for region {region} allows (family.max_holders_per_member = {max_holders_per_member}); unbind one first"
            ).format(
                psn_no=mask(member.psn_no),
                member_holders=bound.member_holders,
                region=policy.region,
                max_holders_per_member=policy.max_holders_per_member,
            )
        )
    if policy.max_members_per_holder is not None and bound.holder_members >= policy.max_members_per_holder:
        raise Conflict(
            _(
                "holder: {psn_no} already has {holder_members} member(s) bound, the most the policy for region {region} allows (family.max_members_per_holder = {max_members_per_holder}); unbind one first"
            ).format(
                psn_no=mask(holder.psn_no),
                holder_members=bound.holder_members,
                region=policy.region,
                max_members_per_holder=policy.max_members_per_holder,
            )
        )


def _check_ages(holder: Party, member: Party, relation: str) -> None:
    if relation in OLDER and not member.birth_date < holder.birth_date:
        raise Conflict(
            _(
                "relation: a {value} must be older than the holder (member born {birth_date}, holder born {birth_date2})"
            ).format(value=relation.replace("_", " "), birth_date=member.birth_date, birth_date2=holder.birth_date)
        )
    if relation in YOUNGER and not member.birth_date > holder.birth_date:
        raise Conflict(
            _(
                "relation: a {value} must be younger than the holder (member born {birth_date}, holder born {birth_date2})"
            ).format(value=relation.replace("_", " "), birth_date=member.birth_date, birth_date2=holder.birth_date)
        )


def is_active(bound_on: date, ended_on: date | None, day: date) -> bool:
    """Active from the day it was made until the day it ends (that day excluded)."""
    return bound_on <= day and (ended_on is None or day < ended_on)
