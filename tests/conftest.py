"""Test databases.

Without LEDGER_TEST_DATABASE_URL the suite runs on SQLite: one file migrated once with
`alembic upgrade head`, copied fresh for every test. With it (a PostgreSQL server URL), the
suite creates its own database on that server, migrates it, empties it between tests, and
drops it at the end. Under CI=true an unreachable PostgreSQL is a failure, never a skip.
"""

import gc
import os
import shutil
import sys
import uuid

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from ledger import i18n
from ledger.cli import cli, main
from ledger.db import chain, migrate, partitions
from ledger.db.engine import make_engine, normalize_url
from ledger.db.models import Base
from ledger.formats import read_ahead
from ledger.uow import UnitOfWork

# The suite asserts English texts: a developer's Chinese locale must not change them. The
# tests of the language choice (tests/e2e/test_language.py) set these themselves.
os.environ["LEDGER_LANG"] = "en"

PG_URL = os.environ.get("LEDGER_TEST_DATABASE_URL")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_addoption(parser):
    parser.addoption(
        "--slow", action="store_true", help="the long runs: many more Hypothesis sequences and crash runs than CI's"
    )


def pytest_report_header(config):
    return f"ledger test database: {'PostgreSQL ' + normalize_url(PG_URL).render_as_string(hide_password=True) if PG_URL else 'SQLite'}"


@pytest.fixture(autouse=True)
def _english_afterwards():
    """The language is one for the process (ledger/i18n.py): a test that ran the command in
    Chinese leaves the next test in English, as it found it."""
    yield
    i18n.use("en")


@pytest.fixture(scope="session")
def backend() -> str:
    return "postgresql" if PG_URL else "sqlite"


@pytest.fixture(scope="session")
def _session_database(tmp_path_factory):
    if not PG_URL:
        template = tmp_path_factory.mktemp("db") / "template.db"
        engine = make_engine(f"sqlite:///{template}")
        migrate.upgrade(engine)
        engine.dispose()
        yield ("sqlite", template)
        return
    server = normalize_url(PG_URL)
    name = f"ledger_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as e:  # noqa: BLE001 - any failure to reach the server
        admin.dispose()
        message = f"PostgreSQL at {server.render_as_string(hide_password=True)} is not usable: {e}"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    url = server.set(database=name)
    engine = make_engine(url)
    migrate.upgrade(engine)
    partitions.add_years(engine, TEST_YEARS)
    engine.dispose()
    try:
        yield ("postgresql", url)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# The years the tests date anything in: their partitions are made ahead on PostgreSQL, as
# `ledger db add-year` makes a bureau's (a write never makes them), named here so that no
# test depends on the year `ledger db upgrade` takes for this one.
TEST_YEARS = range(2020, 2031)


@pytest.fixture
def private_postgres(backend):
    """A PostgreSQL database of this test's own (a URL, not migrated), dropped after it: for
    what the shared one, emptied between tests, must not keep (roles' grants, archived years)."""
    if backend != "postgresql":
        pytest.skip("a PostgreSQL test")
    server = normalize_url(PG_URL)
    name = f"ledger_own_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def db_url(_session_database, tmp_path) -> str:
    """A URL to a migrated, empty database, private to this test."""
    kind, where = _session_database
    if kind == "sqlite":
        path = tmp_path / "ledger.db"
        shutil.copyfile(where, path)
        yield f"sqlite:///{path}"
        return
    url = where.render_as_string(hide_password=False)
    yield url
    empty_postgres(url)


def empty_postgres(url: str) -> None:
    """Empty every table of the shared PostgreSQL test database, so tests may start clean."""
    engine = make_engine(url)
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        # The history refuses TRUNCATE (migration 0012); a test database's superuser sets
        # every trigger aside for this one transaction.
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        # The chains start again from their genesis, as in a database just migrated.
        conn.execute(
            text("INSERT INTO chain_heads (name, last_id, hash) VALUES ('journal', NULL, :g), ('audit', NULL, :g)"),
            {"g": chain.GENESIS},
        )
    engine.dispose()


@pytest.fixture
def engine(db_url):
    e = make_engine(db_url)
    yield e
    e.dispose()


@pytest.fixture
def uow(engine) -> UnitOfWork:
    return UnitOfWork(engine)


@pytest.fixture
def run(db_url):
    """Invoke the CLI against the test database: run("person", "show", X) -> Result."""
    runner = CliRunner()

    def invoke(*args, input=None, operator="tester"):
        return runner.invoke(
            cli, ["--db", db_url, "--operator", operator, *map(str, args)], input=input, catch_exceptions=False
        )

    return invoke


@pytest.fixture(params=["here", "ahead"])
def reading(request, monkeypatch):
    """`claim post` reads its file in its own process, or in a reader process beside it
    (formats/read_ahead.py, LEDGER_READ_AHEAD=1 whatever the size): a test that takes this
    must see the same either way."""
    if request.param == "ahead" and not read_ahead.available():
        pytest.skip("no fork on this platform")
    monkeypatch.setenv("LEDGER_READ_AHEAD", "1" if request.param == "ahead" else "0")
    readers = []
    made = read_ahead.ReadAhead.__init__
    monkeypatch.setattr(read_ahead.ReadAhead, "__init__", lambda self, *a, **k: readers.append(made(self, *a, **k)))
    yield request.param
    assert bool(readers) == (request.param == "ahead"), "the test posted nothing, or not in the way it was to"


@pytest.fixture
def snapshot(engine):
    """Every row of every table, to assert that a refused command wrote nothing."""

    def take() -> dict:
        with engine.connect() as conn:
            return {
                t.name: sorted(map(tuple, conn.execute(t.select()).all()), key=repr)
                for t in Base.metadata.sorted_tables
            }

    return take


@pytest.fixture
def ledger_main(monkeypatch):
    """Run `ledger ARGV...` through `ledger.cli.main` in this process, as the installed
    command does (settings file, exit codes, the internal-error line): -> its exit code.
    main() tunes the cyclic collector for a batch (frozen start-up, a youngest generation
    of 50,000); it is put back afterwards, or every later test would run with connections
    in reference cycles left open until a collection that rarely comes."""
    threshold = gc.get_threshold()

    def run(*argv) -> int:
        monkeypatch.setattr(sys, "argv", ["ledger", *map(str, argv)])
        try:
            main()
        except SystemExit as done:
            return done.code
        return 0

    yield run
    gc.unfreeze()
    gc.set_threshold(*threshold)
