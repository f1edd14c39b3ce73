"""Batches larger than a driver's parameter limit (65,535 on PostgreSQL, 32,766 on SQLite):
an import documented as all-or-nothing and a rollover chunk the CLI accepts used to bind
one parameter per person and fail with "number of parameters must be between 0 and 65535"."""

from datetime import date, timedelta

import pytest
from freezegun import freeze_time

from ledger.errors import NotFound
from ledger.rules.idcard import check_character
from ledger.services import persons, rollover
from ledger.services.persons import ImportRejected

MANY = 70_000  # more than either driver's limit


def synthetic_id(i: int) -> str:
    """Songyuan, Ningjiang district; 900 sequence numbers per birth day from 1950-01-01."""
    born = date(1950, 1, 1) + timedelta(days=i // 900)
    first17 = f"220702{born:%Y%m%d}{i % 900 + 100:03d}"
    return first17 + check_character(first17)


def residents(start: int, n: int) -> list[tuple[int, dict]]:
    return [
        (
            line,
            {
                "psn_no": synthetic_id(i),
                "name": "居民",
                "insutype": "390",
                "resident_category": "ordinary",
                "region": "220702",
                "enrolled": [2025],
            },
        )
        for line, i in enumerate(range(start, start + n), 2)
    ]


@pytest.fixture
def register(uow):
    assert persons.import_persons(uow, "clerk", residents(0, MANY)) == MANY
    return uow


def test_an_import_of_70000_persons_is_one_transaction_and_refused_whole_on_one_repeat(register):
    # 70,000 new ones and one already registered (line 70,001): nothing of the second file is written.
    rows = residents(MANY, MANY - 1) + residents(0, 1)
    rows[-1] = (MANY + 1, rows[-1][1])
    with pytest.raises(ImportRejected) as e:
        persons.import_persons(register, "clerk", rows)
    assert [(r.line, r.message) for r in e.value.errors] == [(MANY + 1, "psn_no: is already registered")]
    with pytest.raises(NotFound):
        persons.show_person(register, synthetic_id(MANY))  # the first of the refused file


def test_a_rollover_chunk_of_100000_persons(register):
    with freeze_time("2026-01-05"):
        done = rollover.rollover(register, "bureau", 2025, chunk_size=100_000)
    # Every resident rolled over in one chunk, each opening 2026's counters of the Songyuan
    # seed's resident buckets: inpatient 200000.00 and major illness 400000.00 (2 each).
    assert (done["persons"], done["counters_open"]) == (MANY, 2 * MANY)
