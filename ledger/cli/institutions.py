"""`ledger institution`: the designated-institution registry (定点医药机构; docs/institutions.md)."""

import json

import click

from ..formats import headers
from ..formats.rows import read_rows
from ..i18n import N_, _
from ..rules.codes import HOSP_GRADES, INSTITUTION_TYPES
from ..rules.institutions import FIELDS, REQUIRED
from ..services import institutions
from .context import as_date, date_type, emit, encoding_option, json_option
from .output import listing_options, print_listing


@click.group("institution")
def command():
    """The designated institutions (定点医药机构): type, grade, deductible level, region, dated.

    A claim or platform record that gives no level takes its institution's on the service
    date; a claim at a pharmacy is adjudicated as a pharmacy purchase (docs/institutions.md).

    \b
    Example:
        ledger institution import fixmedins.csv
        ledger institution show H22070200001
    """


TYPES = {"hospital": N_("hospital"), "primary": N_("primary care"), "pharmacy": N_("pharmacy")}


def _print_state(v: dict) -> None:
    grade = HOSP_GRADES[v["hosp_lv"]][0] if v["hosp_lv"] else _("no grade given")
    click.echo(
        _("{code}  {name}  {type}, {grade}, deductible level {level}, region {region}").format(
            code=v["fixmedins_code"],
            name=v["fixmedins_name"],
            type=_(TYPES[v["fixmedins_type"]]),
            grade=grade,
            level=v["level"] or _("none"),
            region=v["region"] or _("not given"),
        )
    )
    ends = v["enddate"] or _("no end")
    designated = _("designated") if v["designated"] else _("NOT designated")
    click.echo(_("  from {begndate} to {enddate}: {designated} on {on}").format(
        begndate=v["begndate"], enddate=ends, designated=designated, on=v["on"]
    ))  # fmt: skip


@command.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--from", "begin", type=date_type, help="The day the states begin of the rows that give no begndate.")
@encoding_option
@json_option
@click.pass_obj
def import_(obj, file, begin, encoding, as_json):
    """Add the institutions' states a list gives (CSV, xlsx or JSON lines; - for stdin), all or nothing.

    Columns/keys, the platform's names (or their Chinese headings): fixmedins_code,
    fixmedins_name, fixmedins_type (1 定点医疗机构, 2 定点零售药店, or hospital, primary,
    pharmacy), hosp_lv (医院等级 01-11), dedc_hosp_lv (起付线医院等级 1-3), fix_blng_admdvs
    (region), begndate, enddate, grst_hosp_flag (1: primary care); uscc is read and not
    kept. A row is a state from its begndate (or --from, for rows that give none, as the
    platform's 1201 output); a state already held is left as it is, so a list may be
    imported again.

    \b
    Example:
        ledger institution import fixmedins.csv
        ledger institution import medinsinfo.jsonl --from 2025-01-01
    """
    rows = read_rows(file, FIELDS, REQUIRED, encoding, headings=headers.INSTITUTION)
    try:
        done = institutions.import_institutions(
            obj.uow(), obj.operator, rows, getattr(file, "name", "-"), as_date(begin)
        )
    except institutions.ImportRejected as e:
        if as_json:
            errors = [{"line": r.line, "fixmedins_code": r.code, "message": r.message} for r in e.errors]
            click.echo(json.dumps({"added": 0, "errors": errors}, ensure_ascii=False, indent=2))
        raise
    emit(
        done | {"errors": []},
        as_json,
        lambda d: click.echo(
            _("added {added} state(s); {unchanged} already held").format(added=d["added"], unchanged=d["unchanged"])
        ),
    )


@command.command("add")
@click.argument("code")
@click.option("--name", required=True, help="fixmedins_name, 定点医药机构名称.")
@click.option("--type", "kind", required=True, type=click.Choice(INSTITUTION_TYPES), help="What it is.")
@click.option("--grade", help="hosp_lv, 医院等级: 01 (三级特等) to 11 (无等级).")
@click.option("--level", type=click.Choice(("1", "2", "3")), help="dedc_hosp_lv, the deductible level.")
@click.option("--region", help="fix_blng_admdvs, its 6-digit region code.")
@click.option("--from", "begin", type=date_type, required=True, help="The day this state begins.")
@click.option("--to", "end", type=date_type, help="The last day it is designated (default: no end).")
@json_option
@click.pass_obj
def add(obj, code, name, kind, grade, level, region, begin, end, as_json):
    """Add a state of an institution: a new one, a regrade or the end of its designation.

    \b
    Example:
        ledger institution add H22070200001 --name 松原市中心医院 --type hospital \\
            --grade 05 --region 220702 --from 2025-01-01
    """
    v = institutions.add_institution(
        obj.uow(),
        obj.operator,
        fixmedins_code=code,
        fixmedins_name=name,
        fixmedins_type=kind,
        hosp_lv=grade,
        dedc_hosp_lv=level,
        fix_blng_admdvs=region,
        begndate=as_date(begin).isoformat(),
        enddate=as_date(end).isoformat() if end else None,
    )
    emit(v, as_json, _print_view)


def _print_view(v: dict) -> None:
    if v["today"] is not None:
        _print_state(v["today"])
    else:
        click.echo(_("{code}: no state in force today").format(code=v["fixmedins_code"]))
    click.echo(_("  history:"))
    for st in v["states"]:
        click.echo(
            _("  from {begndate}: {type}, grade {grade}, level {level}, to {enddate} ({source}, {operator})").format(
                begndate=st["begndate"],
                type=_(TYPES[st["fixmedins_type"]]),
                grade=st["hosp_lv"] or "-",
                level=st["dedc_hosp_lv"] or "-",
                enddate=st["enddate"] or _("no end"),
                source=st["source"],
                operator=st["operator"],
            )
        )


@command.command("show")
@click.argument("code")
@json_option
@click.pass_obj
def show(obj, code, as_json):
    """Show an institution: its state today and every state it has had.

    \b
    Example:
        ledger institution show H22070200001 --json
    """
    emit(institutions.show_institution(obj.uow(), code), as_json, _print_view)


COLUMNS = ("fixmedins_code", "fixmedins_name", "fixmedins_type", "hosp_lv", "level", "region", "begndate", "enddate", "designated")  # fmt: skip


@command.command("list")
@click.option("--on", type=date_type, help="The day whose states are listed (default: today).")
@click.option("--type", "kind", type=click.Choice(INSTITUTION_TYPES), help="Only institutions of this type.")
@click.option("--region", help="Only institutions of this region code or its prefix (2207: Songyuan).")
@listing_options
@click.pass_obj
def list_(obj, on, kind, region, fmt, as_json, limit):
    """List the institutions with a state on a day, by code.

    \b
    Example:
        ledger institution list --type pharmacy --region 2207
    """
    found = institutions.list_institutions(obj.uow(), on=as_date(on), kind=kind, region=region)
    rows = found[:limit] if limit else found
    print_listing(rows, COLUMNS, "json" if as_json else fmt, len(rows) < len(found), _cell)


def _cell(column: str, value) -> str:
    if value is None:
        return ""
    if column == "designated":
        return _("yes") if value else _("no")
    return str(value)
