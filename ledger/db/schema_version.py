"""Which schema revision a database is at, read without Alembic.

Every command checks it before it touches the books. Alembic's own reader costs a command
about 0.15 s of imports (and parses every migration to find the head), so the head is named
here and tests/integration/test_schema.py checks it against the migrations."""

from sqlalchemy import Engine, inspect, text

HEAD = "0024"  # the newest file in ledger/migrations/versions


def current(engine: Engine) -> str | None:
    """The revision in the database's `alembic_version` table; None for a database without one."""
    with engine.connect() as c:
        if not inspect(c).has_table("alembic_version"):
            return None
        found = sorted(c.execute(text("SELECT version_num FROM alembic_version")).scalars())
    return ",".join(found) or None
