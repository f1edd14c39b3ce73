"""PostgreSQL keeps the journal and the claims in a partition per year (migration 0019,
ledger/db/partitions.py): made ahead (`ledger db upgrade`, the rollover, `ledger db add-year`),
a write into a year without them refused, naming the command; every partition, one made later included, is append-only; `setl_id` is unique across
the years; the migration turns a ledger with rows in it into the partitioned one and back.

Figures (Songyuan's seed, employee outpatient at a level-2 hospital: deductible 300.00,
57 %): R1 of 500.00 pays fund (500 - 300) x 57 % = 114.00 and 386.00 from the account,
which held 1000.00: 614.00 left. R2 of 100.00 on 2026-02-01 is in a new year, whose
deductible of 300.00 takes it all: fund 0.00, 100.00 from the account: 514.00 left.
"""

from datetime import date

import pytest
from alembic import command
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from ledger.cli import cli
from ledger.db import migrate, partitions
from ledger.errors import Conflict
from ledger.services import accounts, claims, persons, policies
from ledger.uow import UnitOfWork
from tests.claim_policy import CLAIM_POLICY
from tests.conftest import TEST_YEARS
from tests.ids import WORKER
from tests.integration.test_claim_service import claim as worker_claim

pytestmark = pytest.mark.usefixtures("postgres_only")


@pytest.fixture
def postgres_only(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("partitions are PostgreSQL's; SQLite keeps single tables")


def claim(setl_id: str, day: str, fee: str) -> dict:
    """The worker's general outpatient claim at a level-2 hospital."""
    return worker_claim(setl_id, WORKER, service_date=day, medfee_sumamt=fee)


def open_worker(uow: UnitOfWork) -> None:
    """The claims' policy, and the worker enrolled for 2025 and 2026 with 1000.00 in the
    account from 2025-01-01 (test_archive.py starts from it too)."""
    policies.load_policy(uow, "clerk", CLAIM_POLICY, "claims.toml")
    persons.add_person(
        uow,
        "clerk",
        psn_no=WORKER,
        name="职工",
        insutype="310",
        psn_type="1101",
        region="220702",
        enrolled=[2025, 2026],
    )
    accounts.credit(uow, "clerk", WORKER, 1000_00, "opening", date(2025, 1, 1))


@pytest.fixture
def posted(uow):
    open_worker(uow)
    assert claims.post_claim(uow, "feed", claim("R1", "2025-03-01", "500.00")).status == "posted"
    assert claims.post_claim(uow, "feed", claim("R2", "2026-02-01", "100.00")).status == "posted"


def scalar(engine, sql: str):
    with engine.connect() as c:
        return c.scalar(text(sql))


def partition_of(engine, table: str, key: str) -> str:
    return scalar(engine, f"SELECT tableoid::regclass::text FROM {table} WHERE {key}")


def test_the_tables_are_partitioned_and_each_row_is_in_its_year(engine, posted):
    with engine.connect() as c:
        kinds = dict(
            c.execute(
                text("SELECT relname, relkind FROM pg_class WHERE relname = ANY(:t)"),
                {"t": list(partitions.PARTITIONED)},
            ).all()
        )
    assert kinds == {t: "p" for t in partitions.PARTITIONED}  # p: partitioned
    assert partition_of(engine, "claims", "setl_id = 'R1'") == "claims_2025"
    assert partition_of(engine, "claims", "setl_id = 'R2'") == "claims_2026"
    assert partition_of(engine, "journal_postings", "effective_date = '2025-01-01'") == "journal_postings_2025"
    # R2's posting, the only one of 2026: the provider +100.00, the account -100.00 (no fund)
    assert scalar(engine, "SELECT count(*) FROM journal_entries_2026") == 2
    # 514.00 left: 1000.00 - 386.00 (R1) - 100.00 (R2)
    assert scalar(engine, f"SELECT balance FROM accounts WHERE psn_no = '{WORKER}'") == 514_00


def test_a_write_into_a_year_without_partitions_is_refused_and_db_add_year_makes_them(engine, db_url, uow, posted):
    # Made ahead, never on a writer's path: making a partition locks its whole table, which
    # on 1 January every writer would meet at once. The test database has its years made
    # (conftest.TEST_YEARS); partitions outlive the emptying between tests, so the year
    # written here is the latest before them nothing has made partitions for yet.
    with engine.connect() as c:
        year = max(set(range(2000, 2020)) - set(partitions.years(c)))
    said = rf"{year} has no partitions of the journal and the claims yet: run `ledger db add-year {year}`"
    with pytest.raises(Conflict, match=said):
        accounts.credit(uow, "clerk", WORKER, 1_00, f"a credit dated {year}", date(year, 6, 3))
    late = claims.post_claim(uow, "feed", claim("R9", f"{year}-03-01", "50.00"))
    assert late.status == "rejected" and late.errors[0].startswith(f"service_date: {year} has no partitions")
    with engine.connect() as c:
        assert year not in partitions.years(c)  # nothing was made by the writes
    r = CliRunner().invoke(cli, ["--db", db_url, "db", "add-year", str(year)])
    assert r.exit_code == 0 and f"{year}: partitions made for 4 tables" in r.output
    accounts.credit(uow, "clerk", WORKER, 1_00, f"a credit dated {year}", date(year, 6, 3))
    with engine.connect() as c:
        # the four tables each have their partition of the year, and the credit is in the journal's
        named = c.execute(text("SELECT relname FROM pg_class WHERE relname LIKE :y"), {"y": f"%\\_{year}"})
        assert {n for (n,) in named} == {f"{t}_{year}" for t in partitions.PARTITIONED}
    assert partition_of(engine, "journal_postings", f"effective_date = '{year}-06-03'") == f"journal_postings_{year}"
    again = CliRunner().invoke(cli, ["--db", db_url, "db", "add-year", str(year)])
    assert again.exit_code == 0 and f"{year}: partitions made for 0 tables" in again.output


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE journal_postings_2024 SET memo = 'changed'",
        "DELETE FROM journal_entries_2024",
        "UPDATE journal_entries SET amount = amount WHERE effective_date = '2024-06-03'",
        "TRUNCATE journal_postings_2024 CASCADE",
        "TRUNCATE journal_entries_2024",
        "TRUNCATE claims_2024 CASCADE",
        "TRUNCATE claim_mulaid_payments_2024",
    ],
)
def test_a_partition_made_later_is_append_only(engine, uow, posted, statement):
    accounts.credit(uow, "clerk", WORKER, 1_00, "a credit dated 2024", date(2024, 6, 3))
    with (
        pytest.raises(
            DBAPIError,
            match=r"(journal_postings|journal_entries|claims|claim_mulaid_payments) is append-only \(partition \w+_2024\)",
        ),
        engine.begin() as conn,
    ):
        conn.execute(text(statement))
    assert scalar(engine, "SELECT count(*) FROM journal_postings_2024") == 1


def test_setl_id_is_unique_across_the_years(engine, posted):
    # R2's row again under R1's setl_id: in 2026's partition, where no R1 is; a partition
    # keeps only its own rows unique, and the registry of settlement ids refuses it
    with engine.connect() as c:
        columns = [
            r
            for (r,) in c.execute(
                text(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = 'claims' AND column_name NOT IN ('id', 'setl_id') ORDER BY ordinal_position"
                )
            )
        ]
    listed = ", ".join(columns)
    copy = f"INSERT INTO claims (id, setl_id, {listed}) SELECT nextval('claims_id_seq'), 'R1', {listed} FROM claims WHERE setl_id = 'R2'"
    with pytest.raises(IntegrityError, match="uq_claims_setl_id"), engine.begin() as conn:
        conn.execute(text(copy))
    assert scalar(engine, "SELECT count(*) FROM claims WHERE setl_id = 'R1'") == 1


def test_the_migration_partitions_a_ledger_with_rows_and_back(engine, db_url, posted):
    def rows():
        with engine.connect() as c:
            return {
                t: c.execute(text(f"SELECT * FROM {t} ORDER BY id")).all()
                for t in ("journal_postings", "claims", "claim_mulaid_payments", "claim_reversals", "monthly_credits")
            } | {
                "entries": c.execute(
                    text("SELECT id, posting_id, book, amount, psn_no FROM journal_entries ORDER BY id")
                ).all()
            }

    before = rows()
    cfg = migrate.alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0018")
    assert scalar(engine, "SELECT relkind FROM pg_class WHERE relname = 'claims'") == "r"  # a plain table again
    assert scalar(engine, "SELECT count(*) FROM claims") == 2
    assert scalar(engine, "SELECT to_regclass('claims_2025')") is None
    migrate.upgrade(engine)
    partitions.add_years(engine, TEST_YEARS)  # the test database's years again (conftest.py)
    assert scalar(engine, "SELECT relkind FROM pg_class WHERE relname = 'claims'") == "p"
    assert rows() == before
    assert partition_of(engine, "claims", "setl_id = 'R1'") == "claims_2025"
    assert migrate.schema_differences(engine) == []
    checked = CliRunner().invoke(cli, ["--db", db_url, "verify"])
    assert checked.exit_code == 0, checked.output
    # posting goes on after the round trip: R3 of 50.00 on 2026-02-02, under 2026's
    # deductible still (100.00 of 300.00 met): all 50.00 from the account, 464.00 left
    assert claims.post_claim(UnitOfWork(engine), "feed", claim("R3", "2026-02-02", "50.00")).status == "posted"
    assert scalar(engine, f"SELECT balance FROM accounts WHERE psn_no = '{WORKER}'") == 464_00
