"""Family mutual aid (家庭共济): who may be bound to whose personal account. Pure rules.

The relation is what the member is *to the holder*: binding holder 李建国 to member 王桂兰
with `parent` says 王桂兰 is 李建国's parent, so she must be older than he is.
"""

from dataclasses import dataclass
from datetime import date

from ..errors import Conflict, ValidationError
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
        raise ValidationError("relation", f"{relation!r} is not a relation; use one of {', '.join(RELATIONS)}")
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
    if holder.psn_no == member.psn_no:
        raise ValidationError("member", "a person cannot be bound to their own account")
    if not holder.has_account:
        raise Conflict(f"holder: {mask(holder.psn_no)} has no personal account to share (residents have none)")
    if on.year not in member.enrolled and contribution_year is None:
        raise Conflict(f"member: {mask(member.psn_no)} is not enrolled for {on.year}, the year of the binding date")
    if relation not in policy.relations:
        raise Conflict(
            f"relation: {relation} is not allowed by the policy for region {policy.region} on {on} "
            f"(allowed: {', '.join(policy.relations)})"
        )
    if policy.member_same_province and member.region[:2] != holder.region[:2]:
        raise Conflict(
            f"member: insured in region {member.region}, outside the holder's province ({holder.region[:2]}0000); "
            f"the policy for region {policy.region} on {on} requires the same province"
        )
    if policy.cross_region_allowed is False and member.region[:4] != holder.region[:4]:
        raise Conflict(
            f"member: insured in region {member.region}, outside the holder's pooling area ({holder.region[:4]}00); "
            f"the policy for region {policy.region} on {policy.on} allows no cross-region binding (family.cross_region_allowed)"
        )
    if policy.max_holders_per_member is not None and bound.member_holders >= policy.max_holders_per_member:
        raise Conflict(
            f"member: {mask(member.psn_no)} is already bound to {bound.member_holders} holder(s), the most the policy for region "
            f"{policy.region} allows (family.max_holders_per_member = {policy.max_holders_per_member}); unbind one first"
        )
    if policy.max_members_per_holder is not None and bound.holder_members >= policy.max_members_per_holder:
        raise Conflict(
            f"holder: {mask(holder.psn_no)} already has {bound.holder_members} member(s) bound, the most the policy for region "
            f"{policy.region} allows (family.max_members_per_holder = {policy.max_members_per_holder}); unbind one first"
        )
    if relation in OLDER and not member.birth_date < holder.birth_date:
        raise Conflict(
            f"relation: a {relation.replace('_', ' ')} must be older than the holder "
            f"(member born {member.birth_date}, holder born {holder.birth_date})"
        )
    if relation in YOUNGER and not member.birth_date > holder.birth_date:
        raise Conflict(
            f"relation: a {relation.replace('_', ' ')} must be younger than the holder "
            f"(member born {member.birth_date}, holder born {holder.birth_date})"
        )


def is_active(bound_on: date, ended_on: date | None, day: date) -> bool:
    """Active from the day it was made until the day it ends (that day excluded)."""
    return bound_on <= day and (ended_on is None or day < ended_on)
