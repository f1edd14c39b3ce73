"""SQL helpers that behave the same on SQLite and PostgreSQL."""

from sqlalchemy import BigInteger, cast, func


def sum_fen(column):
    """SUM of a fen column as an integer, 0 when there are no rows. PostgreSQL returns
    NUMERIC for SUM(BIGINT), which would reach Python as a Decimal; cast it back."""
    return cast(func.coalesce(func.sum(column), 0), BigInteger)
