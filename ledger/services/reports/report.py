"""The shape every report has: a title, columns, rows and a total."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Report:
    """A report's rows: each a dict in `columns` order, money as Yuan; `total` the same
    figures over every row (None where a total means nothing)."""

    title: str
    columns: tuple[str, ...]
    rows: list[dict]
    total: dict | None
    grouped: bool = True  # False: the one row is the total itself
