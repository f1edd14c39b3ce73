"""What the national platform's records bring beside a claim: the platform's own person
numbers, and each record's source (docs/national-records.md). Both append-only."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, CreatedAt, Fen, PsnNo


class PlatformPerson(Base):
    """人员编号: the platform's number for a person, learnt from the first record that gave
    it beside the person's ID number (certno); later records may give the number alone."""

    __tablename__ = "platform_persons"

    platform_psn_no: Mapped[str] = mapped_column(String(40), primary_key=True)
    psn_no: Mapped[PsnNo] = mapped_column(ForeignKey("persons.psn_no"), index=True)
    setl_id: Mapped[str] = mapped_column(String(64))  # the record it was learnt from
    created_at: Mapped[CreatedAt]


class ClaimSource(Base):
    """The platform record a claim was posted from: what has no column in `claims`, the
    other funds one by one, and the whole record as received (`received`: the text of its
    row in the file, every field, numbers as the platform wrote them)."""

    __tablename__ = "claim_sources"

    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), primary_key=True)
    service_date: Mapped[date] = mapped_column(Date)  # the claim's (migration 0019)
    profile: Mapped[str] = mapped_column(String(16))
    mdtrt_id: Mapped[str | None] = mapped_column(String(64), index=True)  # a cancellation's visit (migration 0024)
    platform_psn_no: Mapped[str | None] = mapped_column(String(40))
    fixmedins_name: Mapped[str | None] = mapped_column(String(200))
    setl_time: Mapped[datetime] = mapped_column(DateTime)  # as the platform wrote it: local time, no zone
    begndate: Mapped[date | None] = mapped_column(Date)
    enddate: Mapped[date | None] = mapped_column(Date)
    cvlserv_pay: Mapped[Fen] = mapped_column(default=0)
    hifes_pay: Mapped[Fen] = mapped_column(default=0)
    maf_pay: Mapped[Fen] = mapped_column(default=0)
    oth_pay: Mapped[Fen] = mapped_column(default=0)
    hosp_part_amt: Mapped[Fen] = mapped_column(default=0)
    received: Mapped[dict] = mapped_column(JSON)  # the whole record, as received
    # where the care was given (the record's mdtrtarea_admvs, else its institution's region),
    # and the off-site kind the claim was adjudicated under (None: local; migration 0024)
    mdtrtarea_admvs: Mapped[str | None] = mapped_column(String(6))
    offsite: Mapped[str | None] = mapped_column(String(16))
