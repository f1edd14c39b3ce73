"""`report funds`: what the unreversed claims of a period paid, by the groups asked for,
read from the running sums the posting transaction keeps (db/rollups.py), not from every
claim: the money and 人次 from claim_totals (a row per day and kind), the people from
claim_people (a person's months with a claim) and, for the days of a month the period
only partly covers, from those days' claims themselves. A person is counted once in a
group however many claims or months they had in it."""

from datetime import date, timedelta

from sqlalchemy import Integer, case, cast, func, literal, or_, select

from ...db.models import ClaimPerson, ClaimTotal, Person
from ...db.models.rollups import SCOPES
from ...db.sql import report_settings, sum_fen
from ...errors import ValidationError
from ...i18n import _
from ...rules.codes import EMPLOYEE, RETIRED_TYPES
from ...rules.money import Yuan
from ...uow import UnitOfWork
from .report import Report

# What `report funds` can group by. The first three are the claim's kind; the others the patient's.
GROUPS = ("month", "med_type", "level", "institution", "region", "insutype", "status")
KIND_GROUPS = ("med_type", "level", "institution")
KIND_COLUMNS = {"med_type": "med_type", "level": "hosp_lv", "institution": "fixmedins_code"}
FUND_FIGURES = (
    "medfee_sumamt", "fund_pay_sumamt", "hifp_pay", "hifmi_pay", "hifob_pay", "other_funds_pay", "acct_pay",
    "wallet_pay", "acct_mulaid_pay", "psn_cash_pay",
)  # fmt: skip


def check_groups(by: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [g for g in by if g not in GROUPS]
    if unknown:
        raise ValidationError(
            "by",
            _("{unknown}: not a grouping; use any of {groups}").format(
                unknown=", ".join(unknown), groups=", ".join(GROUPS)
            ),
        )
    return tuple(dict.fromkeys(by))


def status_of(insutype, psn_type):
    """在职 / 退休 / 居民: `in service`, `retired` or `resident`, from the scheme and person type."""
    return case((insutype != EMPLOYEE, "resident"), (psn_type.in_(RETIRED_TYPES), "retired"), else_="in service")


def status_column():
    return status_of(Person.insutype, Person.psn_type).label("status")


def month_of(day):
    """202503 for a day in March 2025 (shown as "2025-03")."""
    return cast(func.extract("year", day) * 100 + func.extract("month", day), Integer)


def _columns(t, name: str):
    """The column of grouping `name` in a table keyed as the rollups are (claims: NULL for '')."""
    if name == "status":
        return status_of(t.c.insutype, t.c.psn_type).label(name)
    column = KIND_COLUMNS.get(name, name)
    return t.c[column].label(name)


def funds(uow: UnitOfWork, start: date, end: date, region: str | None = None, by: tuple[str, ...] = ()) -> Report:
    """The claims of service dates start..end (both included), reversed ones left out: 人次
    (claims), people, and what the fee was and who paid it, by the groups asked for."""
    by = check_groups(by)
    with uow.read_only(replica=True):
        s = uow.session
        report_settings(s)
        rows = _sums(s, start, end, region, by)
        for key, n in _people(s, start, end, region, by).items():
            if key in rows:
                rows[key]["people"] = n
        total = None
        if by:
            total = _sums(s, start, end, region, ()).get(())
            if total is not None:
                total["people"] = _people(s, start, end, region, ()).get((), 0)
    out = [_shown(r) for _key, r in sorted(rows.items(), key=lambda kv: tuple((v is None, v) for v in kv[0]))]
    columns = (*by, "claims", "people", *FUND_FIGURES)
    title = _("funds, service dates {start} to {end}").format(start=start, end=end) + (
        f", region {region}" if region else ""
    )
    return Report(title, columns, out, _shown(total) if total else (out[0] if out and not by else None))


def _sums(s, start: date, end: date, region: str | None, by: tuple[str, ...]) -> dict[tuple, dict]:
    """group key -> the group's claims and sums, from claim_totals (its slots added up)."""
    t = ClaimTotal.__table__
    groups = [month_of(t.c.service_date).label("month") if g == "month" else _columns(t, g) for g in by]
    q = select(*groups, sum_fen(t.c.claims).label("claims"), *(sum_fen(t.c[f]).label(f) for f in FUND_FIGURES))
    q = q.where(t.c.service_date.between(start, end))
    if region:
        q = q.where(t.c.region.startswith(region))
    if groups:  # a group whose claims were all reversed is not shown; the one total always is
        q = q.group_by(*groups).having(func.sum(t.c.claims) != 0)
    found = {}
    for r in s.execute(q):
        d = dict(r._mapping)
        found[tuple(_key(g, d[g]) for g in by)] = d | {"people": 0}
    return found


def _key(group: str, value):
    if group in ("level", "institution"):
        return value or None
    return int(value) if group == "month" else value


# The claim_people scope that keeps exactly these kind groupings (db/models/rollups.py).
SCOPE_OF = {tuple(g for g in KIND_GROUPS if KIND_COLUMNS[g] in kept): scope for scope, kept in SCOPES.items()}


def _people(s, start: date, end: date, region: str | None, by: tuple[str, ...]) -> dict[tuple, int]:
    """group key -> how many people had an unreversed claim in the group in the period,
    from claim_people: a flag a row for each month, whether one of its days in the period
    has a claim, in the scope that keeps exactly the groups' kinds. Where the rows are one
    a person (a month asked for, or one year) the flags are summed as they are; over
    several years each person's rows are first made one."""
    p = ClaimPerson.__table__
    days = _days(start, end)
    years = sorted({y for y, _day in days})
    kinds = tuple(g for g in KIND_GROUPS if g in by)
    scope = SCOPE_OF[kinds]
    named = [g for g in by if g != "month"]
    flags = [_flag(p, k, {y: m for (y, month), m in days.items() if month == k}) for k in range(1, 13)]
    by_month = "month" in by
    if by_month:
        row_flags, wanted = [f.label(f"f{k}") for k, f in enumerate(flags, 1)], [f"f{k}" for k in range(1, 13)]
    else:  # one flag: a claim in any month of the period
        row_flags, wanted = [_any(flags).label("f0")], ["f0"]
    q = select(p.c.psn_no, *(_columns(p, g) for g in named), p.c.year, *row_flags)
    q = q.where(p.c.scope == scope, p.c.year.in_(years))
    if region:
        q = q.where(p.c.region.startswith(region))
    rows = q.subquery()
    kept = [rows.c[g] for g in named] + ([rows.c.year] if by_month else [])
    if not (by_month or len(years) == 1):  # a person's rows of several years made one
        rows = select(*kept, *(func.max(rows.c[f]).label(f) for f in wanted)).group_by(rows.c.psn_no, *kept).subquery()
        kept = [rows.c[g] for g in named] + ([rows.c.year] if by_month else [])
    q = select(*kept, *(sum_fen(rows.c[f]) for f in wanted)).group_by(*kept)
    found = {}
    for r in s.execute(q):
        values, counts = r[: len(named)], r[len(kept) :]
        year = r[len(named)] if by_month else None
        for k, n in enumerate(counts, 1):
            if n:
                found[_ordered(by, named, values, year * 100 + k if by_month else None)] = n
    return found


def _flag(p, month: int, masks: dict[int, int]):
    """1 where the row has a claim on a day of `month` in the period (masks: year -> days)."""
    if not masks:
        return literal(0)
    days = case(*((p.c.year == y, m) for y, m in masks.items()), else_=0)
    return case((p.c[f"m{month}"].op("&")(days) != 0, 1), else_=0)


def _any(flags):
    return case((or_(*(f == 1 for f in flags)), 1), else_=0)


def _ordered(by, named, values, month) -> tuple:
    """The group key in `by` order, month put in its place."""
    given = dict(zip(named, values, strict=True))
    return tuple(month if g == "month" else _key(g, given[g]) for g in by)


def _days(start: date, end: date) -> dict[tuple[int, int], int]:
    """The period as (year, month) -> its days there: bit d-1 for day d."""
    masks: dict[tuple[int, int], int] = {}
    d = start
    while d <= end:
        masks[(d.year, d.month)] = masks.get((d.year, d.month), 0) | 1 << (d.day - 1)
        d += timedelta(days=1)
    return masks


def _shown(row: dict) -> dict:
    out = {k: Yuan(v) if k in FUND_FIGURES else v for k, v in row.items()}
    if out.get("month") is not None:
        m = int(out["month"])
        out["month"] = f"{m // 100}-{m % 100:02d}"
    for g in ("level", "institution"):
        if g in out:
            out[g] = out[g] or None
    return out
