"""The designated-institution registry (定点医药机构), read and asked: an institution row in
(the platform's field names, or the ledger's words), a `State` out; which state is in force
on a day; the level and kind of care a claim takes from it (docs/institutions.md). Pure: no
database here.

A state is in force from its `begndate` until a later state of the same code begins;
the institution is designated on a day up to its `enddate`. Two states of one code and day:
the later written wins (a list exported again, now with the designation's end).
"""

from collections.abc import Mapping
from datetime import date
from typing import NamedTuple

from ..errors import ValidationError
from ..i18n import _
from ..policy.book import pooling_area
from .codes import HOSP_GRADES, HOSP_LEVELS, HOSPITAL, INSTITUTION_TYPES, PHARMACY, PRIMARY
from .dates import latest_from, parse_day
from .text import check_text

# What an import row may give, as the platform names it (1201 医药机构信息获取 and the
# 定点医药机构 lists a bureau exports); `grst_hosp_flag` 1 makes a hospital primary care.
FIELDS = (
    "fixmedins_code", "fixmedins_name", "fixmedins_type", "hosp_lv", "dedc_hosp_lv", "fix_blng_admdvs",
    "begndate", "enddate", "grst_hosp_flag", "uscc",  # uscc, 统一社会信用代码 (1201 sends it): read, not kept
)  # fmt: skip
REQUIRED = ("fixmedins_code", "fixmedins_name", "fixmedins_type", "begndate")
# 定点医药机构类型 fixmedins_type: the platform's codes, its words and the ledger's own.
TYPES = {
    "1": HOSPITAL,
    "2": PHARMACY,
    "定点医疗机构": HOSPITAL,
    "医疗机构": HOSPITAL,
    "定点零售药店": PHARMACY,
    "零售药店": PHARMACY,
    "药店": PHARMACY,
    "基层医疗机构": PRIMARY,
    **{t: t for t in INSTITUTION_TYPES},
}
# 起付线医院等级 as words a list may write.
LEVEL_WORDS = {"一级": "1", "二级": "2", "三级": "3"}
GRADE_WORDS = {name: code for code, (name, _level) in HOSP_GRADES.items()}
_FLAGS = {"0": False, "1": True, "": False}


class State(NamedTuple):
    """One dated state of an institution."""

    fixmedins_code: str
    begndate: date
    enddate: date | None
    fixmedins_name: str
    fixmedins_type: str  # codes.INSTITUTION_TYPES
    hosp_lv: str | None  # 医院等级 01-11
    dedc_hosp_lv: str | None  # 起付线医院等级 1-3
    region: str | None  # fix_blng_admdvs

    @property
    def level(self) -> str | None:
        """The deductible level a claim here takes: dedc_hosp_lv, else its grade's."""
        if self.dedc_hosp_lv is not None:
            return self.dedc_hosp_lv
        return HOSP_GRADES[self.hosp_lv][1] if self.hosp_lv is not None else None

    def designated_on(self, day: date) -> bool:
        return self.begndate <= day and (self.enddate is None or day <= self.enddate)


def read_institution(raw: Mapping) -> State:
    """An import row (or `institution add`'s fields) as a State; the first field at fault raises."""
    unknown = sorted(k for k in raw if k not in FIELDS)
    if unknown:
        raise ValidationError(unknown[0], _("unknown field; expected {fields}").format(fields=", ".join(FIELDS)))
    for f in REQUIRED:
        if _text(raw, f) is None:
            if f == "begndate":  # the platform's 1201 rows give none
                raise ValidationError(f, _("is required (a list without it: give the day with --from)"))
            raise ValidationError(f, _("is required"))
    code = check_text(_text(raw, "fixmedins_code"), "fixmedins_code", max_length=30)
    if not code.isascii() or not code.replace("-", "").replace("_", "").isalnum():
        raise ValidationError("fixmedins_code", _("is letters and digits (got {code!r})").format(code=code[:40]))
    kind = _choice(raw, "fixmedins_type", TYPES)
    if kind == HOSPITAL and _choice(raw, "grst_hosp_flag", _FLAGS):
        kind = PRIMARY
    grade = _text(raw, "hosp_lv")
    if grade is not None:
        grade = GRADE_WORDS.get(grade, grade.zfill(2) if grade.isdigit() else grade)
        if grade not in HOSP_GRADES:
            raise ValidationError("hosp_lv", _("{grade} is not a hospital grade 01-11 (医院等级)").format(grade=grade))
    level = _text(raw, "dedc_hosp_lv")
    if level is not None:
        level = LEVEL_WORDS.get(level, level)
        if level not in HOSP_LEVELS:
            raise ValidationError(
                "dedc_hosp_lv",
                _("{level} is not a deductible level 1, 2 or 3 (leave it empty to take the grade's)").format(
                    level=level[:20]
                ),
            )
    region = _text(raw, "fix_blng_admdvs")
    if region is not None:
        pooling_area(region, "fix_blng_admdvs")  # refuses what is no region code
    begin, end = _day(raw, "begndate"), _day(raw, "enddate")
    if end is not None and end < begin:
        raise ValidationError("enddate", _("{end} is before begndate {begin}").format(end=end, begin=begin))
    name = check_text(_text(raw, "fixmedins_name"), "fixmedins_name", max_length=200)
    return State(code, begin, end, name, kind, grade, level, region)


def _text(raw: Mapping, field: str) -> str | None:
    v = raw.get(field)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (str, int)):
        raise ValidationError(field, _("expected text, got {name}").format(name=type(v).__name__))
    return str(v).strip() or None


def _choice(raw: Mapping, field: str, values: dict):
    t = _text(raw, field) or ""
    if t not in values:
        raise ValidationError(field, _("{value} is not one of {values}").format(value=t[:40], values=", ".join(values)))
    return values[t]


def _day(raw: Mapping, field: str) -> date | None:
    t = _text(raw, field)
    if t is None:
        return None
    try:  # the platform writes "2025-01-01 00:00:00" as often as "2025-01-01"
        return parse_day(t[:10] if len(t) > 10 and t[10] in " T" else t)
    except ValueError as e:
        raise ValidationError(field, str(e)) from None


def state_on(states: list[State], day: date) -> State | None:
    """The state in force on `day`, from one code's states in the order written (None: the
    institution was not in the registry yet on that day)."""
    n = latest_from(states, day)
    return None if n is None else states[n]


def by_prefix(setl_id: str | None, codes: set[str], lengths: tuple[int, ...]) -> str | None:
    """The registered institution whose code begins `setl_id` (the platform's
    medins_setl_id, as `H22010200026...`): the longest, where two would."""
    if not setl_id:
        return None
    for n in sorted(lengths, reverse=True):
        if len(setl_id) > n and setl_id[:n] in codes:
            return setl_id[:n]
    return None
