"""The first sheet of an .xlsx workbook as rows of text, read with the standard library.

A spreadsheet stores a number as the text of a binary double (`1200.5`) and a day as a
count of days with a date format. Each cell is given as the text a person typed, never
through a float: a number as its decimal text (`1200.5`, `1200` for `1.2E+3`), a day with a
date format as `YYYY-MM-DD`, text as it is, a true/false as `TRUE`/`FALSE`. An amount with
more than two decimals (a formula's `212.49999999999997`) is then refused by the amount
rules, as in a CSV; an ID number saved as a number has lost its last digits in the
spreadsheet already, and fails its check digit. Blank cells are None, and a row ends at its
last cell that holds something.

The workbook's formulas are not evaluated: a cell with a formula gives the value the
spreadsheet program last saved with it.

A cell that cannot be read as a spreadsheet program would have saved it (column ZZZZZZZZZZ,
shared string -1, a row number going back, a number that is none, more text than a cell
holds) refuses the workbook, in one message naming the sheet and the cell
(`f.xlsx Sheet1!ZZZZZZZZZZ1: ...`): never a guess at what was meant. The workbook's parts
are read within limits (formats/workbook.py).
"""

import functools
import re
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import NamedTuple

from ..errors import ValidationError
from ..i18n import _
from .workbook import (
    MAIN,
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_DEPTH,
    MAX_ROWS,
    MAX_SHEET_BYTES,
    WHOLE,
    Part,
    Sheet,
    first_sheet,
    label,
)

MAGIC = b"PK\x03\x04"  # a zip archive, as every .xlsx is
_ROW, _C, _V, _IS, _T, _RPH = (MAIN + t for t in ("row", "c", "v", "is", "t", "rPh"))
_REFERENCE = re.compile(r"([A-Z]+)([0-9]+)")
# A number as the XML schema writes a double; INF and NaN are no amount and no day.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# A double is below 1.8E+308 and above 4.9E-324: its decimal text is shorter than this, and
# 1E+999999999 would be a billion digits written out.
_DIGITS = 400
_KINDS = frozenset(("n", "s", "str", "inlineStr", "b", "e", "d"))
_LAST_DAY = 2_958_465  # 9999-12-31 in the 1900 count


def is_xlsx(head: bytes) -> bool:
    return head.startswith(MAGIC)


def sheet_rows(raw: bytes, name: str, *, check_first: bool = False) -> Iterator[tuple[int, list[str | None]]]:
    """(row number as the spreadsheet shows it, the row's cells as text) for each row of
    the first sheet that holds anything; a file that is not a workbook the ledger can read
    is refused with a ValidationError. With `check_first`, the sheet is read through once
    before its first row is given, so that a workbook refused is refused before any of its
    rows is used (a claim file is posted as it is read)."""
    sheet = first_sheet(raw, name)
    if check_first:
        for _row in _Cells(sheet).rows():
            pass
    for number, cells in _Cells(sheet).rows():
        row: list[str | None] = [None] * (max(cells) + 1)
        for column, value in cells.items():
            row[column] = value
        yield number, row


class _Cell(NamedTuple):
    ref: str  # as the sheet names it: B7
    column: int  # from 0
    kind: str  # its t: n (a number), s (a shared string), inlineStr, b, str, e, d
    style: int


class _Cells(Part):
    """The sheet's rows as the parser meets them, each that holds anything as {column:
    text}; a cell or a row that cannot be read refuses the workbook."""

    limit = MAX_SHEET_BYTES

    def __init__(self, sheet: Sheet):
        super().__init__(sheet.name, sheet.book, sheet.path)
        self.sheet = sheet
        self.ready: list[tuple[int, dict[int, str]]] = []  # rows read, not yet taken
        self.row: int | None = None  # the number of the row being read
        self.row_text = ""
        self.last_row = 0
        self.cells: dict[int, str] = {}  # the row's cells that hold something
        self.cell: _Cell | None = None  # the cell being read
        self.column = -1  # the column of the row's last cell
        self.at: str | None = None  # the last cell met
        self.runs: list[str] = []  # the cell's text, as it comes
        self.size = self.phonetic = 0
        self.reading = self.value = self.inline = False

    def rows(self) -> Iterator[tuple[int, dict[int, str]]]:
        for _block in self.blocks():
            yield from self.ready
            self.ready.clear()

    def refuse(self, message: str) -> ValidationError:
        where = f"{self.name} {self.sheet.label}"
        return ValidationError(where if self.at is None else f"{where}, after {label(self.at)}", message)

    def bad_cell(self, ref: str, message: str) -> ValidationError:
        return ValidationError(f"{self.name} {self.sheet.label}!{label(ref)}", message)

    # The sheet's hot path: its handlers count the depth themselves, a call less a tag.
    def open_tag(self, tag: str, attrs: dict) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.too_deep()
        if tag == _C:
            self._open_cell(attrs)
        elif tag == _ROW:
            self._open_row(attrs.get("r"))
        elif self.cell is None:
            return
        elif tag in (_V, _IS):
            if self.value or self.inline:  # <v>1</v><v>2</v> is no "12"
                raise self.bad_cell(self.cell.ref, _("holds more than one value"))
            self.value, self.inline = tag == _V, tag == _IS
            self.reading = self.value and self.cell.kind != "inlineStr"
        elif tag == _RPH:
            self.phonetic += 1
        elif tag == _T:
            self.reading = self.inline and not self.phonetic and self.cell.kind == "inlineStr"

    def text(self, data: str) -> None:
        if self.reading:
            self.size += len(data)
            if self.size > MAX_CELL_CHARS:
                raise self.bad_cell(
                    self.cell.ref,
                    _("holds more than {most:,} characters, the most a cell holds").format(most=MAX_CELL_CHARS),
                )
            self.runs.append(data)

    def close_tag(self, tag: str) -> None:
        self.depth -= 1
        if tag in (_V, _T):
            self.reading = False
        elif tag == _RPH and self.cell is not None:
            self.phonetic -= 1
        elif tag == _C:
            value = self._value()
            if value not in (None, ""):
                self.cells[self.cell.column] = value
            self.cell, self.reading = None, False
        elif tag == _ROW:
            if self.cells:
                self.ready.append((self.row, self.cells))
            self.last_row, self.row = self.row, None

    def _open_row(self, r: str | None) -> None:
        if self.row is not None or self.cell is not None:
            raise self.refuse(_("a row inside row {row}").format(row=self.row))
        number = self.last_row + 1 if r is None else int(r) if WHOLE.fullmatch(r) else 0
        shown_as = str(number) if r is None else label(r)
        where = f"{self.name} {self.sheet.label} row {shown_as}"
        if not 1 <= number <= MAX_ROWS:
            raise ValidationError(where, _("is not a row number (1 to {most:,})").format(most=MAX_ROWS))
        if number <= self.last_row:
            raise ValidationError(
                where, _("comes after row {last}; rows go down the sheet in order").format(last=self.last_row)
            )
        self.row, self.row_text, self.cells, self.column = number, str(number), {}, -1

    def _open_cell(self, attrs: dict) -> None:
        if self.row is None or self.cell is not None:
            raise self.refuse(_("a cell outside a row, or inside another cell"))
        ref = attrs.get("r")
        if ref is None:  # a writer may leave out the references: the cell after the last
            column = self.column + 1
            ref = _letters(column) + self.row_text
        elif not ref.endswith(self.row_text) or (column := _column(ref[: -len(self.row_text)])) is None:
            raise self._bad_reference(ref)
        if column >= MAX_COLUMNS:
            raise self.bad_cell(ref, _("column beyond XFD, the last a sheet has"))
        if column <= self.column:
            raise self.bad_cell(
                ref, _("comes after {before} in its row; cells go left to right in order").format(before=self.at)
            )
        kind, style = attrs.get("t", "n"), attrs.get("s")
        if kind not in _KINDS:
            raise self.bad_cell(
                ref, _("has the cell type {kind}, which no spreadsheet writes").format(kind=label(kind))
            )
        if style is not None and not WHOLE.fullmatch(style):
            raise self.bad_cell(ref, _("has the style {style}, which is not a number").format(style=label(style)))
        self.cell, self.column, self.at = _Cell(ref, column, kind, int(style or 0)), column, ref
        self.runs, self.size, self.phonetic = [], 0, 0
        self.value = self.inline = False

    def _bad_reference(self, ref: str) -> ValidationError:
        m = _REFERENCE.fullmatch(ref)
        if m is None:
            return self.bad_cell(ref, _("is not a cell reference (the column's letters, then the row's number: B7)"))
        if _column(m[1]) is None:
            return self.bad_cell(ref, _("column beyond XFD, the last a sheet has"))
        return self.bad_cell(ref, _("stands in row {row}").format(row=self.row))

    def _value(self) -> str | None:
        cell, text = self.cell, "".join(self.runs)
        if cell.kind == "inlineStr":
            return text
        if not self.value or not text:
            return None
        if cell.kind == "s":
            return self._shared(cell.ref, text)
        if cell.kind == "b":
            if text not in ("0", "1"):
                raise self.bad_cell(
                    cell.ref, _("holds {text}, not a true/false value (1 or 0)").format(text=label(text))
                )
            return "TRUE" if text == "1" else "FALSE"
        if cell.kind == "n":
            return self._number(cell, text)
        return text  # str: a formula's text; e: an error (#N/A) the rules refuse; d: a day as ISO text

    def _shared(self, ref: str, text: str) -> str:
        strings = self.sheet.strings
        if not WHOLE.fullmatch(text) or int(text) >= len(strings):
            raise self.bad_cell(
                ref,
                _("refers to shared string {index}, not one of the workbook's {count}").format(
                    index=label(text), count=len(strings)
                ),
            )
        found = strings[int(text)]
        if found is None:
            raise self.bad_cell(
                ref,
                _("refers to a shared string longer than {most:,} characters, the most a cell holds").format(
                    most=MAX_CELL_CHARS
                ),
            )
        return found

    def _number(self, cell: _Cell, text: str) -> str:
        if not _NUMBER.fullmatch(text):
            raise self.bad_cell(cell.ref, _("holds {text}, which is not a number").format(text=label(text)))
        number = Decimal(text)
        if ("E" in text or "e" in text) and (number.adjusted() > _DIGITS or number.as_tuple().exponent < -_DIGITS):
            raise self.bad_cell(
                cell.ref, _("holds {text}, beyond the numbers a spreadsheet holds").format(text=label(text))
            )
        if cell.style not in self.sheet.dated:
            return format(number, "f")
        first = self.sheet.days_from
        try:
            if 0 <= number <= _LAST_DAY:
                return (first + timedelta(days=int(number))).isoformat()
        except OverflowError:  # past 9999 in the 1904 count
            pass
        raise self.bad_cell(
            cell.ref,
            _("holds the day count {text}, not a day from {first} to 9999-12-31").format(text=label(text), first=first),
        )


@functools.cache  # a sheet names the same few columns over and over
def _column(letters: str) -> int | None:
    """The column (from 0) that A to XFD name; None for other text."""
    if not 1 <= len(letters) <= 3 or not letters.isascii() or not letters.isupper() or not letters.isalpha():
        return None
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1 if n <= MAX_COLUMNS else None


def _letters(column: int) -> str:
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
