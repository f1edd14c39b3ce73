"""One violation `ledger verify` found: the line a person reads, and what a script keys on.

A `Problem` is the line itself (a `str`, as the problems always were for the Python API)
carrying its `kind` (a stable code: docs/integrity.md lists them), the `table` the row is
in and the row's `id` (its key: a posting's id, a claim's setl_id, an account's psn_no).
`ledger verify --json` prints each as `{kind, table, id, message}`.
"""

from ..i18n import _


class Problem(str):
    kind: str
    table: str
    id: str | int | None

    def __new__(cls, kind: str, table: str, id: str | int | None, message: str) -> "Problem":
        p = super().__new__(cls, message)
        p.kind, p.table, p.id = kind, table, id
        return p

    def as_json(self) -> dict:
        return {"kind": self.kind, "table": self.table, "id": self.id, "message": str(self)}


def problem(kind: str, table: str, row: str | int | None, message: str, /, **fields) -> Problem:
    """A Problem whose line is `message`, said in the language in use, with `fields` in
    its {placeholders}. (The catalog keys `message`: scripts/catalog.py reads the fourth
    argument of `problem` as it reads `_()`.)"""
    return Problem(kind, table, row, _(message).format(**fields))
