"""A check run beside the others (`ledger verify` on PostgreSQL): the hash chains are walked
in Python, hashing row by row, while the other checks wait on the database; each alone
keeps one CPU busy. The chains' walk runs in a thread on a second connection that reads
the very snapshot of verify's own transaction (`pg_export_snapshot`, imported with
`SET TRANSACTION SNAPSHOT`), so both see the same books, as one transaction would."""

import re
import threading
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.orm import Session

T = TypeVar("T")
SNAPSHOT = re.compile(r"^[0-9A-F]+-[0-9A-F]+(-[0-9]+)?$")  # as pg_export_snapshot writes one


class Beside:
    """`work(session)` started in a thread on a session of its own over `s`'s snapshot.
    `result()` waits for it and returns what it returned, or raises what it raised. The
    caller keeps its transaction open until then: the snapshot lives as long as it does."""

    def __init__(self, s: Session, work: Callable[[Session], T]):
        snapshot = s.scalar(text("SELECT pg_export_snapshot()"))
        if not SNAPSHOT.match(snapshot or ""):
            raise ValueError(f"not a snapshot id: {snapshot!r}")
        self._engine = s.connection().engine
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(snapshot, work), daemon=True)
        self._thread.start()

    def _run(self, snapshot: str, work: Callable[[Session], T]) -> None:
        try:
            with self._engine.connect() as conn:
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
                with conn.begin():
                    # the first statement of the transaction, as PostgreSQL requires
                    conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
                    conn.exec_driver_sql("SET TRANSACTION READ ONLY")
                    with Session(bind=conn) as t:
                        self._value = work(t)
        except BaseException as e:  # noqa: BLE001 - handed to the caller by result()
            self._error = e

    def wait(self) -> None:
        self._thread.join()

    def result(self) -> T:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value
