from pathlib import Path

import click

from .. import clock
from ..errors import LedgerError
from ..i18n import _
from ..policy.schema import parse_policy_text
from ..services import policies
from .context import as_date, date_type, emit, json_option, warn


@click.group("policy")
def command():
    """Policy parameters by region and date, each with its source.

    \b
    Example:
        ledger policy show 220700 2025
    """


@command.command("list")
@json_option
@click.pass_obj
def list_(obj, as_json):
    """List the policy files: shipped seeds and those loaded into this database.

    \b
    Example:
        ledger policy list --json
    """
    rows = policies.list_policies(obj.uow())

    def human(rows):
        for r in rows:
            review = _(", review by {review_by}").format(review_by=r["review_by"]) if r["review_by"] else ""
            click.echo(
                _(
                    "{region} {region_name}  from {effective_from}{review}  {parameters} parameters  [{origin}] {name}"
                ).format(
                    region=r["region"],
                    region_name=r["region_name"],
                    effective_from=r["effective_from"],
                    review=review,
                    parameters=r["parameters"],
                    origin=r["origin"],
                    name=r["name"],
                )
            )

    emit(rows, as_json, human)


@command.command("show")
@click.argument("region")
@click.argument("year", type=int)
@click.option("--date", "on", type=date_type, help="Resolve on this date instead of 1 January of YEAR.")
@json_option
@click.pass_obj
def show(obj, region, year, on, as_json):
    """Show every parameter in force for REGION in YEAR, with its source and quote.

    A district code (220702) resolves to its pooling area (220700).

    \b
    Example:
        ledger policy show 220700 2025 --json
    """
    data = policies.show_policy(obj.uow(), region, year, as_date(on))
    for w in data["warnings"]:
        warn(w)

    def human(d):
        click.echo(
            _("region {region} on {date}: {count} parameters").format(
                region=d["region"], date=d["date"], count=len(d["parameters"])
            )
        )
        for p in d["parameters"]:
            value = ", ".join(map(str, p["value"])) if isinstance(p["value"], tuple) else p["value"]
            click.echo(f"  {p['name']} = {value}")
            click.echo(
                f"      [{p['source']['grade']}] {p['source']['title']}"
                + (f": {p['source']['quote']}" if p["source"]["quote"] else "")
            )
        if d["needs_operator_value"]:
            click.echo(
                _("needs an operator value ({count}; `ledger policy template {region}` writes them out):").format(
                    count=len(d["needs_operator_value"]), region=d["region"]
                )
            )
            for p in d["needs_operator_value"]:
                click.echo(f"  {p['name']}  ({_(p['description'])})")
        if d["not_set"]:
            click.echo(_("not set, so no such rule:"))
            for p in d["not_set"]:
                click.echo(f"  {p['name']}  ({_(p['description'])})")

    emit(data, as_json, human)


@command.command("template")
@click.argument("region")
@click.option(
    "--year", type=int, help="The year the file is for (default: this year); effective_from is its 1 January."
)
@click.pass_obj
def template(obj, region, year):
    """Print a policy file to fill in: every parameter the files in force leave open.

    Each parameter stands with its meaning and the shape of its value, so an operator
    writes numbers, not keys; `ledger policy check` names each one still empty.

    \b
    Example:
        ledger policy template 220100 --year 2024 > changchun-2024.toml
    """
    click.echo(policies.template(obj.uow(), region, year or clock.today().year), nl=False)


@command.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
def check(file, as_json):
    """Validate a policy file without loading it; each problem names its key.

    \b
    Example:
        ledger policy check my-policy-2026.toml
    """
    policy = parse_policy_text(_read(file), file.name)
    data = {
        "file": str(file),
        "ok": True,
        "region": policy.region,
        "effective_from": policy.effective_from,
        "parameters": len(policy.parameters),
    }
    emit(
        data,
        as_json,
        lambda d: click.echo(
            _("{file}: ok, region {region} from {effective_from}, {parameters} parameters").format(
                file=d["file"], region=d["region"], effective_from=d["effective_from"], parameters=d["parameters"]
            )
        ),
    )


@command.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@click.pass_obj
def load(obj, file, as_json):
    """Validate a policy file and store it; it supersedes older files from its effective date.

    \b
    Example:
        ledger --operator zhang.wei policy load songyuan-2026.toml
    """
    data = policies.load_policy(obj.uow(), obj.operator, _read(file), file.name)
    emit(
        data,
        as_json,
        lambda d: click.echo(
            _("loaded {name} as #{id}: region {region} from {effective_from}, {parameters} parameters").format(
                name=d["name"],
                id=d["id"],
                region=d["region"],
                effective_from=d["effective_from"],
                parameters=d["parameters"],
            )
        ),
    )


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise LedgerError(_("{name}: is not UTF-8 text").format(name=file.name)) from None
