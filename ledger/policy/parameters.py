"""The parameters a policy file may set: each name, the kind of its value, and what it means.

A name not listed here is refused by `ledger policy check`, so a typo can never silently
leave a rule at its default (there are no defaults).
"""

from ..rules import codes
from .kinds import Kind, Need, Parameter  # noqa: F401 - named here, where readers have always found them
from .values import Disease, Segment  # noqa: F401 - their old home: `from ledger.policy.parameters import Segment`

# What the member is *to the holder* (docs/policy-files.md).
RELATIONS = (
    "spouse",
    "parent",
    "child",
    "sibling",
    "grandparent",
    "maternal_grandparent",
    "grandchild",
    "maternal_grandchild",
)


def _levels(prefix: str, kind: Kind, what: str) -> list[Parameter]:
    return [Parameter(f"{prefix}.level{n}", kind, f"{what}, level-{n} facility") for n in (1, 2, 3)]


_ALL: list[Parameter] = [
    # Resident scheme (城乡居民, insutype 390)
    Parameter("resident.contribution.ordinary", Kind.MONEY, "contribution per person-year, ordinary residents"),
    Parameter("resident.contribution.hardship", Kind.MONEY, "contribution per person-year, hardship group (困难群体)"),
    Parameter(
        "resident.contribution.extreme_poverty",
        Kind.MONEY,
        "contribution per person-year, extreme poverty and orphans (特困、孤儿)",
    ),
    Parameter(
        "resident.contribution.care_insurance_part",
        Kind.MONEY,
        "part of each contribution that is long-term care insurance (长护险)",
    ),
    Parameter(
        "resident.contribution.central_period.start",
        Kind.DATE,
        "first day of the central contribution period (集中缴费)",
    ),
    Parameter("resident.contribution.central_period.end", Kind.DATE, "last day of the central contribution period"),
    Parameter("resident.inpatient.annual_cap", Kind.MONEY, "inpatient annual cap of the basic fund"),
    Parameter("resident.major_illness.annual_cap", Kind.MONEY, "major-illness insurance (大病保险) annual cap"),
    Parameter(
        "resident.major_illness.segments",
        Kind.SEGMENTS,
        "major-illness insurance bands on the year's accumulated policy-scope self-pay",
    ),
    Parameter("resident.incentive.start_year", Kind.YEAR, "first year from which incentives count"),
    Parameter(
        "resident.incentive.continuous.years_before_bonus",
        Kind.COUNT,
        "continuous enrolled years after which each further year raises the major-illness cap",
    ),
    Parameter(
        "resident.incentive.continuous.minimum_per_year",
        Kind.MONEY,
        "least raise of the major-illness cap per further continuous year",
    ),
    Parameter(
        "resident.incentive.zero_claim.minimum",
        Kind.MONEY,
        "least raise of next year's major-illness cap after a zero-claim year",
    ),
    Parameter(
        "resident.incentive.zero_claim.basis",
        Kind.CHOICE,
        "what makes a zero-claim year: no_medical_expense (no claim at all that year) or no_fund_reimbursement (the funds paid nothing)",
        ("no_medical_expense", "no_fund_reimbursement"),
    ),
    Parameter(
        "resident.waiting_period.fixed_months",
        Kind.COUNT,
        "waiting period, in months, for a resident who enrolled late or after a break",
    ),
    Parameter(
        "resident.waiting_period.months_per_broken_year",
        Kind.COUNT,
        "further months of waiting for each year of broken enrollment not paid back",
    ),
    Parameter(
        "resident.incentive.max_share_of_cap",
        Kind.RATIO,
        "the continuous and zero-claim raises together at most this share of the original major-illness cap",
    ),
    # Employee scheme (职工, insutype 310)
    Parameter(
        "employee.basic_and_large_expense.annual_cap",
        Kind.MONEY,
        "basic fund plus large-expense subsidy (大额医疗费用补助), together, per year",
    ),
    Parameter(
        "employee.large_expense.segments",
        Kind.SEGMENTS,
        "large-expense subsidy (大额医疗费用补助) bands on the year's accumulated policy-scope self-pay",
    ),
    Parameter("employee.large_expense.annual_cap", Kind.MONEY, "large-expense subsidy annual cap"),
    Parameter(
        "employee.account.in_service_rate",
        Kind.RATIO,
        "monthly personal-account credit of an in-service employee, as a share of the contribution base",
    ),
    Parameter(
        "employee.account.retired_monthly_amount",
        Kind.MONEY,
        "monthly personal-account credit of a retiree (a fixed amount from the pooled fund)",
    ),
    Parameter(
        "employee.account.crediting_reform_from",
        Kind.DATE,
        "date from which personal-account crediting follows the reform (amounts are separate parameters)",
    ),
    Parameter(
        "employee.retired.year_end.large_expense_premium",
        Kind.MONEY,
        "large-expense subsidy premium deducted at year end for the coming year",
    ),
    Parameter(
        "employee.retired.year_end.disabled_care_premium",
        Kind.MONEY,
        "disabled-care insurance premium deducted at year end for the coming year",
    ),
    Parameter(
        "employee.retired.year_end.for_year",
        Kind.YEAR,
        "the year the year-end items are collected for; a rollover into another year collects none of them (unset: every year they are in force)",
    ),
    # Both schemes, where the document does not say which
    Parameter(
        "chronic.annual_cap.lowest", Kind.MONEY, "lowest chronic disease annual cap (the cap depends on the disease)"
    ),
    Parameter("chronic.annual_cap.highest", Kind.MONEY, "highest chronic disease annual cap"),
    Parameter(
        "care.institution.monthly_cap", Kind.MONEY, "long-term care in an institution, most reimbursed per month"
    ),
    Parameter("care.home.monthly_cap", Kind.MONEY, "long-term care at home, most reimbursed per month"),
    # Family mutual aid (家庭共济)
    Parameter("family.relations", Kind.RELATIONS, "relations a member may have to the holder to be bound"),
    Parameter("family.member_same_province", Kind.FLAG, "a bound member must be insured in the holder's province"),
    Parameter(
        "family.pays_relatives_personal_share",
        Kind.FLAG,
        "the holder's account pays a bound relative's personal share at designated institutions",
    ),
    Parameter(
        "family.pays_resident_contributions",
        Kind.FLAG,
        "the holder's account pays a bound relative's resident contribution",
    ),
    # Limits a bureau may set on bindings; unset means no such limit.
    Parameter(
        "family.max_holders_per_member",
        Kind.COUNT,
        "most holders a member may be bound to at once (1: one holder per member); unset: no limit",
    ),
    Parameter(
        "family.max_members_per_holder", Kind.COUNT, "most members one holder may have bound at once; unset: no limit"
    ),
    Parameter(
        "family.min_days_before_unbind", Kind.COUNT, "days a binding must last before it may be ended; unset: no limit"
    ),
    Parameter(
        "family.cross_region_allowed",
        Kind.FLAG,
        "a member may be insured in another pooling area than the holder's; unset: no limit",
    ),
    # Claim benefits of both schemes (below), then reported figures: never used in a computation, kept to judge plausibility.
    Parameter(
        "reference.2024h1.employee_outpatient_settlements",
        Kind.COUNT,
        "employee outpatient settlements, first half of 2024",
    ),
    Parameter("reference.2024h1.employee_outpatient_pooled_fund", Kind.MONEY, "pooled fund paid for them"),
    Parameter("reference.2023.retirees_benefited", Kind.COUNT, "retirees who used outpatient pooling in 2023"),
    Parameter("reference.2023.retiree_outpatient_fund", Kind.MONEY, "fund paid for them in 2023"),
    Parameter("reference.2023.retiree_outpatient_average", Kind.MONEY, "average reimbursed per retiree in 2023"),
    Parameter(
        "reference.2023.retiree_outpatient_average_ratio", Kind.RATIO, "average outpatient reimbursement ratio in 2023"
    ),
    Parameter(
        "reference.inpatient.average_ratio",
        Kind.RATIO,
        "average policy-scope inpatient reimbursement ratio (an average, not a rule)",
    ),
]


# Parameters whose absence is a rule of its own (no such limit, cap or item).
# 智能监控 (`ledger monitor`, docs/monitoring.md): the thresholds of the rules that have one.
# Unset: the rule (or that half of it) does not run, and the run says so.
MONITOR = [
    Parameter("monitor.readmission.days", Kind.COUNT, "R06: a readmission at the same institution within this many days of discharge"),
    Parameter("monitor.visits.window_days", Kind.COUNT, "R07: the window of days in which outpatient settlements are counted"),
    Parameter("monitor.visits.max_settlements", Kind.COUNT, "R07: more outpatient settlements than this in the window are flagged"),
    Parameter("monitor.visits.max_institutions", Kind.COUNT, "R07: outpatient settlements at more institutions than this in the window are flagged"),
    Parameter("monitor.pharmacies.max_per_day", Kind.COUNT, "R08: settlements at more designated pharmacies than this in one day are flagged"),
    Parameter("monitor.distance.min_minutes", Kind.COUNT, "R09: settlements at two institutions fewer minutes apart than this are flagged"),
    Parameter("monitor.mutual_aid.max_members_per_month", Kind.COUNT, "R10: a holder's account paying for more members than this in a month is flagged"),
    Parameter("monitor.year_end_drain.times_monthly_mean", Kind.COUNT, "R11: December pharmacy purchases from the account above this many times the monthly mean of January to November"),
    Parameter("monitor.year_end_drain.left_at_most", Kind.MONEY, "R11: an account holding at most this at the end of December counts as emptied"),
]  # fmt: skip
_ALL += MONITOR

# The health-insurance wallet (医保钱包, docs/wallet.md): a region that gives no
# `wallet.enabled_from` has not enabled it; one that has must give the rest before a
# transfer or a claim needs them.
WALLET = [
    Parameter("wallet.enabled_from", Kind.DATE, "the region's 医保钱包 takes transfers and pays claims from this day; unset: not enabled"),
    Parameter("wallet.transfer.time_zone", Kind.ZONE, "the clock of the wallet's day and quiet hours: the pooling area's, whatever the desk's LEDGER_TIMEZONE"),
    Parameter("wallet.transfer.max_per_day", Kind.COUNT, "most wallet transfers a holder may make in one day (local time)"),
    Parameter("wallet.transfer.max_amount", Kind.MONEY, "most one wallet transfer may move"),
    Parameter("wallet.transfer.quiet_from", Kind.TIME, "no wallet transfer from this local time ..."),
    Parameter("wallet.transfer.quiet_until", Kind.TIME, "... until this local time (the next morning where it is earlier)"),
    Parameter("wallet.transfer.needs_binding", Kind.FLAG, "true: a transfer needs an active family binding of the pair; false: a near relative (family.relations) is enough"),
    Parameter("wallet.pays_before_relatives", Kind.FLAG, "true: a claim's share is paid from the patient's own account, their wallet, then bound relatives' accounts; false: the wallet after the relatives"),
]  # fmt: skip
_ALL += WALLET

# Where care was given (docs/institutions.md): the registry's designations, and off-site
# care (异地就医) by the kind of the patient's registration (备案), or none.
OFFSITE_KINDS = ("long_term", "temporary", "referral", "unregistered")
WHERE = [
    Parameter("institution.undesignated", Kind.CHOICE, "a claim at an institution of the registry not designated on its service date: refuse it, or post it with a warning", ("refuse", "warn")),
    *(
        Parameter(f"offsite.{k}.local_benefits", Kind.FLAG, f"true: off-site care under a {k.replace('_', '-')} registration gets the local ratios; unset or false: offsite.{k}.ratio_reduction")
        for k in OFFSITE_KINDS if k != "unregistered"
    ),
    *(
        Parameter(f"offsite.{k}.ratio_reduction", Kind.RATIO, f"off-site care, {k.replace('_', '-')}: taken off the local ratio (0.10: ten points lower; never below 0)")
        for k in OFFSITE_KINDS
    ),
]  # fmt: skip
_ALL += WHERE

# How a province's platform records are read (docs/national-records.md): its med_type codes
# and its spellings of the fields, mapped to the national ones. Unset: the national ones only.
NATIONAL = [
    Parameter("national.med_type_map", Kind.MAP, "a province's med_type codes, each to the national code it is read as, e.g. { \"2101\" = \"21\" }", tuple(codes.PLATFORM_MED_TYPES)),
    Parameter("national.field_map", Kind.MAP, "a province's spellings of the platform's fields, each to its national name, e.g. { \"med_fee_sumamt\" = \"medfee_sumamt\" }"),
]  # fmt: skip
_ALL += NATIONAL

OPTIONAL = frozenset(
    {
        *(p.name for p in MONITOR),
        *(p.name for p in WALLET),
        *(p.name for p in WHERE if p.name.endswith(".local_benefits")),
        *(p.name for p in NATIONAL),
        "family.max_holders_per_member",
        "family.max_members_per_holder",
        "family.min_days_before_unbind",
        "family.cross_region_allowed",
        "employee.basic_and_large_expense.annual_cap",
        "employee.retired.year_end.large_expense_premium",
        "employee.retired.year_end.disabled_care_premium",
        "employee.retired.year_end.for_year",
        "resident.incentive.start_year",
    }
)
# Given by the documents, read by no computation (yet): kept with their sources.
NOT_COMPUTED = frozenset({"employee.account.crediting_reform_from", "resident.contribution.care_insurance_part"})

# What each scheme calls its people in ratio names: employees' ratios depend on whether the
# person is in service or retired; residents have one ratio per level.
SCHEMES = {"employee": ("in_service", "retired"), "resident": (None,)}


BASIC_BUCKETS = (("outpatient", "general outpatient pooling (普通门诊统筹)"), ("inpatient", "inpatient (住院)"))
DISEASE_KINDS = (
    ("chronic", "chronic disease outpatient (门诊慢病)"),
    ("special", "special disease outpatient (门诊特病)"),
)
# Each disease kind's parameters beside its deductibles: (name, kind, meaning with {what}).
DISEASE_PARAMETERS = (
    ("ratio", Kind.RATIO, "{what} ratio, for a disease whose list entry gives none"),
    ("annual_cap", Kind.MONEY, "{what} annual cap per disease, for a disease whose list entry gives none"),
    ("diseases", Kind.DISEASES, "{what} disease list, with per-disease caps and ratios"),
    ("disease_count", Kind.COUNT, "number of diseases covered ({what}); a reported figure"),
)
SCHEME_FLAGS = (
    (
        "chronic.cap_per_person",
        "true: one chronic-disease annual cap per person over all chronic diseases (usage bucket `chronic`); "
        "false: a cap per disease (bucket `chronic:CODE`)",
    ),
    (
        "special.at_inpatient_ratio",
        "special disease outpatient is reimbursed at the inpatient ratio of the facility level",
    ),
    ("pharmacy.pooled", "designated-pharmacy claims (med_type 41) are reimbursed as general outpatient pooling"),
)


def _benefits() -> list[Parameter]:
    """Per scheme, the parameters of each basic-fund bucket (docs/claims.md), named
    `<scheme>.<bucket>.deductible.levelN`, `<scheme>.<bucket>.ratio[.<person>].levelN`,
    `<scheme>.<bucket>.annual_cap`, plus the disease lists and the scheme's flags."""
    out: list[Parameter] = []
    for scheme, persons in SCHEMES.items():
        for bucket, what in BASIC_BUCKETS:
            out += _levels(f"{scheme}.{bucket}.deductible", Kind.MONEY, f"{what} deductible (起付线)")
            for person in persons:
                infix, whom = (f".{person}", f", {person.replace('_', ' ')}") if person else ("", "")
                out += _levels(f"{scheme}.{bucket}.ratio{infix}", Kind.RATIO, f"{what} ratio{whom}")
            out.append(Parameter(f"{scheme}.{bucket}.annual_cap", Kind.MONEY, f"{what} annual cap of the basic fund"))
        for kind, what in DISEASE_KINDS:
            out += _levels(f"{scheme}.{kind}.deductible", Kind.MONEY, f"{what} deductible")
            out += [
                Parameter(f"{scheme}.{kind}.{name}", k, text.format(what=what)) for name, k, text in DISEASE_PARAMETERS
            ]
        out += [Parameter(f"{scheme}.{name}", Kind.FLAG, text) for name, text in SCHEME_FLAGS]
    return out


_ALL += [p for p in _benefits() if p.name not in {q.name for q in _ALL}]
PARAMETERS: dict[str, Parameter] = {p.name: p for p in _ALL}
assert len(PARAMETERS) == len(_ALL), "duplicate parameter name"
