import sys
from contextlib import nullcontext

import click

from ..i18n import _
from ..rules.idcard import mask
from ..rules.persons import check_year
from ..services import rollover as service
from .context import emit, json_option, warn


@click.command("rollover")
@click.option("--year", required=True, help="The year to close; the next one opens.")
@click.option(
    "--chunk",
    default=service.CHUNK,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="Persons per transaction. A run killed midway resumes after the last chunk it committed.",
)
@json_option
@click.pass_obj
def command(obj, year, chunk, as_json):
    """Close YEAR and open YEAR+1 for every enrolled person.

    Collects the year-end items the policy names from personal accounts (all of them, or
    none and then due in cash), raises residents' major-illness caps by the incentives,
    and opens YEAR+1's usage counters with the caps in force on 1 January. Balances carry
    over. Running it again after it finished changes nothing and says so.

    \b
    Example:
        ledger rollover --year 2025
    """
    year = check_year(year, "--year")
    uow = obj.uow()
    show_bar = sys.stderr.isatty() and not as_json
    with (
        click.progressbar(length=service.persons_to_roll(uow, year), label=f"rollover {year}", file=sys.stderr)
        if show_bar
        else nullcontext() as bar
    ):
        d = service.rollover(uow, obj.operator, year, chunk, progress=bar.update if bar is not None else None)
    for w in d["warnings"]:
        warn(w)

    def human(d):
        if d["already_done"]:
            click.echo(
                _("the rollover of {year} was already done on {finished_at:%Y-%m-%d}; nothing changed").format(
                    year=d["year"], finished_at=d["finished_at"]
                )
            )
        click.echo(
            _(
                "{year} closed, {new_year} open: {persons} persons; {counters_open} usage counters for {new_year}"
            ).format(year=d["year"], new_year=d["new_year"], persons=d["persons"], counters_open=d["counters_open"])
        )
        click.echo(
            _("major-illness incentives: {persons} persons, {total} in all").format(
                persons=d["bonuses"]["persons"], total=d["bonuses"]["total"]
            )
        )
        click.echo(
            _("year-end deductions: {persons} persons, {total} taken from accounts").format(
                persons=d["deductions"]["persons"], total=d["deductions"]["total"]
            )
        )
        click.echo(
            _("due in cash: {count} items, {due_in_cash_total}").format(
                count=len(d["due_in_cash"]), due_in_cash_total=d["due_in_cash_total"]
            )
        )
        for item in d["due_in_cash"][:20]:
            click.echo(f"  {mask(item['psn_no'])}  {item['item'].rsplit('.', 1)[-1]}  {item['amount']}")
        if len(d["due_in_cash"]) > 20:
            click.echo(_("  ... and {count} more (--json lists them all)").format(count=len(d["due_in_cash"]) - 20))
        for w in d["warnings"]:
            click.echo(_("note: {w}").format(w=w))

    emit(d, as_json, human)
