"""Roles on PostgreSQL (`ledger db roles`): who may do what to the books.

- `<prefix>_owner` owns the tables, sequences and trigger functions; migrations run as it.
  Nobody needs to log in as it but `ledger db upgrade`.
- `<prefix>_writer` is what the CLI and scripts run as: it reads everything, INSERTs into
  the history, and UPDATEs only what moves (balances, usage counters, the rollover's cursor,
  a binding's end, the chain heads). No DELETE, no TRUNCATE, no DDL; owning nothing, it cannot
  set a trigger aside either.
- `<prefix>_reader` reads, for reports.

All three are NOLOGIN groups: a bureau gives its people and jobs their own logins in them
(`CREATE ROLE clerk LOGIN PASSWORD '…' IN ROLE ledger_writer`; docs/integrity.md). Creating
them again changes nothing; the grants are put back as they should be each time, and after
every `ledger db upgrade` that runs as the owner.
"""

import re

from sqlalchemy import text
from sqlalchemy.engine import Connection

from ..errors import LedgerError
from ..i18n import _
from . import partitions
from .models import Base
from .models.rollups import MONTHS, TOTAL_FIGURES

# What the writer may change in place: everything else is history, written once.
UPDATABLE = {
    "accounts": ("balance",),
    "wallets": ("balance",),  # moved with the journal, as an account's (docs/wallet.md)
    # not the cap: the policy fixes it as the counter opens, and an incentive raises it in the
    # database (migration 0022's trigger), so a login that could change it could pay past the policy
    "benefit_usage": ("fund_paid", "deductible_met", "selfpay"),
    "rollovers": ("cursor", "persons", "finished_at"),
    "family_bindings": ("ended_on", "ended_by", "end_reason", "ended_at"),
    "chain_heads": ("last_id", "hash"),
    # the reports' running sums (models/rollups.py), derived from the claims
    "claim_totals": ("claims", *TOTAL_FIGURES),
    "claim_people": MONTHS,
}
# What the writer may not add to: the schema's revision, and the archive's records, which
# the owner writes as it detaches a year (`ledger db archive`): a writer that could add an
# archived balance could make an account's balance and its journal agree on money never posted.
NOT_INSERTED = ("alembic_version", "archived_years", "archived_balances", "archived_books", "archived_wallets")
FUNCTIONS = (
    "ledger_refuse_change()",
    "ledger_posting_balanced()",
    "ledger_refuse_truncate()",
    "ledger_register_setl_id()",
    "ledger_add_year(integer)",  # makes a year's partitions (db/partitions.py): the writer may call it
    "ledger_raise_cap()",  # an incentive's raise of its counter's cap (migration 0022), run as the owner
)
PREFIX = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


def names(prefix: str = "ledger") -> dict[str, str]:
    if not PREFIX.match(prefix):
        raise LedgerError(
            _("--prefix: {prefix!r} is not a role name prefix (lower-case letters, digits, _)").format(prefix=prefix)
        )
    return {kind: f"{prefix}_{kind}" for kind in ("owner", "writer", "reader")}


def create(conn: Connection, prefix: str = "ledger") -> dict[str, str]:
    """Create the three roles where missing, hand the schema's objects to the owner, and grant."""
    if conn.dialect.name != "postgresql":
        raise LedgerError(_("roles are PostgreSQL's: an SQLite database is a file, guarded by its permissions (0600)"))
    roles = names(prefix)
    for role in roles.values():
        exists = conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
        if not exists:
            conn.exec_driver_sql(f'CREATE ROLE "{role}" NOLOGIN')
    owner = roles["owner"]
    conn.exec_driver_sql(f'GRANT USAGE, CREATE ON SCHEMA public TO "{owner}"')  # migrations create tables
    # where `ledger db archive` puts old years (services/archive.py): the owner's alone
    conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS ledger_archive AUTHORIZATION "{owner}"')
    conn.exec_driver_sql(f'ALTER SCHEMA ledger_archive OWNER TO "{owner}"')
    for table in _tables(conn) + _partitions(conn):
        conn.exec_driver_sql(f'ALTER TABLE {table} OWNER TO "{owner}"')
    for function in FUNCTIONS:
        if conn.scalar(text("SELECT to_regprocedure(:f)"), {"f": function}) is not None:
            conn.exec_driver_sql(f'ALTER FUNCTION {function} OWNER TO "{owner}"')
    grant(conn, roles)
    return roles


def grant(conn: Connection, roles: dict[str, str]) -> None:
    """The grants, from nothing: what is not listed here is not allowed."""
    writer, reader, owner = roles["writer"], roles["reader"], roles["owner"]
    tables = _tables(conn)
    conn.exec_driver_sql(f'GRANT USAGE ON SCHEMA public TO "{writer}", "{reader}"')
    conn.exec_driver_sql(
        f'ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA public GRANT SELECT ON TABLES TO "{writer}", "{reader}"'
    )
    if not tables:  # roles made before the first `ledger db upgrade`, which grants the rest
        return
    listed = ", ".join(tables)
    conn.exec_driver_sql(f'REVOKE ALL ON {listed} FROM "{writer}", "{reader}"')
    conn.exec_driver_sql(f'GRANT SELECT ON {listed} TO "{writer}", "{reader}"')
    conn.exec_driver_sql(f'GRANT INSERT ON {", ".join(t for t in tables if t not in NOT_INSERTED)} TO "{writer}"')
    for table, columns in UPDATABLE.items():
        if table in tables:
            conn.exec_driver_sql(f'GRANT UPDATE ({", ".join(columns)}) ON {table} TO "{writer}"')
    conn.exec_driver_sql(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{writer}"')
    if conn.scalar(text("SELECT to_regprocedure('ledger_add_year(integer)')")) is not None:
        conn.exec_driver_sql("REVOKE ALL ON FUNCTION ledger_add_year(integer) FROM PUBLIC")
        conn.exec_driver_sql(f'GRANT EXECUTE ON FUNCTION ledger_add_year(integer) TO "{writer}"')


def owner_of_migrations(conn: Connection, prefix: str = "ledger") -> str | None:
    """The owner role, where `ledger db roles` set this database up for it (the role holds
    its own grant of CREATE on the schema, which only that command gives) and the session
    may act as it: migrations then run as it, so what they create is the owner's, and the
    grants follow. Roles are the cluster's, so a database set up without them is left alone."""
    if conn.dialect.name != "postgresql":
        return None
    owner = names(prefix)["owner"]
    set_up = conn.scalar(
        text(
            "SELECT pg_has_role(current_user, r.oid, 'MEMBER') FROM pg_roles r, pg_namespace n, aclexplode(n.nspacl) a "
            "WHERE r.rolname = :r AND n.nspname = 'public' AND a.grantee = r.oid AND a.privilege_type = 'CREATE'"
        ),
        {"r": owner},
    )
    return owner if set_up else None


def _tables(conn: Connection) -> list[str]:
    """The ledger's tables that exist in this database (none before the first upgrade)."""
    wanted = [t.name for t in Base.metadata.sorted_tables] + ["alembic_version", partitions.REGISTRY]
    return [t for t in wanted if conn.scalar(text("SELECT to_regclass(:t)"), {"t": t}) is not None]


def _partitions(conn: Connection) -> list[str]:
    """PostgreSQL's partitions by year (db/partitions.py), each a table of its own to own.
    The writer and the reader reach their rows through the partitioned tables only."""
    names = conn.execute(
        text("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid ORDER BY c.relname")
    ).scalars()
    return [n for n in names if partitions.PARTITION.match(n)]
