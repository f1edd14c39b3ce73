"""The schema comes from the migrations, agrees with the models, and guards its invariants."""

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from ledger.cli import cli
from ledger.db import migrate, partitions, schema_version
from ledger.db.engine import make_engine
from ledger.services import accounts, persons
from tests.conftest import TEST_YEARS
from tests.ids import WORKER


def test_models_and_migrations_agree(engine):
    assert migrate.schema_differences(engine) == []
    assert migrate.current_revision(engine) == migrate.head_revision()
    # The commands' own check reads the revision without Alembic and names the head itself.
    assert migrate.head_revision() == schema_version.HEAD
    assert schema_version.current(engine) == migrate.head_revision()


def test_downgrade_to_base_and_up_again(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'round.db'}")
    migrate.upgrade(engine)
    cfg = migrate.alembic_config()
    from alembic import command

    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert migrate.current_revision(engine) is None
    assert schema_version.current(engine) is None  # the table is there, with no row
    migrate.upgrade(engine)
    assert migrate.schema_differences(engine) == []
    engine.dispose()


@pytest.fixture
def posted(uow):
    persons.add_person(uow, "t", psn_no=WORKER, name="李建国", insutype="310", psn_type="1101", region="220702")
    accounts.credit(uow, "t", WORKER, 10000, "opening balance")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE journal_entries SET amount = amount + 1",
        "DELETE FROM journal_entries",
        "UPDATE journal_postings SET memo = 'changed'",
        "DELETE FROM journal_postings",
        "UPDATE audit_log SET reason = 'changed'",
        "DELETE FROM audit_log",
    ],
)
def test_journal_and_audit_log_are_append_only(engine, posted, statement):
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))


def test_balance_can_never_go_negative_in_the_database(engine, posted):
    with pytest.raises(IntegrityError, match="balance_not_negative"), engine.begin() as conn:
        conn.execute(text("UPDATE accounts SET balance = -1"))


def test_an_employee_without_person_type_is_refused_by_the_database(engine):
    with pytest.raises(IntegrityError, match="scheme_fields"), engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO persons (psn_no, name, insutype, region, birth_date, sex, created_at) "
                f"VALUES ('{WORKER}', 'x', '310', '220702', '1978-06-11', 'M', CURRENT_TIMESTAMP)"
            )
        )


@pytest.fixture(autouse=True)
def _in_a_scratch_folder(tmp_path, monkeypatch):
    """The demo, run here on PostgreSQL, writes its report into the current folder."""
    monkeypatch.chdir(tmp_path)


# Every table that records history: a correction is a new row, never an edit.
HISTORY = (
    "journal_postings", "journal_entries", "audit_log", "claims", "claim_mulaid_payments", "claim_reversals",
    "contribution_payments", "year_end_deductions", "major_illness_incentives", "monthly_credits", "policy_files",
    "person_deaths", "monitor_runs", "monitor_findings", "finding_reviews", "institutions", "offsite_registrations",
)  # fmt: skip
# History keyed by something else than an id (migration 0014): the platform's person
# numbers, and the source of each claim posted from a platform record.
KEYED_OTHERWISE = ("platform_persons", "claim_sources")


def _triggers(engine) -> dict[str, set[str]]:
    query = (
        "SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"
        if engine.dialect.name == "sqlite"
        else "SELECT c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal"
    )
    found: dict[str, set[str]] = {}
    with engine.connect() as conn:
        for table, sql in conn.execute(text(query)):
            found.setdefault(table, set()).update(a for a in ("UPDATE", "DELETE") if a in sql.upper())
    return found


def test_every_history_table_refuses_update_and_delete(engine):
    triggers = _triggers(engine)
    tables = (*HISTORY, *KEYED_OTHERWISE)
    assert {t: triggers.get(t, set()) for t in tables} == {t: {"UPDATE", "DELETE"} for t in tables}


def test_postgres_refuses_truncate_of_the_history_even_to_its_owner(engine, posted, backend):
    """Row triggers do not fire for TRUNCATE: the role that ran `ledger db upgrade` emptied
    the journal and the audit log in one statement, and verify stayed clean."""
    if backend != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's; SQLite's DELETE fires the row triggers")
    for table in (*HISTORY, *KEYED_OTHERWISE, "chain_heads"):
        with pytest.raises(DBAPIError, match=f"{table} is append-only: TRUNCATE is refused"), engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {table} CASCADE"))
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM journal_postings")) == 1


def test_the_refusal_holds_on_real_rows(engine, db_url):
    """The demo leaves rows in most history tables; each refuses to change."""
    r = CliRunner().invoke(cli, ["--db", db_url, "demo"])
    assert r.exit_code == 0, r.output
    tried = []
    for table in HISTORY:
        with engine.connect() as conn:
            if not conn.scalar(text(f"SELECT count(*) FROM {table}")):
                continue
        for statement in (f"DELETE FROM {table}", f"UPDATE {table} SET id = id"):
            with pytest.raises(DBAPIError, match=f"{table} is append-only"), engine.begin() as conn:
                conn.execute(text(statement))
        tried.append(table)
    # the demo posts, claims, reverses, pays nobody's contribution and rolls 2025 over
    assert {
        "journal_postings",
        "journal_entries",
        "audit_log",
        "claims",
        "claim_mulaid_payments",
        "claim_reversals",
        "policy_files",
    } <= set(tried)


def test_sqlite_replace_cannot_rewrite_history_through_an_ordinary_connection(engine, db_url, backend):
    """INSERT OR REPLACE deletes the row it meets without firing DELETE triggers (SQLite
    fires them only under recursive_triggers): through a plain sqlite3 connection, with none
    of the ledger's settings, it rewrote journal, claim and audit rows. Each history table
    with rows from the demo refuses it, by its id and by each of its other unique keys."""
    if backend != "sqlite":
        pytest.skip("REPLACE is SQLite's; PostgreSQL's ON CONFLICT DO UPDATE fires the UPDATE triggers")
    import sqlite3

    assert CliRunner().invoke(cli, ["--db", db_url, "demo"]).exit_code == 0
    plain = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    before = {t: plain.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in HISTORY}
    tried = []
    for table in HISTORY:
        if not before[table]:
            continue
        columns = [r[1] for r in plain.execute(f"PRAGMA table_info({table})")]
        same_id = ", ".join(columns)
        new_id = ", ".join(f"(SELECT max(id) + 1000 FROM {table})" if c == "id" else c for c in columns)
        # With a new id, a table keyed by id alone takes the row as a plain insert: only the
        # tables with other unique keys meet an existing row that way.
        for picked in (
            (same_id,) if table in ("journal_postings", "journal_entries", "audit_log") else (same_id, new_id)
        ):
            with pytest.raises(sqlite3.IntegrityError, match=f"{table} is append-only"):
                plain.execute(
                    f"INSERT OR REPLACE INTO {table} ({same_id}) SELECT {picked} FROM {table} WHERE id = (SELECT min(id) FROM {table})"
                )
            plain.rollback()
        tried.append(table)
    assert {t: plain.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in HISTORY} == before
    plain.close()
    assert set(tried) >= {"journal_postings", "journal_entries", "audit_log", "claims", "claim_reversals"}


def test_the_migration_chains_the_rows_written_before_it_as_the_writer_would(engine, db_url):
    """Migration 0011 hashes the journal and audit rows a database already holds. Taken back
    to 0010 and up again, the demo's books get the very hashes and heads their writer gave
    them, and verify is clean."""
    from alembic import command

    assert CliRunner().invoke(cli, ["--db", db_url, "demo"]).exit_code == 0

    def chains():
        with engine.connect() as conn:
            return (
                conn.execute(text("SELECT id, hash FROM journal_postings ORDER BY id")).all(),
                conn.execute(text("SELECT id, hash FROM audit_log ORDER BY id")).all(),
                conn.execute(text("SELECT name, last_id, hash FROM chain_heads ORDER BY name")).all(),
            )

    written = chains()
    assert len(written[0]) > 10 and len(written[1]) > 5 and all(h for _, h in written[0] + written[1])
    cfg = migrate.alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0010")
    migrate.upgrade(engine)
    partitions.add_years(engine, TEST_YEARS)  # the test database's years again (conftest.py)
    assert chains() == written
    assert CliRunner().invoke(cli, ["--db", db_url, "verify"]).exit_code == 0


def test_how_each_backend_keeps_writers_apart(engine):
    """SQLite: WAL, a busy timeout, foreign keys on, and writes that take the write lock at
    BEGIN. PostgreSQL: READ COMMITTED with row locks (ledger/db/engine.py says why)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            pragmas = {
                p: conn.exec_driver_sql(f"PRAGMA {p}").scalar()
                for p in ("journal_mode", "busy_timeout", "foreign_keys")
            }
            assert pragmas == {"journal_mode": "wal", "busy_timeout": 30000, "foreign_keys": 1}
            # The transaction that just read holds the write lock already (BEGIN IMMEDIATE):
            # another writer cannot even begin.
            import sqlite3

            other = sqlite3.connect(engine.url.database, timeout=0, isolation_level=None)
            with pytest.raises(sqlite3.OperationalError, match="database is locked"):
                other.execute("BEGIN IMMEDIATE")
            other.close()
        else:
            assert conn.exec_driver_sql("SHOW transaction_isolation").scalar() == "read committed"


def test_a_foreign_key_is_enforced(engine):
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text("INSERT INTO enrollments (psn_no, year) VALUES ('220702197806110035', 2025)"))


def test_a_new_sqlite_database_and_its_wal_are_private_to_their_owner(tmp_path):
    """ID numbers, names and balances: created 0644 under the usual umask, readable by every
    local user. Now 0600, the -wal and -shm files too."""
    import os
    import stat

    old = os.umask(0o022)
    try:
        path = tmp_path / "private.db"
        r = CliRunner().invoke(cli, ["--db", f"sqlite:///{path}", "db", "upgrade"])
        assert r.exit_code == 0, r.output
        engine = make_engine(f"sqlite:///{path}")
        with engine.connect() as conn:  # WAL mode: the -wal and -shm files exist while a connection is open
            conn.execute(text("SELECT count(*) FROM persons"))
            modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
        engine.dispose()
    finally:
        os.umask(old)
    assert modes == {"private.db": 0o600, "private.db-wal": 0o600, "private.db-shm": 0o600}
