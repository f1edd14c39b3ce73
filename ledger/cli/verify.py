import click

from ..errors import LedgerError
from ..services.verify import verify
from .context import emit, json_option


@click.command("verify")
@json_option
@click.pass_obj
def command(obj, as_json):
    """Check the books, and list each violation with a non-zero exit.

    Every posting sums to zero; every balance equals its journal entries and is not
    negative; every usage counter equals its claims and keeps within its cap; every claim
    adds up (docs/claims.md, step 7) and agrees with its journal posting and its payers; every
    reversal undoes its claim exactly, once; no pair is bound twice at once; every
    mutual-aid payment was made under a binding active on the service date.

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
