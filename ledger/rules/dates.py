"""Days as people and spreadsheets write them: `2025-05-01` (ISO, what the ledger writes),
`2025/5/1` (a spreadsheet on a Chinese system) and `20250501` (the platform's compact form).
Nothing else: a day written `5/1/2025` or `01.05.2025` could be read two ways."""

import re
from datetime import date, datetime

from ..i18n import _

_FORMS = (
    re.compile(r"(?P<y>[0-9]{4})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})"),
    re.compile(r"(?P<y>[0-9]{4})/(?P<m>[0-9]{1,2})/(?P<d>[0-9]{1,2})"),
    re.compile(r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})"),
)


def parse_day(text: str) -> date:
    """The day `text` writes in one of the three forms; ValueError (its message for people)
    otherwise, or when it is no calendar day (2025-02-30)."""
    for form in _FORMS:
        m = form.fullmatch(text)
        if m:
            try:
                return date(int(m["y"]), int(m["m"]), int(m["d"]))
            except ValueError:
                raise ValueError(_("{text} is not a calendar date").format(text=text)) from None
    raise ValueError(_("is a date written YYYY-MM-DD, YYYY/M/D or YYYYMMDD (got {text!r})").format(text=text[:40]))


def day_or_none(text: str) -> date | None:
    """The day, or None where `text` is not one (the fast path's test)."""
    try:
        return parse_day(text)
    except ValueError:
        return None


INSTANT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?([+-][0-9]{2}:[0-9]{2}|Z)?")


def parse_instant(text: str) -> datetime:
    """`2025-06-02T21:30`, with seconds or a space for the T, and an offset (`+08:00`) or
    not: without one it is local time, which the caller places in the ledger's zone.
    ValueError (its message for people) otherwise."""
    text = text.strip()
    if INSTANT.fullmatch(text):
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            pass
    raise ValueError(
        _("is a local time written YYYY-MM-DDTHH:MM, optionally with seconds and an offset (got {text!r})").format(
            text=text[:40]
        )
    )


def latest_from(dated: list, day: date) -> int | None:
    """Of facts dated by their `begndate`, in the order they were written, the index of the
    one in force on `day`: the latest beginning on or before it, and of two beginning the
    same day the later written; None where none has begun. The registry's states
    (rules/institutions.py) and the off-site registrations (rules/offsite.py) are read so."""
    found = None
    for n, fact in enumerate(dated):
        if fact.begndate <= day and (found is None or fact.begndate >= dated[found].begndate):
            found = n
    return found
