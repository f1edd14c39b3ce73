"""Schema management through Alembic, from the installed package (no alembic.ini needed)."""

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

import ledger.migrations

from .. import clock
from . import partitions, roles
from .models import Base


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(ledger.migrations.__file__).parent))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate. On PostgreSQL with the roles of `ledger db roles`, as their owner (where
    this login may act as it), and the grants put back after."""
    cfg = alembic_config()
    with engine.begin() as conn:
        owner = roles.owner_of_migrations(conn)
        if owner is not None:
            conn.exec_driver_sql(f'SET LOCAL ROLE "{owner}"')
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        # PostgreSQL: this year's partitions and the next's (db/partitions.py)
        this_year = clock.today().year
        partitions.add_years(conn, (this_year, this_year + 1))
        if owner is not None:
            roles.grant(conn, roles.names())


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def schema_differences(engine: Engine) -> list:
    """What `alembic check` would report: differences between the models and the database
    built by the migrations. Empty when they agree. On PostgreSQL the partitions by year
    and what they require of the keys are not differences (ledger/db/partitions.py)."""
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": partitions.include_name})
        found = compare_metadata(ctx, Base.metadata)
    if engine.dialect.name != "postgresql":
        return found
    return [d for d in found if not partitions.partitioning_difference(d)]
