"""Rows of the all-or-nothing imports (`person import`, `account credit-monthly --file`):
CSV or JSON lines, read whole and refused whole when the file itself is wrong."""

import csv
import io

from ..errors import LedgerError
from ..i18n import _
from . import headers, xlsx
from .claim_files import json_row
from .encodings import decode


def read_rows(
    file, columns: tuple[str, ...], required: tuple[str, ...], encoding: str | None = None, headings: dict | None = None
) -> list[tuple[int, dict]]:
    """(line number, row) pairs from CSV, JSON lines or an .xlsx workbook's first sheet,
    told apart by the first bytes. A text file is decoded as formats/encodings.py says
    (UTF-8 with or without a BOM, GB18030 if that is what it is, or `encoding`). A file that
    cannot be decoded, a header with unknown or missing columns (a Chinese heading is read as
    its field: formats/headers.py), a JSON array and a file with no rows are refused whole,
    before any row is looked at. `headings`: the Chinese headings of `columns`, where a table
    of formats/headers.py is to be read alone."""
    name = getattr(file, "name", "input")
    raw = file.read()
    if isinstance(raw, bytes) and xlsx.is_xlsx(raw):
        sheet = xlsx.sheet_rows(raw, name)
        first = next(sheet, None)
        rows = _table(name, columns, required, first[1] if first else [], ((n, c) for n, c in sheet), headings)
    else:
        text = raw if isinstance(raw, str) else decode(raw, name, encoding)
        first = text.lstrip()[:1]
        if first == "[":
            raise LedgerError(
                _("{name}: a JSON array is not read here; write JSON lines (one object per line) or CSV").format(
                    name=name
                )
            )
        rows = _json_lines(name, text) if first == "{" else _csv(name, columns, required, text, headings)
    if not rows:
        raise LedgerError(_("{name}: holds no rows").format(name=name))
    return rows


def _json_lines(name: str, text: str) -> list[tuple[int, dict]]:
    rows = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json_row(line)
        except ValueError as e:
            raise LedgerError(_("{name} line {n}: {e}").format(name=name, n=n, e=e)) from None
        if not isinstance(obj, dict):
            raise LedgerError(_("{name} line {n}: expected a JSON object").format(name=name, n=n))
        rows.append((n, obj))
    return rows


def _csv(name: str, columns, required, text: str, headings: dict | None = None) -> list[tuple[int, dict]]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])

    def cells():
        # Line numbers as a spreadsheet shows them: the header is line 1.
        try:
            for row in reader:
                yield reader.line_num, row
        except csv.Error as e:  # a cell over the csv module's limit
            raise LedgerError(
                _("{name} line {line_num}: not a CSV row ({e})").format(name=name, line_num=reader.line_num, e=e)
            ) from None

    return _table(name, columns, required, header, cells(), headings)


def _table(name: str, columns, required, header: list, cells, headings: dict | None = None) -> list[tuple[int, dict]]:
    """The rows under `header` as dicts: a blank cell is None, a row of blank cells none."""
    known = headings or headers.aliases_for(columns)
    header = [headers.field_of(h or "", known) for h in header]
    unknown = [c for c in header if c not in columns]
    missing = [c for c in required if c not in header]
    if unknown or missing:
        what = "; ".join(
            x
            for x in (
                unknown and _("unknown column(s) {repr}").format(repr=", ".join(map(repr, unknown))),
                missing and _("missing column(s) {missing}").format(missing=", ".join(missing)),
            )
            if x
        )
        raise LedgerError(
            _("{name} line 1: {what}; the columns are {columns}").format(
                name=name, what=what, columns=", ".join(columns)
            )
        )
    rows = []
    for line, row in cells:
        if not any(v not in (None, "") for v in row):
            continue
        if any(v not in (None, "") for v in row[len(header) :]):  # a value under no heading is not dropped
            raise LedgerError(
                _("{name} line {line}: {count} cells, beyond the {columns} columns of the header").format(
                    name=name, line=line, count=len(row), columns=len(header)
                )
            )
        values = {k: (v if v not in (None, "") else None) for k, v in zip(header, row, strict=False)}
        rows.append((line, {k: values.get(k) for k in header}))
    return rows
