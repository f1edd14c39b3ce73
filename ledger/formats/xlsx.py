"""The first sheet of an .xlsx workbook as rows of text, read with the standard library.

A spreadsheet stores a number as the text of a binary double (`1200.5`) and a day as a
count of days with a date format. Each cell is given as the text a person typed, never
through a float: a number as its decimal text (`1200.5`, `1200` for `1.2E+3`), a day with a
date format as `YYYY-MM-DD`, text as it is, a true/false as `TRUE`/`FALSE`. An amount with
more than two decimals (a formula's `212.49999999999997`) is then refused by the amount
rules, as in a CSV; an ID number saved as a number has lost its last digits in the
spreadsheet already, and fails its check digit. Blank cells are None.

The workbook's formulas are not evaluated: a cell with a formula gives the value the
spreadsheet program last saved with it.
"""

import io
import re
import zipfile
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree

from ..errors import LedgerError
from ..i18n import _

MAGIC = b"PK\x03\x04"  # a zip archive, as every .xlsx is
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_DOC_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# The number formats built into every workbook that show a day (Chinese ones included:
# 27-36 and 50-58 are yyyy"年"m"月"d"日" and its kin).
_DATE_FORMATS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_CELL = re.compile(r"([A-Z]+)([0-9]+)")


def is_xlsx(head: bytes) -> bool:
    return head.startswith(MAGIC)


def sheet_rows(raw: bytes, name: str) -> Iterator[tuple[int, list[str | None]]]:
    """(row number as the spreadsheet shows it, the row's cells as text) for each row of
    the first sheet that holds anything; a file that is not a workbook is refused."""
    try:
        book = zipfile.ZipFile(io.BytesIO(raw))
        sheet, days_from = _first_sheet(book)
        strings = _shared_strings(book)
        dated = _date_styles(book)
        stream = book.open(sheet)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as e:
        raise LedgerError(
            _("{name}: not an .xlsx workbook the ledger can read ({why})").format(name=name, why=e)
        ) from None
    with stream:
        number = 0
        for _event, row in ElementTree.iterparse(stream):
            if row.tag != f"{_MAIN}row":
                continue
            number = int(row.get("r") or number + 1)  # a writer may leave out the row's number
            cells: dict[int, str | None] = {}
            for c in row.iter(f"{_MAIN}c"):
                m = _CELL.fullmatch(c.get("r", ""))
                column = _column(m[1]) if m else (max(cells) + 1 if cells else 0)
                cells[column] = _value(c, strings, dated, days_from)
            row.clear()  # the sheet is read in constant memory
            if any(v not in (None, "") for v in cells.values()):
                yield number, [cells.get(i) for i in range(max(cells) + 1)]


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _first_sheet(book: zipfile.ZipFile) -> tuple[str, date]:
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    first = workbook.find(f"{_MAIN}sheets/{_MAIN}sheet")
    if first is None:
        raise KeyError("no sheet")
    rel = first.get(f"{_DOC_RELS}id")
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    target = next(r.get("Target") for r in rels.iter(f"{_PKG_RELS}Relationship") if r.get("Id") == rel)
    path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    pr = workbook.find(f"{_MAIN}workbookPr")
    in_1904 = pr is not None and pr.get("date1904") in ("1", "true")
    return path, date(1904, 1, 1) if in_1904 else date(1899, 12, 30)


def _shared_strings(book: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in book.namelist():
        return []
    root = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
    return [_text(si) for si in root.iter(f"{_MAIN}si")]


def _text(node) -> str:
    """A string item's text: its runs joined, phonetic guides (rPh) left out."""
    return "".join(t.text or "" for t in node.iter(f"{_MAIN}t") if t not in _phonetic(node))


def _phonetic(node) -> set:
    return {t for ph in node.iter(f"{_MAIN}rPh") for t in ph.iter(f"{_MAIN}t")}


def _date_styles(book: zipfile.ZipFile) -> set[int]:
    """The cell styles (their index) whose number format shows a day."""
    if "xl/styles.xml" not in book.namelist():
        return set()
    root = ElementTree.fromstring(book.read("xl/styles.xml"))
    custom = {int(f.get("numFmtId")): _shows_a_day(f.get("formatCode", "")) for f in root.iter(f"{_MAIN}numFmt")}
    xfs = root.find(f"{_MAIN}cellXfs")
    dated = set()
    for i, xf in enumerate(xfs.iter(f"{_MAIN}xf") if xfs is not None else ()):
        fmt = int(xf.get("numFmtId", "0"))
        if fmt in _DATE_FORMATS or custom.get(fmt):
            dated.add(i)
    return dated


def _shows_a_day(code: str) -> bool:
    bare = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code).lower()  # quoted text, colours, escapes out
    return "y" in bare or "d" in bare


def _value(c, strings: list[str], dated: set[int], days_from: date) -> str | None:
    kind = c.get("t", "n")
    if kind == "inlineStr":
        node = c.find(f"{_MAIN}is")
        return None if node is None else _text(node)
    v = c.find(f"{_MAIN}v")
    if v is None or v.text is None:
        return None
    text = v.text
    if kind == "s":
        return strings[int(text)]
    if kind == "b":
        return "TRUE" if text == "1" else "FALSE"
    if kind in ("str", "e"):  # a formula's text, or an error (#N/A) the rules will refuse
        return text
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    if int(c.get("s", "0")) in dated:
        return (days_from + timedelta(days=int(number))).isoformat()
    return format(number, "f")
