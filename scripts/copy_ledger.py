"""Copy a ledger from a SQLite file into an empty PostgreSQL database, for benchmarks that
need the same large ledger on both backends (a ledger posted through the ledger itself
takes hours to build again).

    python scripts/copy_ledger.py SQLITE_PATH POSTGRESQL_URL

The PostgreSQL database is migrated to this ledger's head; the SQLite file must be at the
same revision. Every table is copied with COPY in foreign-key order, with triggers set
aside for the load (`session_replication_role = replica`: the rows were written and
verified by the ledger already, and `ledger verify` on the copy checks them all again; the
partitions of the file's years are made first, and the claims' settlement ids entered in
their registry after);
times are read as UTC, so each posting's hash still follows from its content. Then the id
sequences are moved past the copied ids and the tables analysed.
"""

import sqlite3
import sys
import time

import psycopg
from sqlalchemy.engine import make_url

from ledger.db import migrate, partitions, schema_version
from ledger.db.engine import make_engine
from ledger.db.models import Base


def main() -> None:
    path, url = sys.argv[1], sys.argv[2]
    src = sqlite3.connect(path)
    at = src.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    if at != schema_version.HEAD:
        raise SystemExit(f"{path} is at {at}, this ledger at {schema_version.HEAD}: upgrade it first")
    engine = make_engine(url)
    migrate.upgrade(engine)
    # the partitions of every year the file has rows in (docs/scale.md, "Partitions by year")
    years = src.execute(
        "SELECT substr(effective_date, 1, 4) FROM journal_postings UNION SELECT substr(service_date, 1, 4) FROM claims"
    ).fetchall()
    partitions.add_years(engine, [int(y) for (y,) in years])
    engine.dispose()
    plain = make_url(url).set(drivername="postgresql").render_as_string(False)
    t0 = time.perf_counter()
    with psycopg.connect(plain) as dst:
        dst.execute("SET session_replication_role = replica")
        dst.execute("SET TIME ZONE 'UTC'")
        dst.execute("DELETE FROM chain_heads")  # the migration's empty heads; the file's replace them
        for table in Base.metadata.sorted_tables:
            columns = [c.name for c in table.columns]
            rows = src.execute(f"SELECT {', '.join(columns)} FROM {table.name}")
            n = 0
            with dst.cursor().copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as cp:
                for row in rows:
                    cp.write_row(row)
                    n += 1
            print(f"  {table.name}: {n:,} rows ({time.perf_counter() - t0:.0f} s)", flush=True)
        # the triggers are aside, the one that enters each claim's setl_id in its registry too
        dst.execute(
            "INSERT INTO claim_setl_ids (setl_id, claim_id, service_date) SELECT setl_id, id, service_date FROM claims"
        )
        for table in Base.metadata.sorted_tables:
            if "id" in table.columns and table.columns["id"].autoincrement in (True, "auto"):
                dst.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), coalesce(max(id), 0) + 1, false) "
                    f"FROM {table.name}"
                )
        dst.commit()
    with psycopg.connect(plain, autocommit=True) as dst:
        dst.execute("ANALYZE")
    print(f"copied in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
