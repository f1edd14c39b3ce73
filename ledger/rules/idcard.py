"""Resident ID numbers (公民身份号码), GB 11643-1999.

18 characters: 6-digit address code, 8-digit birth date, 3-digit sequence (odd for men),
and a check character computed with ISO 7064 MOD 11-2.
"""

from dataclasses import dataclass
from datetime import date
from operator import mul

from .. import clock
from ..errors import ValidationError
from ..i18n import _

_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
_CHECK = "10X98765432"  # index: weighted sum mod 11


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: date
    sex: str  # "M" or "F"

    @property
    def address_code(self) -> str:
        return self.value[:6]


def check_character(first17: str) -> str:
    if len(first17) != 17:
        raise ValueError(f"the check character is computed over 17 digits, got {len(first17)}")
    # map, not a generator: a claim feed checks an ID number per claim
    return _CHECK[sum(map(mul, map(int, first17), _WEIGHTS)) % 11]


def parse_id_number(text: str, field: str = "psn_no", today: date | None = None) -> IdNumber:
    s = (text or "").strip().upper()
    if len(s) != 18:
        raise ValidationError(field, _("an ID number has 18 characters, got {count}").format(count=len(s)))
    if not (s[:17].isascii() and s[:17].isdigit()) or s[17] not in "0123456789X":
        raise ValidationError(field, _("an ID number is 17 digits followed by a digit or X"))
    try:
        born = date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        raise ValidationError(field, _("birth date {s} in the ID number is not a date").format(s=s[6:14])) from None
    if born > (today or clock.today()) or born.year < 1880:
        raise ValidationError(
            field, _("birth date {born} in the ID number is not plausible").format(born=born.isoformat())
        )
    expected = check_character(s[:17])
    if s[17] != expected:
        raise ValidationError(field, _("check digit is wrong for {s} (GB 11643 MOD 11-2)").format(s=mask(s)))
    return IdNumber(s, born, "M" if int(s[16]) % 2 else "F")


def is_id_number(text: str) -> bool:
    """Whether `text` is a valid ID number (parse_id_number would take it)."""
    try:
        parse_id_number(text)
    except ValidationError:
        return False
    return True


def mask(psn_no: str) -> str:
    """220702********1234: ID numbers in human-readable output hide the birth date part."""
    if len(psn_no) != 18:
        return psn_no
    return psn_no[:6] + "*" * 8 + psn_no[14:]
