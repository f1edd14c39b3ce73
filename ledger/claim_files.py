"""Reading claim files in constant memory: a JSON object, a JSON array, JSON lines, or CSV
with a header (SPEC §4). Each yields (line number, row), where a row is a dict, or a
BadRow when that part of the file cannot be read; the rest of the file still is.

The format is told by the first character: `[` an array, `{` objects (one, or one per
line), anything else CSV. Line numbers are 1-based and, in CSV, count the header as line 1.
"""

import csv
import io
import json
from collections.abc import Iterator
from typing import BinaryIO, TextIO

from .claim_input import FIELDS, BadRow
from .errors import ValidationError

READ_SIZE = 1 << 16
REQUIRED_COLUMNS = ("setl_id", "psn_no", "service_date", "med_type", "medfee_sumamt")
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


def text_of(raw: BinaryIO) -> TextIO:
    # utf-8-sig: a byte-order mark, as spreadsheet programs write, is not part of the data.
    return io.TextIOWrapper(io.BufferedReader(raw), encoding="utf-8-sig", newline="")


def read_claims(stream: TextIO, name: str = "input") -> Iterator[tuple[int, object]]:
    try:
        first = _peek(stream)
        if first == "":
            return
        if first in "[{":
            yield from _json_values(stream, array=first == "[")
        else:
            yield from _csv_rows(stream, name)
    except UnicodeDecodeError as e:
        raise ValidationError(name, f"is not UTF-8 text ({e.reason} at byte {e.start} of a block); save it as UTF-8") from None


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

    def more(self) -> bool:
        if self.eof:
            return False
        chunk = self.stream.read(READ_SIZE)
        if not chunk:
            self.eof = True
            return False
        self.line_here()
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

    def advance_to(self, pos: int) -> None:
        self.pos = pos


_decoder = json.JSONDecoder()


def _json_values(stream: TextIO, array: bool) -> Iterator[tuple[int, object]]:
    b = _Buffer(stream)
    b.skip_ws()
    if array:
        b.pos += 1  # the '['
    first = True
    while True:
        c = b.skip_ws()
        if c == "":
            if array:
                yield b.line_here(), BadRow("the JSON array is not closed with ']'")
            return
        if array:
            if c == "]":
                return
            if not first:
                if c != ",":
                    yield b.line_here(), BadRow(f"expected ',' or ']' between array items, found {c!r}")
                    return
                b.pos += 1
                if b.skip_ws() == "":
                    continue
        first = False
        line = b.line_here()
        value, error = _decode_one(b)
        if error is None:
            yield line, value
            continue
        yield line, BadRow(f"not valid JSON: {error}")
        if array:
            return  # inside an array there is no telling where the next item starts
        # JSON lines: resume at the next line.
        while (nl := b.text.find("\n", b.pos)) < 0:
            if not b.more():
                return
        b.advance_to(nl + 1)


def _decode_one(b: _Buffer) -> tuple[object, str | None]:
    while True:
        try:
            value, end = _decoder.raw_decode(b.text, b.pos)
        except json.JSONDecodeError as e:
            # An error at the very end of what is read, or an open string, may only mean
            # the block ended mid-object: read on and try again. Anything else is bad JSON,
            # found without reading the rest of the file.
            truncated = e.pos >= len(b.text) - 1 or e.msg.startswith("Unterminated string")
            if truncated and b.more():
                continue
            return None, f"{e.msg} (column {e.colno})"
        b.advance_to(end)
        return value, None


def _csv_rows(stream: TextIO, name: str) -> Iterator[tuple[int, object]]:
    reader = csv.reader(stream)
    header = next(reader, None)
    if header is None:
        return
    header = [h.strip() for h in header]
    unknown = [h for h in header if h not in FIELDS]
    if unknown:
        raise ValidationError(f"{name} line 1", f"unknown column(s) {', '.join(repr(h) for h in unknown)}; the columns are {', '.join(FIELDS)}")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ValidationError(f"{name} line 1", f"missing column(s) {', '.join(missing)}")
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise ValidationError(f"{name} line 1", f"column(s) {', '.join(dupes)} appear twice")
    for cells in reader:
        line = reader.line_num
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue  # a blank line
        if len(cells) != len(header):
            yield line, BadRow(f"expected {len(header)} cells as in the header, got {len(cells)}")
            continue
        yield line, dict(zip(header, cells, strict=True))
