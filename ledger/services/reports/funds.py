"""`report funds`: what the unreversed claims of a period paid, by the groups asked for,
read from the running sums the posting transaction keeps (db/rollups.py), not from every
claim: the money and 人次 from claim_totals (a row per day and kind), the people from
claim_people (a person's months with a claim) and, for the days of a month the period
only partly covers, from those days' claims themselves. A person is counted once in a
group however many claims or months they had in it."""

from datetime import date, timedelta

from sqlalchemy import Integer, case, cast, exists, func, literal, or_, select, union_all

from ...db.models import ClaimPerson, ClaimRecord, ClaimReversal, ClaimTotal, Person
from ...db.sql import sum_fen
from ...errors import ValidationError
from ...rules.codes import EMPLOYEE, RETIRED_TYPES
from ...rules.money import Yuan
from ...uow import UnitOfWork
from .report import Report

# What `report funds` can group by. The first three are the claim's kind; the others the patient's.
GROUPS = ("month", "med_type", "level", "institution", "region", "insutype", "status")
KIND_GROUPS = ("med_type", "level", "institution")
FUND_FIGURES = (
    "medfee_sumamt", "fund_pay_sumamt", "hifp_pay", "hifmi_pay", "hifob_pay", "other_funds_pay", "acct_pay",
    "acct_mulaid_pay", "psn_cash_pay",
)  # fmt: skip


def check_groups(by: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [g for g in by if g not in GROUPS]
    if unknown:
        raise ValidationError("by", f"{', '.join(unknown)}: not a grouping; use any of {', '.join(GROUPS)}")
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
    column = {"med_type": "med_type", "level": "hosp_lv", "institution": "fixmedins_code"}.get(name, name)
    return t.c[column].label(name)


def funds(uow: UnitOfWork, start: date, end: date, region: str | None = None, by: tuple[str, ...] = ()) -> Report:
    """The claims of service dates start..end (both included), reversed ones left out: 人次
    (claims), people, and what the fee was and who paid it, by the groups asked for."""
    by = check_groups(by)
    with uow.read_only():
        s = uow.session
        rows = _sums(s, start, end, region, by)
        for key, n in _people(s, start, end, region, by).items():
            if key in rows:
                rows[key]["people"] = n
        total = None
        if by:
            total = _sums(s, start, end, region, ()).get(())
            if total is not None:
                total["people"] = _people(s, start, end, region, ()).get((), 0)
    out = [_shown(r) for _, r in sorted(rows.items(), key=lambda kv: tuple((v is None, v) for v in kv[0]))]
    columns = (*by, "claims", "people", *FUND_FIGURES)
    title = f"funds, service dates {start} to {end}" + (f", region {region}" if region else "")
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


def _people(s, start: date, end: date, region: str | None, by: tuple[str, ...]) -> dict[tuple, int]:
    """group key -> how many people had an unreversed claim in the group in the period."""
    whole, edges = _split(start, end)
    named = [g for g in by if g != "month"]
    source = _people_rows(whole, edges, region, named, any(g in KIND_GROUPS for g in by))
    if "month" not in by:
        distinct = select(source.c.psn_no, *(source.c[g] for g in named)).distinct().subquery()
        q = select(*(distinct.c[g] for g in named), func.count().label("n")).select_from(distinct)
        q = q.group_by(*(distinct.c[g] for g in named))
        return {_ordered(by, named, r[:-1], None): r.n for r in s.execute(q)}
    bit = [func.max(source.c.bits.op(">>")(k).op("&")(1)).label(f"b{k}") for k in range(12)]
    per_person = (
        select(*(source.c[g] for g in named), source.c.year, *bit)
        .group_by(source.c.psn_no, *(source.c[g] for g in named), source.c.year)
        .subquery()
    )
    cols = [per_person.c[g] for g in named]
    q = select(*cols, per_person.c.year, *(func.sum(per_person.c[f"b{k}"]) for k in range(12))).group_by(
        *cols, per_person.c.year
    )
    found = {}
    for r in s.execute(q):
        values, year, counts = r[: len(named)], r[len(named)], r[len(named) + 1 :]
        for k, n in enumerate(counts):
            if n:
                found[_ordered(by, named, values, year * 100 + k + 1)] = n
    return found


def _ordered(by, named, values, month) -> tuple:
    """The group key in `by` order, month put in its place."""
    given = dict(zip(named, values, strict=True))
    return tuple(month if g == "month" else _key(g, given[g]) for g in by)


def _people_rows(whole: dict[int, int], edges: list[tuple[date, date]], region, named, by_kind: bool):
    """(psn_no, the groups, year, bits: the months in the period with a claim) from
    claim_people for the months the period wholly covers, and from the claims of the days
    of the months it covers in part."""
    p = ClaimPerson.__table__
    covered = case(*((p.c.year == y, mask) for y, mask in whole.items()), else_=0) if whole else literal(0)
    bits = p.c.months.op("&")(covered)
    rows = select(p.c.psn_no, *(_columns(p, g) for g in named), p.c.year, bits.label("bits")).where(
        p.c.scope == int(by_kind), p.c.year.in_(list(whole) or [0]), bits != 0
    )
    if region:
        rows = rows.where(p.c.region.startswith(region))
    parts = [rows]
    if edges:
        c, person = ClaimRecord.__table__, Person.__table__
        kind = {"med_type": c.c.med_type, "level": c.c.hosp_lv, "institution": c.c.fixmedins_code}
        patient = {"region": person.c.region, "insutype": person.c.insutype, "status": status_column()}
        month = cast(func.extract("month", c.c.service_date), Integer)
        days = select(
            c.c.psn_no,
            *(func.coalesce(kind[g], "").label(g) if g in kind else patient[g].label(g) for g in named),
            cast(func.extract("year", c.c.service_date), Integer).label("year"),
            literal(1).op("<<")(month - 1).label("bits"),
        ).join(person, person.c.psn_no == c.c.psn_no)
        days = days.where(
            ~exists().where(ClaimReversal.claim_id == c.c.id),
            or_(*(c.c.service_date.between(a, b) for a, b in edges)),
        )
        if region:
            days = days.where(person.c.region.startswith(region))
        parts.append(days)
    return union_all(*parts).subquery() if len(parts) > 1 else rows.subquery()


def _split(start: date, end: date) -> tuple[dict[int, int], list[tuple[date, date]]]:
    """The period as {year: bits of the months it wholly covers} and the (first, last) days
    of the months it covers in part."""
    whole: dict[int, int] = {}
    edges: list[tuple[date, date]] = []
    first = start.replace(day=1)
    while first <= end:
        following = (first + timedelta(days=32)).replace(day=1)
        last = following - timedelta(days=1)
        if start <= first and last <= end:
            whole[first.year] = whole.get(first.year, 0) | 1 << (first.month - 1)
        else:
            edges.append((max(first, start), min(last, end)))
        first = following
    return whole, edges


def _shown(row: dict) -> dict:
    out = {k: Yuan(v) if k in FUND_FIGURES else v for k, v in row.items()}
    if out.get("month") is not None:
        m = int(out["month"])
        out["month"] = f"{m // 100}-{m % 100:02d}"
    for g in ("level", "institution"):
        if g in out:
            out[g] = out[g] or None
    return out
