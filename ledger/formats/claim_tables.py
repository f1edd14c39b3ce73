"""Claim files laid out as a table: CSV with a header, and the first sheet of an .xlsx
workbook. Both are read the same way from their cells: the header (a Chinese heading read as
its field, formats/headers.py), then a claim a row, each row that cannot be read reported by
its line while the rest are read."""

import csv
import re
from collections.abc import Iterator
from typing import TextIO

from ..errors import ValidationError
from ..i18n import _
from ..rules.claim_input import FIELDS, BadRow
from . import headers, xlsx

REQUIRED_COLUMNS = ("setl_id", "psn_no", "service_date", "med_type", "medfee_sumamt")
# Bytes that are not UTF-8 are read as lone surrogates (surrogateescape), so the row that
# holds one can be refused by its line while the rest of the file is read.
_NOT_UTF8 = re.compile("[\udc80-\udcff]")


def not_utf8(text: str, start: int = 0, end: int | None = None) -> str | None:
    """The message for a row holding bytes that are not UTF-8, or None."""
    m = _NOT_UTF8.search(text, start, len(text) if end is None else end)
    if m is None:
        return None
    return _("is not UTF-8 text (byte 0x{m:02x}); save the file as UTF-8").format(m=ord(m.group()) - 0xDC00)


def csv_rows(stream: TextIO, name: str) -> Iterator[tuple[int, object]]:
    reader = csv.reader(stream)
    header = next(reader, None)
    if header is None:
        return
    header = _header(header, name)

    def rows():
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as e:  # a cell over the csv module's limit; the reader goes on after it
                yield reader.line_num, BadRow(_("not a CSV row: {e}").format(e=e))
                continue
            yield reader.line_num, cells

    yield from _table_rows(header, rows())


def xlsx_claims(raw: bytes, name: str) -> Iterator[tuple[int, object]]:
    """The rows of a claim file saved as an .xlsx workbook: its first sheet, a header row
    and a claim a row, read as a CSV of the same cells would be (line numbers are the
    sheet's row numbers). A workbook the reader refuses (formats/xlsx.py) is refused whole,
    before a claim of it is posted: the sheet is read through once first."""
    rows = xlsx.sheet_rows(raw, name, check_first=True)
    first = next(rows, None)
    if first is None:
        return
    header = _header([h or "" for h in first[1]], name)
    width = len(header)

    def cells():
        for n, row in rows:
            if len(row) > width:  # a value beyond the header, as in a CSV (a row may be 16,384 cells)
                yield n, _other_width(width, len(row))
            else:  # a row's blank cells at its end are not in the sheet: it has the header's width
                yield n, [c or "" for c in row] + [""] * (width - len(row))

    yield from _table_rows(header, cells())


def _header(header: list[str], name: str) -> list[str]:
    """The header's fields (a Chinese heading read as its field), or the file refused."""
    if (message := not_utf8(",".join(header))) is not None:
        raise ValidationError(f"{name} line 1", message)
    header = [headers.field_of(h, headers.CLAIM) for h in header]  # a Chinese heading as its field
    unknown = [h for h in header if h not in FIELDS]
    if unknown:
        raise ValidationError(
            f"{name} line 1",
            _("unknown column(s) {h}; the columns are {fields}").format(
                h=", ".join(repr(h) for h in unknown), fields=", ".join(FIELDS)
            ),
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ValidationError(f"{name} line 1", _("missing column(s) {missing}").format(missing=", ".join(missing)))
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise ValidationError(f"{name} line 1", _("column(s) {dupes} appear twice").format(dupes=", ".join(dupes)))
    return header


def _table_rows(header: list[str], rows) -> Iterator[tuple[int, object]]:
    for line, cells in rows:
        if isinstance(cells, BadRow):
            yield line, cells
            continue
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue  # a blank line
        if (message := not_utf8("\x1f".join(cells))) is not None:
            yield line, BadRow(message)
        elif len(cells) != len(header):
            yield line, _other_width(len(header), len(cells))
        else:
            yield line, dict(zip(header, cells, strict=True))


def _other_width(width: int, count: int) -> BadRow:
    return BadRow(_("expected {count} cells as in the header, got {count2}").format(count=width, count2=count))
