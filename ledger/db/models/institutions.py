"""The world a claim happens in: the designated institutions (定点医药机构) and the persons'
off-site registrations (异地就医备案). Both are dated facts, appended and never changed: a
regrade, the end of a designation or a registration's end is a new row from its day
(docs/institutions.md)."""

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ...rules import codes
from .base import Base, CreatedAt, Id, PsnNo, _in


class Institution(Base):
    """One state of a designated institution, in force from `begndate` until a later state
    of the same code begins; designated on a day up to `enddate` (None: no end). Two states
    of one code and day: the later written wins (a re-exported list that now gives the end)."""

    __tablename__ = "institutions"
    __table_args__ = (
        CheckConstraint(_in("fixmedins_type", codes.INSTITUTION_TYPES), name="type_known"),
        CheckConstraint(f"hosp_lv IS NULL OR {_in('hosp_lv', tuple(codes.HOSP_GRADES))}", name="grade_known"),
        CheckConstraint(f"dedc_hosp_lv IS NULL OR {_in('dedc_hosp_lv', codes.HOSP_LEVELS)}", name="level_known"),
        CheckConstraint("enddate IS NULL OR enddate >= begndate", name="dates_in_order"),
        CheckConstraint("region IS NULL OR length(region) = 6", name="region_code"),
        Index(None, "fixmedins_code", "begndate"),
    )

    id: Mapped[Id]
    fixmedins_code: Mapped[str] = mapped_column(String(30))
    begndate: Mapped[date] = mapped_column(Date)
    enddate: Mapped[date | None] = mapped_column(Date)
    fixmedins_name: Mapped[str] = mapped_column(String(200))
    fixmedins_type: Mapped[str] = mapped_column(String(16))  # hospital, pharmacy, primary
    hosp_lv: Mapped[str | None] = mapped_column(String(2))  # 医院等级 01-11
    dedc_hosp_lv: Mapped[str | None] = mapped_column(String(1))  # 起付线医院等级 1-3
    region: Mapped[str | None] = mapped_column(String(6))  # fix_blng_admdvs
    operator: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(200))  # the file imported, or "institution add"
    created_at: Mapped[CreatedAt]


class OffsiteRegistration(Base):
    """异地就医备案: a person's registration for care outside their insured area, from
    `begndate` to `enddate` (None: no end), for treatment in `area` (None: anywhere). The
    latest state beginning on or before a day decides it; kind `cancelled` ends the one before."""

    __tablename__ = "offsite_registrations"
    __table_args__ = (
        CheckConstraint(_in("kind", codes.OFFSITE_KINDS), name="kind_known"),
        CheckConstraint("enddate IS NULL OR enddate >= begndate", name="dates_in_order"),
        CheckConstraint("area IS NULL OR length(area) = 6", name="area_code"),
        Index(None, "psn_no", "begndate"),
    )

    id: Mapped[Id]
    psn_no: Mapped[PsnNo] = mapped_column(ForeignKey("persons.psn_no"))
    kind: Mapped[str] = mapped_column(String(16))
    begndate: Mapped[date] = mapped_column(Date)
    enddate: Mapped[date | None] = mapped_column(Date)
    area: Mapped[str | None] = mapped_column(String(6))
    reason: Mapped[str] = mapped_column(String(500))
    operator: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[CreatedAt]
