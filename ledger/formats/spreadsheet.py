"""A report as an .xlsx workbook (openpyxl): one sheet, the title, the header, the rows and
the total. Money goes in as exact decimals with two places shown; counts as integers; text
as text. (A spreadsheet holds numbers as binary floats, exact to the fen far beyond any
amount the ledger accepts.)"""

from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from ..rules.money import Yuan


def write(report, path: str, lines: list[list[str]]) -> None:
    """`lines`: the rows as the CSV writes them (total row included); money cells are read
    back from the report's Yuan, never from text."""
    wb = Workbook()
    ws = wb.active
    ws.title = "report"
    _append(ws, [report.title])[0].font = Font(bold=True)
    for cell in _append(ws, list(report.columns)):
        cell.font = Font(bold=True)
    source = list(report.rows) + ([report.total] if len(lines) > len(report.rows) else [])
    for values, text in zip(source, lines, strict=True):
        row = []
        for column, shown in zip(report.columns, text, strict=True):
            v = values.get(column)
            row.append(Decimal(v.fen) / 100 if isinstance(v, Yuan) else v if isinstance(v, int) else shown)
        for cell, column in zip(_append(ws, row), report.columns, strict=True):
            if isinstance(values.get(column), Yuan):
                cell.number_format = "0.00"
    wb.save(path)


def _append(ws, values: list) -> tuple:
    """`values` as the sheet's next row, its cells; every string a text cell, as it is.
    openpyxl makes a formula of a string that begins with `=` (a name `=1+2` would be run
    when the clerk opens the file): its type is set back to text, which no spreadsheet
    evaluates, so the text needs no apostrophe here, unlike in CSV."""
    ws.append(values)
    row = ws[ws.max_row]
    for cell in row:
        if isinstance(cell.value, str):
            cell.data_type = "s"
    return row
