import re

import click

from ..errors import ChecksFailed
from ..i18n import _
from ..services.verify import heads, verify
from .context import emit, json_option

_NOTED = re.compile(r"^(journal|audit):([0-9]+):([0-9a-f]{64})$")


def _noted_head(ctx, param, values) -> dict[str, tuple[int, str]]:
    noted = {}
    for v in values:
        m = _NOTED.match(v.strip())
        if m is None:
            raise click.BadParameter(
                _("{value!r}: write CHAIN:ID:HASH as `ledger verify --head` prints it (journal:1234:9f86…)").format(
                    value=v
                )
            )
        noted[m[1]] = (int(m[2]), m[3])
    return noted


@click.command("verify")
@click.option("--head", "show_head", is_flag=True, help="Also print each hash chain's head, for an auditor to note.")
@click.option(
    "--expect-head",
    "expect",
    multiple=True,
    callback=_noted_head,
    metavar="CHAIN:ID:HASH",
    help="A head noted earlier (`--head`): the chain must still reach it unchanged. Repeat for each chain.",
)
@click.option(
    "--since",
    is_flag=True,
    help="Check only what was written after the last clean run (each clean run is recorded).",
)
@json_option
@click.pass_obj
def command(obj, show_head, expect, since, as_json):
    """Check the books, and list each violation with a non-zero exit.

    Every posting sums to zero; every balance equals its journal entries and is not
    negative; every usage counter equals its claims and keeps within its cap; every claim
    adds up (docs/claims.md, step 7) and agrees with its journal posting and its payers; every
    reversal undoes its claim exactly, once; no pair is bound twice at once; every
    mutual-aid payment and contribution was made under a binding active on its day.

    The journal and the audit log are hash chains (docs/integrity.md): each row's hash is
    recomputed, and the first row where a chain breaks is named. With --head, each chain's
    head (its last row and hash) is printed; noted by an auditor and given back later with
    --expect-head, it shows that nothing before it changed, even by the database's owner.

    A clean run is recorded with the head of each chain. With --since, only what was posted
    after the last clean run is checked, with the accounts, counters and report sums it
    moved: a nightly check that stays short as the books grow. A row changed behind the
    ledger's back before that run is found by the next full run (docs/integrity.md).

    \b
    Example:
        ledger verify
        ledger verify --head
        ledger verify --since
        ledger verify --expect-head journal:1234:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
    """
    uow = obj.uow()
    d = verify(uow, expect, since=since)
    if show_head:
        d["heads"] = heads(uow)

    # For scripts each problem is an object: what kind, in which table, which row, and the line.
    shown = {**d, "problems": [p.as_json() for p in d["problems"]]} if as_json else d
    emit(shown, as_json, _human)
    if not d["ok"]:
        raise ChecksFailed(_("verify found {n} violation(s)").format(n=len(d["problems"])))


def _human(d: dict) -> None:
    c = d["checked"]
    if "since" in d:
        m = d["since"]
        click.echo(
            _("since the clean run {run} of {at} UTC (journal posting {journal}):").format(
                run=m["run"], at=m["at"][:19].replace("T", " "), journal=m["journal"]
            )
        )
    click.echo(
        _("checked {accounts} accounts, {postings} postings, {entries} entries").format(
            accounts=c["accounts"], postings=c["postings"], entries=c["entries"]
        )
    )
    for p in d["problems"]:
        click.echo("  " + _("VIOLATION {problem}").format(problem=p))
    for name, h in d.get("heads", {}).items():
        click.echo(
            _("head of the {chain}: {name}:{id}:{hash}").format(
                chain=_("journal") if name == "journal" else _("audit log"),
                name=name,
                id=h["id"] if h["id"] is not None else 0,
                hash=h["hash"],
            )
        )
    click.echo(_("ok") if d["ok"] else _("{n} violation(s)").format(n=len(d["problems"])))
    if "not_recorded" in d:
        click.echo(
            _("(not recorded: {why}; the next --since starts from an earlier run)").format(why=d["not_recorded"])
        )
