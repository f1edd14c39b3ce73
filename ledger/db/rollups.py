"""Keeping the reports' running sums (models/rollups.py) in the transaction that posts or
reverses a claim: one upsert statement per table and chunk, rows in key order, after the
counters and accounts are locked, so writers meet these rows in one global order.

A claim row here is anything with the claims table's attributes (the writer's ClaimRow, a
ClaimRecord); a patient is (region, insutype, psn_type)."""

from collections import defaultdict
from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from .models import ClaimPerson, ClaimRecord, ClaimReversal
from .models.rollups import ALL_CLAIMS, BY_KIND, PEOPLE_KEY, TOTAL_FIGURES, TOTAL_KEY

# On PostgreSQL the slot is the connection's (models/rollups.py); SQLite has one writer.
SLOT = {"postgresql": "mod(pg_backend_pid(), 8)", "sqlite": "0"}


def kind(c) -> tuple[str, str, str]:
    """A claim's kind as the rollups key it: medical type, level, institution ('' for none)."""
    return c.med_type, c.hosp_lv or "", c.fixmedins_code or ""


def add_claims(s: Session, claims: list, patients: dict[str, tuple[str, str, str]], sign: int = 1) -> None:
    """Add the claims (sign 1) to their rows of claim_totals, or take them off (-1), and on
    posting set their months in claim_people."""
    totals: dict[tuple, list[int]] = defaultdict(lambda: [0] * (1 + len(TOTAL_FIGURES)))
    months: dict[tuple, int] = defaultdict(int)
    for c in claims:
        patient = tuple(patients[c.psn_no])
        row = totals[(c.service_date, *kind(c), *patient)]
        row[0] += sign
        for n, f in enumerate(TOTAL_FIGURES, 1):
            row[n] += sign * getattr(c, f)
        bit = 1 << (c.service_date.month - 1)
        year = c.service_date.year
        months[(c.psn_no, year, ALL_CLAIMS, "", "", "", *patient)] |= bit
        months[(c.psn_no, year, BY_KIND, *kind(c), *patient)] |= bit
    _upsert_totals(s, totals)
    if sign > 0:
        _upsert_people(s, months)


def _upsert_totals(s: Session, totals: dict[tuple, list[int]]) -> None:
    if not totals:
        return
    dialect = s.get_bind().dialect
    m = _marker(dialect)
    columns = (*TOTAL_KEY, "claims", *TOTAL_FIGURES)
    values = [m] * (len(TOTAL_KEY) - 1) + [SLOT[dialect.name]] + [m] * (1 + len(TOTAL_FIGURES))
    added = ", ".join(f"{f} = claim_totals.{f} + excluded.{f}" for f in ("claims", *TOTAL_FIGURES))
    sql = (
        f"INSERT INTO claim_totals ({', '.join(columns)}) VALUES ({', '.join(values)})"
        f" ON CONFLICT ({', '.join(TOTAL_KEY)}) DO UPDATE SET {added}"
    )
    rows = [(_day(k[0], dialect), *k[1:], *v) for k, v in sorted(totals.items())]
    s.connection().exec_driver_sql(sql, rows)


def _upsert_people(s: Session, months: dict[tuple, int]) -> None:
    if not months:
        return
    m = _marker(s.get_bind().dialect)
    columns = (*PEOPLE_KEY, "region", "insutype", "psn_type", "months")
    sql = (
        f"INSERT INTO claim_people ({', '.join(columns)}) VALUES ({', '.join([m] * len(columns))})"
        f" ON CONFLICT ({', '.join(PEOPLE_KEY)}) DO UPDATE SET months = claim_people.months | excluded.months"
    )
    s.connection().exec_driver_sql(sql, [(*k, v) for k, v in sorted(months.items())])


def remove_claim(s: Session, r: ClaimRecord, patient: tuple[str, str, str]) -> None:
    """A claim being reversed: its sums taken off claim_totals, and its month's bit in
    claim_people worked out again from the person's other unreversed claims of that month.
    The two claim_people rows are locked first, so a claim of the same person posted at the
    same moment either waits for this reversal or is seen by it."""
    year, bit = r.service_date.year, 1 << (r.service_date.month - 1)
    keys = [(r.psn_no, year, ALL_CLAIMS, "", "", ""), (r.psn_no, year, BY_KIND, *kind(r))]
    t = ClaimPerson.__table__
    for k in keys:
        s.execute(select(t.c.months).where(*_key_is(t, k)).with_for_update()).all()
    first = date(year, r.service_date.month, 1)
    last = date(year + (first.month == 12), first.month % 12 + 1, 1)
    c, v = ClaimRecord, ClaimReversal
    others = s.execute(
        select(c.med_type, c.hosp_lv, c.fixmedins_code).where(
            c.psn_no == r.psn_no,
            c.service_date >= first,
            c.service_date < last,
            c.id != r.id,
            ~exists().where(v.claim_id == c.id),
        )
    ).all()
    still = {ALL_CLAIMS: bool(others), BY_KIND: any(kind(o) == kind(r) for o in others)}
    for k in keys:
        if not still[k[2]]:
            s.execute(t.update().where(*_key_is(t, k)).values(months=t.c.months.op("&")(4095 - bit)))
    add_claims(s, [r], {r.psn_no: patient}, sign=-1)


def _key_is(t, key: tuple) -> list:
    return [t.c[name] == value for name, value in zip(PEOPLE_KEY, key, strict=True)]


def _marker(dialect) -> str:
    return "?" if dialect.paramstyle == "qmark" else "%s"


def _day(d: date, dialect):
    return d.isoformat() if dialect.name == "sqlite" else d
