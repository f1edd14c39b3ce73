"""Bounded retries of a whole transaction when the database says another writer got in
the way.

Every write service runs as one transaction, validated before it writes, so a failed
attempt leaves nothing behind and running the service again from the top sees the world as
the other writer left it: a retry can never apply an effect twice. What counts as "another
writer got in the way":

- PostgreSQL 40001 (serialization failure) and 40P01 (deadlock detected). The services take
  their locks in one global order (see `ledger/db/engine.py`), so deadlocks should not
  happen; if one ever does, the victim is retried rather than failed.
- A unique violation that reached us raw: two writers inserted the same key (the same
  `setl_id`, the same month's credit, a counter for the same person, year and bucket). The
  services turn the violations they expect into clear Conflict errors; one that escapes is
  a race, and the retry sees the winner's row and answers as if it had come second.
- SQLite's "database is locked" once the busy timeout has run out.

Attempts back off exponentially with full jitter, so two writers that collided once do not
collide again in step. Each retry is logged as a warning (the CLI says it on stderr).
"""

import functools
import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError

from ..i18n import _

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
BASE_DELAY = 0.02  # seconds; attempt n waits up to BASE_DELAY * 2**n
T = TypeVar("T")


def retryable(e: DBAPIError) -> bool:
    code = getattr(e.orig, "sqlstate", None)
    if code in ("40001", "40P01"):
        return True
    if isinstance(e, IntegrityError):
        return code == "23505" or "UNIQUE constraint failed" in str(e.orig)
    return "database is locked" in str(e.orig)


def attempt(work: Callable[[], T], what: str, attempts: int = MAX_ATTEMPTS) -> T:
    """Run `work` (a whole transaction) and return its result, retrying it on a
    transient conflict; the last failure is raised as it is."""
    for n in range(1, attempts + 1):
        try:
            return work()
        except DBAPIError as e:
            if n == attempts or not retryable(e):
                raise
            first = str(e.orig).splitlines()[0] if str(e.orig) else type(e.orig).__name__
            log.warning(
                _("{what} retried (attempt {n} of {attempts}): {error}").format(
                    what=what, n=n, attempts=attempts, error=first
                )
            )
            time.sleep(random.uniform(0, BASE_DELAY * 2**n))
    raise AssertionError("unreachable")


def retried(service: Callable[..., T]) -> Callable[..., T]:
    """Decorate a write service whose every call is one transaction."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs) -> T:
        return attempt(lambda: service(*args, **kwargs), service.__qualname__)

    return wrapper
