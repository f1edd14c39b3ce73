"""The national platform's amounts, read exactly: JSON numbers' text or strings in yuan, to
fen, never through a float (docs/national-records.md)."""

import re
from functools import lru_cache

from ..errors import ValidationError
from ..i18n import _
from .money import MAX_FEN, format_fen

_NUMBER = re.compile(r"^(-?)([0-9]+)(?:\.([0-9]+))?$")


@lru_cache(maxsize=1 << 14)
def _plain_fen(text: str) -> int | None:
    """A plain amount's fen ("3300.00", "0", "12.5": not negative, at most ten digits and two
    decimals, so within MAX_FEN), or None for anything else. Cached: a record holds twenty
    amounts, most of them "0.00", and a feed repeats its fees."""
    whole, dot, frac = text.partition(".")
    if not (whole.isdigit() and whole.isascii() and len(whole) <= 10):
        return None
    if not dot:
        return int(whole) * 100
    if not (0 < len(frac) <= 2 and frac.isdigit() and frac.isascii()):
        return None
    return int(whole) * 100 + int(frac) * (10 if len(frac) == 1 else 1)


def fen(value: object, field: str, *, negative: bool = False) -> int | None:
    """A platform amount in fen: a JSON number's text or a string, exactly; "" or None is
    None. More than two decimals are taken only when the rest are zeros ("12.340")."""
    if type(value) is str and (amount := _plain_fen(value)) is not None:
        return amount
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValidationError(field, _("expected an amount in yuan, got {value!r}").format(value=value))
    text = str(value).strip()
    m = _NUMBER.match(text)
    if not m:
        raise ValidationError(field, _("is not an amount in yuan (got {text!r})").format(text=text[:40]))
    sign, whole, frac = m.groups()
    frac = (frac or "").rstrip("0") if len(frac or "") > 2 else frac or ""
    if len(frac) > 2:
        raise ValidationError(
            field, _("has more than two decimals (got {text}); amounts are in yuan to the fen").format(text=text)
        )
    amount = int(whole) * 100 + int(frac.ljust(2, "0"))
    if amount > MAX_FEN:
        raise ValidationError(
            field,
            _("is larger than the largest amount accepted, {max_fen} (got {text})").format(
                max_fen=format_fen(MAX_FEN), text=text
            ),
        )
    if sign and amount:
        if not negative:
            raise ValidationError(
                field,
                _("must not be negative (got {text}); only a refund record holds negative amounts").format(text=text),
            )
        return -amount
    return amount
