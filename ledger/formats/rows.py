"""Rows of the all-or-nothing imports (`person import`, `account credit-monthly --file`):
CSV or JSON lines, read whole and refused whole when the file itself is wrong."""

import csv
import io

from ..errors import LedgerError
from .claim_files import json_row
from .encodings import decode


def read_rows(
    file, columns: tuple[str, ...], required: tuple[str, ...], encoding: str | None = None
) -> list[tuple[int, dict]]:
    """(line number, row) pairs from CSV or JSON lines, told apart by the first character.
    `file` is read as bytes and decoded as formats/encodings.py says (UTF-8 with or without
    a BOM, GB18030 if that is what it is, or `encoding`). A file that cannot be decoded, a
    CSV header with unknown or missing columns, a JSON array and a file with no rows are
    refused whole, before any row is looked at."""
    name = getattr(file, "name", "input")
    raw = file.read()
    text = raw if isinstance(raw, str) else decode(raw, name, encoding)
    first = text.lstrip()[:1]
    if first == "[":
        raise LedgerError(f"{name}: a JSON array is not read here; write JSON lines (one object per line) or CSV")
    rows = []
    if first == "{":
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json_row(line)
            except ValueError as e:
                raise LedgerError(f"{name} line {n}: {e}") from None
            if not isinstance(obj, dict):
                raise LedgerError(f"{name} line {n}: expected a JSON object")
            rows.append((n, obj))
    else:
        reader = csv.DictReader(io.StringIO(text))
        header = reader.fieldnames or []
        unknown = [c for c in header if c not in columns]
        missing = [c for c in required if c not in header]
        if unknown or missing:
            what = "; ".join(
                x
                for x in (
                    unknown and f"unknown column(s) {', '.join(map(repr, unknown))}",
                    missing and f"missing column(s) {', '.join(missing)}",
                )
                if x
            )
            raise LedgerError(f"{name} line 1: {what}; the columns are {', '.join(columns)}")
        # Line numbers as a spreadsheet shows them: the header is line 1.
        try:
            rows = [
                (reader.line_num, {k: (v if v != "" else None) for k, v in row.items() if k is not None})
                for row in reader
            ]
        except csv.Error as e:  # a cell over the csv module's limit
            raise LedgerError(f"{name} line {reader.reader.line_num}: not a CSV row ({e})") from None
    if not rows:
        raise LedgerError(f"{name}: holds no rows")
    return rows
