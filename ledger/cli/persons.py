import json

import click

from ..formats.rows import read_rows
from ..i18n import N_, _
from ..rules.codes import scheme_of
from ..rules.idcard import mask
from ..rules.persons import check_year
from ..services import listings, persons
from .context import as_date, date_type, emit, encoding_option, json_option
from .output import listing_options, print_listing


@click.group("person")
def command():
    """Register insured persons (参保人) and their yearly enrollment.

    \b
    Example:
        ledger person show 11010519491231002X
    """


SEX = {"M": N_("M"), "F": N_("F")}  # as GB 11643 gives it: in Chinese 男, 女


def print_person(p: dict) -> None:
    scheme = scheme_of(p["insutype"])
    detail = p["psn_type"] if scheme == "employee" else p["resident_category"]
    click.echo(
        _("{psn_no}  {name}  {scheme} ({insutype}/{detail})  region {region}  born {year}  sex {sex}").format(
            psn_no=mask(p["psn_no"]),
            name=p["name"],
            scheme=_(scheme),
            insutype=p["insutype"],
            detail=detail,
            region=p["region"],
            year=p["birth_date"].year,
            sex=_(SEX[p["sex"]]),
        )
    )
    click.echo(_("  enrolled: {value}").format(value=", ".join(map(str, p["enrolled"])) or _("none")))
    if p.get("died_on"):
        click.echo(_("  died on {died_on}").format(died_on=p["died_on"]))
    click.echo(
        _("  personal account: {balance}").format(balance=p["balance"])
        if p["balance"] is not None
        else _("  personal account: none")
    )


@command.command("add")
@click.argument("psn_no")
@click.option("--name", required=True, help="Full name.")
@click.option("--insutype", required=True, help="310 employee (职工) or 390 resident (居民).")
@click.option("--psn-type", help="Employees: 1101 in service, 1201 retired, 1103/1203 flexible employment.")
@click.option("--resident-category", help="Residents: ordinary, hardship, extreme_poverty.")
@click.option("--region", required=True, help="6-digit region code, e.g. 220702 (Songyuan, Ningjiang district).")
@click.option("--enrolled", multiple=True, help="Insured year; repeat for several.")
@json_option
@click.pass_obj
def add(obj, psn_no, name, insutype, psn_type, resident_category, region, enrolled, as_json):
    """Register a person by ID number. Employees get a personal account (balance 0).

    \b
    Example:
        ledger person add 11010519491231002X --name 王芳 --insutype 310 --psn-type 1201 \\
            --region 220702 --enrolled 2025
    """
    p = persons.add_person(
        obj.uow(),
        obj.operator,
        psn_no=psn_no,
        name=name,
        insutype=insutype,
        psn_type=psn_type,
        resident_category=resident_category,
        region=region,
        enrolled=list(enrolled),
    )
    emit(p, as_json, lambda p: (click.echo(_("registered:")), print_person(p)))


@command.command("import")
@click.argument("file", type=click.File("rb"))
@encoding_option
@json_option
@click.pass_obj
def import_(obj, file, encoding, as_json):
    """Register many persons from CSV or JSON lines (- for stdin), all or nothing.

    Columns/keys: psn_no, name, insutype, psn_type, resident_category, region, enrolled
    (a JSON list, or years joined by ';' in CSV). Every bad row is reported with its line
    number and nothing is written until every row is good.

    \b
    Example:
        ledger person import persons.csv
    """
    rows = read_rows(file, persons.IMPORT_COLUMNS, ("psn_no", "name", "insutype", "region"), encoding)
    try:
        count = persons.import_persons(obj.uow(), obj.operator, rows)
    except persons.ImportRejected as e:
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "imported": 0,
                        "errors": [{"line": r.line, "psn_no": r.psn_no, "message": r.message} for r in e.errors],
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
        raise
    emit(
        {"imported": count, "errors": []},
        as_json,
        lambda d: click.echo(_("imported {imported} person(s)").format(imported=d["imported"])),
    )


@command.command("show")
@click.argument("psn_no")
@json_option
@click.pass_obj
def show(obj, psn_no, as_json):
    """Show a person: scheme, enrollment years, account balance.

    \b
    Example:
        ledger person show 11010519491231002X --json
    """
    emit(persons.show_person(obj.uow(), psn_no), as_json, print_person)


@command.command("enroll")
@click.argument("psn_no")
@click.option("--year", required=True, help="Insured year (参保年度).")
@click.option(
    "--date",
    "on",
    type=date_type,
    help="Day the contribution was paid (default: today); decides a resident's waiting period.",
)
@json_option
@click.pass_obj
def enroll(obj, psn_no, year, on, as_json):
    """Record that a person is insured for a year, paid on --date.

    A resident who enrolls after the year's central contribution period, or after years
    without enrollment, has a waiting period before the funds pay (docs/claims.md).

    \b
    Example:
        ledger person enroll 11010519491231002X --year 2026 --date 2025-12-01
    """
    p = persons.enroll(obj.uow(), obj.operator, psn_no, year, as_date(on))
    emit(
        p,
        as_json,
        lambda p: click.echo(
            _("{psn_no} enrolled for {year}; years: {years}").format(
                psn_no=mask(p["psn_no"]), year=year, years=", ".join(map(str, p["enrolled"]))
            )
        ),
    )


PERSON_COLUMNS = ("psn_no", "name", "insutype", "psn_type", "resident_category", "region", "enrolled", "balance")


@command.command("list")
@click.option("--region", help="Only persons of this region code or its prefix (2207: the city of Songyuan).")
@click.option("--insutype", type=click.Choice(["310", "390"]), help="310 employee (职工) or 390 resident (居民).")
@click.option("--enrolled", "year", help="Only persons insured for this year.")
@click.option("--name", help="Only persons whose name holds this text.")
@listing_options
@click.pass_obj
def list_(obj, region, insutype, year, name, fmt, as_json, limit):
    """List persons by ID number, with their scheme, enrollment years and balance.

    \b
    Example:
        ledger person list --region 2207 --enrolled 2025
        ledger person list --name 李 --format csv > persons.csv
    """
    found = listings.list_persons(
        obj.uow(),
        region=region,
        insutype=insutype,
        enrolled=check_year(year, "--enrolled") if year is not None else None,
        name=name,
        limit=limit or None,
    )
    print_listing(found.rows, PERSON_COLUMNS, "json" if as_json else fmt, found.more, _cell, frozenset({"balance"}))


def _cell(column: str, value) -> str:
    if column == "psn_no":
        return mask(value)
    if column == "enrolled":
        return " ".join(map(str, value))
    return "" if value is None else str(value)


@command.command("died")
@click.argument("psn_no")
@click.option("--date", "on", type=date_type, required=True, help="The day the person died.")
@click.option("--reason", required=True, help="Where the date comes from (a civil-affairs notice, …).")
@json_option
@click.pass_obj
def died(obj, psn_no, on, reason, as_json):
    """Record a person's date of death, as the bureau learnt it (once a person).

    Settlements dated after it are what `ledger monitor` rule R01 finds.

    \b
    Example:
        ledger person died 220702195203150020 --date 2025-11-02 --reason "民政死亡通报 2025-11"
    """
    d = persons.record_death(obj.uow(), obj.operator, psn_no, as_date(on), reason)
    emit(
        d,
        as_json,
        lambda d: click.echo(
            _("{psn_no} {name}: died on {died_on} ({reason})").format(
                psn_no=mask(d["psn_no"]), name=d["name"], died_on=d["died_on"], reason=d["reason"]
            )
        ),
    )
