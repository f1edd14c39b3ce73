import click

from ..i18n import _
from ..policy.parameters import RELATIONS
from ..rules.idcard import mask
from ..rules.persons import check_year
from ..services import family
from .context import as_date, date_type, emit, json_option, warn
from .output import more_note, print_listing


@click.group("family")
def command():
    """Family mutual aid (家庭共济): bind relatives to a holder's personal account.

    The relation is what the MEMBER is to the HOLDER.

    \b
    Example:
        ledger family bind 220702197806110035 220702195203150020 --relation parent
    """


def binding_line(b: dict) -> str:
    if b["active"]:
        state = _("active")
    else:
        state = _("ended {ended_on} by {ended_by}").format(ended_on=b["ended_on"], ended_by=b["ended_by"])
        state += f" ({b['end_reason']})" if b["end_reason"] else ""
    why = f" ({b['bind_reason']})" if b["bind_reason"] else ""
    return _(
        "#{id} holder {holder} {holder_name} -> member {member} {member_name}: {relation}, bound {bound_on} by "
        "{bound_by}{why}; {state}"
    ).format(
        id=b["id"],
        holder=mask(b["holder"]),
        holder_name=b["holder_name"],
        member=mask(b["member"]),
        member_name=b["member_name"],
        relation=_(b["relation"]),
        bound_on=b["bound_on"],
        bound_by=b["bound_by"],
        why=why,
        state=state,
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
        click.echo(_("bound: {b}").format(b=binding_line(b)))
        if b["contribution_year"]:
            click.echo(
                _(
                    "made in the central contribution period for {contribution_year}: pay the member's contribution with `ledger family pay-contribution HOLDER MEMBER --year {contribution_year}`"
                ).format(contribution_year=b["contribution_year"])
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
    emit(b, as_json, lambda b: click.echo(_("unbound: {b}").format(b=binding_line(b))))


BINDING_COLUMNS = ("id", "holder", "holder_name", "member", "member_name", "relation", "bound_on", "ended_on")


@command.command("list")
@click.argument("psn_no", required=False)
@click.option("--holder", metavar="PSN_NO", help="Only the bindings of this holder.")
@click.option("--member", metavar="PSN_NO", help="Only the bindings of this member.")
@click.option("--relation", type=click.Choice(RELATIONS), help="Only bindings of this relation.")
@click.option("--active/--ended", default=None, help="Only the active bindings, or only the ended ones.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    help="table, csv or json (default: a line per binding for PSN_NO, else a table).",
)
@click.option("--json", "as_json", is_flag=True, help="The same as --format json.")
@click.option(
    "--limit", type=click.IntRange(min=0), default=1000, show_default=True, help="At most this many rows; 0 for all."
)
@click.pass_obj
def list_(obj, psn_no, holder, member, relation, active, fmt, as_json, limit):
    """List bindings, active and ended: every one PSN_NO is in, as holder or member, or
    those the filters name.

    \b
    Example:
        ledger family list 220702197806110035 --json
        ledger family list --holder 220702197806110035 --active
        ledger family list --relation parent --format csv > parents.csv
    """
    found = family.list_bindings(
        obj.uow(),
        psn_no,
        holder=holder,
        member=member,
        relation=relation,
        active=active,
        limit=(limit or None) and limit + 1,
    )
    rows, more = (found[:limit], True) if limit and len(found) > limit else (found, False)
    fmt = "json" if as_json else fmt
    if fmt is not None or psn_no is None:
        print_listing(rows, BINDING_COLUMNS, fmt or "table", more, _binding_cell, said=frozenset({"relation"}))
        return

    def human(rows):
        if not rows:
            click.echo(_("no bindings"))
        for b in rows:
            click.echo(f"[{_(b['role'])}] {binding_line(b)}")

    emit(rows, False, human)
    if more:
        click.echo(more_note(len(rows)), err=True)


def _binding_cell(column: str, value) -> str:
    if column in ("holder", "member"):
        return mask(value)
    return "" if value is None else str(value)


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
            _(
                "paid the {year} contribution of {member} ({resident_category}): {amount} from {holder}'s account; balance {holder_balance}; enrolled for {year}"
            ).format(
                year=d["year"],
                member=mask(d["member"]),
                resident_category=d["resident_category"],
                amount=d["amount"],
                holder=mask(d["holder"]),
                holder_balance=d["holder_balance"],
            )
        ),
    )
