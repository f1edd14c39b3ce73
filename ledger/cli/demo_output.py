"""How the demo speaks: its steps, its lines, and the year's report it leaves behind."""

from datetime import date
from pathlib import Path

import click

from ..errors import LedgerError
from ..i18n import _
from ..render import page
from ..services import reports
from .output import paint


def report(uow, path: Path) -> str:
    """The 2025 report as one HTML page beside the demo database; without a font that has
    the Chinese characters its charts cannot be drawn, and the demo says so and goes on."""
    start, end = date(2025, 1, 1), date(2025, 12, 31)
    try:
        text = page.page(
            2025, reports.funds(uow, start, end, by=("month",)), reports.mutual_aid(uow, start, end),
            reports.balance(uow, start, end),
        )  # fmt: skip
    except LedgerError as e:
        return _("not written: {e}").format(e=e)
    path.write_text(text, encoding="utf-8")
    return _("written to {path} (open it in a browser; `ledger report --help` lists the reports)").format(path=path)


def step(title: str) -> None:
    click.echo("\n" + paint(title, bold=True))


def say(text: str) -> None:
    click.echo(f"  {text}")
