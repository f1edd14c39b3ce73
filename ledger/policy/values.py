"""The typed values a policy file's tables become (policy/schema.py): a disease of a list,
a band of a second-layer table."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Disease:
    """One disease on a chronic (门诊慢病) or special (门诊特病) disease list. A cap or ratio
    left out falls back to the scheme-wide `<scheme>.<kind>.annual_cap` / `.ratio`."""

    code: str
    name: str
    annual_cap: int | None  # fen
    ratio: Decimal | None


@dataclass(frozen=True)
class Segment:
    """A band of a second-layer payment table: from `start` (fen of the year's accumulated
    policy-scope self-pay) up to the next band's start, `ratio` of it is paid. The first
    band's start is the threshold (起付线)."""

    start: int
    ratio: Decimal
