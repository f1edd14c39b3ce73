"""What every table shares: the naming convention of constraints, the column types (fen,
ids, ID numbers, times) and the code lists the CHECK constraints hold values to."""

from datetime import UTC, datetime
from typing import Annotated

from sqlalchemy import (
    BigInteger,
    DateTime,
    Integer,
    MetaData,
    String,
)
from sqlalchemy.orm import DeclarativeBase, mapped_column

# What the member is to the holder (docs/policy-files.md): the one list, in the policy's parameters.
from ...policy.parameters import RELATIONS  # noqa: F401
from ...rules import codes

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


# Integer fen. BIGINT on PostgreSQL; SQLite integers are 64-bit already.
Fen = Annotated[int, mapped_column(BigInteger)]
# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
Id = Annotated[int, mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)]
PsnNo = Annotated[str, mapped_column(String(18))]
CreatedAt = Annotated[datetime, mapped_column(DateTime(timezone=True), default=utcnow)]

INSUTYPES = tuple(codes.INSUTYPES)
PSN_TYPES = tuple(codes.PSN_TYPES)
RESIDENT_CATEGORIES = tuple(codes.RESIDENT_CATEGORIES)
# The books of the double-entry journal. `account_funding` is where account credits come
# from (contributions transferred in, opening balances); `pooled_fund` is the basic fund,
# `major_illness_insurance` and `large_expense_subsidy` the second layers; the others are
# the domain's.
BOOKS = (
    "personal_account", "account_funding", "pooled_fund", "patient_cash", "provider", "contribution_collection",
    "major_illness_insurance", "large_expense_subsidy", *codes.OTHER_FUNDS.values(), "wallet",
)  # fmt: skip


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
