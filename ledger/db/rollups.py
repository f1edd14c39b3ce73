"""Keeping the reports' running sums (models/rollups.py) in the transaction that posts or
reverses a claim: one upsert statement per table and chunk, rows in key order, after the
counters and accounts are locked, so writers meet these rows in one global order.

A claim row here is anything with the claims table's attributes (the writer's ClaimRow, a
ClaimRecord); a patient is (region, insutype, psn_type)."""

from collections import defaultdict
from datetime import date
from typing import NamedTuple

from sqlalchemy import exists, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from .models import ClaimPerson, ClaimRecord, ClaimReversal, ClaimTotal
from .models.rollups import MONTHS, PEOPLE_KEY, SCOPES, TOTAL_FIGURES, TOTAL_KEY

# On PostgreSQL the slot is the connection's (models/rollups.py); SQLite has one writer.
PATIENT = ("region", "insutype", "psn_type")
SLOT = {"postgresql": "mod(pg_backend_pid(), 8)", "sqlite": "0"}


def kind(c) -> tuple[str, str, str]:
    """A claim's kind as the rollups key it: medical type, level, institution ('' for none)."""
    return c.med_type, c.hosp_lv or "", c.fixmedins_code or ""


def add_claims(s: Session, claims: list, patients: dict[str, tuple[str, str, str]], sign: int = 1) -> None:
    """Add the claims (sign 1) to their rows of claim_totals, or take them off (-1), and on
    posting set their days in claim_people."""
    totals: dict[tuple, list[int]] = defaultdict(lambda: [0] * (1 + len(TOTAL_FIGURES)))
    days: dict[tuple, list[int]] = defaultdict(lambda: [0] * 12)
    for c in claims:
        patient = tuple(patients[c.psn_no])
        row = totals[(c.service_date, *kind(c), *patient)]
        row[0] += sign
        for n, f in enumerate(TOTAL_FIGURES, 1):
            row[n] += sign * getattr(c, f)
        d = c.service_date
        for key in people_keys(c):
            days[(*key, *patient)][d.month - 1] |= 1 << (d.day - 1)
    # claim_people before claim_totals, as a reversal locks them (remove_claim), so two
    # writers cannot each hold a row the other waits for.
    if sign > 0:
        people = ClaimPerson.__table__
        _upsert(s, people, PEOPLE_KEY, (*PATIENT, *MONTHS), sorted(days.items()), dict.fromkeys(MONTHS, "|"))
    names = ("claims", *TOTAL_FIGURES)
    _upsert(s, ClaimTotal.__table__, TOTAL_KEY, names, sorted(totals.items()), {f: "+" for f in names})


def people_keys(c) -> list[tuple]:
    """The claim_people keys a claim sets its day in: one for each scope."""
    med, level, institution = kind(c)
    psn, year = c.psn_no, c.service_date.year
    return [
        (psn, year, scope, med if m else "", level if lv else "", institution if i else "")
        for scope, (m, lv, i) in _KEPT
    ]


# Each scope as three flags: does it keep the medical type, the level, the institution?
_KEPT = tuple(
    (scope, tuple(k in kept for k in ("med_type", "hosp_lv", "fixmedins_code"))) for scope, kept in SCOPES.items()
)


def _upsert(s: Session, t, key: tuple, figures: tuple, rows: list, how: dict[str, str]) -> None:
    """INSERT rows (key tuple, values) ON CONFLICT of the key: each column of `how` set to
    the stored value `+` or `|` the new one, the others left. claim_totals' slot is not in
    the rows: SLOT gives it. PostgreSQL takes the rows as one array a column (unnest), in
    the order given; SQLite row by row."""
    if not rows:
        return
    dialect = s.get_bind().dialect
    columns = (*key, *figures)
    given = [c for c in columns if c != "slot"]
    # SQLite is given a day as its ISO text; only the key's date columns need it (a chunk
    # has thousands of rows, so the others are passed as they are)
    dates = [n for n, x in enumerate(rows[0][0]) if isinstance(x, date)] if dialect.name == "sqlite" else []
    data = [(*_isodays(k, dates), *v) for k, v in rows] if dates else [(*k, *v) for k, v in rows]
    sets = ", ".join(f"{c} = {t.name}.{c} {how[c]} excluded.{c}" for c in how)
    conflict = f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sets}"
    if dialect.name == "postgresql":
        arrays = ", ".join(f"%(a{n})s::{_pg_type(t.c[c])}[]" for n, c in enumerate(given))
        picked = ", ".join(SLOT["postgresql"] if c == "slot" else f"u.{c}" for c in columns)
        sql = (
            f"INSERT INTO {t.name} ({', '.join(columns)}) SELECT {picked} FROM unnest({arrays}) AS u({', '.join(given)})"
            + conflict
        )
        s.connection().exec_driver_sql(sql, {f"a{n}": list(col) for n, col in enumerate(zip(*data, strict=True))})
        return
    values = ", ".join(SLOT["sqlite"] if c == "slot" else "?" for c in columns)
    s.connection().exec_driver_sql(f"INSERT INTO {t.name} ({', '.join(columns)}) VALUES ({values})" + conflict, data)


def remove_claim(s: Session, r: ClaimRecord, patient: tuple[str, str, str]) -> None:
    """A claim being reversed: its sums taken off claim_totals, and its day's bit in
    claim_people worked out again from the person's other unreversed claims of that day.
    Its claim_people rows are locked first, so a claim of the same person posted at the
    same moment either waits for this reversal or is seen by it."""
    t = ClaimPerson.__table__
    keys = people_keys(r)
    # The person's rows of that year, in key order as posting meets them: one statement.
    year = t.c.year == r.service_date.year
    s.execute(select(t.c.psn_no).where(t.c.psn_no == r.psn_no, year).order_by(*t.primary_key).with_for_update()).all()
    c, v = ClaimRecord, ClaimReversal
    others = s.execute(
        select(c.med_type, c.hosp_lv, c.fixmedins_code).where(
            c.psn_no == r.psn_no, c.service_date == r.service_date, c.id != r.id, ~exists().where(v.claim_id == c.id)
        )
    ).all()
    still = {tuple(k) for o in others for k in people_keys(_Kind(r.psn_no, r.service_date, *o))}
    month, bit = MONTHS[r.service_date.month - 1], 1 << (r.service_date.day - 1)
    for k in keys:
        if k not in still:
            s.execute(t.update().where(*_key_is(t, k)).values({month: t.c[month].op("&")(~bit & 0x7FFFFFFF)}))
    add_claims(s, [r], {r.psn_no: patient}, sign=-1)


class _Kind(NamedTuple):
    psn_no: str
    service_date: date
    med_type: str
    hosp_lv: str | None
    fixmedins_code: str | None


def _pg_type(column) -> str:
    return {"DATE": "date", "BIGINT": "bigint", "INTEGER": "integer", "SMALLINT": "smallint"}.get(
        str(column.type.compile(dialect=postgresql.dialect())), "text"
    )


def _key_is(t, key: tuple) -> list:
    return [t.c[name] == value for name, value in zip(PEOPLE_KEY, key, strict=True)]


def _isodays(key: tuple, dates: list[int]) -> list:
    key = list(key)
    for n in dates:
        key[n] = key[n].isoformat()
    return key
