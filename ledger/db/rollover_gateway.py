"""Set-based reads and locks of the rollover: everything one chunk of persons needs, one
statement per table and chunk. The service decides; this module only fetches and locks."""

from dataclasses import dataclass

from sqlalchemy import func, select
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
    YearEndDeduction,
)
from .sql import one_of


@dataclass(frozen=True)
class ChunkFacts:
    """What the rollover of `year` reads for a chunk of persons (psn_no keys throughout)."""

    enrolled: dict[str, set[int]]  # every enrolled year
    fund_paid: dict[str, int]  # by all the funds in the closing year, fen
    opened: dict[tuple[str, str], int]  # (psn_no, bucket) -> id of a new-year counter already open
    closing_major_illness: dict[str, Counter]  # the closing year's major-illness counter
    claims_standing: dict[str, int]  # closing-year claims not reversed
    incentive_before: dict[str, Incentive]  # the closing year's incentive
    incentive_done: set[str]  # already given the new year's incentive (a rerun)
    items_done: set[str]  # already collected the new year's items (a rerun)
    accounts: dict[str, tuple[int, int]]  # retiree -> (account id, balance), locked


def chunk_facts(s: Session, year: int, ids: list[str], retirees: set[str]) -> ChunkFacts:
    """Read the chunk's figures, locking its counters of both years and the retirees'
    accounts (in the global lock order: counters by key, then accounts by id)."""
    new = year + 1
    enrolled: dict[str, set[int]] = {}
    for psn, y in s.execute(select(Enrollment.psn_no, Enrollment.year).where(one_of(s, Enrollment.psn_no, ids))):
        enrolled.setdefault(psn, set()).add(y)
    u = BenefitUsage
    usage = s.execute(
        select(u.psn_no, u.year, u.bucket, u.id, u.cap, u.fund_paid)
        .where(one_of(s, u.psn_no, ids), u.year.in_((year, new)))
        .order_by(u.psn_no, u.year, u.bucket)
        .with_for_update()
    ).all()
    fund_paid: dict[str, int] = {}
    for r in usage:
        if r.year == year:
            fund_paid[r.psn_no] = fund_paid.get(r.psn_no, 0) + r.fund_paid
    mi = MajorIllnessIncentive
    return ChunkFacts(
        enrolled=enrolled,
        fund_paid=fund_paid,
        opened={(r.psn_no, r.bucket): r.id for r in usage if r.year == new},
        closing_major_illness={
            r.psn_no: Counter(r.cap, r.fund_paid) for r in usage if r.year == year and r.bucket == "major_illness"
        },
        claims_standing=dict(
            s.execute(
                select(ClaimRecord.psn_no, func.count())
                .outerjoin(ClaimReversal, ClaimReversal.claim_id == ClaimRecord.id)
                .where(one_of(s, ClaimRecord.psn_no, ids), ClaimRecord.year == year, ClaimReversal.id.is_(None))
                .group_by(ClaimRecord.psn_no)
            ).all()
        ),
        incentive_before={
            i.psn_no: Incentive(i.continuous_years, i.zero_claim_bonus, i.continuous_bonus, i.bonus)
            for i in s.execute(
                select(mi.psn_no, mi.continuous_years, mi.zero_claim_bonus, mi.continuous_bonus, mi.bonus).where(
                    one_of(s, mi.psn_no, ids), mi.year == year
                )
            )
        },
        incentive_done=set(s.scalars(select(mi.psn_no).where(one_of(s, mi.psn_no, ids), mi.year == new))),
        items_done=set(
            s.scalars(
                select(YearEndDeduction.psn_no).where(
                    one_of(s, YearEndDeduction.psn_no, ids), YearEndDeduction.year == new
                )
            )
        ),
        accounts={
            a.psn_no: (a.id, a.balance)
            for a in s.execute(
                select(Account.id, Account.psn_no, Account.balance)
                .where(one_of(s, Account.psn_no, retirees))
                .order_by(Account.id)
                .with_for_update()
            )
        },
    )
