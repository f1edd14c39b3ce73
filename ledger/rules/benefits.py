"""Which benefit rules apply to a claim: its usage bucket, deductible, ratio and cap, and
the second layer, read from the policy files in force for the patient's region on the
service date. Pure: a PolicyBook in, rules out; no database here.

Parameter names follow docs/policy-files.md: `<scheme>.<bucket>.deductible.levelN`,
`<scheme>.<bucket>.ratio[.in_service|.retired].levelN`, `<scheme>.<bucket>.annual_cap`.
A parameter no file gives raises MissingParameter naming it: there are no defaults.
"""

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property

from ..errors import MissingParameter, PolicyError, ValidationError
from ..i18n import N_, _
from ..policy.book import PolicyBook, Resolved, pooling_area, review_warning
from ..policy.parameters import Disease, Segment
from .claim_input import Claim
from .codes import MED_TYPES, is_retired, scheme_of
from .offsite import offsite_basic

# Buckets whose in-scope self-pay accumulates toward the second layer. Major-illness
# insurance (大病保险) and the large-expense subsidy (大额医疗费用补助) cover hospital
# stays and special outpatient diseases, not everyday outpatient pooling (design decision,
# docs/claims.md).
SECOND_LAYER_KINDS = ("inpatient", "special")
MAJOR_ILLNESS, LARGE_EXPENSE = "major_illness", "large_expense"
# The counter of a cap on the basic fund and the large-expense subsidy together (Changchun:
# 叠加大额医疗费用补助,每年最多能报销70万元), kept over the claims that reach the second layer.
COMBINED = "basic_and_large_expense"
# The journal book each second layer pays from.
LAYER_BOOKS = {MAJOR_ILLNESS: "major_illness_insurance", LARGE_EXPENSE: "large_expense_subsidy"}


@dataclass(frozen=True)
class Patient:
    psn_no: str
    insutype: str
    psn_type: str | None
    region: str

    @property
    def scheme(self) -> str:
        return scheme_of(self.insutype)

    @property
    def retired(self) -> bool:
        return is_retired(self.psn_type)


@dataclass(frozen=True)
class BasicRule:
    """The basic fund's rule for this claim's bucket (docs/claims.md, steps 2-3)."""

    bucket: str  # usage bucket: outpatient, chronic:CODE (or chronic, one per person), special:CODE, inpatient
    deductible: int  # threshold at the claim's facility level, fen
    ratio: Decimal
    cap: int  # annual cap, fixed when the year's counter opens


@dataclass(frozen=True)
class LayerRule:
    """The second layer (docs/claims.md, step 4): bands on the year's accumulated self-pay."""

    bucket: str  # major_illness (residents, hifmi_pay) or large_expense (employees, hifob_pay)
    segments: tuple[Segment, ...]
    cap: int
    combined_cap: int | None = None  # basic fund + this layer together, per year (COMBINED)


@dataclass(frozen=True)
class ClaimRules:
    basic: BasicRule | None  # None: not pooled (a pharmacy claim where the policy says so)
    layer: LayerRule | None
    used: tuple[Resolved, ...] = field(default=(), repr=False)

    # Worked out once per rules, which the posting service shares across a chunk's claims.
    @cached_property
    def policy_file_names(self) -> tuple[str, ...]:
        return tuple(sorted({r.document.name for r in self.used}))

    @property
    def policy_files(self) -> list[str]:
        return list(self.policy_file_names)

    @cached_property
    def policy_json(self) -> str:
        return json.dumps(self.policy_file_names, ensure_ascii=False)

    @cached_property
    def _documents(self) -> tuple:
        docs = {r.document.name: r.document for r in self.used}
        return tuple(docs[name] for name in sorted(docs))

    @cached_property
    def _warnings_on(self) -> dict:
        return {}

    def warnings(self, on: date) -> tuple[str, ...]:
        """Files used past their review date on the claim's service date; the same words
        whatever the day, so a run says each file once. Worked out once per day: the
        rules are shared by a chunk's claims, which fall on a few hundred days."""
        found = self._warnings_on.get(on)
        if found is None:
            found = self._warnings_on[on] = tuple(
                w for d in self._documents if (w := review_warning(d, on, dated=False))
            )
        return found


class _Reader:
    """Reads parameters for one region and date, remembering which it used."""

    def __init__(self, book: PolicyBook, region: str, on: date):
        self.book, self.region, self.on = book, region, on
        self.used: list[Resolved] = []

    def __call__(self, name: str):
        r = self.book.get(self.region, self.on, name)
        self.used.append(r)
        return r.value

    def optional(self, name: str):
        """A parameter whose absence is itself a rule (no such cap in this area): None."""
        try:
            return self(name)
        except MissingParameter:
            return None


def rules_for(book: PolicyBook, patient: Patient, claim: Claim, offsite: str | None = None) -> ClaimRules:
    """The rules of the claim's bucket, from the files in force on its service date;
    `offsite`: the kind of off-site care it is (rules/offsite.py), None for local care."""
    get = _Reader(book, patient.region, claim.service_date)
    s = patient.scheme
    kind = MED_TYPES[claim.med_type].kind
    if kind == "pharmacy" and not get(f"{s}.pharmacy.pooled"):
        return ClaimRules(None, None, tuple(get.used))
    if kind in ("outpatient", "pharmacy"):
        basic = BasicRule(
            "outpatient",
            _deductible(get, claim, f"{s}.outpatient"),
            _level_ratio(get, patient, claim, "outpatient"),
            get(cap_parameter(s, "outpatient")),
        )
    elif kind == "inpatient":
        basic = BasicRule(
            "inpatient",
            _deductible(get, claim, f"{s}.inpatient"),
            _level_ratio(get, patient, claim, "inpatient"),
            get(cap_parameter(s, "inpatient")),
        )
    else:
        disease = _disease(get, claim, f"{s}.{kind}")
        if disease.ratio is not None:
            ratio = disease.ratio
        elif kind == "special" and get(f"{s}.special.at_inpatient_ratio"):
            ratio = _level_ratio(get, patient, claim, "inpatient")
        else:
            ratio = get(f"{s}.{kind}.ratio")
        bucket, cap = _disease_bucket(get, s, kind, disease)
        basic = BasicRule(bucket, _deductible(get, claim, f"{s}.{kind}"), ratio, cap)
    basic = offsite_basic(get, basic, offsite)
    layer = None
    if basic.bucket.split(":")[0] in SECOND_LAYER_KINDS:
        if s == "employee":
            layer = LayerRule(
                LARGE_EXPENSE,
                get("employee.large_expense.segments"),
                get(LAYER_CAPS[LARGE_EXPENSE]),
                get.optional(LAYER_CAPS[COMBINED]),
            )
        else:
            layer = LayerRule(MAJOR_ILLNESS, get("resident.major_illness.segments"), get(LAYER_CAPS[MAJOR_ILLNESS]))
    return ClaimRules(basic, layer, tuple(get.used))


def _disease_bucket(get: _Reader, scheme: str, kind: str, disease: Disease) -> tuple[str, int]:
    """The usage bucket and annual cap of a chronic or special disease claim. A chronic cap
    is per disease (Songyuan: 960 to 1800 yuan depending on the disease) or one cap per
    person over all chronic diseases (Changchun: 每年最高报销6500元), as the policy says."""
    if kind == "chronic" and get(f"{scheme}.chronic.cap_per_person"):
        if disease.annual_cap is not None:
            raise PolicyError(
                _(
                    "region {region} on {on}: {scheme}.chronic.cap_per_person is true, yet disease {code} has its own annual_cap on {scheme}.chronic.diseases; one cap per person cannot also be one per disease: drop one of them"
                ).format(region=pooling_area(get.region), on=get.on, scheme=scheme, code=disease.code)
            )
        return "chronic", get(cap_parameter(scheme, "chronic"))
    return f"{kind}:{disease.code}", _disease_cap(get, scheme, kind, disease)


def _disease_cap(get: _Reader, scheme: str, kind: str, disease: Disease) -> int:
    return disease.annual_cap if disease.annual_cap is not None else get(f"{scheme}.{kind}.annual_cap")


# The cap parameter of each bucket that is not a disease's (the second layers', the combined one).
LAYER_CAPS = {
    MAJOR_ILLNESS: "resident.major_illness.annual_cap",
    LARGE_EXPENSE: "employee.large_expense.annual_cap",
    COMBINED: "employee.basic_and_large_expense.annual_cap",
}


def cap_parameter(scheme: str, bucket: str) -> str:
    """The parameter that gives the annual cap of a bucket that is not a disease's."""
    return LAYER_CAPS.get(bucket) or f"{scheme}.{bucket}.annual_cap"


def bucket_cap(book: PolicyBook, region: str, on: date, scheme: str, bucket: str) -> int:
    """The annual cap a usage counter of `bucket` opens at, for a person of `scheme` in
    `region`, read from the files in force on `on` (the day the counter opened): what
    `rules_for` gives a claim, said for a bucket, so `ledger verify` can hold each counter's
    cap to the policy. A major-illness counter's incentive is added on top (rollover.py)."""
    get = _Reader(book, region, on)
    if bucket in LAYER_CAPS or bucket in ("outpatient", "inpatient", "chronic"):  # chronic: one per person
        return get(cap_parameter(scheme, bucket))
    kind, _sep, code = bucket.partition(":")
    for d in get(f"{scheme}.{kind}.diseases"):
        if d.code == code:
            return _disease_cap(get, scheme, kind, d)
    raise MissingParameter(pooling_area(region), on, f"{scheme}.{kind}.diseases[{code}]")


def _level(claim: Claim) -> str:
    if claim.hosp_lv is None:
        raise ValidationError(
            "hosp_lv",
            _("is required for med_type {med_type}: the deductible and ratio depend on the facility level").format(
                med_type=claim.med_type
            ),
        )
    return claim.hosp_lv


def _deductible(get: _Reader, claim: Claim, prefix: str) -> int:
    return get(f"{prefix}.deductible.level{_level(claim)}")


def _level_ratio(get: _Reader, patient: Patient, claim: Claim, bucket: str) -> Decimal:
    person = (".retired" if patient.retired else ".in_service") if patient.scheme == "employee" else ""
    return get(f"{patient.scheme}.{bucket}.ratio{person}.level{_level(claim)}")


# The kinds of disease outpatient, as the messages say them (N_: said where used).
DISEASE_KINDS = (N_("chronic"), N_("special"))


def _disease(get: _Reader, claim: Claim, prefix: str) -> Disease:
    kind = prefix.split(".")[1]
    if claim.dise_codg is None:
        raise ValidationError(
            "dise_codg",
            _("is required for med_type {med_type} ({kind} disease outpatient)").format(
                med_type=claim.med_type, kind=_(kind)
            ),
        )
    for d in get(f"{prefix}.diseases"):
        if d.code == claim.dise_codg:
            return d
    raise ValidationError(
        "dise_codg",
        _("{dise_codg} is not on the {kind} disease list of region {region} in force on {on}").format(
            dise_codg=claim.dise_codg, kind=_(kind), region=pooling_area(get.region), on=get.on
        ),
    )


@dataclass(frozen=True)
class WaitingPeriod:
    ends: date  # benefits from this day on
    reason: str


def add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):  # the 31st of a shorter month is its last day
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError(d)  # pragma: no cover


def broken_years(year: int, enrolled: dict[int, date | None]) -> int:
    """Years without enrollment between the last enrolled year before `year` and `year`."""
    earlier = [y for y in enrolled if y < year]
    return year - 1 - max(earlier) if earlier else 0


def waiting_period(
    year: int, enrolled: dict[int, date | None], central_end: date | None, fixed_months: int, per_broken_year: int
) -> WaitingPeriod | None:
    """A resident's waiting period in `year` (docs/rules.md §3), or None.

    It applies to an enrollment made late (after the central contribution period for the
    year ended) or after a break (years without enrollment since the last enrolled year;
    paying a missed year back enrolls it, which is how each back-paid year removes a
    month). It lasts `fixed_months` plus `per_broken_year` for each year still missing,
    from the day of enrollment (1 January for an enrollment made before the year)."""
    on = enrolled[year]
    broken = broken_years(year, enrolled)
    late = on is not None and central_end is not None and on > central_end
    if not late and broken == 0:
        return None
    start = max(on or date(year, 1, 1), date(year, 1, 1))
    ends = add_months(start, fixed_months + per_broken_year * broken)
    why = []
    if late:
        why.append(f"enrolled on {on}, after the central contribution period ended on {central_end}")
    if broken:
        why.append(f"{broken} year(s) of broken enrollment not paid back")
    return WaitingPeriod(
        ends, f"waiting period ({'; '.join(why)}): the funds pay for services from {ends} on (docs/rules.md §3)"
    )
