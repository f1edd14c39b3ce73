"""`ledger usage`: a person's benefit usage for a year, bucket by bucket."""

import click

from ..i18n import _
from ..rules.idcard import mask
from ..rules.persons import check_year
from ..services import claims
from .context import emit, json_option


@click.command("usage")
@click.argument("psn_no")
@click.option("--year", required=True, help="Benefit year.")
@json_option
@click.pass_obj
def command(obj, psn_no, year, as_json):
    """Show a person's benefit usage for a year: each bucket's cap, fund paid, deductible met.

    \b
    Example:
        ledger usage 220702197806110035 --year 2025 --json
    """
    d = claims.usage(obj.uow(), psn_no, check_year(year, "--year"))

    def human(d):
        click.echo(f"{mask(d['psn_no'])} {d['name']}, {d['year']}")
        if not d["buckets"]:
            click.echo(_("  no benefits used"))
        for b in d["buckets"]:
            extra = _("  self-pay so far {selfpay}").format(selfpay=b["selfpay"]) if "selfpay" in b else ""
            click.echo(
                _(
                    "  {bucket:<20} cap {cap:>12}  fund paid {fund_paid:>12}  deductible met {deductible_met:>10}  remaining {remaining:>12}{extra}"
                ).format(
                    bucket=b["bucket"],
                    cap=b["cap"],
                    fund_paid=b["fund_paid"],
                    deductible_met=b["deductible_met"],
                    remaining=b["remaining"],
                    extra=extra,
                )
            )

    emit(d, as_json, human)
