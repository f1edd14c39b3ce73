"""Engines for SQLite (the embedded default) and PostgreSQL (production).

How concurrent writers are kept apart.

PostgreSQL runs at READ COMMITTED, on purpose. Every figure a write depends on (an account
balance, a usage counter, a binding, a rollover cursor) is read with a row lock (`FOR
UPDATE`, or `FOR SHARE` for bindings) before it is used, so what the write sees is the last
committed value and nobody can change it until the write commits; balances move by
`balance = balance + x`, re-evaluated on the newest row, and CHECK constraints (balance >= 0,
0 <= fund paid <= cap, docs/claims.md, step 7) are the last word. SERIALIZABLE would add nothing those
locks do not already give and would fail whole claim chunks on read-dependency guesses.

Locks are always taken in one global order, so two writers queue instead of deadlocking:

    0. setl_ids, advisory locks in hash order                (claims)
    1. the rollover row of the year                          (rollover)
    2. persons a binding counts for, advisory, hash order    (bind)
    3. family bindings, FOR SHARE                            (claims; unbind locks just its row)
    4. usage counters, by (psn_no, year, bucket)             (claims, reversals, rollover)
    5. accounts, by id                                       (every posting that moves money)
    6. the journal's chain head, then the audit log's        (every posting; every audit record)

The chain heads come last and are held to the commit: each writer extends a hash chain in
turn (db/chain.py), so the chain order is the commit order, and nothing is waited for
while they are held but the writer's own inserts.

Unique keys (setl_id, one credit per person and month, one counter per person, year and
bucket) settle the races locks cannot, and `ledger.db.retry` reruns the loser's transaction,
which then sees the winner's row. Deadlocks (40P01) and serialization failures (40001) are
retried the same way, should one ever happen.

SQLite has one writer at a time: every write transaction starts with BEGIN IMMEDIATE, so it
holds the database's write lock from its first read; others wait on the busy timeout. WAL
lets readers go on meanwhile, and foreign keys are switched on for every connection.
"""

import json
import os

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.engine.url import URL
from sqlalchemy.exc import ArgumentError

from ..errors import LedgerError
from ..i18n import N_, _
from . import DEFAULT_URL  # noqa: F401 - its old place; ledger.db holds it for the CLI's start

READ_ONLY = "ledger_read_only"  # execution option: this transaction only reads
SQLITE_BUSY_TIMEOUT_MS = 30_000
# SQLite keeps 2 MiB of pages in memory by default: a city's persons, accounts and counters
# are read again by every chunk of a claim feed, so keep 64 MiB of them (a connection's cache).
SQLITE_CACHE_KIB = 65_536


USABLE = N_("write sqlite:///path.db or postgresql://user@host/db")  # N_: said where used


def normalize_url(url: str | URL) -> URL:
    """`postgresql://` means psycopg 3 here (the only PostgreSQL driver we depend on).

    A URL the ledger cannot use is refused with a message that never repeats the URL: it
    may hold a password."""
    if isinstance(url, str) and _authority(url).count("@") > 1:
        # Read as written, the password would end at the first '@' and the rest would go
        # to DNS as a host name, and into messages.
        raise LedgerError(
            _("--db: the URL holds more than one '@' before its host: write an '@' in the user name or password as %40")
        )
    try:
        u = make_url(url)
    except (ArgumentError, ValueError):
        raise LedgerError(_("--db: not a database URL ({usable})").format(usable=_(USABLE))) from None
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    if u.drivername not in ("sqlite", "sqlite+pysqlite", "postgresql+psycopg"):
        raise LedgerError(
            _("--db: the ledger runs on SQLite or PostgreSQL (with psycopg), not {drivername} ({usable})").format(
                drivername=u.drivername, usable=_(USABLE)
            )
        )
    return u


def _authority(url: str) -> str:
    """The user, password, host and port of a URL: between '://' and the path or query."""
    rest = url.partition("://")[2]
    for end in "/?#":
        rest = rest.partition(end)[0]
    return rest


def safe_url(url: str | URL) -> str:
    """The URL as it may be printed: never with its password."""
    try:
        return normalize_url(url).render_as_string(hide_password=True)
    except LedgerError:
        return "(not a usable URL)"


def json_text(value) -> str:
    """JSON columns (a platform record's fields as received) as compact UTF-8: Chinese text
    as itself, not six bytes of escape a character."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def make_engine(url: str | URL, **kw) -> Engine:
    u = normalize_url(url)
    kw.setdefault("json_serializer", json_text)
    if u.get_backend_name() == "sqlite":
        _create_private(u.database)
        engine = create_engine(u, **kw)
        _configure_sqlite(engine)
        return engine
    kw.setdefault("isolation_level", "READ COMMITTED")
    if "options" not in u.query:  # a URL that sets its own server options keeps them whole
        kw.setdefault("connect_args", {}).setdefault("options", _server_options())
    return create_engine(u, pool_pre_ping=True, **kw)


# How long a PostgreSQL session waits for a lock another holds, and how long the server
# lets a session sit idle inside a transaction before it ends it (seconds). Without them a
# `claim post` stopped mid-chunk (Ctrl-Z, a hung pipe) held its row locks for ever, and a
# credit to the same account waited for ever with no word.
LOCK_TIMEOUT = ("LEDGER_LOCK_TIMEOUT", 30)
IDLE_TIMEOUT = ("LEDGER_IDLE_TIMEOUT", 60)


def seconds(setting: tuple[str, int]) -> int:
    name, default = setting
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise LedgerError(_("{name}: {raw!r} is not a whole number of seconds (1 or more)").format(name=name, raw=raw))
    return int(raw)


def _server_options() -> str:
    return (
        f"-c lock_timeout={seconds(LOCK_TIMEOUT) * 1000} "
        f"-c idle_in_transaction_session_timeout={seconds(IDLE_TIMEOUT) * 1000}"
    )


def _create_private(path: str | None) -> None:
    """Create a new database file readable by its owner only (0600), whatever the umask:
    it holds ID numbers, names and balances. SQLite gives the -wal and -shm files it makes
    beside it the same mode. An existing file keeps the mode it has."""
    if path in (None, "", ":memory:") or path.startswith("file:"):
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError:
        return  # a folder that does not exist, no permission: SQLite says so in its own words
    os.fchmod(fd, 0o600)
    os.close(fd)


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling defers BEGIN and never takes the write lock up
    # front; we turn it off and issue BEGIN IMMEDIATE ourselves, so two writers queue on the
    # busy timeout instead of failing half-way with "database is locked".
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode = WAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A reader needs no write lock: under WAL a deferred BEGIN reads a consistent
        # snapshot while a writer works, instead of queueing behind it.
        conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")
