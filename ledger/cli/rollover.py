import sys
from contextlib import nullcontext

import click

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
            click.echo(f"the rollover of {d['year']} was already done on {d['finished_at']:%Y-%m-%d}; nothing changed")
        click.echo(
            f"{d['year']} closed, {d['new_year']} open: {d['persons']} persons; {d['counters_open']} usage counters for {d['new_year']}"
        )
        click.echo(f"major-illness incentives: {d['bonuses']['persons']} persons, {d['bonuses']['total']} in all")
        click.echo(
            f"year-end deductions: {d['deductions']['persons']} persons, {d['deductions']['total']} taken from accounts"
        )
        click.echo(f"due in cash: {len(d['due_in_cash'])} items, {d['due_in_cash_total']}")
        for item in d["due_in_cash"][:20]:
            click.echo(f"  {mask(item['psn_no'])}  {item['item'].rsplit('.', 1)[-1]}  {item['amount']}")
        if len(d["due_in_cash"]) > 20:
            click.echo(f"  ... and {len(d['due_in_cash']) - 20} more (--json lists them all)")
        for w in d["warnings"]:
            click.echo(f"note: {w}")

    emit(d, as_json, human)
