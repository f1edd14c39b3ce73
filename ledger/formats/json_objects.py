"""JSON objects as the claim files are read: a key given twice is told (which value is meant
cannot be), and with exact numbers every number stays its text and a row keeps the text
it was read from (`Received`)."""

import json


class DuplicateKeys(dict):
    """An object in which a key appears twice: which value is meant cannot be told."""

    repeated: list[str]


class Received(dict):
    """A row read with exact numbers, with `text`: the row exactly as the file holds it, so
    a record can be kept as received without writing it again."""

    __slots__ = ("text",)


def received_text(row: dict) -> str | None:
    """The text a row was read from, or None (a CSV row, a nested object)."""
    return getattr(row, "text", None)


def _object(pairs: list[tuple[str, object]]) -> dict:
    d = dict(pairs)
    if len(d) == len(pairs):
        return d
    d = DuplicateKeys(d)
    seen: set[str] = set()
    d.repeated = [k for k, _ in pairs if k in seen or seen.add(k)]
    return d


DECODER = json.JSONDecoder(object_pairs_hook=_object)


def _received(pairs: list[tuple[str, object]]) -> dict:
    d = Received(pairs)
    return d if len(d) == len(pairs) else _object(pairs)


EXACT_DECODER = json.JSONDecoder(object_pairs_hook=_received, parse_float=str, parse_int=str)


def exact_json(text: str) -> object:
    """JSON with every number as its text ("3300.00"), never through a float."""
    return EXACT_DECODER.decode(text)
