"""`ledger verify`: the reports' running sums (db/rollups.py) against the claims. Each is
worked out again from the unreversed claims and set beside what is stored, in SQL, key by
key: stored minus worked out, grouped by key, must be zero everywhere."""

from datetime import date

from sqlalchemy import Integer, and_, case, cast, exists, func, literal, or_, select, true, union_all

from ..db.models import ClaimPerson, ClaimRecord, ClaimReversal, ClaimTotal, Person
from ..db.models.rollups import ALL_CLAIMS, MONTHS, PEOPLE_KEY, SCOPES, TOTAL_FIGURES, TOTAL_KEY
from ..db.sql import one_of, sum_fen
from ..i18n import _
from ..rules.idcard import mask
from ..rules.money import format_fen
from . import archive
from .verify_problem import Problem, problem
from .verify_scope import EVERYTHING, Scope

SHOWN = 20  # the first problems of each table, in key order; a drifted table has many


def rollup_problems(s, scope: Scope = EVERYTHING) -> list[Problem]:
    """Both tables against the claims; since a mark, the rows a claim posted or reversed
    after it moved: claim_totals of its service day, claim_people of its patient. An
    archived year's sums stay as the archive left them (its reports read them): its claims
    are gone."""
    return _total_problems(s, scope) + _people_problems(s, scope)


def _within(s, scope: Scope, of):
    """column -> the condition that its value is that (`of`) of a claim posted or reversed
    after the mark; always true for the whole of the books. The values are read once, first,
    and given as a list (few: the days or persons a day's claims touched), so the planner
    walks the column's index for them instead of joining every claim against a subquery
    (PostgreSQL, 10,000,000 claims: 31.7 s a --since run the other way)."""
    if scope.whole:
        return lambda column: true()
    touched = s.scalars(select(of).where(ClaimRecord.id.in_(scope.claims_touched())).distinct()).all()
    return lambda column: one_of(s, column, touched)


def _unreversed():
    c, p = ClaimRecord.__table__, Person.__table__
    q = select().select_from(c.join(p, p.c.psn_no == c.c.psn_no))
    return c, p, q.where(~exists().where(ClaimReversal.claim_id == c.c.id))


def _total_problems(s, scope: Scope) -> list[Problem]:
    c, p, claims = _unreversed()
    t = ClaimTotal.__table__
    day_touched = _within(s, scope, ClaimRecord.service_date)
    claims = claims.where(day_touched(c.c.service_date))
    kind = (c.c.med_type, func.coalesce(c.c.hosp_lv, ""), func.coalesce(c.c.fixmedins_code, ""))
    patient = (p.c.region, p.c.insutype, func.coalesce(p.c.psn_type, ""))
    key = TOTAL_KEY[:-1]  # the slots added up
    worked = claims.add_columns(
        c.c.service_date.label(key[0]),
        *(e.label(n) for e, n in zip((*kind, *patient), key[1:], strict=True)),
        (-func.count()).label("claims"),
        *(-func.sum(c.c[f]).label(f) for f in TOTAL_FIGURES),
    ).group_by(c.c.service_date, *kind, *patient)
    stored = select(*(t.c[k] for k in key), t.c.claims, *(t.c[f] for f in TOTAL_FIGURES)).where(
        day_touched(t.c.service_date), t.c.service_date >= (archive.live_from(s) or date.min)
    )
    both = union_all(stored, worked).subquery()
    figures = ("claims", *TOTAL_FIGURES)
    q = (
        select(*(both.c[k] for k in key), *(sum_fen(both.c[f]).label(f) for f in figures))
        .group_by(*(both.c[k] for k in key))
        .having(or_(*(func.sum(both.c[f]) != 0 for f in figures)))
        .order_by(*(both.c[k] for k in key))
        .limit(SHOWN)
    )
    problems = []
    for r in s.execute(q):
        where = f"{r.service_date} {r.med_type}/{r.hosp_lv or '-'}/{r.fixmedins_code or '-'} {r.region} {r.insutype}"
        problems.append(
            problem(
                "claim_totals_differ",
                "claim_totals",
                where,
                "claim_totals {where}: the stored sums less its claims' are {claims} claims, fee {fee}, fund {fund}, "
                "cash {cash}",
                where=where,
                claims=r.claims,
                fee=format_fen(r.medfee_sumamt),
                fund=format_fen(r.fund_pay_sumamt),
                cash=format_fen(r.psn_cash_pay),
            )
        )
    return problems


def _people_problems(s, scope: Scope) -> list[Problem]:
    c, p, claims = _unreversed()
    t = ClaimPerson.__table__
    person_touched = _within(s, scope, ClaimRecord.psn_no)
    claims = claims.where(person_touched(c.c.psn_no))
    part = {k: cast(func.extract(k, c.c.service_date), Integer) for k in ("year", "month", "day")}
    bit = literal(1).op("<<")(part["day"] - 1)
    values = {"med_type": c.c.med_type, "hosp_lv": func.coalesce(c.c.hosp_lv, ""),
              "fixmedins_code": func.coalesce(c.c.fixmedins_code, "")}  # fmt: skip
    stored = select(*(t.c[k] for k in PEOPLE_KEY), *(t.c[m] for m in MONTHS))
    stored = stored.where(person_touched(t.c.psn_no), t.c.year > (archive.through(s) or 0))
    if s.get_bind().dialect.name == "postgresql":
        q = _people_differ_pg(c, claims, stored.subquery(), part, bit, values)
    else:
        q = _people_differ(c, claims, stored, part, bit, values)
    problems = []
    for r in s.execute(q.limit(SHOWN)):
        what = (
            _("all claims")
            if r.scope == ALL_CLAIMS
            else f"{r.med_type or '*'}/{r.hosp_lv or '*'}/{r.fixmedins_code or '*'}"
        )
        problems.append(
            problem(
                "claim_people_differ",
                "claim_people",
                f"{r.psn_no}/{r.year}/{r.scope}",
                "claim_people of {psn} {year} ({what}): the days stored are not the days of its claims",
                psn=mask(r.psn_no),
                year=r.year,
                what=what,
            )
        )
    return problems


def _people_differ(c, claims, stored, part, bit, values):
    """The keys whose stored days differ from their claims', in key order: each person's
    days with an unreversed claim, by kind, in one pass over the claims; each scope's rows
    then made from them (as migration 0015 fills the table) and set against the stored."""
    parts = [stored]
    days = (
        claims.add_columns(
            c.c.psn_no, part["year"].label("year"), *(v.label(k) for k, v in values.items()),
            part["month"].label("month"), bit.label("bit"),
        )
        .distinct()
        .cte("claim_days")
    )  # fmt: skip
    for number, kept in SCOPES.items():
        kind = [(days.c[k] if k in kept else literal("")).label(k) for k in values]
        one = select(days.c.psn_no, days.c.year, literal(number).label("scope"), *kind, days.c.month, days.c.bit)
        d = one.distinct().subquery()
        k = [d.c[n] for n in PEOPLE_KEY]
        month_sums = [-func.sum(case((d.c.month == n, d.c.bit), else_=0)) for n in range(1, 13)]
        parts.append(select(*k, *(m.label(name) for m, name in zip(month_sums, MONTHS, strict=True))).group_by(*k))
    both = union_all(*parts).subquery()
    k = [both.c[n] for n in PEOPLE_KEY]
    return select(*k).group_by(*k).having(or_(*(func.sum(both.c[m]) != 0 for m in MONTHS))).order_by(*k)


def _people_differ_pg(c, claims, stored, part, bit, values):
    """As `_people_differ`, in one pass over the claims on PostgreSQL: every scope at once
    (GROUP BY CUBE of the three kind columns, GROUPING() naming the scope) and each month's
    days as the bitwise OR of its claims' days, joined to the stored rows key by key. On a
    province's claims several times faster than a DISTINCT pass for each scope."""
    kind = list(values.values())
    # GROUPING(a, b, c) sets a bit for each column rolled up, the first the highest
    rolled = {sum(4 >> i for i, k in enumerate(values) if k not in kept): n for n, kept in SCOPES.items()}
    scope = case(*((func.grouping(*kind) == g, n) for g, n in rolled.items()))
    months = [func.bit_or(case((part["month"] == n, bit), else_=0)).label(m) for n, m in enumerate(MONTHS, 1)]
    worked = (
        claims.add_columns(
            c.c.psn_no, part["year"].label("year"), scope.label("scope"),
            *(func.coalesce(v, "").label(k) for k, v in values.items()), *months,
        )
        .group_by(c.c.psn_no, part["year"], func.cube(*kind))
        .subquery()
    )  # fmt: skip
    same_key = and_(*(stored.c[k] == worked.c[k] for k in PEOPLE_KEY))
    differs = or_(*(func.coalesce(stored.c[m], 0) != func.coalesce(worked.c[m], 0) for m in MONTHS))
    key = [func.coalesce(stored.c[k], worked.c[k]).label(k) for k in PEOPLE_KEY]
    return select(*key).select_from(stored.join(worked, same_key, full=True)).where(differs).order_by(*key)
