"""The .xlsx reader (formats/xlsx.py) on a workbook laid out as Excel saves one: shared
strings (with rich-text runs and a phonetic guide), a custom and a built-in date format,
the 1904 day count, numbers as their decimal text, blank cells and a row left out.

Then on workbooks made by hand to hurt (issue 35): each is refused in one message naming
the sheet and the cell, never read as something else; the bombs (a cell of 100 MB, a sheet
of 300 MB, a zip that lies about a size) are read in a process that may not take more than
BOUND of memory."""

import functools
import io
import struct
import subprocess
import sys
import zipfile

import pytest

from ledger.errors import LedgerError, ValidationError
from ledger.formats import workbook, xlsx

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET = "xl/worksheets/data.xml"
BOUND = 256 << 20  # address space: the interpreter and the ledger's modules take about 20 MiB


def parts(sheet_rows: str, *, in_1904: bool = False, sheet_name: str = "结算") -> dict[str, str]:
    return {
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}">'
        + ('<workbookPr date1904="1"/>' if in_1904 else "")
        + f'<sheets><sheet name="{sheet_name}" sheetId="1" r:id="rId7"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId7" Type="x" Target="/xl/worksheets/data.xml"/></Relationships>',
        "xl/sharedStrings.xml": f'<sst xmlns="{MAIN}"><si><t>结算ID</t></si><si><t>服务日期</t></si>'
        "<si><t>医疗费总额</t></si><si><r><t>S</t></r><r><t>Y1</t></r><rPh><t>ignored</t></rPh></si></sst>",
        "xl/styles.xml": f'<styleSheet xmlns="{MAIN}"><numFmts><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
        '<numFmt numFmtId="165" formatCode="#,##0.00"/></numFmts>'
        '<cellXfs><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="14"/><xf numFmtId="165"/></cellXfs></styleSheet>',
        SHEET: f'<worksheet xmlns="{MAIN}"><sheetData>{sheet_rows}</sheetData></worksheet>',
    }


def book(sheet_rows: str, *, in_1904: bool = False, sheet_name: str = "结算", replaced: dict | None = None) -> bytes:
    """A workbook whose first sheet holds `sheet_rows`; a part in `replaced` (by its path)
    instead of the usual one."""
    files = parts(sheet_rows, in_1904=in_1904, sheet_name=sheet_name) | (replaced or {})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text)
    return out.getvalue()


def inline_row(number: int, *values: str) -> str:
    """A row of text cells, A to however many, as inline strings."""
    return (
        f'<row r="{number}">'
        + "".join(
            f'<c r="{xlsx._letters(i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(values)
        )
        + "</row>"
    )


@functools.cache
def streamed_book(head: str, filler: bytes, size: int, tail: str, part: str = SHEET) -> bytes:
    """A workbook whose `part` (the sheet, or the shared strings) is `head`, `size` bytes of
    `filler` and `tail`, deflated as it is written: never in memory whole."""
    files = parts("@")
    if part == SHEET:  # head and tail inside the sheet's data
        before, after = files[SHEET].split("@")
        head, tail = before + head, tail + after
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            if name != part:
                z.writestr(name, text)
        with z.open(part, "w", force_zip64=True) as w:
            w.write(head.encode())
            block = filler * ((1 << 20) // len(filler))
            for _ in range(size // len(block)):
                w.write(block)
            w.write(tail.encode())
    return out.getvalue()


def directory_entry(raw: bytes, part: str) -> int:
    """Where the zip's central directory describes `part` (its name's last mention)."""
    return raw.rindex(b"PK\x01\x02", 0, raw.rindex(part.encode()))


def read(raw: bytes) -> list:
    return list(xlsx.sheet_rows(raw, "b.xlsx"))


def refusal(raw: bytes) -> str:
    with pytest.raises(ValidationError) as e:
        read(raw)
    assert "\n" not in str(e.value)
    return str(e.value)


def read_in_bounded_memory(raw: bytes, tmp_path) -> str:
    """What the reader makes of `raw` in a process that may take no more than BOUND of
    address space: its rows, or its one error."""
    resource = pytest.importorskip("resource")  # noqa: F841 - POSIX only
    f = tmp_path / "b.xlsx"
    f.write_bytes(raw)
    program = (
        "import resource, sys\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({BOUND}, {BOUND}))\n"
        "from ledger.errors import LedgerError\n"
        "from ledger.formats import xlsx\n"
        "try:\n"
        "    print(list(xlsx.sheet_rows(open(sys.argv[1], 'rb').read(), 'b.xlsx')))\n"
        "except LedgerError as e:\n"
        "    print(e)\n"
    )
    done = subprocess.run([sys.executable, "-c", program, str(f)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip()


ROWS = (
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>'
    # 45778 days after 1899-12-30 is 2025-05-01; 1.2E+3 is 1200; a blank B cell left out
    '<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" s="1"><v>45778</v></c><c r="C2" s="3"><v>1.2E+3</v></c></row>'
    '<row r="4"><c r="A4" t="inlineStr"><is><t>SY2</t></is></c><c r="C4"><v>212.5</v></c>'
    '<c r="D4" t="b"><v>1</v></c></row>'
    '<row r="5"><c r="B5" s="2"><v>45778.75</v></c></row>'  # a day with a time: the day
)


def test_a_sheet_reads_as_the_text_people_typed():
    rows = read(book(ROWS))
    assert rows == [
        (1, ["结算ID", "服务日期", "医疗费总额"]),
        (2, ["SY1", "2025-05-01", "1200"]),  # rich text joined, the phonetic guide left out
        (4, ["SY2", None, "212.5", "TRUE"]),  # row 3 holds nothing: left out; the spreadsheet's row numbers kept
        (5, [None, "2025-05-01"]),
    ]


def test_the_1904_day_count():
    # 44316 days after 1904-01-01 is 2025-05-01 (the 1900 count's 45778 less 1462)
    rows = read(book('<row r="1"><c r="A1" s="1"><v>44316</v></c></row>', in_1904=True))
    assert rows == [(1, ["2025-05-01"])]


def test_a_file_that_is_not_a_workbook_is_refused_by_name():
    with pytest.raises(LedgerError, match=r"^x.xlsx: not an .xlsx workbook the ledger can read"):
        list(xlsx.sheet_rows(xlsx.MAGIC + b"not a zip", "x.xlsx"))
    assert xlsx.is_xlsx(book(ROWS)) and not xlsx.is_xlsx(b"setl_id,psn_no\n")


def test_references_may_be_left_out_and_a_row_ends_at_its_last_value():
    # a writer may leave out a row's and a cell's reference; an empty styled cell (Excel
    # writes one for a formatted column) adds nothing to the row
    rows = read(
        book(
            '<row><c><v>1</v></c><c r="C1"><v>3</v></c><c/></row><row><c r="B2" s="3"/></row><row><c/><c><v>7</v></c></row>'
        )
    )
    assert rows == [(1, ["1", None, "3"]), (3, [None, "7"])]


# A cell a spreadsheet program would not have saved, and the one message that refuses it.
BAD_CELLS = [
    ('<row r="1"><c r="ZZZZZZZZZZ1"><v>1</v></c></row>', "b.xlsx 结算!ZZZZZZZZZZ1: column beyond XFD, the last a sheet has"),
    ('<row r="1"><c r="XFE1"><v>1</v></c></row>', "b.xlsx 结算!XFE1: column beyond XFD, the last a sheet has"),
    ('<row r="1"><c r="XFD1"/>' + "<c/>" + "</row>", "b.xlsx 结算!XFE1: column beyond XFD, the last a sheet has"),
    ('<row r="1"><c r="A1" t="s"><v>-1</v></c></row>', "b.xlsx 结算!A1: refers to shared string -1, not one of the workbook's 4"),
    ('<row r="1"><c r="A1" t="s"><v>4</v></c></row>', "b.xlsx 结算!A1: refers to shared string 4, not one of the workbook's 4"),
    ('<row r="1"><c r="A1" t="s"><v>1.0</v></c></row>', "b.xlsx 结算!A1: refers to shared string 1.0, not one of the workbook's 4"),
    ('<row r="1"><c r="A1" t="s"><v>' + "9" * 5000 + "</v></c></row>", "b.xlsx 结算!A1: refers to shared string 99999999999999999999999999999999…, not one of the workbook's 4"),
    ('<row r="1"><c r="a1"><v>1</v></c></row>', "b.xlsx 结算!a1: is not a cell reference (the column's letters, then the row's number: B7)"),
    ('<row r="4"><c r="A5"><v>1</v></c></row>', "b.xlsx 结算!A5: stands in row 4"),
    ('<row r="1"><c r="B1"><v>1</v></c><c r="A1"><v>2</v></c></row>', "b.xlsx 结算!A1: comes after B1 in its row; cells go left to right in order"),
    ('<row r="1"><c r="B1"><v>1</v></c><c r="B1"><v>2</v></c></row>', "b.xlsx 结算!B1: comes after B1 in its row; cells go left to right in order"),
    ('<row r="1"><c r="A1"><v>1</v><v>2</v></c></row>', "b.xlsx 结算!A1: holds more than one value"),
    ('<row r="1"><c r="A1" t="q"><v>1</v></c></row>', "b.xlsx 结算!A1: has the cell type q, which no spreadsheet writes"),
    ('<row r="1"><c r="A1" s="-1"><v>1</v></c></row>', "b.xlsx 结算!A1: has the style -1, which is not a number"),
    ('<row r="1"><c r="A1"><v>NaN</v></c></row>', "b.xlsx 结算!A1: holds NaN, which is not a number"),
    ('<row r="1"><c r="A1"><v>1_000</v></c></row>', "b.xlsx 结算!A1: holds 1_000, which is not a number"),
    # written out, a billion digits
    ('<row r="1"><c r="A1"><v>1E+999999999</v></c></row>', "b.xlsx 结算!A1: holds 1E+999999999, beyond the numbers a spreadsheet holds"),
    ('<row r="1"><c r="A1"><v>1E-999999999</v></c></row>', "b.xlsx 结算!A1: holds 1E-999999999, beyond the numbers a spreadsheet holds"),
    ('<row r="1"><c r="A1" s="1"><v>2958466</v></c></row>', "b.xlsx 结算!A1: holds the day count 2958466, not a day from 1899-12-30 to 9999-12-31"),
    ('<row r="1"><c r="A1" s="1"><v>-1</v></c></row>', "b.xlsx 结算!A1: holds the day count -1, not a day from 1899-12-30 to 9999-12-31"),
    ('<row r="1"><c r="A1" t="b"><v>2</v></c></row>', "b.xlsx 结算!A1: holds 2, not a true/false value (1 or 0)"),
    ('<row r="1"><c r="A1">\x00</c></row>', "b.xlsx 结算, after A1: is not well-formed XML (not well-formed (invalid token))"),
    ('<row r="1"><c r="A1"><c r="B1"/></c></row>', "b.xlsx 结算, after A1: a cell outside a row, or inside another cell"),
    ('<c r="A1"><v>1</v></c>', "b.xlsx 结算: a cell outside a row, or inside another cell"),
    ('<row r="x"><c r="A1"><v>1</v></c></row>', "b.xlsx 结算 row x: is not a row number (1 to 1,048,576)"),
    ('<row r="0"><c r="A1"><v>1</v></c></row>', "b.xlsx 结算 row 0: is not a row number (1 to 1,048,576)"),
    ('<row r="1048577"><c r="A1048577"><v>1</v></c></row>', "b.xlsx 结算 row 1048577: is not a row number (1 to 1,048,576)"),
    ('<row r="2"/><row r="1"/>', "b.xlsx 结算 row 1: comes after row 2; rows go down the sheet in order"),
    ('<row r="2"/><row r="2"/>', "b.xlsx 结算 row 2: comes after row 2; rows go down the sheet in order"),
    ('<row r="1048576"/><row/>', "b.xlsx 结算 row 1048577: is not a row number (1 to 1,048,576)"),
]  # fmt: skip


@pytest.mark.parametrize(("rows", "says"), BAD_CELLS, ids=[s.split(": ", 1)[1][:40] for _, s in BAD_CELLS])
def test_a_cell_no_spreadsheet_saves_is_refused_naming_the_sheet_and_the_cell(rows, says):
    assert refusal(book(rows)) == says


def test_the_sheet_is_named_as_a_formula_names_it():
    # quoted, its quote doubled; a right-to-left override written as its escape
    raw = book('<row r="1"><c r="A1" t="s"><v>-1</v></c></row>', sheet_name="May's claims\u202e")
    assert refusal(raw).startswith("b.xlsx 'May''s claims\\u202e'!A1: refers to shared string -1")


def test_a_cell_holds_at_most_what_excel_lets_it():
    at_most = f'<row r="1"><c r="A1" t="inlineStr"><is><t>{"x" * xlsx.MAX_CELL_CHARS}</t></is></c></row>'
    assert read(book(at_most)) == [(1, ["x" * 32_767])]
    one_more = f'<row r="1"><c r="B1" t="inlineStr"><is><r><t>x</t></r><r><t>{"x" * 32_767}</t></r></is></c></row>'
    assert refusal(book(one_more)) == "b.xlsx 结算!B1: holds more than 32,767 characters, the most a cell holds"


def test_a_shared_string_longer_than_a_cell_is_refused_where_a_cell_uses_it():
    strings = f'<sst xmlns="{MAIN}"><si><t>ok</t></si><si><t>{"y" * 32_768}</t></si></sst>'
    raw = book(
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="C2" t="s"><v>1</v></c></row>',
        replaced={"xl/sharedStrings.xml": strings},
    )
    assert (
        refusal(raw) == "b.xlsx 结算!C2: refers to a shared string longer than 32,767 characters, the most a cell holds"
    )


@pytest.mark.parametrize("part", ["xl/worksheets/data.xml", "xl/workbook.xml", "xl/sharedStrings.xml", "xl/styles.xml"])
def test_a_dtd_is_refused_in_every_part(part):
    # a billion laughs: ten entities, each ten of the one before
    laughs = (
        '<!DOCTYPE x [<!ENTITY a0 "ha">'
        + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
        + "]>"
    )
    files = parts('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')
    raw = book("", replaced={part: laughs + files[part]})
    where = "b.xlsx 结算" if part == SHEET else f"b.xlsx: not an .xlsx workbook the ledger can read ({part}"
    assert refusal(raw).startswith(f"{where}: holds a document type declaration (<!DOCTYPE>)")


def test_nesting_and_markup_without_end_are_refused():
    deep = "<x>" * 65 + "</x>" * 65
    assert refusal(book(deep)) == "b.xlsx 结算: has elements nested deeper than 64"
    # an attribute of 2 MiB: the parser would keep it whole before it could say anything
    long_tag = f'<row r="1"><c r="A1" x="{"z" * (2 << 20)}"><v>1</v></c></row>'
    assert refusal(book(long_tag)) == "b.xlsx 结算: holds a tag or a comment longer than 1,048,576 bytes"


def test_styles_and_relationships_that_say_nothing_readable_refuse_the_workbook():
    styles = f'<styleSheet xmlns="{MAIN}"><cellXfs><xf numFmtId="x"/></cellXfs></styleSheet>'
    assert refusal(book(ROWS, replaced={"xl/styles.xml": styles})) == (
        "b.xlsx: not an .xlsx workbook the ledger can read (xl/styles.xml: the number format x is not a number)"
    )
    rels = '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>'
    assert refusal(book(ROWS, replaced={"xl/_rels/workbook.xml.rels": rels})) == (
        "b.xlsx: not an .xlsx workbook the ledger can read (xl/_rels/workbook.xml.rels: has no part for the sheet rId7)"
    )


def test_an_encrypted_part_and_one_compressed_otherwise_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, text in parts(ROWS).items():
            z.writestr(name, text, zipfile.ZIP_LZMA if name == SHEET else zipfile.ZIP_DEFLATED)
    assert refusal(out.getvalue()) == "b.xlsx 结算: is compressed in a way spreadsheets do not use"
    encrypted = bytearray(book(ROWS))
    encrypted[directory_entry(encrypted, SHEET) + 8] |= 1  # its general-purpose flags: bit 0, encrypted
    assert refusal(bytes(encrypted)) == "b.xlsx 结算: is encrypted"


def test_a_refused_workbook_can_be_refused_before_its_first_row_is_given():
    # row 2 a few blocks further on than row 1 (the sheet is parsed a block at a time)
    padding = " " * (3 * workbook.BLOCK)
    raw = book(f'<row r="1"><c r="A1" t="s"><v>0</v></c></row>{padding}<row r="2"><c r="A2" t="s"><v>-1</v></c></row>')
    rows = xlsx.sheet_rows(raw, "b.xlsx")
    assert next(rows) == (1, ["结算ID"])  # read as it comes: row 1 is given, then row 2 refused
    with pytest.raises(ValidationError, match="结算!A2: refers to shared string -1"):
        next(rows)
    with pytest.raises(ValidationError, match="结算!A2: refers to shared string -1"):
        next(xlsx.sheet_rows(raw, "b.xlsx", check_first=True))


# The bombs. Each is a few hundred KiB of zip.
def test_a_cell_of_100_mb_is_refused_by_its_size_in_bounded_memory(tmp_path):
    raw = streamed_book(
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="B2" t="inlineStr"><is><t>',
        b"x",
        100 << 20,
        "</t></is></c></row>",
    )
    assert len(raw) < 200_000
    said = read_in_bounded_memory(raw, tmp_path)
    assert said == "b.xlsx 结算!B2: holds more than 32,767 characters, the most a cell holds"


def test_a_cell_of_500_mb_is_refused_by_the_sheet_s_size_before_it_is_inflated(tmp_path):
    raw = streamed_book('<row r="1"><c r="A1" t="inlineStr"><is><t>', b"x", 500 << 20, "</t></is></c></row>")
    assert len(raw) < 600_000
    assert read_in_bounded_memory(raw, tmp_path) == (
        "b.xlsx 结算: is larger than 256 MiB uncompressed, the most the ledger reads"
    )


def test_whitespace_under_the_sheet_s_limit_is_read_in_bounded_memory(tmp_path):
    # 250 MB of blanks between two rows: parsed as it inflates, none of it kept
    raw = streamed_book(
        '<row r="1"><c r="A1"><v>1</v></c></row>', b" ", 250 << 20, '<row r="2"><c r="A2"><v>2</v></c></row>'
    )
    assert read_in_bounded_memory(raw, tmp_path) == "[(1, ['1']), (2, ['2'])]"


def test_whitespace_beyond_the_sheet_s_limit_is_refused(tmp_path):
    raw = streamed_book('<row r="1"><c r="A1"><v>1</v></c></row>', b" ", 300 << 20, "")
    assert read_in_bounded_memory(raw, tmp_path) == (
        "b.xlsx 结算: is larger than 256 MiB uncompressed, the most the ledger reads"
    )


def test_a_zip_that_says_its_sheet_is_small_is_inflated_no_further_than_it_says(tmp_path):
    # 300 MB of blanks said to be 1,000 bytes: the zip module stops at 1,000, and the
    # checksum then tells the lie
    raw = bytearray(streamed_book('<row r="1"><c r="A1"><v>1</v></c></row>', b" ", 300 << 20, ""))
    raw[directory_entry(raw, SHEET) + 24 : directory_entry(raw, SHEET) + 28] = struct.pack("<I", 1000)
    assert zipfile.ZipFile(io.BytesIO(raw)).getinfo(SHEET).file_size == 1000
    said = read_in_bounded_memory(bytes(raw), tmp_path)
    assert said.startswith("b.xlsx 结算: cannot be inflated (Bad CRC-32 for file 'xl/worksheets/data.xml')"), said


def test_shared_strings_beyond_their_limit_are_refused(tmp_path):
    strings = streamed_book(
        f'<sst xmlns="{MAIN}"><si><t>', b"s", 40 << 20, "</t></si></sst>", part="xl/sharedStrings.xml"
    )
    assert read_in_bounded_memory(strings, tmp_path) == (
        "b.xlsx: not an .xlsx workbook the ledger can read "
        "(xl/sharedStrings.xml: is larger than 32 MiB uncompressed, the most the ledger reads)"
    )


def test_the_limits_are_excel_s_own_where_excel_has_one():
    assert (workbook.MAX_ROWS, workbook.MAX_COLUMNS, workbook.MAX_CELL_CHARS) == (1_048_576, 16_384, 32_767)
    assert xlsx._letters(workbook.MAX_COLUMNS - 1) == "XFD"
