"""The raw write limit of a claim batch, for `bench_post.py`: the very rows `ledger claim
post` wrote, written again with the database's own driver into a copy of the database as
it was before the batch. The copy has the same schema, indexes and triggers, and the
persons, accounts and bindings the set-up made; no Python of the ledger runs.

The rows: the postings and their entries, the claims, their mutual-aid payers, the usage
counters, the reports' running sums (claim_totals, claim_people) and the accounts' new
balances, in as many transactions as the ledger used (a chunk of 1,000 claims each, with
its postings, entries and payers; the counters, sums and balances spread evenly over them).
Reading them out of the ledger's database is not timed.

SQLite: sqlite3 with the ledger's settings (WAL, foreign keys on), `executemany` per table
and chunk. PostgreSQL: psycopg, `COPY … FROM STDIN` per table and chunk (its fastest way
in), the balances by `executemany`.
"""

import shutil
import sqlite3
import time

import psycopg

CHUNK = 1000  # the ledger's claims per transaction (`claim post --chunk` default)
# (table, the rows of chunk k: claims with id in [lo, hi]); PostgreSQL and SQLite alike
PER_CHUNK = (
    ("journal_postings", "id IN (SELECT posting_id FROM claims WHERE id BETWEEN {lo} AND {hi})"),
    (
        "journal_entries",
        "posting_id IN (SELECT posting_id FROM claims WHERE id BETWEEN {lo} AND {hi}) ORDER BY id",
    ),
    ("claims", "id BETWEEN {lo} AND {hi} ORDER BY id"),
    ("claim_mulaid_payments", "claim_id BETWEEN {lo} AND {hi}"),
)
SPREAD = (  # written once per chunk by the ledger; here a slice of the final rows per chunk
    ("benefit_usage", "id"),
    ("claim_totals", "service_date, med_type, hosp_lv, fixmedins_code, region, insutype, psn_type, slot"),
    ("claim_people", "psn_no, year, scope, med_type, hosp_lv, fixmedins_code"),
)


def chunks(claim_ids: tuple[int, int]) -> list[tuple[int, int]]:
    lo, hi = claim_ids
    return [(a, min(a + CHUNK - 1, hi)) for a in range(lo, hi + 1, CHUNK)]


def sqlite_before(path: str, copy: str) -> None:
    """The database as it is now (before the batch), for the raw run to write into."""
    shutil.copyfile(path, copy)  # the ledger's engine is disposed: no WAL left behind


def sqlite_limit(path: str, copy: str) -> tuple[float, int]:
    """Seconds to write the batch's rows into `copy`, and how many rows that was."""
    src = sqlite3.connect(path)
    ids = src.execute("SELECT min(id), max(id) FROM claims").fetchone()
    parts = chunks(ids)
    work: list[list[tuple[str, list]]] = [[] for _ in parts]
    for k, (lo, hi) in enumerate(parts):
        for table, where in PER_CHUNK:
            work[k].append(
                (
                    _insert(src, table),
                    src.execute(f"SELECT * FROM {table} WHERE {where.format(lo=lo, hi=hi)}").fetchall(),
                )
            )
    for table, order in SPREAD:
        rows = src.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
        _spread(work, _insert(src, table), rows)
    dst = sqlite3.connect(copy, isolation_level=None)
    old = dict(dst.execute("SELECT id, balance FROM accounts"))
    moved = [(b, i) for i, b in src.execute("SELECT id, balance FROM accounts") if old.get(i) != b]
    _spread(work, "UPDATE accounts SET balance = ? WHERE id = ?", moved)
    src.close()
    dst.execute("PRAGMA foreign_keys = ON")
    dst.execute("PRAGMA journal_mode = WAL")
    dst.execute("PRAGMA cache_size = -65536")
    rows = sum(len(r) for chunk in work for _, r in chunk)
    t0 = time.perf_counter()
    for chunk in work:
        dst.execute("BEGIN IMMEDIATE")
        for sql, r in chunk:
            if r:
                dst.executemany(sql, r)
        dst.execute("COMMIT")
    dt = time.perf_counter() - t0
    dst.close()
    return dt, rows


def _insert(con: sqlite3.Connection, table: str) -> str:
    columns = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def _spread(work: list[list], what, rows: list) -> None:
    n = len(work)
    for k in range(n):
        work[k].append((what, rows[k * len(rows) // n : (k + 1) * len(rows) // n]))


def pg_before(admin_url: str, name: str, copy: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {copy}")
        con.execute(f"CREATE DATABASE {copy} TEMPLATE {name}")


def pg_limit(url: str, copy_url: str) -> tuple[float, int]:
    """Seconds to COPY the batch's rows into the copy, and how many rows that was."""
    with psycopg.connect(url) as src:
        lo, hi = src.execute("SELECT min(id), max(id) FROM claims").fetchone()
        parts = chunks((lo, hi))
        work: list[list[tuple[str, object]]] = [[] for _ in parts]
        for k, (a, b) in enumerate(parts):
            for table, where in PER_CHUNK:
                work[k].append((table, _copy_out(src, f"SELECT * FROM {table} WHERE {where.format(lo=a, hi=b)}")))
        for table, order in SPREAD:
            n = src.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for k in range(len(parts)):
                first, last = k * n // len(parts), (k + 1) * n // len(parts)
                q = f"SELECT * FROM {table} ORDER BY {order} LIMIT {last - first} OFFSET {first}"
                work[k].append((table, _copy_out(src, q)))
        balances = dict(src.execute("SELECT id, balance FROM accounts").fetchall())
        rows = src.execute(
            "SELECT (SELECT count(*) FROM journal_entries WHERE posting_id IN (SELECT posting_id FROM claims))"
            " + 2 * (SELECT count(*) FROM claims) + (SELECT count(*) FROM claim_mulaid_payments)"
            " + (SELECT count(*) FROM benefit_usage) + (SELECT count(*) FROM claim_totals)"
            " + (SELECT count(*) FROM claim_people)"
        ).fetchone()[0]
    with psycopg.connect(copy_url) as dst:
        old = dict(dst.execute("SELECT id, balance FROM accounts").fetchall())
        moved = [(b, i) for i, b in balances.items() if old.get(i) != b]
        _spread(work, "accounts", moved)
        dst.commit()
        t0 = time.perf_counter()
        for chunk in work:
            with dst.cursor() as cur:
                for table, data in chunk:
                    if table == "accounts":
                        cur.executemany("UPDATE accounts SET balance = %s WHERE id = %s", data)
                    elif data:
                        with cur.copy(f"COPY {table} FROM STDIN") as cp:
                            cp.write(data)
            dst.commit()
        dt = time.perf_counter() - t0
    return dt, rows + len(moved)


def _copy_out(con: psycopg.Connection, query: str) -> bytes:
    out = bytearray()
    with con.cursor().copy(f"COPY ({query}) TO STDOUT") as cp:
        for block in cp:
            out += block
    return bytes(out)
