"""The `ledger` command's subcommands, loaded only when one is run.

A command's module brings in SQLAlchemy, the services and the policy machinery: together
about a second of imports on a small machine. `ledger --help`, `ledger --version` and a
typing mistake need none of it, so the group knows its commands by name and short help
from this table (tests/e2e/test_cli_help.py checks each line against the command's own
docstring) and imports a command's module when that command is asked for.
"""

import importlib

import click

from .. import i18n
from ..i18n import _
from ..render import display
from . import language

# name -> (module under ledger.cli, attribute, the short help its docstring gives)
COMMANDS = {
    "account": ("accounts", "command", "Personal accounts (个人账户): credit, balance, statement."),
    "claim": ("claims", "command", "Claim settlements (结算): post, reverse, show."),
    "db": ("db", "command", "Create, migrate and check the database schema."),
    "demo": ("demo", "command", "Build a demo database (./ledger-demo.db) and walk a short scenario."),
    "examples": (
        "examples",
        "command",
        "Write the example files the README's tour reads into FOLDER (default: ./examples).",
    ),
    "family": ("family", "command", "Family mutual aid (家庭共济): bind relatives to a holder's personal account."),
    "institution": (
        "institutions",
        "command",
        "The designated institutions (定点医药机构): type, grade, deductible level, region, dated.",
    ),
    "monitor": (
        "monitor",
        "command",
        "智能监控: run the monitoring rules over the settlements served from --from to --to.",
    ),
    "offsite": (
        "offsite",
        "command",
        "Off-site registrations (异地就医备案): a person's care outside their insured area.",
    ),
    "person": ("persons", "command", "Register insured persons (参保人) and their yearly enrollment."),
    "policy": ("policy", "command", "Policy parameters by region and date, each with its source."),
    "report": ("report", "command", "Reports: what the claims paid, and the books' trial balance."),
    "rollover": ("rollover", "command", "Close YEAR and open YEAR+1 for every enrolled person."),
    "usage": (
        "usage",
        "command",
        "Show a person's benefit usage for a year: each bucket's cap, fund paid, deductible met.",
    ),
    "verify": ("verify", "command", "Check the books, and list each violation with a non-zero exit."),
    "wallet": (
        "wallet",
        "command",
        "医保钱包: a holder's transfers to a near relative's wallet, and what a wallet holds.",
    ),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported when they are run (or their help is asked for)."""

    def list_commands(self, ctx) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx, name: str):
        if name in self.commands or name not in COMMANDS:
            return self.commands.get(name)
        module, attribute, _short = COMMANDS[name]
        return language.localize(getattr(importlib.import_module(f"{__package__}.{module}"), attribute))

    def format_commands(self, ctx, formatter) -> None:
        """Click's own listing, from the table instead of the imported commands."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names))
        rows = [(n, _shortened(_(_short_help(self, n)), limit)) for n in names]
        with formatter.section(_("Commands")):
            formatter.write_dl(rows)


def _shortened(text: str, limit: int) -> str:
    """A command's line in the listing: whole when it fits, else cut at a word with "...",
    as Click shortens; a Chinese short help is one sentence, which the layout wraps."""
    if i18n.language() != "en" or display.width(text) <= limit:
        return text
    return display.fill(text, limit - 3)[0].rstrip(" ,;:") + "..."


def _short_help(group: click.Group, name: str) -> str:
    if name in group.commands:
        return group.commands[name].get_short_help_str(limit=10_000)
    return COMMANDS[name][2]
