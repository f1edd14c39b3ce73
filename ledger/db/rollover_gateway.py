"""Set-based reads, locks and writes of the rollover. A chunk is a range of psn_no, (lo, hi],
and holds every person in it enrolled in the closing year or the next: each statement
covers the whole chunk (a range scan of an index), not a row. The service decides; this
module fetches, locks and writes what it decided.

Lock order within a chunk, the ledger's global one (ledger/db/engine.py): counters by key
(`lock_counters`, then the new ones `open_counters` inserts), then accounts by id
(`lock_accounts`), then the journal's head (the posting, last)."""

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from ..rules.adjudication import Counter
from ..rules.rollover import Incentive
from .models import (
    Account,
    BenefitUsage,
    ClaimRecord,
    ClaimReversal,
    Enrollment,
    MajorIllnessIncentive,
    Person,
    YearEndDeduction,
)
from .sql import bulk_insert, one_of


@dataclass(frozen=True)
class Chunk:
    """The persons with lo < psn_no <= hi enrolled in `year` (the closing one) or the next."""

    year: int
    lo: str  # "" before the first person
    hi: str


class ChunkPerson(NamedTuple):
    psn_no: str
    region: str
    insutype: str
    psn_type: str | None
    in_closing_year: bool  # enrolled in it (else only in the new year)


def next_chunk(s: Session, year: int, cursor: str | None, size: int) -> tuple[Chunk, int] | None:
    """The next `size` persons after the cursor, walking the (psn_no, year) index of
    enrollments so that each chunk costs the same however far the run has got; and how
    many they are. None when nobody is left."""
    e = Enrollment
    ids = select(e.psn_no).where(e.year.in_((year, year + 1)), e.psn_no > (cursor or ""))
    ids = ids.distinct().order_by(e.psn_no).limit(size).subquery()
    hi, n = s.connection().execute(select(func.max(ids.c.psn_no), func.count()).select_from(ids)).one()
    return (Chunk(year, cursor or "", hi), n) if n else None


def persons(s: Session, chunk: Chunk) -> list[ChunkPerson]:
    """The chunk's persons, in psn_no order: one range scan of persons and of enrollments."""
    p, e = Person, Enrollment
    q = (
        select(p.psn_no, p.region, p.insutype, p.psn_type, func.max(case((e.year == chunk.year, 1), else_=0)))
        .join(e, e.psn_no == p.psn_no)
        .where(p.psn_no > chunk.lo, p.psn_no <= chunk.hi, e.year.in_((chunk.year, chunk.year + 1)))
        .group_by(p.psn_no, p.region, p.insutype, p.psn_type)
        .order_by(p.psn_no)
    )
    return [ChunkPerson(*r[:4], bool(r[4])) for r in s.connection().execute(q).all()]


@dataclass(frozen=True)
class IncentiveFacts:
    """What the closing year left for the residents whose incentive is worked out."""

    enrolled: dict[str, set[int]]  # every enrolled year
    fund_paid: dict[str, int]  # by all the funds in the closing year, fen
    closing_major_illness: dict[str, Counter]  # the closing year's major-illness counter
    claims_standing: dict[str, int]  # closing-year claims not reversed
    before: dict[str, Incentive]  # the closing year's incentive
    done: set[str]  # already given the new year's incentive (a rerun)


def lock_counters(s: Session, chunk: Chunk, residents: list[str]) -> tuple[dict[tuple[str, str], int], dict]:
    """Lock, in key order, the new-year counters already open in the chunk (a claim dated
    in the new year opened them) and the residents' closing-year counters, whose payments
    the incentive reads. Returns ((psn_no, bucket) -> id of the open new-year counters),
    and the residents' closing-year counters as {psn_no: [(bucket, cap, fund_paid)]}."""
    u, new = BenefitUsage, chunk.year + 1
    closing = and_(u.year == chunk.year, one_of(s, u.psn_no, residents)) if residents else False
    rows = (
        s.connection()
        .execute(
            select(u.psn_no, u.year, u.bucket, u.id, u.cap, u.fund_paid)
            .where(u.psn_no > chunk.lo, u.psn_no <= chunk.hi, (u.year == new) | closing)
            .order_by(u.psn_no, u.year, u.bucket)
            .with_for_update()
        )
        .all()
    )
    opened = {(r.psn_no, r.bucket): r.id for r in rows if r.year == new}
    counters: dict[str, list] = {}
    for r in rows:
        if r.year == chunk.year:
            counters.setdefault(r.psn_no, []).append((r.bucket, r.cap, r.fund_paid))
    return opened, counters


def incentive_facts(s: Session, year: int, residents: list[str], counters: dict) -> IncentiveFacts:
    """Read what the residents' incentives need; `counters` as `lock_counters` gave them."""
    enrolled: dict[str, set[int]] = {}
    for psn, y in s.connection().execute(
        select(Enrollment.psn_no, Enrollment.year).where(one_of(s, Enrollment.psn_no, residents))
    ):
        enrolled.setdefault(psn, set()).add(y)
    mi, cr = MajorIllnessIncentive, ClaimRecord
    return IncentiveFacts(
        enrolled=enrolled,
        fund_paid={psn: sum(c[2] for c in rows) for psn, rows in counters.items()},
        closing_major_illness={
            psn: Counter(cap, paid) for psn, rows in counters.items() for b, cap, paid in rows if b == "major_illness"
        },
        claims_standing=dict(
            s.connection()
            .execute(
                select(cr.psn_no, func.count())
                .outerjoin(ClaimReversal, ClaimReversal.claim_id == cr.id)
                .where(one_of(s, cr.psn_no, residents), cr.year == year, ClaimReversal.id.is_(None))
                .group_by(cr.psn_no)
            )
            .all()
        ),
        before={
            i.psn_no: Incentive(i.continuous_years, i.zero_claim_bonus, i.continuous_bonus, i.bonus)
            for i in s.connection().execute(
                select(mi.psn_no, mi.continuous_years, mi.zero_claim_bonus, mi.continuous_bonus, mi.bonus).where(
                    one_of(s, mi.psn_no, residents), mi.year == year
                )
            )
        },
        done=set(s.connection().scalars(select(mi.psn_no).where(one_of(s, mi.psn_no, residents), mi.year == year + 1))),
    )


def open_counters(s: Session, rows: list[tuple[str, int, str, int]]) -> None:
    """Open new-year counters (psn_no, year, bucket, cap), from zero, in one statement, each
    with the cap in force on 1 January (`opened_on`). A
    claim opening one of them at the same moment makes this fail on the unique key, and
    the chunk is retried: it then finds that counter open (`lock_counters`)."""
    bulk_insert(
        s,
        BenefitUsage.__table__,
        ("psn_no", "year", "bucket", "cap", "opened_on", "fund_paid", "deductible_met", "selfpay"),
        [(*r, date(r[1], 1, 1), 0, 0, 0) for r in rows],
    )


def lock_accounts(s: Session, psn_nos: list[str]) -> dict[str, tuple[int, int]]:
    """psn_no -> (account id, balance) of these persons' accounts, locked in id order."""
    if not psn_nos:
        return {}
    a = Account
    q = select(a.psn_no, a.id, a.balance).where(one_of(s, a.psn_no, psn_nos)).order_by(a.id).with_for_update()
    return {psn: (account_id, balance) for psn, account_id, balance in s.connection().execute(q)}


def collected(s: Session, year: int, psn_nos: list[str]) -> set[str]:
    """Of these persons, those whose items for `year` are already recorded (a rerun)."""
    d = YearEndDeduction
    return (
        set(s.connection().scalars(select(d.psn_no).where(one_of(s, d.psn_no, psn_nos), d.year == year)))
        if psn_nos
        else set()
    )
