"""Insured persons (参保人): pure validation of what registers a person. No database here."""

from dataclasses import dataclass, field
from datetime import date

from ..errors import ValidationError
from ..i18n import _
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
        raise ValidationError(field_name, _("is not a year (got {year!r})").format(year=year))
    y = int(text)
    if not MIN_YEAR <= y <= MAX_YEAR:
        raise ValidationError(
            field_name,
            _("{y} is not a plausible insured year ({min_year}-{max_year})").format(
                y=y, min_year=MIN_YEAR, max_year=MAX_YEAR
            ),
        )
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
        raise ValidationError(
            "insutype", _("must be 310 (employee) or 390 (resident), got {insutype!r}").format(insutype=insutype)
        )
    psn_type = (psn_type or "").strip() or None
    resident_category = (resident_category or "").strip() or None
    if insutype == EMPLOYEE:
        if psn_type is None:
            raise ValidationError(
                "psn_type", _("is required for an employee (1101 in service, 1201 retired, 1103/1203 flexible)")
            )
        if psn_type not in PSN_TYPES:
            raise ValidationError(
                "psn_type",
                _("must be one of {psn_types}, got {psn_type!r}").format(
                    psn_types=", ".join(PSN_TYPES), psn_type=psn_type
                ),
            )
        if resident_category is not None:
            raise ValidationError("resident_category", _("applies to residents (390) only"))
    else:
        if resident_category is None:
            raise ValidationError(
                "resident_category",
                _("is required for a resident: one of {resident_categories}").format(
                    resident_categories=", ".join(RESIDENT_CATEGORIES)
                ),
            )
        if resident_category not in RESIDENT_CATEGORIES:
            raise ValidationError(
                "resident_category",
                _("must be one of {resident_categories}, got {resident_category!r}").format(
                    resident_categories=", ".join(RESIDENT_CATEGORIES), resident_category=resident_category
                ),
            )
        if psn_type is not None:
            raise ValidationError("psn_type", _("applies to employees (310) only"))
    region = (region or "").strip()
    pooling_area(region)  # validates the 6-digit code
    years = tuple(sorted({check_year(y, "enrolled") for y in enrolled}))
    return NewPerson(idn.value, name, insutype, psn_type, resident_category, region, idn.birth_date, idn.sex, years)
