"""Reading claim files in constant memory: JSON objects (one, or one per line), JSON arrays
of objects, or CSV with a header (docs/cli.md). Each yields (line number, row), where a row is a
dict, or a BadRow when that part of the file cannot be read; the rest of the file still is.

The format is told by the first character: `[` or `{` JSON, anything else CSV. JSON may be
a sequence of values, so two exports written one after the other (`[A][B]`, or an array
followed by JSON lines) are read whole, never just the first.

A bad row never ends the file: a row that is not UTF-8, not valid JSON, nested too deeply,
holds a number of thousands of digits, repeats a key, or is longer than MAX_ROW characters
is reported by its line and the reader goes on after it. Only where the end of a bad row
cannot be found (inside an array whose brackets never balance) does the reader stop, and
then it says so with an `Unread` row naming the line from which nothing was read.

Line numbers are 1-based and, in CSV, count the header as line 1.
"""

import io
import json
import re
from collections.abc import Iterator
from typing import BinaryIO, TextIO

from ..i18n import _
from ..rules.claim_input import BadRow, Unread
from .claim_tables import REQUIRED_COLUMNS, csv_rows, not_utf8, xlsx_claims  # noqa: F401 - named here too
from .encodings import sniff
from .json_objects import DECODER, EXACT_DECODER, DuplicateKeys, Received

READ_SIZE = 1 << 16
MAX_ROW = 1 << 20  # characters; a settlement record is a few hundred
_WS = " \t\r\n"


class CountingReader(io.RawIOBase):
    """A binary file that counts the bytes read from it, for a progress bar."""

    def __init__(self, raw: BinaryIO):
        self.raw, self.bytes = raw, 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        n = self.raw.readinto(b)
        self.bytes += n or 0
        return n


def text_of(raw: BinaryIO, encoding: str | None = None) -> TextIO:
    """The text of a claim file, in `encoding` (`--encoding`), or else in what its first
    block is (formats/encodings.py: UTF-8, or GB18030 as a spreadsheet on a Chinese system
    saves it). utf-8-sig: a byte-order mark, as spreadsheet programs write, is not data."""
    buffered = io.BufferedReader(raw, READ_SIZE)
    if encoding is None:
        head = buffered.peek(READ_SIZE)[:READ_SIZE]
        encoding = sniff(head, whole=False)  # a character cut at the block's end is not an error
    elif encoding.replace("_", "-") in ("utf-8", "utf8"):
        encoding = "utf-8-sig"
    return io.TextIOWrapper(buffered, encoding=encoding, errors="surrogateescape", newline="")


def read_claims(stream: TextIO, name: str = "input", *, exact_numbers: bool = False) -> Iterator[tuple[int, object]]:
    """The rows of a claim file. With `exact_numbers`, a JSON number is given as its text
    ("3300.00"), never as a float: the national platform writes amounts as numbers."""
    first = _peek(stream)
    if first == "":
        return
    if first in "[{":
        b = _Buffer(stream)
        if exact_numbers:
            b.decoder = EXACT_DECODER
        yield from _json_values(b)
    else:
        yield from csv_rows(stream, name)


def _peek(stream: TextIO) -> str:
    """The first non-blank character, left unread."""
    buf = stream.buffer if hasattr(stream, "buffer") else None
    if buf is not None and hasattr(buf, "peek"):
        head = buf.peek(READ_SIZE)[:READ_SIZE]
        text = head.decode("utf-8-sig", errors="ignore").lstrip(_WS)
        return text[:1]
    raise AssertionError("read_claims needs a stream made by text_of()")  # pragma: no cover


class _Buffer:
    """Text read so far and not yet consumed, with the line number of its start."""

    def __init__(self, stream: TextIO):
        self.stream, self.text, self.pos, self.eof = stream, "", 0, False
        self.line, self.counted = 1, 0  # line number at text[counted]
        self.decoder = DECODER
        # No byte that is not UTF-8 read yet: rows need not be searched for one. A block is
        # checked once as it is read (encoding refuses a lone surrogate), not row by row.
        self.clean = True

    def more(self) -> bool:
        """Read on. As much again as is pending, so a long row is re-examined a bounded
        number of times (linear, not quadratic, in its length)."""
        if self.eof:
            return False
        chunk = self.stream.read(max(READ_SIZE, len(self.text) - self.pos))
        if not chunk:
            self.eof = True
            return False
        self.line_here()
        if self.clean and not chunk.isascii():
            try:
                chunk.encode("utf-8")
            except UnicodeEncodeError:
                self.clean = False
        self.text = self.text[self.pos :] + chunk
        self.pos = self.counted = 0
        return True

    def skip_ws(self) -> str:
        """Skip blanks; the next character ('' at the end)."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in _WS:
                self.pos += 1
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.more():
                return ""

    def line_here(self) -> int:
        # Counted forward from the last call, so a block is scanned once, not per object.
        self.line += self.text.count("\n", self.counted, self.pos)
        self.counted = self.pos
        return self.line

    def skip_line(self) -> None:
        """Move past the end of the current line (or to the end of the input)."""
        while (nl := self.text.find("\n", self.pos)) < 0:
            self.pos = len(self.text)
            if not self.more():
                return
        self.pos = nl + 1


def json_row(text: str) -> object:
    """One JSON value that is a whole row (a line of JSON lines), decoded as the claim
    reader decodes it; ValueError with the message for a row that cannot be."""
    try:
        value = DECODER.decode(text)
    except json.JSONDecodeError as e:
        raise ValueError(not_utf8(text) or _("not valid JSON ({msg})").format(msg=e.msg)) from None
    except RecursionError:
        raise ValueError(_("not valid JSON (nested too deeply)")) from None
    except ValueError as e:
        raise ValueError(_("not valid JSON ({value})").format(value=str(e).split(";")[0])) from None
    if isinstance(value, DuplicateKeys):
        raise ValueError(
            _("key {repr} appears twice in the object; which value is meant cannot be told").format(
                repr=", ".join(map(repr, value.repeated))
            )
        )
    return value


def _json_values(b: _Buffer) -> Iterator[tuple[int, object]]:
    """A sequence of JSON values: each object is a row, each array a list of rows."""
    while (c := b.skip_ws()) != "":
        if c == "[":
            b.pos += 1
            if not (yield from _array_items(b)):
                return
            continue
        line, row = _next_row(b)
        yield line, row
        if not isinstance(row, BadRow):
            continue
        # Past the bad object if its brackets balance; else on at the next line, as JSON
        # lines hold one object per line.
        if not (b.text[b.pos] == "{" and _skip_value(b)):
            b.skip_line()


def _array_items(b: _Buffer) -> Iterator[tuple[int, object]]:
    """The items of an array whose '[' was just read; False if the reader must stop."""
    first = True
    while True:
        c = b.skip_ws()
        if c == "":
            yield b.line_here(), BadRow(_("the JSON array is not closed with ']'"))
            return False
        if c == "]":
            b.pos += 1
            return True
        if not first:
            if c != ",":
                yield b.line_here(), Unread(_("expected ',' or ']' between array items, found {c!r}").format(c=c))
                return False
            b.pos += 1
            if b.skip_ws() in ("", "]"):
                continue
        first = False
        line, row = _next_row(b)
        yield line, row
        if isinstance(row, BadRow) and not _skip_value(b):
            yield line, Unread(_("the end of this array item cannot be found"))
            return False


def _next_row(b: _Buffer) -> tuple[int, object]:
    """The value at b.pos with its line, or a BadRow saying why it cannot be read (b.pos
    then still at its start)."""
    line = b.line_here()
    value, error = _decode_one(b)
    return line, value if error is None else BadRow(error)


def _decode_one(b: _Buffer) -> tuple[object, str | None]:
    """Decode the value at b.pos and move past it; or an error message, leaving b.pos at
    the value's start."""
    while True:
        try:
            value, end = b.decoder.raw_decode(b.text, b.pos)
        except json.JSONDecodeError as e:
            # An error at the very end of what is read, or an open string, may only mean
            # the block ended mid-object: read on and try again. Anything else is bad JSON,
            # found without reading the rest of the file.
            truncated = e.pos >= len(b.text) - 1 or e.msg.startswith("Unterminated string")
            if truncated and len(b.text) - b.pos > MAX_ROW:
                return None, _("a row longer than {max_row:,} characters is not read").format(max_row=MAX_ROW)
            if truncated and b.more():
                continue
            return None, not_utf8(b.text, e.pos, e.pos + 1) or _("not valid JSON: {msg} (column {colno})").format(
                msg=e.msg, colno=e.colno
            )
        except RecursionError:
            return None, _("not valid JSON: nested too deeply")
        except ValueError as e:  # an integer of thousands of digits (Python's int limit)
            return None, _("not valid JSON: {value}").format(value=str(e).split(";")[0])
        if end - b.pos > MAX_ROW:
            return None, _("a row longer than {max_row:,} characters is not read").format(max_row=MAX_ROW)
        message = None if b.clean else not_utf8(b.text, b.pos, end)
        if message is None and isinstance(value, DuplicateKeys):
            message = _("key {repr} appears twice in the object; which value is meant cannot be told").format(
                repr=", ".join(map(repr, value.repeated))
            )
        if message is not None:
            return None, message
        if type(value) is Received:
            value.text = b.text[b.pos : end]
        b.pos = end
        return value, None


_TOKEN = re.compile(r'["\[\]{}]')
_STRING_REST = re.compile(r'[^"\\\n]*(?:\\.[^"\\\n]*)*')


def _skip_value(b: _Buffer) -> bool:
    """Move b.pos past the object or array that starts there, without decoding it: brackets
    counted outside strings. False (b.pos unchanged) if the input ends first or a string
    runs into a line break, which no JSON string holds."""
    # b.pos stays at the value's start until its end is found (more() keeps the text from
    # b.pos on), so `off` counts how far past it the scan has come.
    off, depth = 0, 0
    while True:
        text = b.text
        m = _TOKEN.search(text, b.pos + off)
        if m is None:
            off = len(text) - b.pos
            if not b.more():
                return False
            continue
        ch = m.group()
        if ch == '"':
            s = _STRING_REST.match(text, m.end())
            stop = s.end()
            if stop + 1 < len(text) and text[stop] == "\\":
                return False  # a backslash before a line break
            if stop >= len(text) or text[stop] == "\\":  # the block ends inside the string
                off = m.start() - b.pos
                if not b.more():
                    return False
                continue
            if text[stop] == "\n":
                return False
            off = stop + 1 - b.pos
            continue
        depth += 1 if ch in "[{" else -1
        off = m.end() - b.pos
        if depth <= 0:
            b.pos += off
            return True
