import click

from ..policy.parameters import RELATIONS
from ..rules.idcard import mask
from ..rules.persons import check_year
from ..services import family
from .context import as_date, date_type, emit, json_option, warn


@click.group("family")
def command():
    """Family mutual aid (家庭共济): bind relatives to a holder's personal account.

    The relation is what the MEMBER is to the HOLDER.

    \b
    Example:
        ledger family bind 220702197806110035 220702195203150020 --relation parent
    """


def binding_line(b: dict) -> str:
    state = (
        f"ended {b['ended_on']} by {b['ended_by']}" + (f" ({b['end_reason']})" if b["end_reason"] else "")
        if not b["active"]
        else "active"
    )
    why = f" ({b['bind_reason']})" if b["bind_reason"] else ""
    return (
        f"#{b['id']} holder {mask(b['holder'])} {b['holder_name']} -> member {mask(b['member'])} {b['member_name']}: "
        f"{b['relation']}, bound {b['bound_on']} by {b['bound_by']}{why}; {state}"
    )


@command.command("bind")
@click.argument("holder")
@click.argument("member")
@click.option("--relation", required=True, type=click.Choice(RELATIONS), help="What MEMBER is to HOLDER.")
@click.option("--date", "on", type=date_type, help="Date the binding starts (default: today).")
@click.option("--reason", help="Recorded with the binding and in the audit log.")
@json_option
@click.pass_obj
def bind(obj, holder, member, relation, on, reason, as_json):
    """Bind MEMBER to HOLDER's personal account.

    Allowed relations, whether the member must be insured in the holder's province or
    pooling area, and the limits on holders per member and members per holder come from
    the policy in force for the holder's region on the binding date.

    A resident relative not yet insured may be bound inside the central contribution
    period of the coming year, so that the holder's account pays the first contribution
    (`ledger family pay-contribution`); that year's rules apply.

    \b
    Example:
        ledger family bind 220702197806110035 220702200809020136 --relation child --reason "counter 3"
    """
    b = family.bind(obj.uow(), obj.operator, holder, member, relation, as_date(on), reason)
    for w in b.pop("warnings"):
        warn(w)

    def human(b):
        click.echo(f"bound: {binding_line(b)}")
        if b["contribution_year"]:
            click.echo(
                f"made in the central contribution period for {b['contribution_year']}: pay the member's contribution with "
                f"`ledger family pay-contribution HOLDER MEMBER --year {b['contribution_year']}`"
            )

    emit(b, as_json, human)


@command.command("unbind")
@click.argument("holder")
@click.argument("member")
@click.option("--date", "on", type=date_type, help="Date the binding ends (default: today).")
@click.option("--reason", help="Recorded with the binding and in the audit log.")
@json_option
@click.pass_obj
def unbind(obj, holder, member, on, reason, as_json):
    """End the active binding of MEMBER to HOLDER (its history is kept).

    \b
    Example:
        ledger family unbind 220702197806110035 220702200809020136 --reason "member moved away"
    """
    b = family.unbind(obj.uow(), obj.operator, holder, member, as_date(on), reason)
    emit(b, as_json, lambda b: click.echo(f"unbound: {binding_line(b)}"))


@command.command("list")
@click.argument("psn_no")
@json_option
@click.pass_obj
def list_(obj, psn_no, as_json):
    """List every binding PSN_NO is in, as holder or member, active and ended.

    \b
    Example:
        ledger family list 220702197806110035 --json
    """
    rows = family.list_bindings(obj.uow(), psn_no)

    def human(rows):
        if not rows:
            click.echo("no bindings")
        for b in rows:
            click.echo(f"[{b['role']}] {binding_line(b)}")

    emit(rows, as_json, human)


@command.command("pay-contribution")
@click.argument("holder")
@click.argument("member")
@click.option("--year", required=True, help="Insured year the contribution is for.")
@click.option("--date", "on", type=date_type, help="Payment date (default: today); the binding must be active then.")
@json_option
@click.pass_obj
def pay_contribution(obj, holder, member, year, on, as_json):
    """Pay a bound resident MEMBER's contribution for YEAR from HOLDER's account, and enroll them.

    The amount is the resident category's contribution in the policy for YEAR.

    \b
    Example:
        ledger family pay-contribution 220702197806110035 220702200809020136 --year 2026
    """
    d = family.pay_contribution(obj.uow(), obj.operator, holder, member, check_year(year), as_date(on))
    for w in d.pop("warnings"):
        warn(w)
    emit(
        d,
        as_json,
        lambda d: click.echo(
            f"paid the {d['year']} contribution of {mask(d['member'])} ({d['resident_category']}): {d['amount']} "
            f"from {mask(d['holder'])}'s account; balance {d['holder_balance']}; enrolled for {d['year']}"
        ),
    )
