import click

from ..i18n import _
from ..policy.parameters import RELATIONS
from ..rules.dates import parse_instant
from ..rules.idcard import mask
from ..rules.money import parse_yuan
from ..services import wallets
from .context import emit, json_option


@click.group("wallet")
def command():
    """医保钱包: a holder's transfers to a near relative's wallet, and what a wallet holds.

    A relative insured in another region is reached through the wallet: the holder moves
    money from their personal account to the relative's wallet, and the relative's claims
    pay from it after their own account (docs/wallet.md).

    \b
    Example:
        ledger wallet transfer 220702197806110035 220102195203150020 2000.00 --relation parent
    """


def _instant(_ctx, _param, value):
    """`--at`: a time of the wrong form is a usage error (exit 2), as any value of the wrong form."""
    if value is None:
        return None
    try:
        return parse_instant(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None


# ignore_unknown_options: "-5.00" reaches the amount parser, which says "must not be negative".
@command.command("transfer", context_settings={"ignore_unknown_options": True})
@click.argument("holder")
@click.argument("member")
@click.argument("amount")
@click.option("--at", callback=_instant, help="When, in local time: 2025-06-02T09:30 (default: now).")
@click.option(
    "--relation",
    type=click.Choice(RELATIONS),
    help="What MEMBER is to HOLDER; needed only where no family binding of the pair says it.",
)
@json_option
@click.pass_obj
def transfer(obj, holder, member, amount, at, relation, as_json):
    """Move AMOUNT yuan from HOLDER's personal account to MEMBER's wallet.

    Both regions must have the wallet enabled on the day; MEMBER must be a near relative
    as the holder's policy defines them (family.relations). The holder's policy limits the
    amount of one transfer, the transfers a day and the quiet hours, judged in local time
    (wallet.transfer.*; `ledger policy show REGION YEAR`).

    \b
    Example:
        ledger wallet transfer 220702197806110035 220102195203150020 2000.00 --relation parent --at 2025-06-02T09:30
    """
    fen = parse_yuan(amount, "AMOUNT", allow_zero=False)
    d = wallets.transfer(obj.uow(), obj.operator, holder, member, fen, at, relation)

    def human(d):
        click.echo(
            _(
                "transferred {amount} from {holder}'s account to {member}'s wallet ({relation}) at {at}; "
                "account {holder_balance}, wallet {member_wallet}; transfer {n} of the day"
            ).format(
                amount=d["amount"],
                holder=mask(d["holder"]),
                member=mask(d["member"]),
                relation=_(d["relation"]),
                at=d["at"],
                holder_balance=d["holder_balance"],
                member_wallet=d["member_wallet"],
                n=d["transfers_today"],
            )
        )

    emit(d, as_json, human)


@command.command("show")
@click.argument("psn_no")
@json_option
@click.pass_obj
def show(obj, psn_no, as_json):
    """Show a person's wallet: its balance, and the transfers into it and out of their account.

    \b
    Example:
        ledger wallet show 220102195203150020
    """
    d = wallets.show_wallet(obj.uow(), psn_no)

    def human(d):
        click.echo(
            _("{psn_no} {name}: wallet {balance}").format(
                psn_no=mask(d["psn_no"]), name=d["name"], balance=d["balance"]
            )
        )
        for t in d["transfers"]:
            line = (
                _("  {at} in {amount} from {other} {name} ({relation})")
                if t["direction"] == "in"
                else _("  {at} out {amount} to {other} {name} ({relation})")
            )
            click.echo(
                line.format(
                    at=t["at"],
                    amount=t["amount"],
                    other=mask(t["with"]),
                    name=t["name"] or "",
                    relation=_(t["relation"]),
                )
            )

    emit(d, as_json, human)
