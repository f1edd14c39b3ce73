"""`ledger -v`: what a run did and how long it took, on stderr.

Each transaction the run commits is said as it commits (its statements and their time in
the database), the ledger's notes at INFO (a retry is a warning, said with or without -v),
and at the end the whole run: wall time, transactions, statements, time in the database.
Nothing of it reaches standard output, so `-v` never changes what a script reads."""

import logging
import time
from dataclasses import dataclass, field

import click

from ..i18n import _


@dataclass
class Timings:
    started: float = field(default_factory=time.perf_counter)
    statements: int = 0
    in_database: float = 0.0
    transactions: int = 0
    # since the last commit
    pending_statements: int = 0
    pending_seconds: float = 0.0


def note(message: str) -> None:
    click.echo("· " + message, err=True)


def watch(engine, t: Timings) -> None:
    """Count `engine`'s statements and their time, and say each commit."""
    from sqlalchemy import event

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):
        conn.info["ledger_started"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):
        took = time.perf_counter() - conn.info.pop("ledger_started", time.perf_counter())
        t.statements += 1
        t.in_database += took
        t.pending_statements += 1
        t.pending_seconds += took

    @event.listens_for(engine, "commit")
    def _commit(conn):
        t.transactions += 1
        note(
            _("transaction {n} committed: {statements} statements, {ms} ms in the database").format(
                n=t.transactions, statements=t.pending_statements, ms=f"{t.pending_seconds * 1000:.1f}"
            )
        )
        t.pending_statements, t.pending_seconds = 0, 0.0

    @event.listens_for(engine, "rollback")
    def _rollback(conn):
        t.pending_statements, t.pending_seconds = 0, 0.0


def summary(t: Timings) -> str:
    return _(
        "done in {seconds} s: {transactions} transactions committed, {statements} statements, {db} s in the database"
    ).format(
        seconds=f"{time.perf_counter() - t.started:.3f}",
        transactions=t.transactions,
        statements=t.statements,
        db=f"{t.in_database:.3f}",
    )


class Notes(logging.Handler):
    """The ledger's INFO notes under -v."""

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno < logging.WARNING:
            note(record.getMessage())
