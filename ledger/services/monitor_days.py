"""`ledger monitor`: the people R03, R07 and R09 have to read again, found together in one
pass over the claims in the order of their index by person and service date (on
PostgreSQL read from the index alone: migration 0018).

Each person's claims of a day are summed up (how many, the first and last institution and
fee, the outpatient visits), and each day is compared with the days before it. Reversed
claims are counted too, as the index does not know them: so these are more people than
the rules flag, never fewer, and each rule then reads only their claims, exactly."""

from functools import partial

from sqlalchemy import Over, and_, case, func, or_, select
from sqlalchemy.orm import Session

from ..db.models import ClaimRecord
from ..db.sql import DaysAhead, plus_days
from .monitor_claims import OUTPATIENT, Window

RULES = ("R03", "R07", "R09")


def suspects(s: Session, w: Window, rules: dict[str, dict]) -> dict[str, set[str]]:
    """For each of `rules` (R03, R07 or R09, with the thresholds it runs with in `w`), the
    people with claims served in the window that it may flag."""
    if not rules:
        return {}
    c = ClaimRecord
    columns = [c.psn_no, c.service_date, func.count().label("n")]
    columns += [func.min(c.fixmedins_code).label("lo"), func.max(c.fixmedins_code).label("hi")]
    if "R03" in rules:
        columns += [func.min(c.medfee_sumamt).label("fee_lo"), func.max(c.medfee_sumamt).label("fee_hi")]
    if "R07" in rules:
        columns.append(func.count(case((c.med_type.in_(OUTPATIENT), 1))).label("visits"))
    days = select(*columns).where(*w.served(c)).group_by(c.psn_no, c.service_date).subquery()
    d = days.c
    # One window for every function below, so the database runs one window pass: R07's
    # days ahead (lag(), R09's, does not look at a frame); else each person's days in order.
    if "R07" in rules:
        over = partial(DaysAhead, partition=d.psn_no, day=d.service_date, days=rules["R07"]["window"])
    else:
        over = partial(Over, partition_by=d.psn_no, order_by=d.service_date)
    flags = {}
    if "R03" in rules:
        # two claims alike are a day of two with one institution (or none named) and one
        # fee; a day of three or more may hold two alike
        alike = and_(or_(d.lo == d.hi, d.lo.is_(None)), d.fee_lo == d.fee_hi)
        flags["R03"] = or_(d.n > 2, and_(d.n == 2, alike))
    if "R07" in rules:
        # a window at more than K institutions holds more than K settlements
        v = rules["R07"]
        least = min(n for n in (v["settlements"], v["institutions"]) if n is not None)
        ahead = over(func.sum(d.visits))
        flags["R07"] = ahead > least
    if "R09" in rules:
        flags["R09"] = _two_places(s, d, over, rules["R09"]["minutes"])
    compared = select(d.psn_no, *(flag.label(rule) for rule, flag in flags.items())).subquery()
    o = compared.c
    q = select(o).where(or_(*(o[rule] for rule in flags))).distinct()
    found: dict[str, set[str]] = {rule: set() for rule in flags}
    for r in s.execute(q):
        for rule in flags:
            if r._mapping[rule]:
                found[rule].add(r.psn_no)
    return found


def _two_places(s: Session, d, over, minutes: int):
    """R09 may flag a day of two institutions, or a day after a day close enough for two
    settlements fewer than `minutes` apart (a day apart, for less than a day) whose
    institution differs (each of one; else either is flagged by itself). A day of claims
    with no institution named is taken as differing: the rule skips those claims, so the
    days on either side of it may be the pair."""
    prev_day = over(func.lag(d.service_date, type_=d.service_date.type))
    prev_lo = over(func.lag(d.lo))
    near = plus_days(s, prev_day, minutes // 1440 + 1) >= d.service_date
    differs = or_(prev_lo != d.lo, prev_lo.is_(None), d.lo.is_(None))
    return or_(d.lo != d.hi, and_(near, differs))
