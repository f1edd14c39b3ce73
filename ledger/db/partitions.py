"""PostgreSQL's partitions by year (migration 0019; docs/scale.md, "Partitions by year").

The journal's postings and entries, the claims and their mutual-aid payments are each a
table per year on PostgreSQL (`claims_2026`). A year's partitions are made by the database
function `ledger_add_year(year)` (owned by the schema's owner, so a writer without DDL
rights may call it): from `ledger db upgrade` (this year and the next), from the rollover
(the year it closes and the next two) and from `ledger db add-year` (a scheduled step
before a year begins). Never on a writer's path: making a partition takes an exclusive
lock on its table, which on 1 January every writer would meet at once. A claim dated in a
year without partitions is rejected, and any other write refused, naming `ledger db
add-year` (`missing`).

SQLite keeps single tables; nothing here applies to it.
"""

import re
from contextlib import contextmanager

from sqlalchemy import Engine, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from ..errors import Conflict
from ..i18n import _

# The partitioned tables, parents first, and the date each is partitioned by.
PARTITIONED = {
    "journal_postings": "effective_date",
    "journal_entries": "effective_date",
    "claims": "service_date",
    "claim_mulaid_payments": "service_date",
}
# What partitioning adds on PostgreSQL that the models do not hold: each year's partitions,
# and the registry that keeps `setl_id` unique across them.
PARTITION = re.compile(rf"^({'|'.join(PARTITIONED)})_(\d{{4}})$")
REGISTRY = "claim_setl_ids"

ARCHIVED = "LA001"  # ledger_add_year's SQLSTATE for a year that is archived (migration 0020)
_MISSING = re.compile(r"no partition of relation \"(\w+)\" found for row")
_KEY = re.compile(r"\) = \((\d{4})-\d\d-\d\d\)")


def missing_year(e: BaseException) -> int | None:
    """The year a failed write needed partitions for, where that was why it failed."""
    if not isinstance(e, DBAPIError) or getattr(e.orig, "sqlstate", None) != "23514":
        return None
    if not _MISSING.search(str(e.orig)):
        return None
    diag = getattr(e.orig, "diag", None)
    found = _KEY.search((diag.message_detail if diag is not None else None) or str(e.orig))
    return int(found.group(1)) if found else None


def archived(year: int) -> Conflict:
    return Conflict(_("{year} is archived (ledger db archive): nothing can be dated in it any more").format(year=year))


def refusal(engine: Engine, year: int) -> Conflict:
    """Why a write dated in `year` found no partition: the year is archived, or its
    partitions were not made ahead (`missing`)."""
    with engine.connect() as conn:
        through = conn.scalar(text("SELECT max(year) FROM archived_years"))
    return archived(year) if through is not None and year <= through else missing(year)


def add_year(engine_or_conn: Engine | Connection, year: int) -> int:
    """Make `year`'s partitions where missing, in a transaction of their own (an engine) or
    in the caller's (a connection); how many tables got one. An archived year (`ledger db
    archive`) takes nothing new: Conflict."""
    try:
        if isinstance(engine_or_conn, Connection):
            return engine_or_conn.scalar(text("SELECT ledger_add_year(:y)"), {"y": year})
        with engine_or_conn.begin() as conn:
            return conn.scalar(text("SELECT ledger_add_year(:y)"), {"y": year})
    except DBAPIError as e:
        if getattr(e.orig, "sqlstate", None) == ARCHIVED:
            raise archived(year) from None
        raise


def add_years(target: Engine | Connection, years) -> int:
    """Each year's partitions, on a partitioned database (PostgreSQL at 0019 or later);
    nothing elsewhere. An engine: a transaction per year; a connection: in its own. How
    many tables got one."""
    if target.dialect.name != "postgresql":
        return 0
    with target.begin() if isinstance(target, Engine) else _same(target) as conn:
        if conn.scalar(text("SELECT to_regprocedure('ledger_add_year(integer)')")) is None:
            return 0
    return sum(add_year(target, year) for year in sorted(set(years)))


def missing(year: int) -> Conflict:
    """The refusal of a write dated in a year without partitions: made ahead, never on a
    writer's path (an exclusive lock on each table, which every other writer would wait on)."""
    return Conflict(
        _(
            "{year} has no partitions of the journal and the claims yet: run `ledger db add-year {year}` (a scheduled step before a year begins; `ledger db upgrade` makes this year's and the next, the rollover the two after its year), then write again"
        ).format(year=year)
    )


@contextmanager
def _same(conn: Connection):
    yield conn


def made(conn: Connection) -> set[int] | None:
    """The years that have partitions; None where tables are not partitioned (SQLite)."""
    return set(years(conn)) if conn.dialect.name == "postgresql" else None


def years(conn: Connection) -> list[int]:
    """The years that have partitions."""
    if conn.dialect.name != "postgresql":
        return []
    names = conn.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'journal_postings'::regclass"
        )
    ).scalars()
    return sorted(int(PARTITION.match(n).group(2)) for n in names if PARTITION.match(n))


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's filter: the partitions and the registry are PostgreSQL's alone, made by
    migration 0019 and `ledger_add_year`, not by the models."""
    if type_ == "table":
        return not (name and (PARTITION.match(name) or name == REGISTRY))
    return True


# What partitioning changes of the models' keys on PostgreSQL, which a comparison of the
# two must not count as drift: primary keys and unique constraints that take the partition
# column too, the foreign keys to (id, date), and `setl_id` kept unique by the registry
# (indexed, not unique, on the claims themselves).
_PARTITION_KEYS = {
    ("claims", "uq_claims_setl_id"),
    ("claims", "ix_claims_setl_id"),
    ("claim_mulaid_payments", "uq_claim_mulaid_payments_claim_id_seq"),
}


def partitioning_difference(diff) -> bool:
    """True for a difference `compare_metadata` reports that partitioning makes on purpose."""
    if isinstance(diff, list):  # a column's modifications come as a list of tuples
        return False
    kind, obj = diff[0], diff[1]
    table = getattr(obj, "table", None)
    table_name = table.name if table is not None else None
    name = getattr(obj, "name", None)
    if kind in ("add_fk", "remove_fk"):
        # PostgreSQL's own keys to each partition (named `…_fkey1`) count as partitioning too
        referred = obj.elements[0].target_fullname.split(".")[0]
        return referred in PARTITIONED or bool(PARTITION.match(referred))
    if kind in ("add_constraint", "remove_constraint", "add_index", "remove_index"):
        return (table_name, name) in _PARTITION_KEYS
    return False
