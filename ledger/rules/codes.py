"""The code lists of the national platform that the ledger reads, each written once. Pure
data; no database here. Everything else imports these (the database's CHECK lists too)."""

from dataclasses import dataclass

from ..i18n import N_

# 险种 insutype
EMPLOYEE, RESIDENT = "310", "390"  # 职工基本医疗保险, 城乡居民基本医疗保险
INSUTYPES = {EMPLOYEE: N_("employee"), RESIDENT: N_("resident")}  # N_: said in the run's language where shown

# 人员类别 psn_type of employees: 在职 / 退休, and the same for flexible employment (灵活就业).
PSN_TYPES = {
    "1101": "in service",
    "1103": "in service, flexible employment",
    "1201": "retired",
    "1203": "retired, flexible employment",
}
IN_SERVICE_TYPES = ("1101", "1103")
RETIRED_TYPES = ("1201", "1203")

RESIDENT_CATEGORIES = {"ordinary": "普通居民", "hardship": "困难群体", "extreme_poverty": "特困、孤儿"}


def scheme_of(insutype: str) -> str:
    """`employee` or `resident`: the first word of the scheme's policy parameters."""
    return INSUTYPES[insutype]


def is_retired(psn_type: str | None) -> bool:
    return psn_type in RETIRED_TYPES


@dataclass(frozen=True)
class MedType:
    """A 医疗类别 code: its name and which kind of basic-fund rule adjudicates it."""

    name: str
    kind: str  # outpatient, pharmacy, chronic, special, inpatient


# 医疗类别 med_type codes this ledger adjudicates (docs/claims.md).
MED_TYPES = {
    "11": MedType("general outpatient", "outpatient"),
    "13": MedType("emergency (as outpatient)", "outpatient"),
    "14": MedType("chronic disease outpatient", "chronic"),
    "140104": MedType("chronic disease outpatient", "chronic"),
    "140201": MedType("special disease outpatient", "special"),
    "21": MedType("inpatient", "inpatient"),
    "41": MedType("designated pharmacy", "pharmacy"),
}
HOSP_LEVELS = ("1", "2", "3")

# 医院等级 hosp_lv, and the deductible level each grade falls in (三级 3, 二级 2, 一级 1).
# 11 (无等级) has none: a record at such a hospital must give dedc_hosp_lv, or its
# institution's registry entry must (docs/institutions.md).
HOSP_GRADES = {
    "01": ("三级特等", "3"),
    "02": ("三级甲等", "3"),
    "03": ("三级乙等", "3"),
    "04": ("三级丙等", "3"),
    "05": ("二级甲等", "2"),
    "06": ("二级乙等", "2"),
    "07": ("二级丙等", "2"),
    "08": ("一级甲等", "1"),
    "09": ("一级乙等", "1"),
    "10": ("一级丙等", "1"),
    "11": ("无等级", None),
}

# What a designated institution (定点医药机构) is, as the registry keeps it: a hospital
# (定点医疗机构), a primary-care institution (基层医疗机构, grst_hosp_flag 1) or a
# pharmacy (定点零售药店). A claim at a pharmacy is adjudicated as one (docs/institutions.md).
HOSPITAL, PRIMARY, PHARMACY = "hospital", "primary", "pharmacy"
INSTITUTION_TYPES = (HOSPITAL, PRIMARY, PHARMACY)

# 异地就医备案 kinds of off-site registration; `cancelled` ends the one before (docs/institutions.md).
OFFSITE_KINDS = ("long_term", "temporary", "referral", "cancelled")


# Funds outside the basic scheme that pay part of a settlement's personal share, as the
# national platform's records give them (docs/national-records.md): the record's field and
# the journal book that pays it.
OTHER_FUNDS = {
    "cvlserv_pay": "civil_servant_subsidy",  # 公务员医疗补助资金支出
    "hifes_pay": "supplementary_insurance",  # 企业补充医疗保险基金支出
    "maf_pay": "medical_assistance",  # 医疗救助基金支出
    "oth_pay": "other_funds",  # 其他支出
    "hosp_part_amt": "hospital_share",  # 医院负担金额
}


# 医疗类别 med_type as the national platform codes it -> (its name, the ledger's med_type), or
# None where the ledger does not take it (rules/national.py says why). A province's own codes
# are mapped to these by national.med_type_map (docs/national-records.md); others are refused.
PLATFORM_MED_TYPES: dict[str, tuple[str, str | None]] = {
    "11": ("普通门诊", "11"),
    "12": ("门诊挂号", "11"),
    "13": ("急诊", "13"),
    "14": ("门诊慢特病", "14"),
    "140104": ("门诊慢病", "140104"),
    "140201": ("门诊特病", "140201"),
    "21": ("普通住院", "21"),
    "22": ("外伤住院", "21"),
    "23": ("转外诊治住院", "21"),
    "24": ("急诊转住院", "21"),
    "26": ("单病种住院", "21"),
    "41": ("定点药店购药", "41"),
    "51": ("生育门诊", None),
    "52": ("生育住院", None),
}
