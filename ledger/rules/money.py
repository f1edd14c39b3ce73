"""Money: integer fen inside, decimal strings in yuan at the edges.

Parsing goes through the string form only, so no binary float ever touches an amount.
"""

import re

from ..errors import ValidationError
from ..i18n import _

# ASCII digits only: "１００" is not 100. Thousands may be grouped with commas as a
# spreadsheet shows them ("1,200.00"), in threes, or not at all; "1,20.00" is not a number.
_YUAN = re.compile(r"^(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<frac>[0-9]{1,2}))?$")
# The largest amount accepted anywhere: 9,999,999,999.99 yuan. No fee, credit or base comes
# near it, and with it every sum the ledger forms over billions of rows stays inside the
# database's 64-bit integers (a larger amount used to reach the driver and fail there).
MAX_FEN = 10**12 - 1


def parse_yuan(text: object, field: str = "amount", *, allow_zero: bool = True) -> int:
    """'1234.5' -> 123450 fen. Rejects negatives, non-numbers and more than two decimals."""
    if type(text) is str:  # nearly always
        s = text.strip()
    elif isinstance(text, bool) or not isinstance(text, (str, int)):
        # A float here would already have lost exactness; refuse rather than guess.
        raise ValidationError(field, _("expected a decimal string in yuan, got {text!r}").format(text=text))
    else:
        s = str(text).strip()
    if s.startswith("-"):
        raise ValidationError(field, _("must not be negative (got {s})").format(s=s))
    if s.startswith("+"):
        s = s[1:]
    m = _YUAN.match(s)
    if not m:
        if re.match(r"^[0-9,]+\.[0-9]{3,}$", s):
            raise ValidationError(
                field, _("has more than two decimals (got {s}); amounts are in yuan to the fen").format(s=s)
            )
        raise ValidationError(field, _("is not a number (got {s!r}); write yuan like 1234.50").format(s=s))
    if len(m["int"].replace(",", "").lstrip("0")) > 10:
        raise ValidationError(
            field,
            _("is larger than the largest amount accepted, {max_fen} (got {s})").format(
                max_fen=format_fen(MAX_FEN), s=s
            ),
        )
    whole = m["int"].replace(",", "")
    fen = int(whole) * 100 + int((m["frac"] or "0").ljust(2, "0"))
    if not allow_zero and fen == 0:
        raise ValidationError(field, _("must be greater than zero"))
    return fen


def format_fen(fen: int) -> str:
    """123450 -> '1234.50'; always two decimals, sign kept."""
    sign = "-" if fen < 0 else ""
    q, r = divmod(abs(fen), 100)
    return f"{sign}{q}.{r:02d}"


class Yuan:
    """An amount in a view, rendered as a yuan string in JSON and text; holds integer fen."""

    __slots__ = ("fen",)

    def __init__(self, fen: int):
        if type(fen) is not int:  # not a bool, not a float; one test, a view holds many
            raise TypeError(f"Yuan takes integer fen, got {fen!r}")
        self.fen = fen

    def __str__(self) -> str:
        return format_fen(self.fen)

    def __repr__(self) -> str:
        return f"Yuan({format_fen(self.fen)})"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Yuan) and other.fen == self.fen

    def __hash__(self) -> int:
        return hash(self.fen)
