"""Free text a person types (names, reasons, operators): one line of printable characters.

A newline in a reason forged lines in `account statement`; an ESC sequence in a name
reached the clerk's terminal; a right-to-left override turns `...0035` around on screen.
So control characters (newline, carriage return, tab, ESC, DEL, C1) and invisible
formatting characters (bidirectional overrides, zero-width ones) are refused where text
comes in, and anything stored before that is escaped where it goes out (`shown`).
"""

import unicodedata

from ..errors import ValidationError
from ..i18n import _

# Cc: control characters; Cf: format characters (bidi overrides, zero-width space and
# joiners, BOM). Cs: lone surrogates (a byte that was not UTF-8).
_REFUSED = frozenset({"Cc", "Cf", "Cs"})
REASON_LENGTH = 1000  # a reason is a sentence or two, not a document
# Control characters have no Unicode name; the ones a paste or a script brings in most.
_CONTROL_NAMES = {
    "\n": "LINE FEED",
    "\r": "CARRIAGE RETURN",
    "\t": "TAB",
    "\x1b": "ESCAPE",
    "\x00": "NUL",
    "\x7f": "DELETE",
}


def bad_character(text: str) -> str | None:
    """The first character a line of text may not hold, or None."""
    return next((ch for ch in text if unicodedata.category(ch) in _REFUSED), None)


def check_text(value: object, field: str, *, required: bool = True, max_length: int | None = None) -> str | None:
    """One line of printable text, stripped; None for an optional empty one."""
    text = "" if value is None else str(value).strip()
    if not text:
        if required:
            raise ValidationError(field, _("is required"))
        return None
    ch = bad_character(text)
    if ch is not None:
        raise ValidationError(
            field,
            _("holds the control or formatting character U+{ch:04X} ({value}); write one line of plain text").format(
                ch=ord(ch), value=_CONTROL_NAMES.get(ch) or unicodedata.name(ch, _("a control character"))
            ),
        )
    if max_length is not None and len(text) > max_length:
        raise ValidationError(field, _("is longer than {max_length} characters").format(max_length=max_length))
    return text


def shown(text: str) -> str:
    """Text as it may reach a terminal: each refused character written as its escape
    (a newline as \\n, ESC as \\x1b, U+202E as \\u202e), the rest as it is."""
    if bad_character(text) is None:
        return text
    out = []
    for ch in text:
        if unicodedata.category(ch) not in _REFUSED:
            out.append(ch)
        elif ch in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
        elif ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(f"\\u{ord(ch):04x}")
    return "".join(out)
