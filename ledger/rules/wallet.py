"""The health-insurance wallet's rules (医保钱包, docs/wallet.md), pure: whether a transfer
from a holder's personal account to a near relative's wallet is allowed, judged on the
holder's policy on the pooling area's clock (`wallet.transfer.time_zone`). The service reads the figures (the day's
transfers, the balance) under the holder's account lock and asks these.

Every refusal names the policy parameter it applies, so a clerk can tell the rule from
the slip of a key."""

from dataclasses import dataclass
from datetime import date, datetime, time

from ..errors import Conflict, ValidationError
from ..i18n import _
from .idcard import mask
from .money import format_fen


@dataclass(frozen=True)
class TransferPolicy:
    """The holder's region's wallet parameters on the day of the transfer."""

    region: str
    on: date
    max_per_day: int
    max_amount: int  # fen
    quiet_from: time
    quiet_until: time
    needs_binding: bool
    relations: tuple[str, ...]
    zone: str  # the clock `at` is on (wallet.transfer.time_zone), named in the messages


def check_enabled(role: str, psn_no: str, region: str, on: date, enabled_from: date | None) -> None:
    """Both regions must have the wallet enabled on the day: `role` is holder or member."""
    if enabled_from is None:
        raise Conflict(
            _(
                "{role}: {psn_no}'s region {region} has not enabled the 医保钱包 (its policy gives no wallet.enabled_from)"
            ).format(role=role, psn_no=mask(psn_no), region=region)
        )
    if on < enabled_from:
        raise Conflict(
            _(
                "{role}: {psn_no}'s region {region} enables the 医保钱包 from {enabled_from} (wallet.enabled_from), not on {on}"
            ).format(role=role, psn_no=mask(psn_no), region=region, enabled_from=enabled_from, on=on)
        )


def check_alive(role: str, psn_no: str, died_on: date | None, on: date) -> None:
    """Neither end of a transfer may be a person recorded dead on or before its day: a
    dead holder's account is their estate's, not theirs to send from, and a dead member's
    wallet can pay no care. (On the day of death itself too: the record gives the day, not
    the hour.)"""
    if died_on is not None and on >= died_on:
        raise Conflict(
            _("{role}: {psn_no} died on {died_on} (ledger person died): no wallet transfer on {on}").format(
                role=role, psn_no=mask(psn_no), died_on=died_on, on=on
            )
        )


def in_quiet_hours(at: time, quiet_from: time, quiet_until: time) -> bool:
    """Whether a local time falls in the quiet hours [from, until), which run over midnight
    where `until` is earlier than `from` (22:00 to 06:00)."""
    if quiet_from <= quiet_until:
        return quiet_from <= at < quiet_until
    return at >= quiet_from or at < quiet_until


def check_relation(relation: str | None, bound_relation: str | None, policy: TransferPolicy) -> str:
    """The relation the transfer is made under: a binding's where the pair is bound (a
    relation given too must agree with it), else the one given; the policy's near relatives
    only, and a binding where the policy needs one."""
    if bound_relation is not None:
        if relation is not None and relation != bound_relation:
            raise ValidationError(
                "--relation",
                _("{relation} disagrees with the pair's family binding, which says {bound}").format(
                    relation=relation, bound=bound_relation
                ),
            )
        relation = bound_relation
    elif policy.needs_binding:
        raise Conflict(
            _(
                "member: is not bound to the holder on {on}, and the policy for region {region} lets a wallet transfer go only to a bound relative (wallet.transfer.needs_binding)"
            ).format(on=policy.on, region=policy.region)
        )
    elif relation is None:
        raise ValidationError(
            "--relation", _("the pair is not bound: say what the member is to the holder (spouse, parent, ...)")
        )
    if relation not in policy.relations:
        raise Conflict(
            _(
                "relation: {relation} is not a near relative the policy for region {region} on {on} allows (family.relations: {relations})"
            ).format(relation=relation, region=policy.region, on=policy.on, relations=", ".join(policy.relations))
        )
    return relation


def check_transfer(amount: int, at: datetime, policy: TransferPolicy, made_today: int, balance: int) -> None:
    """The limits, in the order a clerk can act on them: the amount, the hour, the day's
    count, then the holder's balance. `at` is on the policy's clock (`policy.zone`);
    `made_today`: the holder's transfers already made on its day there."""
    if amount > policy.max_amount:
        raise Conflict(
            _(
                "amount: {amount} is more than one wallet transfer may move in region {region} ({max_amount}, wallet.transfer.max_amount)"
            ).format(amount=format_fen(amount), region=policy.region, max_amount=format_fen(policy.max_amount))
        )
    if in_quiet_hours(at.time(), policy.quiet_from, policy.quiet_until):
        raise Conflict(
            _(
                "at: {at} {zone} time (wallet.transfer.time_zone) is in the quiet hours, {quiet_from} to {quiet_until} (wallet.transfer.quiet_from, wallet.transfer.quiet_until): no wallet transfer then"
            ).format(
                at=at.strftime("%H:%M"),
                zone=policy.zone,
                quiet_from=policy.quiet_from.strftime("%H:%M"),
                quiet_until=policy.quiet_until.strftime("%H:%M"),
            )
        )
    if made_today >= policy.max_per_day:
        raise Conflict(
            _(
                "holder: has made {made} wallet transfers on {on}, the most a day in region {region} (wallet.transfer.max_per_day = {max_per_day})"
            ).format(made=made_today, on=at.date(), region=policy.region, max_per_day=policy.max_per_day)
        )
    if amount > balance:
        raise Conflict(
            _("holder: the personal account holds {balance}, less than the transfer of {amount}").format(
                balance=format_fen(balance), amount=format_fen(amount)
            )
        )
