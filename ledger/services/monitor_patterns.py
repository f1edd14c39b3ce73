"""`ledger monitor`, the rules on patterns over days and people: R07 visit frequency, R08
pharmacy hopping, R09 two institutions too close in time, R10 mutual aid out of bounds,
R11 a personal account drained at the year's end. Each is set-based: the database finds the
people, days and claims; Python only gathers a finding's claims and figures."""

from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy import and_, case, distinct, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from ..db.models import Account, ClaimMutualAid, ClaimRecord, ClaimSource, Entry, FamilyBinding, Posting
from ..db.sql import day_number, minutes_between, one_of, plus_days, sum_fen
from ..rules.money import format_fen
from ..rules.monitoring import Finding
from .monitor_claims import OUTPATIENT, Window, paid
from .reports.funds import month_of

PHARMACY = "41"


def visit_frequency(
    s: Session, w: Window, window: int, most: int | None, institutions: int | None, people: set[str]
) -> list[Finding]:
    """R07: more than `most` outpatient settlements, or settlements at more than
    `institutions` institutions, in `window` days. Each flagged window starts at one of the
    person's settlements; windows that overlap make one finding, from the first window's
    start to the last one's end. Unset, a half of the rule is not judged. Only `people` can
    be flagged (monitor_days.py found them)."""
    if not people:
        return []
    starts: dict[str, set[date]] = defaultdict(set)
    if most is not None:
        for psn, day in _too_many(s, w, window, most, people):
            starts[psn].add(day)
    if institutions is not None:
        for psn, day in _too_many_places(s, w, window, institutions, people):
            starts[psn].add(day)
    if not starts:
        return []
    episodes = {psn: _episodes(sorted(days), window) for psn, days in starts.items()}
    c = ClaimRecord
    q = (
        select(c.setl_id, c.psn_no, c.service_date, c.fixmedins_code, paid(c).label("paid"))
        .where(one_of(s, c.psn_no, episodes), c.med_type.in_(OUTPATIENT), *w.claims(c))
        .order_by(c.psn_no, c.service_date, c.setl_id)
    )
    claims: dict[str, list] = defaultdict(list)
    for r in s.execute(q):
        claims[r.psn_no].append(r)
    found = []
    for psn, spans in episodes.items():
        for start, end in spans:
            rows = [r for r in claims[psn] if start <= r.service_date <= end]
            evidence = {
                "count": len(rows),
                "institutions": len({r.fixmedins_code for r in rows}),
                "start": start,
                "end": end,
            }
            found.append(
                Finding(
                    "R07", psn, tuple(r.setl_id for r in rows), sum(r.paid for r in rows), evidence, about=f"{start}"
                )
            )
    return found


def _too_many(s: Session, w: Window, window: int, most: int, people: list[str]):
    """(person, day) where the settlements from that day on, over `window` days, are more
    than `most`: one pass in each person's date order (a window count, no self-join)."""
    c = ClaimRecord
    day = day_number(s, c.service_date)
    counted = (
        select(
            c.psn_no,
            c.service_date,
            func.count().over(partition_by=c.psn_no, order_by=day, range_=(0, window - 1)).label("n"),
        )
        .where(one_of(s, c.psn_no, people), c.med_type.in_(OUTPATIENT), *w.claims(c))
        .subquery()
    )
    return s.execute(select(counted.c.psn_no, counted.c.service_date).where(counted.c.n > most).distinct()).all()


def _too_many_places(s: Session, w: Window, window: int, most: int, people: list[str]):
    """(person, day) where the settlements from that day on, over `window` days, are at
    more than `most` institutions. Only a person at that many institutions in the whole
    period can be one: those are found first, and only their settlements are paired."""
    a, b = ClaimRecord, aliased(ClaimRecord)
    many = (
        select(a.psn_no)
        .where(one_of(s, a.psn_no, people), a.med_type.in_(OUTPATIENT), *w.claims(a))
        .group_by(a.psn_no)
        .having(func.count(distinct(a.fixmedins_code)) > most)
    )
    people = s.scalars(many).all()
    if not people:
        return []
    q = (
        select(a.psn_no, a.service_date)
        .join(
            b,
            and_(
                b.psn_no == a.psn_no,
                b.service_date >= a.service_date,
                b.service_date <= plus_days(s, a.service_date, window - 1),
                b.med_type.in_(OUTPATIENT),
            ),
        )
        .where(one_of(s, a.psn_no, people), a.med_type.in_(OUTPATIENT), *w.claims(a), *w.claims(b))
        .group_by(a.id, a.psn_no, a.service_date)
        .having(func.count(distinct(b.fixmedins_code)) > most)
    )
    return s.execute(q).all()


def _episodes(starts: list[date], window: int) -> list[tuple[date, date]]:
    """Flagged windows' starts, sorted, merged where the windows overlap: (first day, last day)."""
    spans: list[tuple[date, date]] = []
    for day in starts:
        end = day + timedelta(days=window - 1)
        if spans and day <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((day, end))
    return spans


def pharmacy_hopping(s: Session, w: Window, most: int) -> list[Finding]:
    """R08: settlements at more than `most` designated pharmacies in one day."""
    c = ClaimRecord
    place = func.coalesce(c.fixmedins_code, literal(""))
    days = (
        select(c.psn_no, c.service_date)
        .where(c.med_type == PHARMACY, *w.claims(c))
        .group_by(c.psn_no, c.service_date)
        .having(func.count(distinct(place)) > most)
        .subquery()
    )
    q = (
        select(c.setl_id, c.psn_no, c.service_date, place.label("place"), paid(c).label("paid"))
        .join(days, and_(days.c.psn_no == c.psn_no, days.c.service_date == c.service_date))
        .where(c.med_type == PHARMACY, *w.claims(c))
        .order_by(c.psn_no, c.service_date, c.setl_id)
    )
    grouped: dict[tuple, list] = defaultdict(list)
    for r in s.execute(q):
        grouped[(r.psn_no, r.service_date)].append(r)
    return [
        Finding(
            "R08",
            psn,
            tuple(r.setl_id for r in rows),
            sum(r.paid for r in rows),
            {"pharmacies": len({r.place for r in rows}), "service_date": day},
        )
        for (psn, day), rows in grouped.items()
    ]


def too_close(s: Session, w: Window, minutes: int, people: set[str]) -> list[Finding]:
    """R09: one person settled at two institutions fewer than `minutes` minutes apart (the
    platform's settlement times, kept with each claim posted from a platform record). If
    any two are, then two that follow each other in time are (the institution changes
    somewhere between them, and no gap on the way is longer than the whole): so each
    settlement is compared with the one before it, in one pass. The later one's money is
    at risk. Only `people` can be flagged (monitor_days.py found them)."""
    if not people:
        return []
    c, src = ClaimRecord, ClaimSource
    order = (src.setl_time, c.id)
    ordered = (
        select(
            c.setl_id, c.psn_no, c.fixmedins_code, src.setl_time, paid(c).label("paid"),
            func.lag(c.setl_id).over(partition_by=c.psn_no, order_by=order).label("prev_setl_id"),
            func.lag(c.fixmedins_code).over(partition_by=c.psn_no, order_by=order).label("prev_place"),
            func.lag(src.setl_time, type_=src.setl_time.type).over(partition_by=c.psn_no, order_by=order).label("prev_time"),
        )
        .join(src, src.claim_id == c.id)
        .where(one_of(s, c.psn_no, people), *w.claims(c))
        .subquery()
    )  # fmt: skip
    o = ordered.c
    apart = minutes_between(s, o.setl_time, o.prev_time)
    q = select(o, apart.label("apart")).where(
        o.prev_setl_id.is_not(None), o.fixmedins_code != o.prev_place, apart < minutes
    )
    return [
        Finding(
            "R09",
            r.psn_no,
            (r.prev_setl_id, r.setl_id),
            r.paid,
            {
                "first_institution": r.prev_place,
                "first_time": f"{r.prev_time:%Y-%m-%d %H:%M}",
                "second_institution": r.fixmedins_code,
                "second_time": f"{r.setl_time:%Y-%m-%d %H:%M}",
                "minutes": int(r.apart),
            },
        )
        for r in s.execute(q)
    ]


def mutual_aid(s: Session, w: Window, most: int | None) -> list[Finding]:
    """R10: a holder's account paying for more than `most` members in a month, and any
    payment made on a day no binding of that holder to that patient was active (which the
    posting path cannot make: the rule proves it)."""
    c, m, bd = ClaimRecord, ClaimMutualAid, FamilyBinding
    found = []
    if most is not None:
        month = month_of(c.service_date)  # 202503
        q = (
            select(m.payer_psn_no, month.label("month"), c.setl_id, c.psn_no, m.amount)
            .join(c, c.id == m.claim_id)
            .where(*w.claims(c))
            .order_by(m.payer_psn_no, c.setl_id)
        )
        months: dict[tuple, list] = defaultdict(list)
        for r in s.execute(q):
            months[(r.payer_psn_no, r.month)].append(r)
        for (holder, number), rows in months.items():
            mon = f"{number // 100}-{number % 100:02d}"
            members = sorted({r.psn_no for r in rows})
            if len(members) > most:
                found.append(
                    Finding(
                        "R10",
                        holder,
                        tuple(r.setl_id for r in rows),
                        sum(r.amount for r in rows),
                        {"holder": holder, "members": len(members), "month": mon},
                        psn_nos=tuple(members),
                        about=mon,
                        form=0,
                    )
                )
    unbound = (
        select(c.setl_id, c.psn_no, c.service_date, m.payer_psn_no, m.binding_id, m.amount)
        .join(m, m.claim_id == c.id)
        .join(bd, bd.id == m.binding_id)
        .where(
            or_(bd.holder_psn_no != m.payer_psn_no, bd.member_psn_no != c.psn_no, ~bd.active_on(c.service_date)),
            *w.claims(c),
        )
    )
    found += [
        Finding(
            "R10",
            r.payer_psn_no,
            (r.setl_id,),
            r.amount,
            {"holder": r.payer_psn_no, "member": r.psn_no, "day": r.service_date, "binding": r.binding_id},
            psn_nos=(r.psn_no,),
            about="unbound",
            form=1,
        )
        for r in s.execute(unbound)
    ]
    return found


def year_end_drain(s: Session, w: Window, times: int, left_at_most: int) -> list[Finding]:
    """R11: a personal account emptied in December by pharmacy purchases from it above
    `times` times the person's monthly mean of January to November: left holding at most
    `left_at_most` (fen) at the end of the year. Judged for each December the window holds
    whole."""
    found = []
    for year in range(w.start.year, w.end.year + 1):
        december = (date(year, 12, 1), date(year, 12, 31))
        if december[0] < w.start or december[1] > w.end:
            continue
        found += _drained(s, w, year, times, left_at_most)
    return found


def _tenths(numerator: int, denominator: int) -> str:
    """numerator / denominator to a tenth, half up, by integers (the figures are fen)."""
    tenths = (numerator * 20 + denominator) // (denominator * 2)
    return f"{tenths // 10}.{tenths % 10}"


def _drained(s: Session, w: Window, year: int, times: int, left_at_most: int) -> list[Finding]:
    c = ClaimRecord
    in_december = c.service_date >= date(year, 12, 1)
    # a person these can flag settled in December, inside the window: w's areas are theirs
    of_year = replace(w, start=date(year, 1, 1), end=date(year, 12, 31))
    q = (
        select(
            c.psn_no,
            sum_fen(case((in_december, c.acct_pay), else_=0)).label("december"),
            sum_fen(c.acct_pay).label("year"),
        )
        .where(c.med_type == PHARMACY, c.acct_pay > 0, *of_year.claims(c))
        .group_by(c.psn_no)
    )
    candidates = {}
    for r in s.execute(q):
        before = r.year - r.december
        if r.december > 0 and r.december * 11 > times * before:  # above `times` x (before / 11)
            candidates[r.psn_no] = (r.december, before)
    if not candidates:
        return []
    e, p, acct = Entry, Posting, Account
    left = dict(
        s.execute(
            select(acct.psn_no, sum_fen(e.amount))
            .join(e, e.account_id == acct.id)
            .join(p, p.id == e.posting_id)
            .where(one_of(s, acct.psn_no, candidates), p.effective_date <= date(year, 12, 31))
            .group_by(acct.psn_no)
        ).all()
    )
    drained = [psn for psn in candidates if left.get(psn, 0) <= left_at_most]
    if not drained:
        return []
    claims = defaultdict(list)
    for r in s.execute(
        select(c.setl_id, c.psn_no, c.acct_pay)
        .where(one_of(s, c.psn_no, drained), c.med_type == PHARMACY, c.acct_pay > 0, in_december, *of_year.claims(c))
        .order_by(c.setl_id)
    ):
        claims[r.psn_no].append(r)
    found = []
    for psn in drained:
        december, before = candidates[psn]
        evidence = {
            "december": format_fen(december),
            "year": year,
            "times": _tenths(december * 11, before) if before else "∞",
            "mean": format_fen(before // 11),
            "left": format_fen(left.get(psn, 0)),
        }
        setl_ids = tuple(r.setl_id for r in claims[psn])
        found.append(Finding("R11", psn, setl_ids, december, evidence, about=str(year)))
    return found
