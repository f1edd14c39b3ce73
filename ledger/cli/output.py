"""How output reaches people: tables by display width, CSV, colour only where it belongs,
and a pager for what is longer than the screen.

- Colour: only on a terminal (Click drops escape codes on a pipe or a file) and never when
  NO_COLOR is set to anything (no-color.org) or TERM is `dumb`.
- Pager: a table longer than the terminal, printed to a terminal, goes through `$PAGER`
  (else `less`); LEDGER_PAGER=0 turns it off. A pipe or a file gets the text as it is.
"""

import csv
import io
import os
import shutil
import sys

import click

from ..i18n import N_, _
from ..render import display, labels
from ..rules.money import Yuan


def colour() -> bool:
    """Whether this run may colour what it prints (a terminal still decides in the end)."""
    return "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def paint(text: str, **style) -> str:
    """`text` in a colour or weight (`fg="red"`, `bold=True`) where colour is allowed."""
    return click.style(text, **style) if colour() else text


def table(
    columns: list[str], rows: list[list[str]], headings: dict[str, str] | None = None, right: set[str] | None = None
) -> str:
    """Rows under their headings (each heading the column's label in the run's language),
    padded by the columns a terminal gives each character; to the right, the columns
    `right` names, or without it every cell that is a number."""
    head = [(headings or {}).get(c, c) for c in columns]
    lines = [head, *rows]
    widths = [max(display.width(line[i]) for line in lines) for i in range(len(columns))]
    out = [paint("  ".join(display.ljust(h, w) for h, w in zip(head, widths, strict=True)).rstrip(), bold=True)]
    out.append("  ".join("-" * w for w in widths))
    for line in rows:
        out.append(
            "  ".join(
                display.rjust(cell, w)
                if (c in right if right is not None else numeric(cell))
                else display.ljust(cell, w)
                for c, cell, w in zip(columns, line, widths, strict=True)
            ).rstrip()
        )
    return "\n".join(out) + "\n"


def numeric(cell: str) -> bool:
    return cell.replace(".", "", 1).replace("-", "", 1).isdigit()


# What makes a spreadsheet (Excel, WPS) read a cell as a formula: OWASP's list for CSV injection.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def inert(text: str) -> str:
    """A CSV text cell a spreadsheet shows and does not run: one that begins with = + - @, a
    tab or a carriage return gets a leading apostrophe (a name `=1+2` is written `'=1+2`)."""
    return "'" + text if text.startswith(FORMULA_LEADS) else text


def csv_text(columns: list[str], rows: list[dict], cell) -> str:
    """`rows` as CSV, `cell(column, value)` the text of a cell. A figure (Yuan, a count) is
    written as it is, -285.00 a number still; every other cell is text, made `inert`."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([_csv_cell(r.get(c), cell(c, r.get(c))) for c in columns])
    return buf.getvalue()


def _csv_cell(value, text: str) -> str:
    return text if isinstance(value, (Yuan, int)) else inert(text)


def show(text: str) -> None:
    """Print `text` to standard output: through the pager when it is a terminal and the
    text is longer than the screen."""
    tall = text.count("\n") >= shutil.get_terminal_size().lines - 1
    if tall and os.environ.get("LEDGER_PAGER", "").strip() != "0" and sys.stdout.isatty() and sys.stdin.isatty():
        click.echo_via_pager(text, color=colour())
    else:
        click.echo(text, nl=False)


def more_note(shown: int, option: str = "--limit") -> str:
    return _("(the first {n} shown; {option} N shows more, {option} 0 all)").format(n=shown, option=option)


def headings(columns) -> dict[str, str]:
    """Each column's heading in the run's language (a column no label is kept for, such as a
    report's 0-10%, as it is)."""
    return {c: _(c) if c in labels.HEADINGS else c for c in columns}


def listing_options(f):
    """--format, --json and --limit, as every list takes them."""
    f = click.option(
        "--limit",
        type=click.IntRange(min=0),
        default=1000,
        show_default=True,
        help=N_("At most this many rows; 0 for all."),
    )(f)
    f = click.option("--json", "as_json", is_flag=True, help=N_("The same as --format json."))(f)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "csv", "json"]),
        default="table",
        show_default=True,
        help=N_("table for people, csv for a spreadsheet, json for scripts (ID numbers whole in json only)."),
    )(f)


def print_listing(
    rows: list[dict],
    columns: tuple[str, ...],
    fmt: str,
    more: bool,
    cell,
    right: frozenset[str] = frozenset(),
    said: frozenset[str] = frozenset(),
) -> None:
    """A list's rows as a table, CSV (both with ID numbers masked: they are for people and
    their spreadsheets) or JSON (whole, for scripts); `cell(column, value)` is the text of a
    table or CSV cell; in a table, the codes of the columns `said` (a status, a relation)
    are said in the run's language, and those of `right` stand to the right. Cut short by
    --limit, the list says so on stderr."""
    from .context import to_json

    if fmt == "json":
        click.echo(to_json(rows))
    elif fmt == "csv":
        show(csv_text(list(columns), rows, cell))
    else:
        lines = [[cell(c, r.get(c)) for c in columns] for r in rows]
        lines = [[_(x) if c in said and x else x for c, x in zip(columns, line, strict=True)] for line in lines]
        show(table(list(columns), lines, headings(columns), set(right)))
    if more:
        click.echo(more_note(len(rows)), err=True)
