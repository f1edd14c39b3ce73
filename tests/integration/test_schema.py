"""The schema comes from the migrations, agrees with the models, and guards its invariants."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from ledger.db import migrate
from ledger.db.engine import make_engine
from ledger.services import accounts, persons
from tests.ids import WORKER


def test_models_and_migrations_agree(engine):
    assert migrate.schema_differences(engine) == []
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_downgrade_to_base_and_up_again(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'round.db'}")
    migrate.upgrade(engine)
    cfg = migrate.alembic_config()
    from alembic import command

    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert migrate.current_revision(engine) is None
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
    with pytest.raises(DBAPIError, match="append-only"):
        with engine.begin() as conn:
            conn.execute(text(statement))


def test_balance_can_never_go_negative_in_the_database(engine, posted):
    with pytest.raises(IntegrityError, match="balance_not_negative"):
        with engine.begin() as conn:
            conn.execute(text("UPDATE accounts SET balance = -1"))


def test_an_employee_without_person_type_is_refused_by_the_database(engine):
    with pytest.raises(IntegrityError, match="scheme_fields"):
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO persons (psn_no, name, insutype, region, birth_date, sex, created_at) "
                f"VALUES ('{WORKER}', 'x', '310', '220702', '1978-06-11', 'M', CURRENT_TIMESTAMP)"
            ))
