"""How `ledger claim post` reads its FILE: here, or ahead in a second process while the
first posts (formats/read_ahead.py)."""

import os
from contextlib import contextmanager

from ..errors import ValidationError
from ..formats import read_ahead, xlsx
from ..formats.claim_files import CountingReader, read_claims, text_of, xlsx_claims
from ..i18n import _
from ..rules import ahead as ahead_rows

# Below this size (a few thousand claims) a reader process would save less than it costs.
READ_AHEAD_BYTES = 1 << 20


def _read_ahead(size: int | None) -> bool:
    """Whether to read in a second process: LEDGER_READ_AHEAD=1 always, =0 never (one CPU,
    say); unset, for a file of READ_AHEAD_BYTES or more and for standard input."""
    wanted = os.environ.get("LEDGER_READ_AHEAD", "").strip()
    if wanted == "0" or not read_ahead.available():
        return False
    return wanted == "1" or size is None or size >= READ_AHEAD_BYTES


@contextmanager
def reading(counting: CountingReader, file: str, national: bool, size: int | None, encoding: str | None = None):
    """The file's (line, row)s and what tells how far reading has come (`.bytes`): a long
    file (or standard input) is read and its rows parsed in a second process while this one
    posts (formats/read_ahead.py); a short one here."""

    def read():
        return read_claims(text_of(counting, encoding), file, exact_numbers=national)

    if file != "-" and xlsx.is_xlsx(counting.raw.peek(4)[:4] if hasattr(counting.raw, "peek") else b""):
        # A workbook is read whole (a sheet holds at most a million rows), here.
        if national:
            raise ValidationError("FILE", _("the platform's records are read from JSON or CSV, not from .xlsx"))
        raw = counting.read()
        yield xlsx_claims(raw, file), counting
        return
    if not _read_ahead(size):
        yield read(), counting
        return
    ahead = ahead_rows.record_ahead if national else ahead_rows.claim_ahead
    reader = read_ahead.ReadAhead(
        lambda: ((line, ahead(row)) for line, row in read()), batch=256, progress=lambda: counting.bytes
    )
    try:
        yield iter(reader), reader
    finally:  # the run may stop before the end of the file: the reader stops with it
        reader.close()
