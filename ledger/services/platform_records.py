"""What the national platform's records bring beside the claims they post: whose the
platform's person numbers are, and each record's source (docs/national-records.md). The
posting service writes them in the chunk's transaction; nothing here commits."""

from datetime import date, datetime

from sqlalchemy import Text, cast, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from ..db.engine import json_text
from ..db.models import ClaimRecord, ClaimReversal, ClaimSource, PlatformPerson
from ..db.sql import bulk_insert, one_of
from ..errors import Conflict, LedgerError, NotFound
from ..formats.json_objects import received_text
from ..i18n import _
from ..rules.codes import OTHER_FUNDS
from ..rules.idcard import mask
from ..rules.national import PROFILE, Record

SOURCE_COLUMNS = (
    "claim_id", "service_date", "profile", "mdtrt_id", "platform_psn_no", "fixmedins_name", "setl_time", "begndate", "enddate",
    *OTHER_FUNDS, "received", "mdtrtarea_admvs", "offsite",
)  # fmt: skip


def known_numbers(s: Session, numbers: set[str]) -> dict[str, str]:
    """The platform's person numbers already learnt: platform psn_no -> ID number."""
    if not numbers:
        return {}
    t = PlatformPerson.__table__
    return dict(s.execute(select(t.c.platform_psn_no, t.c.psn_no).where(one_of(s, t.c.platform_psn_no, numbers))).all())


def claims_of_visit(s: Session, r: Record, reason: str) -> list[str]:
    """The claims a cancellation record without init_setl_id may cancel: [its setl_id] where
    a claim of that id is posted; else, of the claims posted from records of its visit
    (`mdtrt_id`, 就诊ID) at its institution (where it names one) settled no later than it,
    [the one this very record reversed] where it did (posted again: a duplicate), else those
    not reversed. A visit settled again after its cancellation keeps its new claim."""
    c, src, rev = ClaimRecord.__table__, ClaimSource.__table__, ClaimReversal.__table__
    setl_id = r.claim["setl_id"]
    if s.scalar(select(c.c.setl_id).where(c.c.setl_id == setl_id)) is not None:
        return [setl_id]
    if not r.mdtrt_id:
        return []
    q = (
        select(c.c.setl_id, rev.c.reason)
        .join(src, src.c.claim_id == c.c.id)
        .outerjoin(rev, rev.c.claim_id == c.c.id)
        .where(src.c.mdtrt_id == r.mdtrt_id, src.c.setl_time <= r.setl_time)
        .order_by(c.c.setl_id)
    )
    if r.fixmedins_code:
        q = q.where(c.c.fixmedins_code == r.fixmedins_code)
    found = s.execute(q).all()
    return [x.setl_id for x in found if x.reason == reason] or [x.setl_id for x in found if x.reason is None]


def whose(record: Record, known: dict[str, str]) -> Record | LedgerError:
    """The record with its person's ID number: certno, or the person the platform's number
    was learnt for. An error where the two disagree, or neither is known."""
    number, certno = record.platform_psn_no, record.claim.get("psn_no")
    learnt = known.get(number) if number else None
    if certno is None:
        if learnt is None:
            return NotFound(
                _(
                    "psn_no: the platform's person number {number} is not known yet; a record that gives certno teaches it"
                ).format(number=number)
            )
        return record._replace(claim=record.claim | {"psn_no": learnt})
    if learnt is not None and learnt != certno:
        return Conflict(
            _("psn_no: the platform's person number {number} is {learnt}'s, not {certno}'s").format(
                number=number, learnt=mask(learnt), certno=mask(certno)
            )
        )
    return record._replace(teaches=True) if number and learnt is None else record


def received(record: Record) -> str:
    """The record as received, as JSON text: the very text of the file where it was read
    from one (numbers as the platform wrote them, nothing written again), else the fields
    read (a CSV row) as the engine writes a JSON column."""
    text = received_text(record.raw)
    return text if text is not None else json_text(record.raw)


def same_record(s: Session, claim_id: int, record: Record) -> bool:
    """Whether claim `claim_id` was posted from this very record (its text as received): the
    same record met again, though the registry or the maps now place it otherwise."""
    t = ClaimSource.__table__
    kept = s.scalar(select(cast(t.c.received, Text)).where(t.c.claim_id == claim_id))
    return kept is not None and kept == received(record)


def write_sources(s: Session, sources: list[tuple[Record, int, date]], now: datetime) -> None:
    """The source of each claim posted from a platform record, and the person numbers the
    chunk teaches (the first record to give a number wins; `whose` refused any other). A
    number known when the record was read (`whose`) is known still: the table only grows."""
    rows = [
        (
            claim_id,
            service_date,
            PROFILE,
            r.mdtrt_id,
            r.platform_psn_no,
            r.fixmedins_name,
            r.setl_time,
            r.begndate,
            r.enddate,
            *(r.figures[f] or 0 for f in OTHER_FUNDS),
            received(r),
            r.treatment_area,
            r.offsite,
        )  # fmt: skip
        for r, claim_id, service_date in sources
    ]
    bulk_insert(s, ClaimSource.__table__, SOURCE_COLUMNS, rows, stored=("received",))
    learnt: dict[str, tuple] = {}
    for r, _claim_id, _day in sources:
        if r.teaches and r.platform_psn_no not in learnt:
            learnt[r.platform_psn_no] = (r.platform_psn_no, r.claim["psn_no"], r.claim["setl_id"], now)
    t = PlatformPerson.__table__
    if s.get_bind().dialect.name == "postgresql":
        # Another writer may learn the same number at the same moment: the first one stands.
        if learnt:
            s.execute(
                pg_insert(t).on_conflict_do_nothing(index_elements=["platform_psn_no"]),
                [
                    dict(zip(("platform_psn_no", "psn_no", "setl_id", "created_at"), v, strict=True))
                    for v in learnt.values()
                ],
            )
        return
    # SQLite: this transaction holds the only write lock, so what is not there now is new.
    there = known_numbers(s, set(learnt))
    new = [v for n, v in learnt.items() if n not in there]
    bulk_insert(s, t, ("platform_psn_no", "psn_no", "setl_id", "created_at"), new)
