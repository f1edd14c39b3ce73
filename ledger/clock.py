"""The ledger's day. A date is judged in the bureau's time zone, not the machine's: a claim
dated today in Songyuan is not "in the future" on a server whose clock runs in UTC or
whose TZ says otherwise, and the same claim is judged the same on every machine.

The zone is a setting: LEDGER_TIMEZONE (an IANA name such as Asia/Shanghai), by default
Asia/Shanghai, the zone of every pooling area in China. Instants (when a row was written)
stay in UTC; only "which day is it" depends on the zone.
"""

import os
from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import LedgerError

ZONE_SETTING = "LEDGER_TIMEZONE"
DEFAULT_ZONE = "Asia/Shanghai"


@cache
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise LedgerError(
            f"{ZONE_SETTING}: {name!r} is not a time zone; write an IANA name such as {DEFAULT_ZONE}"
        ) from None


def zone() -> ZoneInfo:
    return _zone(os.environ.get(ZONE_SETTING) or DEFAULT_ZONE)


def now() -> datetime:
    """This instant, in the ledger's zone."""
    return datetime.now(zone())


def today() -> date:
    """Today in the ledger's zone: the day every "not in the future" and "not over yet" is judged by."""
    return now().date()
