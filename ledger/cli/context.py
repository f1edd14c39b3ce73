"""What every command shares: the database, the operator, output in text or JSON."""

import getpass
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING

import click

from ..errors import LedgerError, Unavailable
from ..i18n import _
from ..rules.money import Yuan
from ..rules.text import shown

if TYPE_CHECKING:
    from sqlalchemy.exc import DBAPIError

    from ..uow import UnitOfWork
    from .verbose import Timings

# SQLAlchemy, Alembic and the services are imported by the methods that use them, not
# here: every command, `ledger --help` included, imports this module (ledger/cli/commands.py).


@dataclass
class Ctx:
    db_url: str
    operator: str
    timings: "Timings | None" = None  # `ledger -v`: what the run did, said on stderr
    read_url: str | None = None  # `--read-db`: a replica for the reads that may lag

    @cached_property
    def engine(self):
        return self._engine(self.db_url)

    @cached_property
    def read_engine(self):
        """The replica's engine, made (and connected) only when a command reads from it."""
        return self._engine(self.read_url) if self.read_url else None

    def _engine(self, url: str):
        from ..db.engine import make_engine

        engine = make_engine(url)
        if self.timings is not None:
            from .verbose import watch

            watch(engine, self.timings)
        return engine

    def uow(self, *, check_schema: bool = True) -> "UnitOfWork":
        from ..db import schema_version
        from ..db.engine import safe_url
        from ..uow import UnitOfWork

        if check_schema:
            current, head = schema_version.current(self.engine), schema_version.HEAD
            if current != head:
                state = (
                    _("has no ledger schema")
                    if current is None
                    else _("is at schema revision {current}, this ledger needs {head}").format(
                        current=current, head=head
                    )
                )
                raise Unavailable(
                    _("database {db_url} {state}: run `ledger db upgrade` first").format(
                        db_url=safe_url(self.db_url), state=state
                    )
                )
        return UnitOfWork(self.engine, self.read_engine)


def default_operator() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def _json_default(o):
    from ..rules.claim_result import ClaimResult

    if isinstance(o, ClaimResult):
        return o.as_json()
    if isinstance(o, Yuan):
        return str(o)
    if isinstance(o, (date, datetime)):
        return o.isoformat()
    if isinstance(o, Decimal):
        return str(o)
    if isinstance(o, (tuple, set)):
        return list(o)
    raise TypeError(f"cannot render {type(o).__name__} as JSON")


def to_json(data) -> str:
    return _escaped(json.dumps(data, default=_json_default, ensure_ascii=False, indent=2))


def json_line(data) -> str:
    """One object on one line, for streams of results (JSON lines)."""
    return _escaped(json.dumps(data, default=_json_default, ensure_ascii=False))


# JSON escapes C0 controls itself; DEL, the C1 controls (U+009B is a terminal's CSI) and the
# invisible formatting characters it writes raw. They can stand only inside strings.
_RAW_IN_JSON = re.compile(r"[\u007f-\u009f\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")


def _escaped(text: str) -> str:
    return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print JSON (money as yuan strings, ID numbers unmasked)."
)
# The exit code of a run of `claim post` or `claim reconcile` that stopped before the end of
# its input (docs/cli.md, "Exit codes"); named here, below both commands.
INCOMPLETE = 5

date_type = click.DateTime(formats=["%Y-%m-%d"])


def as_date(value) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def emit(data, as_json: bool, human) -> None:
    """JSON for scripts; otherwise whatever `human(data)` prints for people, from the data
    with every control character in its text escaped (a stored newline or ESC never
    reaches the terminal as one)."""
    if as_json:
        click.echo(to_json(data))
    else:
        human(for_people(data))


def for_people(data):
    """`data` with `shown` applied to every string in it, however nested."""
    if isinstance(data, str):
        return shown(data)
    if isinstance(data, dict):
        return {k: for_people(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return type(data)(for_people(v) for v in data)
    return data


def first_line(err) -> str:
    """A driver's message without the statement and parameters that follow it (they hold
    unmasked ID numbers)."""
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


def warn(message: str) -> None:
    click.echo(_("warning: {message}").format(message=shown(message)), err=True)


def waited(e: "DBAPIError") -> str | None:
    """What a timeout of the server means for the person who ran the command."""
    from ..db.engine import IDLE_TIMEOUT, LOCK_TIMEOUT, seconds

    code = getattr(e.orig, "sqlstate", None)
    if code == "55P03":
        return _(
            "another session has held what this command needs for over {lock_timeout} s (a long write, or a client stopped inside a transaction): nothing was written; run it again, or find that session in pg_stat_activity ({lock_timeout2} sets the wait)"
        ).format(lock_timeout=seconds(LOCK_TIMEOUT), lock_timeout2=LOCK_TIMEOUT[0])
    if code == "25P03" or "idle-in-transaction timeout" in str(e.orig):
        return _(
            "this command sat idle inside a transaction for over {idle_timeout} s and the server ended it: nothing of that transaction was written; run it again ({idle_timeout2} sets the limit)"
        ).format(idle_timeout=seconds(IDLE_TIMEOUT), idle_timeout2=IDLE_TIMEOUT[0])
    return None


def _encoding(_ctx, _param, value):
    from ..formats.encodings import check_encoding

    try:
        return check_encoding(value)
    except LedgerError as e:
        raise click.BadParameter(str(e).removeprefix("--encoding: ")) from None


encoding_option = click.option(
    "--encoding",
    callback=_encoding,
    help="The file's text encoding (default: UTF-8, with or without BOM; GB18030 is recognised).",
)


def institution_option(f):
    return click.option(
        "--institution",
        metavar="CODE",
        callback=lambda _ctx, _param, v: v.strip() if v is not None else None,
        help="The institution (fixmedins_code) of the records that name none, as a hospital's own capture of its settlement outputs.",
    )(f)
