"""SQL helpers that behave the same on SQLite and PostgreSQL."""

from sqlalchemy import BigInteger, cast, func


def sum_fen(column):
    """SUM of a fen column as an integer, 0 when there are no rows. PostgreSQL returns
    NUMERIC for SUM(BIGINT), which would reach Python as a Decimal; cast it back."""
    return cast(func.coalesce(func.sum(column), 0), BigInteger)


def dialect_insert(session, table):
    """INSERT with ON CONFLICT support for the session's backend (both have it)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)
