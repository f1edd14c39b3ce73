"""The text of a file a spreadsheet saved: UTF-8 (with or without the byte-order mark that
spreadsheet programs write), or GB18030, which a spreadsheet on a Chinese system writes
for "CSV" (GBK is a subset of it)."""

import codecs
import unicodedata

from ..errors import LedgerError, ValidationError
from ..i18n import _

GB = "gb18030"


def check_encoding(name: str | None) -> str | None:
    """An `--encoding` value as Python names it, or None for "find out"."""
    if name is None:
        return None
    try:
        return codecs.lookup(name.strip()).name
    except LookupError:
        raise ValidationError(
            "--encoding", _("{name!r} is not an encoding (write utf-8 or gb18030)").format(name=name)
        ) from None


def decode(raw: bytes, name: str, encoding: str | None = None) -> str:
    """`raw` as text. Given an encoding, in it; else UTF-8, and failing that GB18030 when
    that reads as Chinese text (every character beyond ASCII a Chinese one or Chinese
    punctuation), so a damaged UTF-8 file is refused rather than read as nonsense."""
    if encoding is not None:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as e:
            raise LedgerError(
                _("{name}: not {encoding} text (byte 0x{object:02x} at offset {start})").format(
                    name=name, encoding=encoding, object=e.object[e.start], start=e.start
                )
            ) from None
        return text.removeprefix("\ufeff")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        utf8 = e
    try:
        text = raw.decode(GB)
    except UnicodeDecodeError:
        text = None
    if text is not None and all(ch.isascii() or _chinese(ch) for ch in text):
        return text
    raise LedgerError(
        _(
            "{name}: not UTF-8 text (byte 0x{object:02x} at offset {start}); save it as UTF-8, or give --encoding gb18030 for a file saved on a Chinese system"
        ).format(name=name, object=utf8.object[utf8.start], start=utf8.start)
    )


def sniff(head: bytes, whole: bool) -> str:
    """The encoding of a file that begins with `head` (all of it when `whole`): UTF-8 (its
    BOM dropped) unless `head` is not UTF-8 and is Chinese text in GB18030. A file read as a
    stream (a claim file) is judged by its first block; a row further on that is not text in
    the encoding found is reported by its line, as a row that is not UTF-8 always was."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=whole)
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    try:
        text = codecs.getincrementaldecoder(GB)().decode(head, final=whole)
    except UnicodeDecodeError:
        return "utf-8-sig"
    return GB if all(ch.isascii() or _chinese(ch) for ch in text) else "utf-8-sig"


def _chinese(ch: str) -> bool:
    """A Chinese character, or the punctuation and fullwidth forms Chinese text uses."""
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return True
    return unicodedata.category(ch).startswith(("P", "Z")) and ord(ch) >= 0x2000
