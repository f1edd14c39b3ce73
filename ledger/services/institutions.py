"""The designated-institution registry (定点医药机构; docs/institutions.md): importing and
adding dated states, reading them back, and fetching the states a chunk of platform records
needs (`registry`). Each write is one transaction; nothing is changed, only appended.

    import_institutions(uow, operator, rows, source) -> {"added", "unchanged"}   all or nothing
    add_institution(uow, operator, **fields) -> the institution, as show_institution
    show_institution(uow, code) -> {code, states: [...]}   every state, in the order written
    list_institutions(uow, on=None, kind=None, region=None) -> states in force on the day
    registry(session, records, file_code, cache) -> rules.placing.Registry
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from .. import clock
from ..db.models import Institution, utcnow
from ..db.retry import attempt, retried
from ..db.sql import one_of
from ..errors import LedgerError, NotFound
from ..i18n import _
from ..rules.institutions import State, read_institution, state_on
from ..rules.national import Record
from ..rules.placing import Registry
from ..uow import UnitOfWork
from .persons import ImportRejected  # noqa: F401 - the imports' refusal, named here for the CLI
from .records import audit

COLUMNS = State._fields


@dataclass(frozen=True)
class RowError:
    line: int
    code: str
    message: str

    def __str__(self) -> str:
        who = f" ({self.code})" if self.code else ""
        return _("line {line}{who}: {message}").format(line=self.line, who=who, message=self.message)


def import_institutions(
    uow: UnitOfWork, operator: str, rows: Iterable[tuple[int, dict]], source: str, begndate: date | None = None
) -> dict:
    """Add the states a list gives, all or nothing: every bad row is reported (line and
    message) and nothing is written unless every row is good. A state the registry already
    holds as the latest of its code and day is left as it is (a list imported again).
    `begndate`: the day the states of rows that give none begin (1201's rows give none)."""
    good: dict[tuple[str, date], tuple[int, State]] = {}
    errors: list[RowError] = []
    for line, row in rows:
        if begndate is not None and not row.get("begndate"):
            row = row | {"begndate": begndate.isoformat()}
        try:
            state = read_institution(row)
        except LedgerError as e:
            errors.append(RowError(line, str(row.get("fixmedins_code") or "").strip()[:30], str(e)))
            continue
        key = (state.fixmedins_code, state.begndate)
        if key in good and good[key][1] != state:
            errors.append(
                RowError(
                    line,
                    state.fixmedins_code,
                    _("begndate: {begndate} is given on line {seen} as well, with other values").format(
                        begndate=state.begndate, seen=good[key][0]
                    ),
                )
            )
            continue
        good[key] = (line, state)
    if errors:
        raise ImportRejected(errors)
    states = [s for _line, s in good.values()]

    def store() -> dict:
        with uow:
            added = _add(uow.session, operator, states, source)
            uow.commit()
        return {"added": added, "unchanged": len(states) - added}

    return attempt(store, "import_institutions")


@retried
def add_institution(uow: UnitOfWork, operator: str, **fields) -> dict:
    """Add one state of an institution (`ledger institution add`)."""
    state = read_institution({k: v for k, v in fields.items() if v is not None})
    with uow:
        _add(uow.session, operator, [state], "institution add")
        view = _view(uow.session, state.fixmedins_code)
        uow.commit()
    return view


def _add(s: Session, operator: str, states: list[State], source: str) -> int:
    """Append the states that are not already the latest of their code and day; how many."""
    held = _states(s, {st.fixmedins_code for st in states})
    latest = {}
    for code, rows in held.items():
        for st in rows:  # in the order written: the later of one day wins
            latest[(code, st.begndate)] = st
    new = [st for st in states if latest.get((st.fixmedins_code, st.begndate)) != st]
    if new:
        now = utcnow()
        s.execute(
            insert(Institution.__table__),
            [st._asdict() | {"operator": operator, "source": source[:200], "created_at": now} for st in new],
        )
        audit(s, operator=operator, action="institution.import", subject=None, source=source[:200], added=len(new))
    return len(new)


def _states(s: Session, codes: set[str]) -> dict[str, list[State]]:
    """Every state of `codes`, by code, in the order written."""
    if not codes:
        return {}
    t = Institution.__table__
    found: dict[str, list[State]] = {}
    for row in s.execute(
        select(*(t.c[c] for c in COLUMNS)).where(one_of(s, t.c.fixmedins_code, codes)).order_by(t.c.id)
    ):
        found.setdefault(row.fixmedins_code, []).append(State(*row))
    return found


def show_institution(uow: UnitOfWork, code: str) -> dict:
    with uow.read_only():
        return _view(uow.session, code.strip())


def _view(s: Session, code: str) -> dict:
    t = Institution.__table__
    rows = s.execute(select(t).where(t.c.fixmedins_code == code).order_by(t.c.id)).all()
    if not rows:
        raise NotFound(_("fixmedins_code: no institution {code} is in the registry").format(code=code))
    today = clock.today()
    now = state_on([State(*(r._mapping[c] for c in COLUMNS)) for r in rows], today)
    return {
        "fixmedins_code": code,
        "today": _state_view(now, today) if now is not None else None,
        "states": [{c: r._mapping[c] for c in (*COLUMNS[1:], "operator", "source", "created_at")} for r in rows],
    }


def _state_view(st: State, on: date) -> dict:
    return st._asdict() | {"level": st.level, "designated": st.designated_on(on), "on": on}


def list_institutions(
    uow: UnitOfWork, on: date | None = None, kind: str | None = None, region: str | None = None
) -> list[dict]:
    """The institutions with a state in force on `on` (today if not given), by code."""
    on = on or clock.today()
    t = Institution.__table__
    with uow.read_only():
        q = select(*(t.c[c] for c in COLUMNS)).where(t.c.begndate <= on).order_by(t.c.fixmedins_code, t.c.id)
        by_code: dict[str, list[State]] = {}
        for row in uow.session.execute(q):
            by_code.setdefault(row.fixmedins_code, []).append(State(*row))
    found = [_state_view(st, on) for states in by_code.values() if (st := state_on(states, on)) is not None]
    # by the state in force: an institution that has moved is listed where it is now
    prefix = (region or "").strip()
    return [
        v
        for v in found
        if (kind is None or v["fixmedins_type"] == kind) and (not prefix or (v["region"] or "").startswith(prefix))
    ]


def registry(s: Session, records: Iterable[Record], file_code: str | None, cache: dict) -> Registry:
    """The registry's states of the institutions `records` name (their codes, `file_code`,
    and every registered code that could begin a record's medins_setl_id), read once per run
    into `cache`."""
    if "lengths" not in cache:
        t = Institution.__table__
        cache["lengths"] = tuple(sorted(s.scalars(select(func.length(t.c.fixmedins_code)).distinct())))
        cache["states"] = {}
    lengths, held = cache["lengths"], cache["states"]
    wanted = {file_code} if file_code else set()
    for r in records:
        if r.fixmedins_code:
            wanted.add(r.fixmedins_code)
        elif not file_code and isinstance(setl := r.view.get("medins_setl_id"), str):
            wanted.update(setl[:n] for n in lengths if len(setl) > n)
    if unread := wanted - held.keys():
        found = _states(s, unread)
        held.update({c: found.get(c, []) for c in unread})
    return Registry({c: held[c] for c in wanted if held[c]}, lengths)
