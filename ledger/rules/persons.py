"""Insured persons (参保人): pure validation of what registers a person. No database here."""

from dataclasses import dataclass, field
from datetime import date

from ..errors import ValidationError
from ..policy.book import pooling_area
from .codes import EMPLOYEE, INSUTYPES, PSN_TYPES, RESIDENT, RESIDENT_CATEGORIES  # noqa: F401 - named here before ledger.rules.codes
from .idcard import parse_id_number
from .text import check_text

MIN_YEAR, MAX_YEAR = 1990, 2200


@dataclass(frozen=True)
class NewPerson:
    psn_no: str
    name: str
    insutype: str
    psn_type: str | None
    resident_category: str | None
    region: str
    birth_date: date
    sex: str
    enrolled: tuple[int, ...] = field(default=())

    @property
    def has_account(self) -> bool:
        """Employees have a personal account (个人账户); residents do not."""
        return self.insutype == EMPLOYEE


def check_year(year: object, field_name: str = "year") -> int:
    text = str(year).strip()
    if not (text.isascii() and text.isdigit()):  # int() would take "２０２５" too
        raise ValidationError(field_name, f"is not a year (got {year!r})")
    y = int(text)
    if not MIN_YEAR <= y <= MAX_YEAR:
        raise ValidationError(field_name, f"{y} is not a plausible insured year ({MIN_YEAR}-{MAX_YEAR})")
    return y


def new_person(
    psn_no: str,
    name: str,
    insutype: str,
    psn_type: str | None = None,
    resident_category: str | None = None,
    region: str = "",
    enrolled: list | tuple = (),
    today: date | None = None,
) -> NewPerson:
    """Validate one registration; the first problem found is raised naming its field."""
    idn = parse_id_number(psn_no, today=today)
    name = check_text(name, "name", max_length=100)
    insutype = (insutype or "").strip()
    if insutype not in INSUTYPES:
        raise ValidationError("insutype", f"must be 310 (employee) or 390 (resident), got {insutype!r}")
    psn_type = (psn_type or "").strip() or None
    resident_category = (resident_category or "").strip() or None
    if insutype == EMPLOYEE:
        if psn_type is None:
            raise ValidationError(
                "psn_type", "is required for an employee (1101 in service, 1201 retired, 1103/1203 flexible)"
            )
        if psn_type not in PSN_TYPES:
            raise ValidationError("psn_type", f"must be one of {', '.join(PSN_TYPES)}, got {psn_type!r}")
        if resident_category is not None:
            raise ValidationError("resident_category", "applies to residents (390) only")
    else:
        if resident_category is None:
            raise ValidationError(
                "resident_category", f"is required for a resident: one of {', '.join(RESIDENT_CATEGORIES)}"
            )
        if resident_category not in RESIDENT_CATEGORIES:
            raise ValidationError(
                "resident_category", f"must be one of {', '.join(RESIDENT_CATEGORIES)}, got {resident_category!r}"
            )
        if psn_type is not None:
            raise ValidationError("psn_type", "applies to employees (310) only")
    region = (region or "").strip()
    pooling_area(region)  # validates the 6-digit code
    years = tuple(sorted({check_year(y, "enrolled") for y in enrolled}))
    return NewPerson(idn.value, name, insutype, psn_type, resident_category, region, idn.birth_date, idn.sex, years)
