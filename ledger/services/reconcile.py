"""对账: the national platform's settlement records beside the ledger's own adjudication of
them, field by field, writing nothing (docs/national-records.md).

The records are adjudicated as `claim post` would post them, in file order, inside one
transaction that is rolled back at the end: each claim meets the deductible and the caps the
claims before it in the file (and in the books) left, exactly as posting them would. A record
whose `setl_id` is already posted is compared with what was posted.

    reconcile(uow, operator, rows) -> Iterator[Reconciled]   one per record, in input order
"""

from collections.abc import Iterable, Iterator
from typing import NamedTuple

from ..errors import LedgerError
from ..rules.national import COMPARED, Record, level_given, platform_figure
from ..uow import UnitOfWork
from .claims import CHUNK, post_claims
from .national import policy_maps, read_row, resolve

AGREES, DIFFERS, REJECTED, REFUND = "agrees", "differs", "rejected", "refund"


class Difference(NamedTuple):
    field: str  # the platform's field name
    platform: int  # fen
    ledger: int  # fen

    @property
    def difference(self) -> int:
        """The ledger's figure less the platform's, fen."""
        return self.ledger - self.platform


class Reconciled(NamedTuple):
    line: int
    setl_id: str | None
    status: (
        str  # agrees, differs, rejected (the ledger would not post it, or a figure unreadable), refund (not compared)
    )
    differences: tuple[Difference, ...] = ()
    error: str | None = None
    # the deductible level the record gives and the registry's for its institution that
    # day, where the two differ (docs/institutions.md)
    level: tuple[str, str] | None = None


class _Rehearsal(UnitOfWork):
    """One transaction for the whole run, never committed: the claim service's `with uow:`
    and `commit()` per chunk only flush, and `discard()` rolls everything back."""

    def __init__(self, engine):
        super().__init__(engine)
        self.session = None

    def __enter__(self) -> "_Rehearsal":
        if self.session is None:
            self.session = self._factory()
        return self

    def __exit__(self, kind, *_) -> None:
        if kind is not None:  # a chunk failed part-way: nothing after it can be trusted
            self.discard()

    def commit(self) -> None:
        self.session.flush()

    def discard(self) -> None:
        if self.session is not None:
            self.session.rollback()
            self.session.close()
            self.session = None


def reconcile(
    uow: UnitOfWork, operator: str, rows: Iterable[tuple[int, object]], institution: str | None = None
) -> Iterator[Reconciled]:
    """`institution`: as `post_records`'s, the code of the records' institution where they name none."""
    maps = policy_maps(uow)
    read = resolve(uow, [(line, read_row(line, raw, maps), raw) for line, raw in rows], institution=institution)
    # the records themselves: posted as `claim post` posts them, their other funds too
    claims = [(line, r) for line, r, _ in read if isinstance(r, Record) and not r.refund]
    rehearsal = _Rehearsal(uow.engine)
    try:
        results = post_claims(rehearsal, operator, claims, CHUNK)
        for line, r, raw in read:
            if isinstance(r, LedgerError):
                yield Reconciled(line, _setl_id(raw), REJECTED, error=str(r))
            elif r.refund:
                yield Reconciled(line, r.claim["setl_id"], REFUND)
            else:
                yield _compare(line, r, next(results))
    finally:
        rehearsal.discard()


def _compare(line: int, record: Record, result) -> Reconciled:
    if result.status == "rejected":
        return Reconciled(line, result.setl_id, REJECTED, error="; ".join(result.errors))
    differences = []
    for ours, theirs in COMPARED:
        try:
            platform = platform_figure(record, theirs)
        except LedgerError as e:
            return Reconciled(line, result.setl_id, REJECTED, error=str(e))
        ours_figure = result[ours]
        if platform is None or ours_figure is None:  # the record does not say (or no account): nothing to compare
            continue
        ledger = ours_figure.fen
        if ledger != platform:
            differences.append(Difference(theirs, platform, ledger))
    level = _level(record)
    return Reconciled(
        line, result.setl_id, DIFFERS if differences or level else AGREES, tuple(differences), None, level
    )


def _level(record: Record) -> tuple[str, str] | None:
    """(the record's level, the registry's) where both are known and differ."""
    state, given = record.institution, level_given(record.view)
    if state is None or given is None or state.level is None or state.level == given:
        return None
    return given, state.level


def _setl_id(raw: object) -> str | None:
    v = raw.get("setl_id") if isinstance(raw, dict) else None
    return str(v).strip() if isinstance(v, (str, int)) and not isinstance(v, bool) else None
