import click

from ..db import migrate, partitions
from ..db import roles as db_roles
from ..db.engine import safe_url
from ..errors import LedgerError
from ..i18n import _
from ..rules.persons import check_year
from ..services import archive as archive_service
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

    On PostgreSQL it also makes this year's and next year's partitions of the journal and
    the claims (docs/scale.md).

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
            _("{database}: schema at {to}").format(database=d["database"], to=d["to"])
            + (
                ""
                if d["from"] == d["to"]
                else _(" (was {value})").format(value=d["from"])
                if d["from"]
                else _(" (was empty)")
            )
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
    emit(
        data,
        as_json,
        lambda d: click.echo(_("models and migrations agree") if d["ok"] else "\n".join(d["differences"])),
    )
    if diffs:
        raise LedgerError(
            _("{count} difference(s) between the models and the migrations: write a migration").format(count=len(diffs))
        )


@command.command("roles")
@click.option(
    "--prefix", default="ledger", show_default=True, help="The roles are PREFIX_owner, PREFIX_writer, PREFIX_reader."
)
@json_option
@click.pass_obj
def roles_(obj, prefix, as_json):
    """PostgreSQL: create the owner, writer and reader roles and grant them (safe to run again).

    The owner owns the schema (migrations run as it); the writer is what the ledger runs as:
    it inserts history and updates only balances, counters, cursors, a binding's end and the
    chain heads, and can neither delete, truncate, alter nor set a trigger aside; the reader
    reads. They are NOLOGIN groups: give people and jobs logins in them (docs/integrity.md).
    Run it as a superuser, or as the schema's owner with CREATEROLE.

    \b
    Example:
        ledger --db postgresql://postgres@db.example/ledger db roles
        psql -c "CREATE ROLE clerk LOGIN PASSWORD '…' IN ROLE ledger_writer"
        LEDGER_DATABASE_URL=postgresql://clerk@db.example/ledger ledger verify
    """
    with obj.engine.begin() as conn:
        made = db_roles.create(conn, prefix)
    data = {"database": safe_url(obj.db_url), "roles": made}
    emit(data, as_json, lambda d: click.echo(", ".join(f"{k}: {v}" for k, v in d["roles"].items())))


@command.command("add-year")
@click.argument("years", nargs=-1, required=True, metavar="YEAR...")
@json_option
@click.pass_obj
def add_year(obj, years, as_json):
    """PostgreSQL: make the journal's and the claims' partitions of these years ahead.

    `ledger db upgrade` makes this year's and next year's, the rollover of a year the two
    after it; a claim or posting dated in a year without them is refused, naming this
    command: they are never made on a writer's path, where making them would stop every
    other writer. Run it from a scheduled job before each year begins, or for a year
    further back (opening balances from an earlier system). Safe to run again; the writer
    role may run it. SQLite keeps single tables: nothing to do.

    \b
    Example:
        ledger db add-year 2027
    """
    made = {y: partitions.add_years(obj.engine, [y]) for y in (check_year(v, "YEAR") for v in years)}
    partitioned = obj.engine.dialect.name == "postgresql"
    data = {
        "database": safe_url(obj.db_url),
        "partitioned": partitioned,
        "years": [{"year": y, "tables_made": n} for y, n in made.items()],
    }

    def human(d):
        if not d["partitioned"]:
            click.echo(_("an SQLite ledger keeps single tables: no partitions to make"))
        for y in d["years"] if d["partitioned"] else ():
            click.echo(_("{year}: partitions made for {tables_made} tables").format(**y))

    emit(data, as_json, human)


@command.command("archive")
@click.option("--through", "year", required=True, help="Archive every year up to this one not archived yet.")
@json_option
@click.pass_obj
def archive_(obj, year, as_json):
    """PostgreSQL: move old years' claims and journal entries out of the live tables.

    Each year's partitions of the claims, their mutual-aid payments and the journal entries,
    and its reversals and platform sources, go to the schema ledger_archive, to dump
    (pg_dump -n ledger_archive) and drop. The year's postings, each account's sum of its
    entries, the settlement ids and the reports' sums stay, so balances, `ledger verify`
    and the reports still add up; nothing can be dated in an archived year again. A year
    is archived once it is rolled over and a clean `ledger verify` has checked it. Run it
    as the schema's owner, at a quiet hour: other writes wait until it ends
    (docs/scale.md, "Archiving old years").

    \b
    Example:
        ledger verify && ledger db archive --through 2019
    """
    d = archive_service.archive(obj.uow(), obj.operator, check_year(year, "--through"))

    def human(d):
        for y in d["years"]:
            click.echo(
                _(
                    "{year} archived: {claims} claims, {entries} journal entries, {mutual_aid} mutual-aid payments, "
                    "{reversals} reversals and {sources} platform sources moved to {schema}; its {postings} postings stay"
                ).format(schema=d["schema"], **y)
            )
        click.echo(_("dump them with: pg_dump -n {schema}").format(schema=d["schema"]))

    emit(d, as_json, human)
