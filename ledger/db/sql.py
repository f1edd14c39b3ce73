"""SQL helpers that behave the same on SQLite and PostgreSQL."""

import json
from datetime import UTC, date, datetime
from functools import partial

from sqlalchemy import BigInteger, Date, DateTime, any_, bindparam, cast, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement


def sum_fen(column):
    """SUM of a fen column as an integer, 0 when there are no rows. PostgreSQL returns
    NUMERIC for SUM(BIGINT), which would reach Python as a Decimal; cast it back."""
    return cast(func.coalesce(func.sum(column), 0), BigInteger)


def days_between(session, later, earlier):
    """`later - earlier` in whole days, for two date columns, on either backend."""
    if session.get_bind().dialect.name == "postgresql":
        return later - earlier
    return cast(func.julianday(later) - func.julianday(earlier), BigInteger)


def day_number(session, day):
    """A date column as a whole number of days (for a window `RANGE … n FOLLOWING`, which
    both backends take over a number, not over a date)."""
    if session.get_bind().dialect.name == "postgresql":
        return day - text("DATE '2000-01-01'")
    return cast(func.julianday(day), BigInteger)


class DaysAhead(ColumnElement):
    """`fn OVER (PARTITION BY partition ORDER BY day RANGE BETWEEN CURRENT ROW AND n days
    FOLLOWING)`: `fn` over a row's day and the `days` - 1 days after it, for a date column
    `day`. The days are written into the statement, so calls with the same partition, day
    and days name one window, which PostgreSQL computes in one pass (with a parameter each
    it takes them for different windows, a pass each); and PostgreSQL orders by the date
    itself, with an interval (as an index on it is ordered), SQLite by its day number."""

    inherit_cache = False  # the days are in the text, not a parameter the cache could vary

    def __init__(self, fn, partition, day, days: int):
        self.fn, self.partition, self.day, self.days = fn, partition, day, int(days)
        self.type = fn.type


@compiles(DaysAhead)
def _days_ahead(element, compiler, **kw):
    fn, partition, day = (compiler.process(e, **kw) for e in (element.fn, element.partition, element.day))
    ahead = element.days - 1
    return f"{fn} OVER (PARTITION BY {partition} ORDER BY julianday({day}) RANGE BETWEEN CURRENT ROW AND {ahead} FOLLOWING)"


@compiles(DaysAhead, "postgresql")
def _days_ahead_postgresql(element, compiler, **kw):
    fn, partition, day = (compiler.process(e, **kw) for e in (element.fn, element.partition, element.day))
    ahead = f"INTERVAL '{element.days - 1} days'"
    return f"{fn} OVER (PARTITION BY {partition} ORDER BY {day} RANGE BETWEEN CURRENT ROW AND {ahead} FOLLOWING)"


def plus_days(session, day, n: int):
    """A date column `n` days on, on either backend."""
    if session.get_bind().dialect.name == "postgresql":
        return day + n
    return func.date(day, f"{n:+d} days")


def minutes_between(session, later, earlier):
    """`later - earlier` in minutes (fractions kept), for two timestamp columns."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier) / 60
    return (func.julianday(later) - func.julianday(earlier)) * 1440


def report_settings(session) -> None:
    """For the rest of this (read-only) transaction on PostgreSQL: no JIT, whose compiling
    cost a grouped report over millions of rows more than it saved (3.2 s of 6.7 s,
    measured), and room to sort and hash a million people in memory instead of on disk."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))
        session.execute(text("SET LOCAL work_mem = '256MB'"))


# Up to this many values, `IN (...)` with a parameter each, as SQLAlchemy writes it.
FEW = 1000


def one_of(session, column, values):
    """`column IN values` for any number of values. A parameter per value stops at the
    driver's limit (65,535 on PostgreSQL, 32,766 on SQLite), and an import or a chunk may
    hold more; beyond FEW values the whole list is one parameter: an array on PostgreSQL
    (`= ANY`), a JSON array on SQLite (`IN (SELECT value FROM json_each(...))`). Both use
    the column's index."""
    values = list(values)
    if len(values) <= FEW:
        return column.in_(values)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    items = func.json_each(bindparam(None, json.dumps(values))).table_valued("value")
    return column.in_(select(items.c.value))


def reserve_ids(session, table, n: int) -> list[int]:
    """n fresh primary keys for `table`, so a batch can be inserted with plain executemany
    (no RETURNING round trip per row) and its rows referenced before they are written.

    SQLite: the writing transaction began with BEGIN IMMEDIATE and holds the only write
    lock, so the keys after the current maximum are ours. PostgreSQL: drawn from the
    column's sequence, which is safe under any concurrency."""
    if n == 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        seq = f"pg_get_serial_sequence('{table.name}', 'id')"
        return list(session.execute(text(f"SELECT nextval({seq}) FROM generate_series(1, :n)"), {"n": n}).scalars())
    top = session.execute(text(f"SELECT coalesce(max(id), 0) FROM {table.name}")).scalar_one()
    return list(range(top + 1, top + 1 + n))


def bulk_insert(session, table, columns: tuple[str, ...], rows: list[tuple], stored: tuple[str, ...] = ()) -> None:
    """INSERT many rows (tuples in `columns` order) in one go.

    The hot path of batch posting: SQLAlchemy's per-row parameter processing costs more
    than the database does. Values still go through the bind processor of each column
    type that has one (dates and times on SQLite), so they are stored exactly as the ORM
    stores them; except the `stored` columns, given already as the database stores them
    (a JSON column's text).

    SQLite: the driver's executemany, one prepared statement run per row in the process.
    PostgreSQL: one statement whatever the number of rows, each column sent as one array
    and unnested (`INSERT … SELECT * FROM unnest(…)`): a statement per row would cost a
    round trip's worth of server work each (measured: 50,000 incentives, 2.9 s as
    executemany, see scripts/bench_rollover.py)."""
    if not rows:
        return
    dialect = session.get_bind().dialect
    procs = [
        (n, p)
        for n, c in enumerate(columns)
        if c not in stored and (p := _bind_processor(table.c[c], dialect)) is not None
    ]
    if procs:
        processed = []
        for row in rows:
            r = list(row)
            for n, p in procs:
                if r[n] is not None:
                    r[n] = p(r[n])
            processed.append(tuple(r))
        rows = processed
    names = ", ".join(columns)
    if dialect.name == "postgresql":
        arrays = ", ".join(f"%(a{n})s::{_pg_type(table.c[c], dialect)}[]" for n, c in enumerate(columns))
        params = {f"a{n}": list(values) for n, values in enumerate(zip(*rows, strict=True))}
        session.connection().exec_driver_sql(
            f"INSERT INTO {table.name} ({names}) SELECT * FROM unnest({arrays})", params
        )
        return
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join([marker] * len(columns))})"
    session.connection().exec_driver_sql(sql, rows)


def _pg_type(column, dialect) -> str:
    """The column's type as PostgreSQL spells it (VARCHAR(18), TIMESTAMP WITH TIME ZONE)."""
    return column.type.compile(dialect=dialect)


def _bind_processor(column, dialect):
    """The column type's bind processor; for a date or a time on SQLite, the same text made
    by the C `isoformat` instead of SQLAlchemy's Python formatting, where probes show the
    two agree (a batch of claims holds several dates a row)."""
    p = column.type._cached_bind_processor(dialect)
    if p is None or dialect.name != "sqlite" or not isinstance(column.type, Date | DateTime):
        return p
    fast = partial(_iso_time if isinstance(column.type, DateTime) else _iso_day, slow=p)
    return fast if all(fast(v) == p(v) for v in _PROBES) else p


def _iso_time(v, slow):
    if type(v) is not datetime:
        return slow(v)
    return (v.replace(tzinfo=None) if v.tzinfo else v).isoformat(" ", "microseconds")


def _iso_day(v, slow):
    return v.isoformat() if type(v) is date else slow(v)


_PROBES = (
    date(2025, 3, 1), date(987, 12, 31), datetime(2025, 3, 1, 9, 30), datetime(1999, 12, 31, 23, 59, 59, 999),
    datetime(2025, 3, 1, 1, 2, 3, 456789, tzinfo=UTC),
)  # fmt: skip


# pg_advisory_xact_lock(int4, int4): the first key names what is locked, so these locks
# cannot meet another application's advisory locks on the same database.
SETL_ID_LOCKS = 0x5345544C  # "SETL"


def lock_setl_ids(session, setl_ids: set[str]) -> None:
    """Hold each setl_id until this transaction ends, so two writers posting the same claim
    queue on it instead of both adjudicating it and meeting at the unique key. Taken first
    of all a claim writer's locks, in hash order (the global order in engine.py), so
    overlapping batches in any order cannot deadlock. SQLite's single writer needs none."""
    _hold(session, SETL_ID_LOCKS, setl_ids)


PERSON_LOCKS = 0x50534E4F  # "PSNO"


def lock_persons(session, psn_nos: set[str]) -> None:
    """Hold these persons until this transaction ends, so two clerks binding for the same
    person are counted one after the other. An advisory lock, not FOR UPDATE on the row:
    the writer role may not update a person, and FOR UPDATE would need it to."""
    _hold(session, PERSON_LOCKS, psn_nos)


def _hold(session, space: int, keys: set[str]) -> None:
    """Transaction advisory locks on `keys` in the lock space `space`, in hash order."""
    if not keys or session.get_bind().dialect.name != "postgresql":
        return
    session.execute(
        text(
            "SELECT pg_advisory_xact_lock(:space, h) FROM "
            "(SELECT DISTINCT hashtext(i) AS h FROM unnest(CAST(:ids AS text[])) AS i ORDER BY h) AS keys"
        ),
        {"space": space, "ids": sorted(keys)},
    ).all()
