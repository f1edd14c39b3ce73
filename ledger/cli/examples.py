from importlib import resources
from pathlib import Path

import click

from ..errors import LedgerError
from ..i18n import _
from .context import emit, json_option


@click.command("examples")
@click.argument("folder", default="examples", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite files of the same name.")
@json_option
def command(folder, force, as_json):
    """Write the example files the README's tour reads into FOLDER (default: ./examples).

    An illustrative operator policy for Songyuan 2025 and an example file for 2026, four
    persons (CSV), claims as JSON lines and as CSV, and monthly contribution bases.

    \b
    Example:
        ledger examples && ledger person import examples/persons.csv
    """
    shipped = sorted(
        (f for f in resources.files("ledger.examples").iterdir() if f.name.endswith((".toml", ".csv", ".jsonl"))),
        key=lambda f: f.name,
    )
    clash = [f.name for f in shipped if (folder / f.name).exists()]
    if clash and not force:
        raise LedgerError(
            _("{folder}: {clash} already there; --force overwrites them").format(folder=folder, clash=", ".join(clash))
        )
    folder.mkdir(parents=True, exist_ok=True)
    for f in shipped:
        (folder / f.name).write_bytes(f.read_bytes())
    emit(
        {"folder": str(folder), "files": [f.name for f in shipped]},
        as_json,
        lambda d: click.echo(
            _("wrote {count} files to {folder}/: {files}").format(
                count=len(d["files"]), folder=d["folder"], files=", ".join(d["files"])
            )
        ),
    )
