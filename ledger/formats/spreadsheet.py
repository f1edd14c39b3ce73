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
    ws.append([report.title])
    ws["A1"].font = Font(bold=True)
    ws.append(list(report.columns))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    source = list(report.rows) + ([report.total] if len(lines) > len(report.rows) else [])
    for values, text in zip(source, lines, strict=True):
        row = []
        for column, shown in zip(report.columns, text, strict=True):
            v = values.get(column)
            row.append(Decimal(v.fen) / 100 if isinstance(v, Yuan) else v if isinstance(v, int) else shown)
        ws.append(row)
        for cell, column in zip(ws[ws.max_row], report.columns, strict=True):
            if isinstance(values.get(column), Yuan):
                cell.number_format = "0.00"
    wb.save(path)
