"""The ledger's day. A date is judged in the bureau's time zone, not the machine's: a claim
dated today in Songyuan is not "in the future" on a server whose clock runs in UTC or
whose TZ says otherwise, and the same claim is judged the same on every machine.

The zone is a setting: LEDGER_TIMEZONE (an IANA name such as Asia/Shanghai), by default
Asia/Shanghai, the zone of every pooling area in China. Instants (when a row was written)
stay in UTC; only "which day is it" depends on the zone.
"""

import os
import time
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import LedgerError
from .i18n import _

ZONE_SETTING = "LEDGER_TIMEZONE"
DEFAULT_ZONE = "Asia/Shanghai"


@cache
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise LedgerError(
            _("{zone_setting}: {name!r} is not a time zone; write an IANA name such as {default_zone}").format(
                zone_setting=ZONE_SETTING, name=name, default_zone=DEFAULT_ZONE
            )
        ) from None


def is_zone(name: str) -> bool:
    """Whether `name` is a time zone the machine's zoneinfo (or the tzdata package) knows."""
    try:
        _zone(name)
    except LedgerError:
        return False
    return True


def zone_named(name: str) -> ZoneInfo:
    """The zone of an IANA name a policy file gave (checked as it was loaded)."""
    return _zone(name)


def zone() -> ZoneInfo:
    return _zone(os.environ.get(ZONE_SETTING) or DEFAULT_ZONE)


def now() -> datetime:
    """This instant, in the ledger's zone."""
    return datetime.now(zone())


def today() -> date:
    """Today in the ledger's zone: the day every "not in the future" and "not over yet" is judged by.

    Asked once per claim of a batch (a birth date in the future is refused), so the day is
    kept until the next midnight in the zone: a cheap clock read, never a stale day."""
    name = os.environ.get(ZONE_SETTING) or DEFAULT_ZONE
    cached = _today.get(name)
    if cached is not None and cached[1] <= time.time() < cached[2]:
        return cached[0]
    t = datetime.now(_zone(name))
    start = datetime.combine(t.date(), datetime.min.time(), t.tzinfo)
    end = datetime.combine(t.date() + timedelta(days=1), datetime.min.time(), t.tzinfo)
    _today[name] = (t.date(), start.timestamp(), end.timestamp())
    return t.date()


_today: dict[str, tuple[date, float, float]] = {}  # zone -> (its day, the instants it begins and ends)
