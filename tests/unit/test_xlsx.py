"""The .xlsx reader (formats/xlsx.py) on a workbook laid out as Excel saves one: shared
strings (with rich-text runs and a phonetic guide), a custom and a built-in date format,
the 1904 day count, numbers as their decimal text, blank cells and a row left out."""

import io
import zipfile

import pytest

from ledger.errors import LedgerError
from ledger.formats import xlsx

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def book(sheet_rows: str, *, in_1904: bool = False) -> bytes:
    files = {
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}">'
        + ('<workbookPr date1904="1"/>' if in_1904 else "")
        + '<sheets><sheet name="结算" sheetId="1" r:id="rId7"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId7" Type="x" Target="/xl/worksheets/data.xml"/></Relationships>',
        "xl/sharedStrings.xml": f'<sst xmlns="{MAIN}"><si><t>结算ID</t></si><si><t>服务日期</t></si>'
        "<si><t>医疗费总额</t></si><si><r><t>S</t></r><r><t>Y1</t></r><rPh><t>ignored</t></rPh></si></sst>",
        "xl/styles.xml": f'<styleSheet xmlns="{MAIN}"><numFmts><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
        '<numFmt numFmtId="165" formatCode="#,##0.00"/></numFmts>'
        '<cellXfs><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="14"/><xf numFmtId="165"/></cellXfs></styleSheet>',
        "xl/worksheets/data.xml": f'<worksheet xmlns="{MAIN}"><sheetData>{sheet_rows}</sheetData></worksheet>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return out.getvalue()


ROWS = (
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>'
    # 45778 days after 1899-12-30 is 2025-05-01; 1.2E+3 is 1200; a blank B cell left out
    '<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" s="1"><v>45778</v></c><c r="C2" s="3"><v>1.2E+3</v></c></row>'
    '<row r="4"><c r="A4" t="inlineStr"><is><t>SY2</t></is></c><c r="C4"><v>212.5</v></c>'
    '<c r="D4" t="b"><v>1</v></c></row>'
    '<row r="5"><c r="B5" s="2"><v>45778.75</v></c></row>'  # a day with a time: the day
)


def test_a_sheet_reads_as_the_text_people_typed():
    rows = list(xlsx.sheet_rows(book(ROWS), "b.xlsx"))
    assert rows == [
        (1, ["结算ID", "服务日期", "医疗费总额"]),
        (2, ["SY1", "2025-05-01", "1200"]),  # rich text joined, the phonetic guide left out
        (4, ["SY2", None, "212.5", "TRUE"]),  # row 3 holds nothing: left out; the spreadsheet's row numbers kept
        (5, [None, "2025-05-01"]),
    ]


def test_the_1904_day_count():
    # 44316 days after 1904-01-01 is 2025-05-01 (the 1900 count's 45778 less 1462)
    rows = list(xlsx.sheet_rows(book('<row r="1"><c r="A1" s="1"><v>44316</v></c></row>', in_1904=True), "b.xlsx"))
    assert rows == [(1, ["2025-05-01"])]


def test_a_file_that_is_not_a_workbook_is_refused_by_name():
    with pytest.raises(LedgerError, match=r"^x.xlsx: not an .xlsx workbook the ledger can read"):
        list(xlsx.sheet_rows(xlsx.MAGIC + b"not a zip", "x.xlsx"))
    assert xlsx.is_xlsx(book(ROWS)) and not xlsx.is_xlsx(b"setl_id,psn_no\n")
