"""The ledger's day is the bureau's (Asia/Shanghai unless LEDGER_TIMEZONE says otherwise),
whatever the machine's clock zone or TZ."""

import re
from datetime import date
from pathlib import Path

import pytest
from freezegun import freeze_time

import ledger
from ledger import clock
from ledger.errors import LedgerError


def test_the_day_turns_at_midnight_in_shanghai_not_in_utc(monkeypatch):
    monkeypatch.delenv("LEDGER_TIMEZONE", raising=False)
    # 2025-02-28 16:00 UTC is 2025-03-01 00:00 in Shanghai (UTC+8, no summer time).
    with freeze_time("2025-02-28 15:59:59"):
        assert clock.today() == date(2025, 2, 28)
    with freeze_time("2025-02-28 16:00:00"):
        assert clock.today() == date(2025, 3, 1)
    # The day is kept until its midnight, never past it, and a clock set back is followed.
    with freeze_time("2025-02-28 15:59:59"):
        assert clock.today() == date(2025, 2, 28)


def test_the_zone_is_a_setting(monkeypatch):
    monkeypatch.setenv("LEDGER_TIMEZONE", "UTC")
    with freeze_time("2025-02-28 16:00:00"):
        assert clock.today() == date(2025, 2, 28)
    monkeypatch.setenv("LEDGER_TIMEZONE", "Mars/Olympus")
    with pytest.raises(LedgerError, match="LEDGER_TIMEZONE: 'Mars/Olympus' is not a time zone"):
        clock.today()


def test_no_module_judges_a_date_by_the_machines_zone():
    sources = {p: p.read_text(encoding="utf-8") for p in Path(ledger.__file__).parent.rglob("*.py")}
    found = [p.name for p, s in sources.items() for _ in re.finditer(r"date\.today\(\)|datetime\.now\(\)", s)]
    assert found == []
