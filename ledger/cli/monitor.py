"""`ledger monitor`: the monitoring rules over a period's settlements, and a reviewer's verdicts."""

import click

from ..i18n import _
from ..rules.idcard import mask
from ..services import monitor as monitoring
from .context import as_date, date_type, json_line, warn
from .output import print_listing

COLUMNS = ("jr_id", "rule_id", "rule_name", "sev_deg", "patn_id", "setl_ids", "vola_amt", "vola_cont", "new", "review")


@click.group("monitor", invoke_without_command=True)
@click.option("--from", "date_from", type=date_type, help="First service date (inclusive).")
@click.option("--to", "date_to", type=date_type, help="Last service date (inclusive).")
@click.option(
    "--rule", "rule_ids", multiple=True, metavar="ID", help="Run only this rule (R01 … R12); repeat for several."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="json: one object per finding, a line each; the run's summary on stderr.",
)
@click.option("--json", "as_json", is_flag=True, help="The same as --format json.")
@click.option("--save", is_flag=True, help="Record the run and its new findings, for review and for the next run.")
@click.pass_context
def command(ctx, date_from, date_to, rule_ids, fmt, as_json, save):
    """智能监控: run the monitoring rules over the settlements served from --from to --to.

    One finding a row: the rule, its severity, the person and claims it is about, the
    amount the funds and accounts paid that is at risk, and the evidence in one sentence.
    Read-only, unless --save records the run and the findings no saved run had: a later
    run then marks each finding new or not, with its latest review. A rule whose threshold
    no policy file gives does not run, and the run says which parameter is missing
    (docs/monitoring.md lists the rules and their parameters).

    \b
    Example:
        ledger monitor --from 2025-01-01 --to 2025-12-31
        ledger monitor --from 2025-03-01 --to 2025-03-31 --rule R07 --rule R08 --format csv
        ledger monitor --from 2025-01-01 --to 2025-12-31 --save --json > findings.jsonl
    """
    if ctx.invoked_subcommand is not None:
        return
    if date_from is None or date_to is None:
        raise click.UsageError(_("give the period: --from DATE --to DATE"))
    obj = ctx.obj
    d = monitoring.monitor(
        obj.uow(), as_date(date_from), as_date(date_to), list(rule_ids), save=save, operator=obj.operator
    )
    if as_json or fmt == "json":
        for f in d["findings"]:
            click.echo(json_line(f))
        summary = {"rules": d["rules"], "findings": len(d["findings"]), "new": d["new"], "run": d["run"]}
        click.echo(json_line(summary), err=True)
        return
    print_listing(d["findings"], COLUMNS, fmt, False, _cell, frozenset({"vola_amt"}), frozenset({"sev_deg"}))
    for st in d["rules"]:
        if not st["ran"]:
            warn(
                _("{rule_id} {rule_name} did not run for area {area}: no policy file gives {missing}").format(
                    rule_id=st["rule_id"], rule_name=st["rule_name"], area=st["area"], missing=", ".join(st["missing"])
                )
            )
    click.echo(
        _("{count} finding(s), {new} new").format(count=len(d["findings"]), new=d["new"])
        + (_("; saved as run {run}").format(run=d["run"]) if d["run"] else ""),
        err=True,
    )


def _cell(column: str, value) -> str:
    if column == "patn_id":
        return mask(value)
    if column == "setl_ids":
        return " ".join(value)
    if column == "new":
        return _("new") if value else ""
    if column == "review":
        return _(value) if value else ""
    return "" if value is None else str(value)


@command.command("review")
@click.argument("jr_id")
@click.option("--confirm", "verdict", flag_value="confirmed", help="The finding stands: a case to pursue.")
@click.option("--dismiss", "verdict", flag_value="dismissed", help="The finding is explained: no case.")
@click.option("--reason", required=True, help="Why (recorded with the verdict and in the audit log).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def review(obj, jr_id, verdict, reason, as_json):
    """Record a reviewer's verdict on a saved finding: --confirm or --dismiss, with a reason.

    A later verdict on the same finding stands over an earlier one, which stays on record.

    \b
    Example:
        ledger monitor review R03-5f2c0a9e1b7d4c33 --dismiss --reason "two visits, both real: checked the records"
    """
    if verdict is None:
        raise click.UsageError(_("give a verdict: --confirm or --dismiss"))
    d = monitoring.review(obj.uow(), obj.operator, jr_id, verdict, reason)
    if as_json:
        click.echo(json_line(d))
    else:
        click.echo(
            _("{jr_id}: {verdict} ({reason})").format(jr_id=d["jr_id"], verdict=_(d["verdict"]), reason=d["reason"])
        )
