"""The `ledger` command. It parses, calls one service, prints; rules live elsewhere."""

import gc
import json
import logging
import os
import re
import sys

import click

from ..db import DEFAULT_URL
from ..errors import LedgerError
from ..i18n import _
from ..rules.operators import check_operator
from ..rules.text import shown
from . import config, language
from .commands import LazyGroup
from .context import Ctx, default_operator, first_line, warn


class LedgerGroup(LazyGroup):
    """Turns domain and database errors into one line on stderr and the exit code their
    kind has (docs/cli.md, "Exit codes"), never a traceback; with `--json`, the line is a
    JSON object, as the command's output would have been."""

    def make_context(self, info_name, args, parent=None, **extra):
        # The language first: Click says the help and the usage errors while it parses.
        settings = extra.get("default_map") or {}
        valued = frozenset(o for p in self.params if isinstance(p, click.Option) and not p.is_flag for o in p.opts)
        language.install(language.choose(args, os.environ, settings.get("lang"), valued))
        language.localize(self)
        return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx):
        as_json = _asks_json([*getattr(ctx, "_protected_args", ()), *ctx.args])
        try:
            return super().invoke(ctx)
        except LedgerError as e:
            # Escaped line by line: a message of several lines (an import's rows) keeps its lines.
            message = "\n".join(map(shown, str(e).split("\n")))
            raise Failed(message, e.exit_code, getattr(e, "field", None), as_json) from None
        except click.UsageError as e:
            if not as_json:
                raise
            param = getattr(e, "param", None)
            raise Failed(e.format_message(), e.exit_code, param.name if param else None, as_json) from None
        except Exception as e:
            said = _database_error(e, ctx)
            if said is None:
                raise
            raise Failed(*said, None, as_json) from None
        finally:  # `ledger -v`: the run's timings, whatever its end
            if isinstance(ctx.obj, Ctx) and ctx.obj.timings is not None:
                from .verbose import note, summary

                note(summary(ctx.obj.timings))


class Failed(click.ClickException):
    """A command that failed: its message, exit code and the field it names (if any),
    shown as one line, or as `{"error": {"code", "message", "field"}}` under `--json`."""

    def __init__(self, message: str, code: int, field: str | None, as_json: bool):
        super().__init__(message)
        self.exit_code, self.field, self.as_json = code, field, as_json

    def show(self, file=None) -> None:
        if not self.as_json:
            return super().show(file)
        error = {"code": self.exit_code, "message": self.format_message(), "field": self.field}
        click.echo(json.dumps({"error": error}, ensure_ascii=False), err=True)


def _asks_json(args: list[str]) -> bool:
    """Whether the command line asks for JSON (before a `--` that ends the options)."""
    for a in args:
        if a == "--":
            return False
        if a == "--json":
            return True
    return False


REFUSED, UNAVAILABLE = 1, 4


def _database_error(e: Exception, ctx) -> tuple[str, int] | None:
    """The one line a database error means for the user and its exit code, or None: not
    one, or a bug that main() reports as one. A write refused or a lock waited for too long
    is a refusal (1); a database that cannot be reached or opened is unavailable (4).
    SQLAlchemy is only asked once it has been imported: until then no error can be one of
    its own."""
    if "sqlalchemy" not in sys.modules:
        return None
    from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

    from ..db.engine import safe_url
    from .context import waited

    if isinstance(e, IntegrityError):
        # Validation runs first, so this is a race with another writer or a bug; either
        # way nothing was written (the transaction rolled back).
        return _("the database refused the write, nothing was changed: {orig}").format(orig=first_line(e.orig)), REFUSED
    if isinstance(e, DBAPIError) and getattr(e.orig, "sqlstate", None) == "25006":
        # read_only_sql_transaction: a hot standby, or a server made read-only, given as --db
        return _(
            "database {db_url} is read-only (a replica, or a server that takes no writes): nothing was written; writes go to the primary, given as --db, and a replica goes in --read-db"
        ).format(db_url=safe_url(_db(ctx))), UNAVAILABLE
    if isinstance(e, OperationalError):
        if waited(e):
            return waited(e), REFUSED
        if getattr(e.orig, "sqlstate", None) in ("40001", "40P01"):
            # the server cancelled the transaction (another writer in the way on every retry,
            # db/retry.py, or a standby's recovery): a refusal, not an outage
            return _(
                "the database cancelled the transaction ({orig}); what was committed before it stands: run it again"
            ).format(orig=first_line(e.orig)), REFUSED
        said = first_line(e.orig)
        return f"database {safe_url(_db(ctx))}: {said}", REFUSED if "locked" in said else UNAVAILABLE
    if not isinstance(e, DBAPIError):
        return None
    if waited(e):
        return waited(e), REFUSED
    if e.statement is not None:  # a statement failed: a bug, reported as one by main()
        return None
    # Raised while connecting, before any statement: an option of the URL the driver
    # refuses (?connect_timeout=x). Its value is left out; it may be a secret.
    what = re.sub(r":\s*'.*$", "", first_line(e.orig))
    return _("--db: the database driver refuses the URL: {what}").format(what=what), UNAVAILABLE


def _db(ctx) -> str:
    return ctx.obj.db_url if isinstance(ctx.obj, Ctx) else "?"


def _operator(name: str) -> str:
    """Every write records its operator: a name that fits the records, printable."""
    try:
        return check_operator(name)
    except LedgerError as e:
        raise click.BadParameter(str(e).removeprefix("operator: ")) from None


@click.group(cls=LedgerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db_url",
    envvar="LEDGER_DATABASE_URL",
    default=DEFAULT_URL,
    show_default=True,
    help="Database URL (env LEDGER_DATABASE_URL): sqlite:///path.db or postgresql://user@host/db.",
)
@click.option(
    "--read-db",
    "read_url",
    envvar="LEDGER_READ_DATABASE_URL",
    metavar="URL",
    help="A replica of --db (a PostgreSQL hot standby) for reports, monitor, statements, usage and verify (env LEDGER_READ_DATABASE_URL); writes always go to --db.",
)
@click.option(
    "--operator",
    envvar="LEDGER_OPERATOR",
    default=default_operator,
    callback=lambda _c, _p, v: _operator(v),
    help="Who is acting, recorded with every write (env LEDGER_OPERATOR; default: your login name).",
)
@click.option(
    "--lang",
    envvar=language.ENV,
    callback=language.check,
    metavar="zh|en",
    help="Language of help, messages and tables (env LEDGER_LANG; default: from the locale, LANG).",
)
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Also say on stderr each transaction committed, retries, and the run's time in all and in the database.",
)
@click.version_option(package_name="gongji-ledger")
@click.pass_context
def cli(ctx, db_url, read_url, operator, lang, verbose):
    """门诊共济账本: the books of a city's outpatient mutual-aid mechanism.

    Persons and their yearly enrollment, personal accounts, policy parameters with their
    sources, and a double-entry journal that never forgets.

    \b
    Example:
        ledger demo                        # a walk-through in ./ledger-demo.db
        ledger db upgrade                  # create ./ledger.db
        ledger person add 11010519491231002X --name 王芳 --insutype 310 --psn-type 1201 --region 220702
    """
    timings = None
    if verbose:
        from .verbose import Timings

        timings = Timings()
    ctx.obj = Ctx(db_url=db_url, operator=operator, timings=timings, read_url=read_url or None)
    _say_warnings(verbose)


class _Warnings(logging.Handler):
    """What the ledger logs at WARNING and above (a transaction retried after a deadlock or
    a lock it waited for), said on stderr as it happens, like every other warning."""

    def emit(self, record: logging.LogRecord) -> None:
        warn(record.getMessage())


def _say_warnings(verbose: bool = False) -> None:
    """Warnings on stderr always; with -v, the ledger's notes at INFO too."""
    logger = logging.getLogger("ledger")
    if not any(isinstance(h, _Warnings) for h in logger.handlers):
        logger.addHandler(_Warnings(logging.WARNING))
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    if verbose and not any(type(h).__name__ == "Notes" for h in logger.handlers):
        from .verbose import Notes

        logger.addHandler(Notes(logging.INFO))


def _tune_collector() -> None:
    """The cyclic collector, set for a command that reads a batch. What start-up built
    (modules, the SQLAlchemy and Click machinery) lives as long as the process: frozen, so
    the collector's full passes do not walk it again and again. A chunk's claims are freed
    by reference counting when the chunk is done; a youngest generation of 50,000 objects
    (the default is 700) lets most of them go before the collector has scanned and promoted
    them. The memory this costs is bounded by the chunk: a few megabytes."""
    gc.freeze()
    _youngest, older, oldest = gc.get_threshold()
    gc.set_threshold(50_000, older, oldest)


def main() -> None:
    _tune_collector()
    try:
        try:
            settings = config.default_map()
        except click.UsageError as e:
            e.show()
            sys.exit(e.exit_code)
        cli(prog_name="ledger", default_map=settings)
    except Exception as e:  # a bug, not a user error: still one line, and the way to see more
        if os.environ.get("LEDGER_DEBUG"):
            raise
        # The first line only: a driver's message goes on with the statement and its
        # parameters, which hold unmasked ID numbers.
        cause = getattr(e, "orig", None) or e  # a driver's error inside SQLAlchemy's
        message = _("internal error {name}: {cause} (set LEDGER_DEBUG=1 for the traceback)").format(
            name=type(e).__name__, cause=first_line(cause)
        )
        Failed(message, INTERNAL, None, _asks_json(sys.argv[1:])).show()
        sys.exit(INTERNAL)


INTERNAL = 70  # EX_SOFTWARE: a bug, not the user's doing


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
