"""The parts of an .xlsx workbook around its sheets, read with limits: a workbook is a zip
of XML parts, and a file may say anything. A few hundred KiB can inflate to gigabytes; a
tag can run on for a gigabyte; a DTD can define an entity that expands a billion times.

So each part is inflated a block at a time with its size counted against a limit, and its
XML parsed as it comes (expat), each part's reader keeping only what the ledger needs:
memory stays bounded whatever the file says. A DTD is refused (no spreadsheet writes one).
What does not hold refuses the workbook with one message naming the file and the part.

    first_sheet(raw, name)   a Sheet: what reads the workbook's first sheet (formats/xlsx.py)
    Part                     one XML part read so; a part's reader subclasses it
"""

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from datetime import date
from typing import IO, NamedTuple
from xml.parsers import expat

from ..errors import ValidationError
from ..i18n import _
from ..rules.text import shown

# The limits (docs/cli.md, "Files a spreadsheet saved"). The first three are Excel's own:
# no spreadsheet program saves more, so more is a file made by hand.
MAX_CELL_CHARS = 32_767  # a cell's text (a shared string's too); a claim's longest field is 64
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384  # A to XFD
# The first sheet's XML, inflated: about a million rows of a claim file's six columns. The
# sheet is parsed as it inflates, so this bounds the time a file takes, not the memory.
MAX_SHEET_BYTES = 256 << 20
# sharedStrings.xml, inflated: the strings are held while the sheet is read (a cell refers
# to one by its number), in up to 4.5 times this as Python strings (145 MiB for 1.7 million
# items of one Chinese character); 32 MiB holds the distinct IDs of some 900,000 rows.
MAX_STRINGS_BYTES = 32 << 20
# workbook.xml, its relationships, styles.xml: a few KiB in what a spreadsheet saves.
MAX_PART_BYTES = 16 << 20
# Bytes fed to the parser that it could not yet make into anything: a tag, an attribute or
# a comment this long is no spreadsheet's, and the parser would keep it all in memory.
MAX_MARKUP = 1 << 20
MAX_DEPTH = 64  # elements inside one another; a sheet needs 7 (worksheet, ..., is, r, t)
BLOCK = 1 << 16  # what is inflated and parsed at a time

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main}"  # expat's "namespace}tag"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships}"
_T, _RPH, _SI = (MAIN + t for t in ("t", "rPh", "si"))
# The number formats built into every workbook that show a day (Chinese ones included:
# 27-36 and 50-58 are yyyy"年"m"月"d"日" and its kin).
_DATE_FORMATS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
WHOLE = re.compile(r"[0-9]{1,10}")  # a row's number, a style's, a shared string's


class Sheet(NamedTuple):
    """The workbook's first sheet and what reading its cells takes."""

    name: str  # the file's
    book: zipfile.ZipFile
    path: str  # the sheet's part
    label: str  # the sheet's name, as a formula writes it
    strings: list[str | None]  # the shared strings; None for one longer than a cell holds
    dated: set[int]  # the cell styles that show a day
    days_from: date  # day 0 of the workbook's day count


def first_sheet(raw: bytes, name: str) -> Sheet:
    """The workbook's first sheet, its shared strings, day styles and day count read."""
    try:
        book = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, NotImplementedError, ValueError) as e:  # not a zip, or one of a later kind
        raise ValidationError(name, _("not an .xlsx workbook the ledger can read ({why})").format(why=e)) from None
    workbook = _Workbook(name, book, "xl/workbook.xml").read()
    if workbook.rel is None:
        raise workbook.refuse(_("names no sheet"))
    rels = _Relations(name, book, "xl/_rels/workbook.xml.rels", workbook.rel).read()
    if rels.target is None:
        raise rels.refuse(_("has no part for the sheet {rel}").format(rel=label(workbook.rel)))
    target = rels.target
    path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
    strings = _Strings(name, book, "xl/sharedStrings.xml").read().items if _has(book, "xl/sharedStrings.xml") else []
    dated = _Styles(name, book, "xl/styles.xml").read().dated() if _has(book, "xl/styles.xml") else set()
    days_from = date(1904, 1, 1) if workbook.in_1904 else date(1899, 12, 30)
    shown_as = _sheet_name(workbook.sheet or "")
    return Sheet(name, book, path, shown_as, strings, dated, days_from)


def _has(book: zipfile.ZipFile, path: str) -> bool:
    return _info(book, path) is not None


def _info(book: zipfile.ZipFile, path: str) -> zipfile.ZipInfo | None:
    try:
        return book.getinfo(path)
    except KeyError:
        return None


def label(text: str, most: int = 32) -> str:
    """Text from the file as a message may show it: one line, and short."""
    return shown(text[:most]) + ("…" if len(text) > most else "")


def _sheet_name(sheet: str) -> str:
    """The sheet's name as a formula writes it: quoted if it holds more than letters,
    digits and _ (a sheet name is at most 31 characters)."""
    text = label(sheet, 31)
    return text if re.fullmatch(r"\w+", text) else "'" + text.replace("'", "''") + "'"


class Part:
    """One XML part of the workbook, parsed as it inflates: its size counted against
    `limit`, markup that never ends and nesting beyond MAX_DEPTH refused, a DTD refused.
    A part's reader says what it needs in start/end/text."""

    limit = MAX_PART_BYTES

    def __init__(self, name: str, book: zipfile.ZipFile, path: str):
        self.name, self.book, self.path, self.depth = name, book, path, 0

    def refuse(self, message: str) -> ValidationError:
        why = f"{self.path}: {message}"
        return ValidationError(self.name, _("not an .xlsx workbook the ledger can read ({why})").format(why=why))

    def start(self, tag: str, attrs: dict) -> None:
        pass

    def end(self, tag: str) -> None:
        pass

    def text(self, data: str) -> None:
        pass

    def read(self):
        for _block in self.blocks():
            pass
        return self

    def blocks(self) -> Iterator[None]:
        """Inflates and parses the part a block at a time, pausing after each (the
        sheet's finished rows are taken then)."""
        stream, parser, read = self._stream(), self._parser(), 0
        try:
            with stream:
                while block := stream.read(BLOCK):
                    read += len(block)
                    if read > self.limit:
                        raise self.refuse(self._too_large())
                    parser.Parse(block, False)
                    if read - parser.CurrentByteIndex > MAX_MARKUP:
                        raise self.refuse(
                            _("holds a tag or a comment longer than {most:,} bytes").format(most=MAX_MARKUP)
                        )
                    yield
                parser.Parse(b"", True)
        except expat.ExpatError as e:
            raise self.refuse(_("is not well-formed XML ({why})").format(why=expat.ErrorString(e.code))) from None
        except (zipfile.BadZipFile, zlib.error, EOFError) as e:  # a block that does not inflate, a wrong CRC
            raise self.refuse(_("cannot be inflated ({why})").format(why=e)) from None
        yield

    def _parser(self):
        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text, parser.buffer_size = True, BLOCK
        parser.StartElementHandler, parser.EndElementHandler = self.open_tag, self.close_tag
        parser.CharacterDataHandler = self.text
        parser.StartDoctypeDeclHandler = self._doctype
        return parser

    def _stream(self) -> IO[bytes]:
        info = _info(self.book, self.path)
        if info is None:
            raise self.refuse(_("no such part in the zip"))
        if info.flag_bits & 0x1:
            raise self.refuse(_("is encrypted"))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise self.refuse(_("is compressed in a way spreadsheets do not use"))
        if info.file_size > self.limit:  # as the zip says; what inflates is counted too
            raise self.refuse(self._too_large())
        try:
            return self.book.open(info)
        except (zipfile.BadZipFile, NotImplementedError, ValueError) as e:  # a header that is not one
            raise self.refuse(_("cannot be inflated ({why})").format(why=e)) from None

    def _too_large(self) -> str:
        return _("is larger than {most} MiB uncompressed, the most the ledger reads").format(most=self.limit >> 20)

    def open_tag(self, tag: str, attrs: dict) -> None:
        """The parser's handler for a start tag: the depth counted, then `start`."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.too_deep()
        self.start(tag, attrs)

    def close_tag(self, tag: str) -> None:
        self.depth -= 1
        self.end(tag)

    def too_deep(self) -> ValidationError:
        return self.refuse(_("has elements nested deeper than {most}").format(most=MAX_DEPTH))

    def _doctype(self, *_args) -> None:
        raise self.refuse(_("holds a document type declaration (<!DOCTYPE>), which no spreadsheet writes"))


class _Workbook(Part):
    """xl/workbook.xml: the first sheet's name and relationship, and the day count."""

    sheet = rel = None
    in_1904 = False

    def start(self, tag: str, attrs: dict) -> None:
        if tag == MAIN + "sheet" and self.rel is None:
            self.sheet, self.rel = attrs.get("name", ""), attrs.get(_DOC_RELS + "id")
        elif tag == MAIN + "workbookPr":
            self.in_1904 = attrs.get("date1904") in ("1", "true")


class _Relations(Part):
    """xl/_rels/workbook.xml.rels: the part a relationship points to."""

    target = None

    def __init__(self, name: str, book: zipfile.ZipFile, path: str, wanted: str):
        super().__init__(name, book, path)
        self.wanted = wanted

    def start(self, tag: str, attrs: dict) -> None:
        if tag == _PKG_RELS + "Relationship" and attrs.get("Id") == self.wanted and self.target is None:
            self.target = attrs.get("Target", "")


class _Styles(Part):
    """xl/styles.xml: which cell styles (their index) have a number format that shows a day."""

    def __init__(self, name: str, book: zipfile.ZipFile, path: str):
        super().__init__(name, book, path)
        self.custom: dict[int, bool] = {}
        self.formats: list[int] = []
        self.in_cell_styles = False

    def start(self, tag: str, attrs: dict) -> None:
        if tag == MAIN + "numFmt":
            self.custom[self._format(attrs)] = _shows_a_day(attrs.get("formatCode", ""))
        elif tag == MAIN + "cellXfs":
            self.in_cell_styles = True
        elif tag == MAIN + "xf" and self.in_cell_styles:
            self.formats.append(self._format(attrs))

    def end(self, tag: str) -> None:
        if tag == MAIN + "cellXfs":
            self.in_cell_styles = False

    def _format(self, attrs: dict) -> int:
        number = attrs.get("numFmtId", "0")
        if not WHOLE.fullmatch(number):
            raise self.refuse(_("the number format {number} is not a number").format(number=label(number)))
        return int(number)

    def dated(self) -> set[int]:
        return {i for i, f in enumerate(self.formats) if f in _DATE_FORMATS or self.custom.get(f)}


def _shows_a_day(code: str) -> bool:
    bare = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code).lower()  # quoted text, colours, escapes out
    return "y" in bare or "d" in bare


class _Strings(Part):
    """xl/sharedStrings.xml: each string item's text, its runs joined and its phonetic
    guides (rPh) left out; None for one longer than a cell holds, refused if a cell uses it."""

    limit = MAX_STRINGS_BYTES

    def __init__(self, name: str, book: zipfile.ZipFile, path: str):
        super().__init__(name, book, path)
        self.items: list[str | None] = []
        self.runs: list[str] | None = None  # the text of the item being read
        self.size = self.phonetic = 0
        self.reading = False

    def start(self, tag: str, attrs: dict) -> None:
        if tag == _SI:
            self.runs, self.size = [], 0
        elif tag == _RPH:
            self.phonetic += 1
        elif tag == _T:
            self.reading = self.runs is not None and not self.phonetic

    def text(self, data: str) -> None:
        if self.reading:
            self.size += len(data)
            if self.size <= MAX_CELL_CHARS:
                self.runs.append(data)

    def end(self, tag: str) -> None:
        if tag == _T:
            self.reading = False
        elif tag == _RPH:
            self.phonetic -= 1
        elif tag == _SI:
            self.items.append("".join(self.runs) if self.size <= MAX_CELL_CHARS else None)
            self.runs = None
