"""`ledger monitor`, the rules on single claims and stays: R01 after death, R02 inside a
waiting period, R03 duplicates, R04 overlapping stays, R05 outpatient during a stay, R06
readmission, R12 a claim that does not add up. One set-based read each; the figures of a
finding are worked out from its rows (rules/monitoring.py says what each one means)."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, exists, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from ..db.claim_gateway import enrollments
from ..db.models import ClaimRecord, ClaimReversal, ClaimSource, Enrollment, Person, PersonDeath
from ..db.sql import days_between, one_of
from ..errors import PolicyError
from ..policy.book import PolicyBook
from ..rules.claim_sums import MONEY_SUMS
from ..rules.codes import RESIDENT
from ..rules.eligibility import waiting_in
from ..rules.money import format_fen
from ..rules.monitoring import Finding

INPATIENT = ("21",)
OUTPATIENT = ("11", "13", "14", "140104", "140201", "41")


@dataclass(frozen=True)
class Window:
    """What a run looks at: claims served from `start` to `end`, of patients of the pooling
    areas `areas` (codes such as 220700, their first four digits a region prefix). With
    `everyone`, those areas are all the areas of the window's patients, so no claim needs
    its patient looked up: the commonest case, one area or areas that share thresholds."""

    start: date
    end: date
    areas: tuple[str, ...]
    everyone: bool = False

    def claims(self, c=ClaimRecord):
        """The conditions on a claim `c` (an alias of claims): in the window, not reversed,
        of a patient of the areas."""
        return (*self.served(c), ~exists().where(ClaimReversal.claim_id == c.id))

    def served(self, c=ClaimRecord):
        """The conditions on a claim `c` in the window, of a patient of the areas, reversed
        or not. A first pass over every claim uses these: it reads a person's claims in
        date order from their index alone, which the reversals would make a sort, and
        finds more people than a rule's findings; the rule then reads those people's
        claims with claims()."""
        in_window = c.service_date.between(self.start, self.end)
        if self.everyone:
            return (in_window,)
        patient = aliased(Person)  # its own alias: a query may join persons itself
        prefix = func.substr(patient.region, 1, 4)
        return (in_window, exists().where(patient.psn_no == c.psn_no, prefix.in_([a[:4] for a in self.areas])))


def paid(c=ClaimRecord):
    """What the funds and the accounts paid: the amount a finding puts at risk."""
    return c.fund_pay_sumamt + c.acct_pay + c.acct_mulaid_pay


def after_death(s: Session, w: Window) -> list[Finding]:
    """R01: a settlement dated after the person's recorded death."""
    c, d = ClaimRecord, PersonDeath
    q = (
        select(c.setl_id, c.psn_no, c.service_date, d.died_on, paid(c).label("paid"))
        .join(d, d.psn_no == c.psn_no)
        .where(c.service_date > d.died_on, *w.claims(c))
    )
    return [
        Finding(
            "R01",
            r.psn_no,
            (r.setl_id,),
            r.paid,
            {"service_date": r.service_date, "days": (r.service_date - r.died_on).days, "died_on": r.died_on},
        )
        for r in s.execute(q)
    ]


def in_waiting_period(s: Session, w: Window, book: PolicyBook) -> list[Finding]:
    """R02: the funds paid for a resident's service inside a waiting period. Only a claim
    whose patient enrolled for the year during it, or after a break, can be one; for those,
    the waiting period is worked out as posting works it out (rules/eligibility.py)."""
    c, e = ClaimRecord, Enrollment
    before, earlier = aliased(Enrollment), aliased(Enrollment)
    # a day of payment recorded (None: registered as paid in time), or a break before the year
    late_or_broken = or_(
        e.enrolled_on.is_not(None),
        and_(
            ~exists().where(before.psn_no == c.psn_no, before.year == c.year - 1),
            exists().where(earlier.psn_no == c.psn_no, earlier.year < c.year - 1),
        ),
    )
    q = (
        select(c.setl_id, c.psn_no, c.year, c.service_date, c.fund_pay_sumamt, Person.region)
        .join(Person, Person.psn_no == c.psn_no)
        .join(e, and_(e.psn_no == c.psn_no, e.year == c.year))
        .where(Person.insutype == RESIDENT, c.fund_pay_sumamt > 0, late_or_broken, *w.claims(c))
    )
    rows = s.execute(q).all()
    if not rows:
        return []
    enrolled = enrollments(s, {r.psn_no for r in rows})
    cache: dict = {}
    found = []
    for r in rows:
        try:
            waiting = waiting_in(book, r.region, r.year, enrolled[r.psn_no], cache)
        except PolicyError:
            continue  # a year whose waiting rules no file gives: posting refused its claims
        if waiting is not None and r.service_date < waiting.ends:
            evidence = {"fund": format_fen(r.fund_pay_sumamt), "service_date": r.service_date, "ends": waiting.ends}
            found.append(Finding("R02", r.psn_no, (r.setl_id,), r.fund_pay_sumamt, evidence))
    return found


def duplicates(s: Session, w: Window, people: set[str]) -> list[Finding]:
    """R03: one person, institution, day and fee settled more than once under different
    setl_ids. The first (by setl_id) stands; the others' money is at risk. Only `people`
    can be flagged (monitor_days.py found them)."""
    if not people:
        return []
    c = ClaimRecord
    institution = func.coalesce(c.fixmedins_code, literal(""))
    key = (c.psn_no, institution, c.service_date, c.medfee_sumamt)
    mine = one_of(s, c.psn_no, people)
    groups = select(*key).where(mine, *w.claims(c)).group_by(*key).having(func.count() > 1).subquery()
    q = (
        select(
            c.setl_id,
            c.psn_no,
            institution.label("institution"),
            c.service_date,
            c.medfee_sumamt,
            paid(c).label("paid"),
        )
        .join(
            groups,
            and_(
                groups.c.psn_no == c.psn_no,
                groups.c[1] == institution,
                groups.c.service_date == c.service_date,
                groups.c.medfee_sumamt == c.medfee_sumamt,
            ),
        )
        .where(mine, *w.claims(c))
        .order_by(c.psn_no, c.service_date, c.setl_id)
    )
    grouped: dict[tuple, list] = {}
    for r in s.execute(q):
        grouped.setdefault((r.psn_no, r.institution, r.service_date, r.medfee_sumamt), []).append(r)
    return [
        Finding(
            "R03",
            psn,
            tuple(r.setl_id for r in rows),
            sum(r.paid for r in rows[1:]),
            {"count": len(rows), "amount": format_fen(fee), "service_date": day, "institution": inst or "-"},
        )
        for (psn, inst, day, fee), rows in grouped.items()
    ]


def _stays(w: Window, *where):
    """Inpatient stays in the window: their claim, patient, institution and dates (a claim
    posted from a platform record keeps its stay's admission and discharge days)."""
    c = ClaimRecord
    return (
        select(
            c.id,
            c.setl_id,
            c.psn_no,
            c.fixmedins_code,
            ClaimSource.begndate,
            ClaimSource.enddate,
            paid(c).label("paid"),
        )
        .join(ClaimSource, ClaimSource.claim_id == c.id)
        .where(
            c.med_type.in_(INPATIENT),
            ClaimSource.begndate.is_not(None),
            ClaimSource.enddate.is_not(None),
            *w.claims(c),
            *where,
        )
        .subquery()
    )


def overlapping_stays(s: Session, w: Window) -> list[Finding]:
    """R04: two inpatient stays of one person that overlap (one admitted before the other
    was discharged). The later-admitted stay's money is at risk. First, in one pass in
    each person's order of admission, the people with a stay admitted before the latest
    discharge of those admitted earlier: exactly the people with an overlap; then their
    stays are paired."""
    st = _stays(w)
    earlier = func.max(st.c.enddate).over(partition_by=st.c.psn_no, order_by=(st.c.begndate, st.c.id), rows=(None, -1))
    ordered = select(st.c.psn_no, st.c.begndate, earlier.label("discharged")).subquery()
    people = list(s.scalars(select(ordered.c.psn_no).where(ordered.c.discharged > ordered.c.begndate).distinct()))
    if not people:
        return []
    a, b = (
        _stays(w, one_of(s, ClaimRecord.psn_no, people)).alias("a"),
        _stays(w, one_of(s, ClaimRecord.psn_no, people)).alias("b"),
    )
    q = select(
        a,
        b.c.setl_id.label("b_setl_id"),
        b.c.begndate.label("b_from"),
        b.c.enddate.label("b_to"),
        b.c.paid.label("b_paid"),
    ).join(
        b,
        and_(
            b.c.psn_no == a.c.psn_no,
            b.c.id != a.c.id,
            or_(b.c.begndate > a.c.begndate, and_(b.c.begndate == a.c.begndate, b.c.id > a.c.id)),
            b.c.begndate < a.c.enddate,
        ),
    )
    return [
        Finding(
            "R04",
            r.psn_no,
            (r.setl_id, r.b_setl_id),
            r.b_paid,
            {"first_from": r.begndate, "first_to": r.enddate, "second_from": r.b_from, "second_to": r.b_to},
        )
        for r in s.execute(q)
    ]


def outpatient_in_stay(s: Session, w: Window) -> list[Finding]:
    """R05: an outpatient settlement strictly between an inpatient stay's admission and
    discharge days (those two days themselves may see an outpatient visit)."""
    stay, c = _stays(w), ClaimRecord
    q = (
        select(
            c.setl_id,
            c.psn_no,
            c.service_date,
            paid(c).label("paid"),
            stay.c.setl_id.label("stay"),
            stay.c.begndate,
            stay.c.enddate,
        )
        .join(stay, and_(stay.c.psn_no == c.psn_no, c.service_date > stay.c.begndate, c.service_date < stay.c.enddate))
        .where(c.med_type.in_(OUTPATIENT), *w.claims(c))
    )
    return [
        Finding(
            "R05",
            r.psn_no,
            (r.setl_id, r.stay),
            r.paid,
            {"service_date": r.service_date, "stay_from": r.begndate, "stay_to": r.enddate},
        )
        for r in s.execute(q)
    ]


def readmissions(s: Session, w: Window, days: int) -> list[Finding]:
    """R06: admitted again at an institution within `days` days of the discharge from the
    stay there before it (from the discharge day on). Each stay is compared with the one
    admitted before it at that institution, in one pass: a readmission is one finding and
    its money, which is at risk, is counted once."""
    st = _stays(w, ClaimRecord.fixmedins_code.is_not(None))
    place = (st.c.psn_no, st.c.fixmedins_code)
    order = (st.c.begndate, st.c.id)
    ordered = select(
        st.c.setl_id, st.c.psn_no, st.c.fixmedins_code, st.c.begndate, st.c.paid,
        func.lag(st.c.setl_id).over(partition_by=place, order_by=order).label("prev_setl_id"),
        func.lag(st.c.enddate, type_=st.c.enddate.type).over(partition_by=place, order_by=order).label("discharged"),
    ).subquery()  # fmt: skip
    o = ordered.c
    gap = days_between(s, o.begndate, o.discharged)
    q = select(o, gap.label("gap")).where(o.discharged.is_not(None), o.begndate >= o.discharged, gap <= days)
    return [
        Finding(
            "R06",
            r.psn_no,
            (r.prev_setl_id, r.setl_id),
            r.paid,
            {"institution": r.fixmedins_code, "admitted": r.begndate, "days": r.gap, "discharged": r.discharged},
        )
        for r in s.execute(q)
    ]


# docs/claims.md, step 7: what every claim's money satisfies, as the CHECKs and verify hold it.
SUMS = tuple((i.formula, i.broken) for i in MONEY_SUMS)


def not_adding_up(s: Session, w: Window) -> list[Finding]:
    """R12: a claim whose amounts do not add up. The database's CHECK constraints refuse
    such a row, so this finds one only where they were set aside: the rule proves it. One
    read of the claims; a claim is a finding for each sum it breaks."""
    c = ClaimRecord
    flags = [broken(c).label(f"broken{n}") for n, (_rule, broken) in enumerate(SUMS)]
    q = select(c.setl_id, c.psn_no, paid(c).label("paid"), *flags).where(
        or_(*(broken(c) for _rule, broken in SUMS)), *w.claims(c)
    )
    return [
        Finding("R12", r.psn_no, (r.setl_id,), max(r.paid, 0), {"rule": rule}, about=rule)
        for r in s.execute(q)
        for n, (rule, _broken) in enumerate(SUMS)
        if r._mapping[f"broken{n}"]
    ]
