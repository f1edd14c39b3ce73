"""JSON objects as the claim files are read: a key given twice is told (which value is meant
cannot be), and with exact numbers every number stays its text and a row keeps the text
it was read from (`Received`)."""

import json
from collections.abc import Iterator, Mapping


class DuplicateKeys(dict):
    """An object in which a key appears twice: which value is meant cannot be told."""

    repeated: list[str]


class Received(dict):
    """A row read with exact numbers, with `text`: the row exactly as the file holds it, so
    a record can be kept as received without writing it again."""

    __slots__ = ("text",)

    def __reduce__(self):
        # Sent to another process (formats/read_ahead.py), a row travels as its text alone:
        # the text is what is kept of it, and a field is rarely read again after posting.
        # (An object nested in a row has no text of its own: it travels inside its row's.)
        text = getattr(self, "text", None)
        return (ReceivedText, (text,)) if text is not None else (Received, (dict(self),))


class ReceivedText(Mapping):
    """A `Received` row that came from another process as its text: the same row, its
    fields decoded again from that text (exactly, as the first time) only when one is read."""

    __slots__ = ("text", "_fields")

    def __init__(self, text: str):
        self.text = text
        self._fields: dict | None = None

    def _open(self) -> dict:
        if self._fields is None:
            self._fields = exact_json(self.text)
        return self._fields

    def __getitem__(self, key: str) -> object:
        return self._open()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._open())

    def __len__(self) -> int:
        return len(self._open())

    def __reduce__(self):
        return (ReceivedText, (self.text,))


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
