"""`ledger offsite`: persons' off-site registrations (异地就医备案; docs/institutions.md)."""

import click

from ..i18n import _
from ..rules.codes import OFFSITE_KINDS
from ..rules.idcard import mask
from ..services import offsite
from .context import as_date, date_type, emit, json_option


@click.group("offsite")
def command():
    """Off-site registrations (异地就医备案): a person's care outside their insured area.

    A platform record whose area of treatment is another pooling area than the patient's is
    adjudicated by the registration in force that day: a long-term one at the local ratios
    where the policy says so, any other kind (or none) by its offsite.KIND parameters.

    \b
    Example:
        ledger offsite add 220102195001010011 --kind long_term --from 2025-01-01 \\
            --area 460200 --reason "长期异地居住备案"
    """


def _print(v: dict) -> None:
    now = v["in_force"]
    said = _("{kind} from {begndate}").format(kind=now["kind"], begndate=now["begndate"]) if now else _("none")
    click.echo(_("{psn_no}: in force on {on}: {said}").format(psn_no=mask(v["psn_no"]), on=v["on"], said=said))
    for r in v["registrations"]:
        click.echo(
            _("  #{id} {kind} from {begndate} to {enddate}, area {area}: {reason} ({operator})").format(
                id=r["id"],
                kind=r["kind"],
                begndate=r["begndate"],
                enddate=r["enddate"] or _("no end"),
                area=r["area"] or _("anywhere"),
                reason=r["reason"],
                operator=r["operator"],
            )
        )


@command.command("add")
@click.argument("psn_no")
@click.option(
    "--kind",
    required=True,
    type=click.Choice(OFFSITE_KINDS),
    help="long_term 长期异地居住, temporary 临时外出, referral 转诊转院, cancelled: ends the one before.",
)
@click.option("--from", "begin", type=date_type, required=True, help="The day it begins.")
@click.option("--to", "end", type=date_type, help="Its last day (default: no end).")
@click.option("--area", help="The 6-digit region of the place of treatment registered (default: anywhere).")
@click.option("--reason", required=True, help="Why (recorded with it and in the audit log).")
@json_option
@click.pass_obj
def add(obj, psn_no, kind, begin, end, area, reason, as_json):
    """Record an off-site registration of a person.

    \b
    Example:
        ledger offsite add 220102195001010011 --kind long_term --from 2025-01-01 --area 460200 --reason 备案
    """
    v = offsite.add_registration(obj.uow(), obj.operator, psn_no, kind, as_date(begin), as_date(end), area, reason)
    emit(v, as_json, _print)


@command.command("list")
@click.argument("psn_no")
@click.option("--on", type=date_type, help="The day whose registration in force is shown (default: today).")
@json_option
@click.pass_obj
def list_(obj, psn_no, on, as_json):
    """Show a person's off-site registrations, and the one in force on a day.

    \b
    Example:
        ledger offsite list 220102195001010011 --on 2025-06-01
    """
    emit(offsite.registrations_of(obj.uow(), psn_no, as_date(on)), as_json, _print)
