"""bulk_insert stores dates and times as the text the ORM stores: on SQLite the two are
compared character by character, so a posting written in a batch reads like any other.
The table is the journal's, in the schema the migrations build; nothing is committed."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from ledger.db.models import Posting
from ledger.db.sql import bulk_insert

TIMES = [
    (date(2025, 3, 1), datetime(2025, 3, 1, 9, 30)),
    (date(987, 12, 31), datetime(2025, 12, 31, 23, 59, 59, 999)),
    (date(2026, 1, 1), datetime(2026, 1, 1, 0, 0, 0, 123456, tzinfo=UTC)),  # as models.utcnow() gives
    (date(2025, 6, 30), datetime(2025, 6, 30)),  # a datetime given where the day is asked for, see below
]


def test_dates_and_times_in_a_batch_are_stored_as_the_orm_stores_them(engine, backend):
    if backend != "sqlite":
        pytest.skip("the text of a stored date is SQLite's question: PostgreSQL stores dates as dates")
    t = Posting.__table__
    rows = [(d, at) for d, at in TIMES] + [(datetime(2025, 6, 30, 8, 0), date(2025, 6, 30))]  # each the other's type
    fixed = {"kind": "claim", "memo": "m", "ref": None, "operator": "tester"}
    with Session(engine) as s:
        s.execute(
            insert(t), [{"id": n, "effective_date": d, "created_at": at, **fixed} for n, (d, at) in enumerate(rows, 1)]
        )
        bulk_insert(
            s, t, ("id", "effective_date", "created_at", *fixed),
            [(100 + n, d, at, *fixed.values()) for n, (d, at) in enumerate(rows, 1)],
        )  # fmt: skip
        stored = s.execute(text("SELECT id, effective_date, created_at FROM journal_postings ORDER BY id")).all()
        s.rollback()
    orm, batch = stored[: len(rows)], stored[len(rows) :]
    assert [r[1:] for r in batch] == [r[1:] for r in orm]
    # and the text itself, written out: SQLAlchemy's SQLite storage formats
    assert [r[1:] for r in batch] == [
        ("2025-03-01", "2025-03-01 09:30:00.000000"),
        ("0987-12-31", "2025-12-31 23:59:59.000999"),
        ("2026-01-01", "2026-01-01 00:00:00.123456"),
        ("2025-06-30", "2025-06-30 00:00:00.000000"),
        ("2025-06-30", "2025-06-30 00:00:00.000000"),
    ]
