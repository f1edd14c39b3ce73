"""`ledger report`: the bureau's figures as a table, CSV or JSON (docs/reports.md)."""

import json
from datetime import date

import click

from .. import clock
from ..errors import ValidationError
from ..i18n import _
from ..render import charts, labels, page
from ..rules.money import Yuan
from ..rules.persons import check_year
from ..services import reports
from . import output
from .context import as_date, date_type
from .output import show


@click.group("report")
def command():
    """Reports: what the claims paid, and the books' trial balance.

    \b
    Example:
        ledger report funds --from 2025-01-01 --to 2025-12-31 --by month
        ledger report balance --to 2025-12-31 --format csv -o balance.csv
    """


def _period(f):
    f = click.option(
        "--to", "end", type=date_type, help="Last day (default: 31 December of --from's year, or this year)."
    )(f)
    return click.option("--from", "start", type=date_type, help="First day (default: 1 January of this year).")(f)


def _output(f):
    f = click.option(
        "--chart", type=click.Path(dir_okay=False, writable=True), help="Also draw the report's chart into FILE.png."
    )(f)
    f = click.option("--json", "as_json", is_flag=True, help="The same as --format json.")(f)
    f = click.option(
        "-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write to FILE, not stdout."
    )(f)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "csv", "json", "xlsx"]),
        default="table",
        show_default=True,
        help="xlsx needs -o FILE: money as numbers with two decimals.",
    )(f)


@command.command("funds")
@_period
@click.option("--region", help="Only persons of this region code or its prefix (2207: the city of Songyuan).")
@click.option("--by", default="", help=f"Group by any of {', '.join(reports.GROUPS)}, comma separated.")
@_output
@click.pass_obj
def funds(obj, start, end, region, by, fmt, output, as_json, chart):
    """人次, people and money of the claims by service date, reversed claims left out.

    Columns: the groups asked for, claims (人次), people, medfee_sumamt, fund_pay_sumamt,
    hifp_pay, hifmi_pay, hifob_pay, other_funds_pay, acct_pay, acct_mulaid_pay,
    psn_cash_pay; then a total row.

    \b
    Example:
        ledger report funds --by month,med_type --format csv -o funds-2025.csv
    """
    start, end = _dates(start, end)
    groups = tuple(g.strip() for g in by.split(",") if g.strip())
    _write(reports.funds(obj.uow(), start, end, region, groups), "json" if as_json else fmt, output, chart, "funds")


@command.command("balance")
@_period
@_output
@click.pass_obj
def balance(obj, start, end, fmt, output, as_json, chart):
    """Trial balance: each journal book's opening balance, what it received and paid in the
    period, and its closing balance, by posting date. Every column totals to zero but
    received and paid, which are equal.

    \b
    Example:
        ledger report balance --from 2025-01-01 --to 2025-12-31
    """
    start, end = _dates(start, end)
    _write(reports.balance(obj.uow(), start, end), "json" if as_json else fmt, output, chart, "balance")


@command.command("mutual-aid")
@_period
@click.option("--region", help="Only members of this region code or its prefix.")
@_output
@click.pass_obj
def mutual_aid(obj, start, end, region, fmt, output, as_json, chart):
    """家庭共济: what holders' accounts paid for bound relatives, by the member's relation.

    Rows of kind `claims` (by month of service, reversed claims left out) and of kind
    `contributions` (resident contributions paid for a relative, by the year paid for, in
    the period by payment date): holders who paid, members paid for, payments, amount.

    \b
    Example:
        ledger report mutual-aid --from 2025-01-01 --to 2025-12-31 --format csv
    """
    start, end = _dates(start, end)
    _write(reports.mutual_aid(obj.uow(), start, end, region), "json" if as_json else fmt, output, chart, "mutual-aid")


@command.command("caps")
@_period
@click.option("--region", help="Only persons of this region code or its prefix.")
@_output
@click.pass_obj
def caps(obj, start, end, region, fmt, output, as_json, chart):
    """The year's usage counters, by benefit year and bucket: people with one, people at
    its cap, fund paid, deductible met, and how much of the cap was used, by tenth.

    \b
    Example:
        ledger report caps --from 2025-01-01 --to 2025-12-31
    """
    start, end = _dates(start, end)
    _write(reports.caps(obj.uow(), start, end, region), "json" if as_json else fmt, output, chart, "caps")


@command.command("incentives")
@click.option("--year", help="The year the rollover opened (default: this year).")
@click.option("--region", help="Only persons of this region code or its prefix.")
@_output
@click.pass_obj
def incentives(obj, year, region, fmt, output, as_json, chart):
    """What `ledger rollover` worked out for YEAR: residents' major-illness cap raises
    (zero-claim bonus, continuous-enrollment bonus, the bonus granted) and the year-end
    items, by item and by whether the account paid them or they are due in cash.

    \b
    Example:
        ledger report incentives --year 2026
    """
    year = check_year(year if year is not None else clock.today().year)
    _write(reports.incentives(obj.uow(), year, region), "json" if as_json else fmt, output, chart, "incentives")


@command.command("accounts")
@click.option("--date", "on", type=date_type, help="The day whose end the balances are at (default: today).")
@click.option("--region", help="Only persons of this region code or its prefix.")
@_output
@click.pass_obj
def accounts(obj, on, region, fmt, output, as_json, chart):
    """Personal accounts (个人账户) by region and status (in service, retired): how many, how
    many empty, and what they hold at the end of --date, from the journal.

    \b
    Example:
        ledger report accounts --date 2025-12-31 --format csv
    """
    on = as_date(on) or clock.today()
    _write(reports.accounts(obj.uow(), on, region), "json" if as_json else fmt, output, chart, "accounts")


@command.command("places")
@_period
@click.option("--region", help="Only patients of this region code or its prefix.")
@_output
@click.pass_obj
def places(obj, start, end, region, fmt, output, as_json, chart):
    """Where care was given: the claims posted from the platform's records, by area of
    treatment and off-site kind (local, long_term, temporary, referral, unregistered).

    人次, people, fee, what the funds paid and what the patients paid in cash; reversed
    claims left out (docs/institutions.md).

    \b
    Example:
        ledger report places --from 2025-01-01 --to 2025-12-31
    """
    start, end = _dates(start, end)
    _write(reports.places(obj.uow(), start, end, region), "json" if as_json else fmt, output, chart, "places")


@command.command("html")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@click.option("--year", help="The year reported (default: this year).")
@click.option("--region", help="Only persons of this region code or its prefix.")
@click.pass_obj
def html(obj, file, year, region):
    """Write the year's report as one self-contained HTML page to FILE: the headline figures
    (人次, people, fees, fund, accounts, mutual aid), the funds by month, mutual aid and the
    trial balance, with their charts. Nothing on the page is fetched from the network; it
    names no person.

    \b
    Example:
        ledger report html report-2025.html --year 2025
    """
    year = check_year(year if year is not None else clock.today().year)
    start, end = date(year, 1, 1), date(year, 12, 31)
    uow = obj.uow()
    text = page.page(
        year,
        reports.funds(uow, start, end, region, ("month",)),
        reports.mutual_aid(uow, start, end, region),
        reports.balance(uow, start, end),
        region,
    )
    with open(file, "w", encoding="utf-8") as f:
        f.write(text)
    click.echo(_("report for {year} written to {file}").format(year=year, file=file))


def _dates(start, end) -> tuple[date, date]:
    start = as_date(start) or date(clock.today().year, 1, 1)
    end = as_date(end) or date(start.year, 12, 31)
    if end < start:
        raise ValidationError("to", _("{end} is before --from {start}").format(end=end, start=start))
    return start, end


def _write(report: reports.Report, fmt: str, output: str | None, chart: str | None = None, kind: str = "") -> None:
    if chart:  # first: a missing font is said before anything is written
        charts.draw(report, kind, chart)
        click.echo(_("chart written to {chart}").format(chart=chart), err=True)
    if fmt == "xlsx":
        if not output:
            raise click.UsageError(_("--format xlsx writes a file: give -o FILE.xlsx"))
        from ..formats import spreadsheet  # openpyxl: loaded only for a spreadsheet

        spreadsheet.write(report, output, _lines(report))
        click.echo(
            _("{title}: {count} rows written to {output}").format(
                title=report.title, count=len(report.rows), output=output
            ),
            err=True,
        )
        return
    text = {"table": _table, "csv": _csv, "json": _json}[fmt](report)
    if output:
        with open(output, "w", encoding="utf-8", newline="") as f:
            f.write(click.unstyle(text))  # a file gets no escape codes, whatever the terminal
        click.echo(
            _("{title}: {count} rows written to {output}").format(
                title=report.title, count=len(report.rows), output=output
            ),
            err=True,
        )
    elif fmt == "table":
        show(text)  # a table longer than the screen: through the pager
    else:
        click.echo(text, nl=False)


def _cell(v) -> str:
    return "" if v is None else str(v)


def _rows(report: reports.Report) -> list[dict]:
    """The report's rows, then its total where it is a row of its own (its first column
    `total` unless the total says otherwise)."""
    if report.total is not None and report.grouped:
        return [*report.rows, {report.columns[0]: "total"} | report.total]
    return list(report.rows)


def _lines(report: reports.Report) -> list[list[str]]:
    return [[_cell(r.get(c)) for c in report.columns] for r in _rows(report)]


def _table(report: reports.Report) -> str:
    """The report's title, then its rows under their headings, padded by display width (a
    Chinese label takes two columns a character); in Chinese the headings and the codes
    of the columns labels.SAID_COLUMNS names are said in Chinese."""
    columns = list(report.columns)
    lines = [
        [
            _(cell) if (c in labels.SAID_COLUMNS or (i == 0 and cell == "total")) and cell else cell
            for i, (c, cell) in enumerate(zip(columns, line, strict=True))
        ]
        for line in _lines(report)
    ]
    return report.title + "\n" + output.table(columns, lines, output.headings(columns))


def _csv(report: reports.Report) -> str:
    return output.csv_text(list(report.columns), _rows(report), lambda _column, v: _cell(v))


def _json(report: reports.Report) -> str:
    def plain(row: dict) -> dict:
        return {k: str(v) if isinstance(v, Yuan) else v for k, v in row.items()}

    data = {
        "title": report.title,
        "columns": list(report.columns),
        "rows": [plain(r) for r in report.rows],
        "total": None if report.total is None else plain(report.total),
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
