"""bulk_insert stores dates and times as the text the ORM stores: on SQLite the two are
compared character by character, so a posting written in a batch reads like any other."""

from datetime import UTC, date, datetime

from sqlalchemy import Column, Date, DateTime, Integer, MetaData, Table, create_engine, insert, text
from sqlalchemy.orm import Session

from ledger.db.sql import bulk_insert

TIMES = [
    (date(2025, 3, 1), datetime(2025, 3, 1, 9, 30)),
    (date(987, 12, 31), datetime(2025, 12, 31, 23, 59, 59, 999)),
    (date(2026, 1, 1), datetime(2026, 1, 1, 0, 0, 0, 123456, tzinfo=UTC)),  # as models.utcnow() gives
    (date(2025, 6, 30), datetime(2025, 6, 30)),  # a datetime given where the day is asked for, see below
]


def test_dates_and_times_in_a_batch_are_stored_as_the_orm_stores_them():
    engine = create_engine("sqlite://")
    t = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("d", Date), Column("at", DateTime))
    t.metadata.create_all(engine)
    rows = [(d, at) for d, at in TIMES] + [(datetime(2025, 6, 30, 8, 0), date(2025, 6, 30))]  # each the other's type
    with Session(engine) as s:
        s.execute(insert(t), [{"id": n, "d": d, "at": at} for n, (d, at) in enumerate(rows)])
        bulk_insert(s, t, ("id", "d", "at"), [(100 + n, d, at) for n, (d, at) in enumerate(rows)])
        stored = s.execute(text("SELECT id, d, at FROM t ORDER BY id")).all()
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
