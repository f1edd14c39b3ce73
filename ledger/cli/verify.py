import click

from ..errors import LedgerError
from ..services.verify import verify
from .context import emit, json_option


@click.command("verify")
@json_option
@click.pass_obj
def command(obj, as_json):
    """Check the books: every balance equals its journal, every posting sums to zero.

    Exits non-zero and lists each violation if any is found.

    \b
    Example:
        ledger verify
    """
    d = verify(obj.uow())

    def human(d):
        c = d["checked"]
        click.echo(f"checked {c['accounts']} accounts, {c['postings']} postings, {c['entries']} entries")
        for p in d["problems"]:
            click.echo(f"  VIOLATION {p}")
        click.echo("ok" if d["ok"] else f"{len(d['problems'])} violation(s)")

    emit(d, as_json, human)
    if not d["ok"]:
        raise LedgerError(f"verify found {len(d['problems'])} violation(s)")
