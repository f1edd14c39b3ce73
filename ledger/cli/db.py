import click

from ..db import migrate
from ..db.engine import safe_url
from ..errors import LedgerError
from .context import emit, json_option


@click.group("db")
def command():
    """Create, migrate and check the database schema.

    \b
    Example:
        ledger --db postgresql://ledger@db.example/ledger db upgrade
    """


@command.command("upgrade")
@json_option
@click.pass_obj
def upgrade(obj, as_json):
    """Create the schema or bring it to the newest revision (safe to run again).

    \b
    Example:
        ledger db upgrade
    """
    before = migrate.current_revision(obj.engine)
    migrate.upgrade(obj.engine)
    after = migrate.current_revision(obj.engine)
    data = {"database": safe_url(obj.db_url), "from": before, "to": after}
    emit(
        data,
        as_json,
        lambda d: click.echo(
            f"{d['database']}: schema at {d['to']}" + ("" if d["from"] == d["to"] else f" (was {d['from'] or 'empty'})")
        ),
    )


@command.command("check")
@json_option
@click.pass_obj
def check(obj, as_json):
    """Fail if the models and the migrated schema disagree (like `alembic check`).

    \b
    Example:
        ledger --db sqlite:///scratch.db db upgrade && ledger --db sqlite:///scratch.db db check
    """
    obj.uow()  # refuses a database that is not at head
    diffs = migrate.schema_differences(obj.engine)
    data = {"database": safe_url(obj.db_url), "ok": not diffs, "differences": [repr(d) for d in diffs]}
    emit(data, as_json, lambda d: click.echo("models and migrations agree" if d["ok"] else "\n".join(d["differences"])))
    if diffs:
        raise LedgerError(f"{len(diffs)} difference(s) between the models and the migrations: write a migration")
