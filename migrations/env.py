"""Alembic environment. Runs from `ledger db upgrade` (which passes a connection) or from the
plain `alembic` command at the repository top (which reads sqlalchemy.url / LEDGER_DATABASE_URL)."""

import os

from alembic import context

from ledger.db import partitions
from ledger.db.engine import DEFAULT_URL, make_engine
from ledger.db.models import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        # the partitions by year are PostgreSQL's, made by 0019 and ledger_add_year
        include_name=partitions.include_name,
        # SQLite cannot ALTER most things; batch mode rebuilds tables where it must.
        render_as_batch=connection.dialect.name == "sqlite",
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = os.environ.get("LEDGER_DATABASE_URL") or config.get_main_option("sqlalchemy.url") or DEFAULT_URL
    engine = make_engine(url)
    with engine.connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_migrations_online()
