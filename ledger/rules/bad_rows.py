"""Rows a file reader could not read: what `claim post` reports for them."""


class BadRow:
    """A row a file reader could not turn into an object (broken JSON, a CSV row with the
    wrong number of cells): posting reports it as rejected with this message."""

    def __init__(self, message: str):
        self.message = message


class Unread(BadRow):
    """Where a reader had to stop: nothing after this row's line was read, so the run
    is incomplete and must say so (the rest of the file is not lost silently)."""
