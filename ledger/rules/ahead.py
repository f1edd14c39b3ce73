"""What the reader process (formats/read_ahead.py) makes of each row before the poster
takes it: a claim in the ledger's fields parsed, a platform record read. Pure, as both
readings are. A row that fails either is sent on as it came: the poster reads it again and
rejects it with the message it always gives, from the one place that gives it."""

from typing import NamedTuple

from ..errors import LedgerError
from .claim_input import BadRow, Claim, parse_claim
from .national import read_record


class Parsed(NamedTuple):
    """A row in the ledger's fields with the Claim parse_claim made of it."""

    raw: dict
    claim: Claim


def claim_ahead(raw: object) -> object:
    """The row as Parsed, or as it came where it does not parse."""
    if isinstance(raw, BadRow):
        return raw
    try:
        return Parsed(raw, parse_claim(raw))
    except LedgerError:
        return raw


def record_ahead(raw: object) -> object:
    """The platform record as read (a Record), or as it came where it cannot be read."""
    if isinstance(raw, BadRow):
        return raw
    try:
        return read_record(raw)
    except LedgerError:
        return raw
