import click

from ..formats.rows import read_rows
from ..i18n import _
from ..render import display
from ..rules.idcard import mask
from ..rules.money import parse_yuan
from ..services import accounts, crediting
from .context import as_date, date_type, emit, encoding_option, json_option


@click.group("account")
def command():
    """Personal accounts (个人账户): credit, balance, statement.

    \b
    Example:
        ledger account statement 11010519491231002X --from 2025-01-01
    """


# ignore_unknown_options lets "-5.00" reach the amount parser, which says "must not be
# negative", instead of Click's "No such option '-5'".
@command.command("credit", context_settings={"ignore_unknown_options": True})
@click.argument("psn_no")
@click.argument("amount")
@click.option("--reason", required=True, help="Why (recorded in the journal and the audit log).")
@click.option("--date", "on", type=date_type, help="Effective date (default: today).")
@json_option
@click.pass_obj
def credit(obj, psn_no, amount, reason, on, as_json):
    """Credit AMOUNT yuan (e.g. 1200.00) to an employee's personal account.

    \b
    Example:
        ledger account credit 11010519491231002X 1200.00 --reason "opening balance"
    """
    fen = parse_yuan(amount, "AMOUNT", allow_zero=False)
    d = accounts.credit(obj.uow(), obj.operator, psn_no, fen, reason, as_date(on))
    emit(
        d,
        as_json,
        lambda d: click.echo(
            _("credited {amount} to {psn_no}; balance {balance}").format(
                amount=d["amount"], psn_no=mask(d["psn_no"]), balance=d["balance"]
            )
        ),
    )


@command.command("show")
@click.argument("psn_no")
@json_option
@click.pass_obj
def show(obj, psn_no, as_json):
    """Show a personal account's balance, the person's wallet and their family bindings.

    \b
    Example:
        ledger account show 11010519491231002X --json
    """
    d = accounts.show_account(obj.uow(), psn_no)

    def human(d):
        click.echo(
            _("{psn_no}  {name}  balance {balance}").format(
                psn_no=mask(d["psn_no"]), name=d["name"], balance=d["balance"]
            )
        )
        if d["wallet"] is not None:
            click.echo(_("  医保钱包 {wallet} (ledger wallet show)").format(wallet=d["wallet"]))
        for b in d["bindings"]:
            if b["role"] == "holder":
                click.echo(
                    _("  pays for {member} {member_name} ({relation}) since {bound_on}").format(
                        member=mask(b["member"]),
                        member_name=b["member_name"],
                        relation=_(b["relation"]),
                        bound_on=b["bound_on"],
                    )
                )
            else:
                click.echo(
                    _("  is the {relation} of holder {holder} {holder_name} since {bound_on}").format(
                        relation=_(b["relation"]),
                        holder=mask(b["holder"]),
                        holder_name=b["holder_name"],
                        bound_on=b["bound_on"],
                    )
                )

    emit(d, as_json, human)


@command.command("statement")
@click.argument("psn_no")
@click.option("--from", "date_from", type=date_type, help="First date (inclusive).")
@click.option("--to", "date_to", type=date_type, help="Last date (inclusive).")
@json_option
@click.pass_obj
def statement(obj, psn_no, date_from, date_to, as_json):
    """List an account's movements with a running balance.

    \b
    Example:
        ledger account statement 11010519491231002X --from 2025-01-01 --to 2025-12-31
    """
    d = accounts.statement(obj.uow(), psn_no, as_date(date_from), as_date(date_to))

    def human(d):
        click.echo(_("statement of {psn} {name}").format(psn=mask(d["psn_no"]), name=d["name"]))
        click.echo(_statement_line("", _("opening balance"), "", d["opening_balance"]))
        for line in d["lines"]:
            # A long memo wraps onto lines of its own under the memo column: never cut.
            first, *more = display.fill(line["memo"] or line["kind"], MEMO)
            if line["for"]:  # mutual aid: whom the holder's account paid for, on a line of its own
                whom = line["for"]
                more += display.fill(
                    _("(for {name}, {relation})").format(name=whom["name"], relation=_(whom["relation"])), MEMO
                )
            click.echo(_statement_line(line["date"], first, line["amount"], line["balance"]))
            for rest in more:
                click.echo(_statement_line("", rest, "", ""))
        click.echo(_statement_line("", _("closing balance"), "", d["closing_balance"]))

    emit(d, as_json, human)


@command.command("credit-monthly")
@click.option("--month", required=True, help="The month, YYYY-MM.")
@click.option(
    "--file",
    "bases_file",
    type=click.File("rb"),
    help="Contribution bases of in-service employees: CSV (psn_no,base) or JSON lines.",
)
@encoding_option
@json_option
@click.pass_obj
def credit_monthly(obj, month, bases_file, encoding, as_json):
    """Credit a month's personal-account amounts to every enrolled employee.

    In-service employees get the policy's rate times their contribution base from --file;
    retirees get the policy's fixed monthly amount. Each person is credited once a month:
    running a month again credits only those not yet credited. A bad row in the file
    rejects the whole run, with every bad row listed.

    \b
    Example:
        ledger account credit-monthly --month 2025-03 --file bases-2025-03.csv
    """
    bases = read_rows(bases_file, ("psn_no", "base"), ("psn_no", "base"), encoding) if bases_file else None
    bases = crediting.parse_bases(bases) if bases is not None else None
    d = crediting.credit_monthly(obj.uow(), obj.operator, month, bases)

    def human(d):
        click.echo(
            _(
                "{month}: credited {credited} accounts, {total} in all, on {credited_on} ({in_service} in service, {retired} retired)"
            ).format(
                month=d["month"],
                credited=d["credited"],
                total=d["total"],
                credited_on=d["credited_on"],
                in_service=d["in_service"],
                retired=d["retired"],
            )
        )
        if d["already_credited"]:
            click.echo(
                _("{already_credited} already credited for {month}: left as they were").format(
                    already_credited=d["already_credited"], month=d["month"]
                )
            )
        if d["in_service_without_base"]:
            click.echo(
                _("{in_service_without_base} in-service employees have no base in the file: not credited").format(
                    in_service_without_base=d["in_service_without_base"]
                )
            )

    emit(d, as_json, human)


MEMO = 40  # columns of a statement's memo


def _statement_line(day, memo: str, amount, balance) -> str:
    """One line of a statement, padded by display width (a Chinese memo lines up)."""
    return f"{day!s:10}  {display.ljust(memo, MEMO)} {display.rjust(str(amount), 12)} {display.rjust(str(balance), 12)}".rstrip()
