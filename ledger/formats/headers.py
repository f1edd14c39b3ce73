"""Column headings a spreadsheet may give instead of the ledger's field names: the Chinese
names of the national platform's settlement fields (docs/national-records.md, "Fields the
ledger reads"), and the words a bureau's forms use for the rest. Each heading is read as
the field it names; a heading that is neither a field nor one of these is refused, as
before, with the field names listed.

The platform's 人员编号 is its own person number, not the ID number: it is no heading for
`psn_no` here (the ledger's `psn_no` is the ID number, 身份证号 or 证件号码)."""

ID_NUMBER = ("身份证号", "身份证号码", "公民身份号码", "证件号码")

CLAIM = {
    "setl_id": ("结算ID", "结算编号"),
    "psn_no": ID_NUMBER,
    "service_date": ("服务日期", "结算日期", "就诊日期"),
    "med_type": ("医疗类别",),
    "hosp_lv": ("医院级别", "医院等级", "起付线医院等级"),
    "dise_codg": ("病种编码", "病种编号"),
    "medfee_sumamt": ("医疗费总额",),
    "fulamt_ownpay_amt": ("全自费金额",),
    "overlmt_selfpay": ("超限价自费费用",),
    "preselfpay_amt": ("先行自付金额",),
    "acct_used_flag": ("个人账户使用标志",),
    "mulaid_payer": ("共济支付人", "共济账户持有人"),
}

PERSON = {
    "psn_no": ID_NUMBER,
    "name": ("姓名",),
    "insutype": ("险种类型", "险种"),
    "psn_type": ("人员类别",),
    "resident_category": ("居民类别",),
    "region": ("统筹区", "参保地", "行政区划代码"),
    "enrolled": ("参保年度",),
}

BASE = {"psn_no": ID_NUMBER, "base": ("缴费基数",)}

# The designated-institution registry's lists (docs/institutions.md): read with this table
# alone, since 起付线医院等级 is dedc_hosp_lv here and the claim's hosp_lv above.
INSTITUTION = {
    "fixmedins_code": ("定点医药机构编号", "定点医药机构编码", "医药机构编码", "机构编码", "机构编号"),
    "fixmedins_name": ("定点医药机构名称", "医药机构名称", "机构名称"),
    "fixmedins_type": ("定点医药机构类型", "医药机构类型", "机构类型"),
    "hosp_lv": ("医院等级",),
    "dedc_hosp_lv": ("起付线医院等级",),
    "fix_blng_admdvs": ("定点归属医保区划", "医保区划", "统筹区"),
    "begndate": ("开始日期", "生效日期"),
    "enddate": ("结束日期", "失效日期"),
    "grst_hosp_flag": ("基层医疗机构标志",),
}

_ALL = (CLAIM, PERSON, BASE)


def field_of(heading: str, aliases: dict[str, tuple[str, ...]]) -> str:
    """The field `heading` names: itself if it is one, else the field whose heading it is
    in `aliases`; a heading that is neither comes back as it is (for the caller to refuse)."""
    h = heading.strip().lstrip("\ufeff")
    if h in aliases:
        return h
    for field, names in aliases.items():
        if h in names:
            return field
    return h


def aliases_for(columns) -> dict[str, tuple[str, ...]]:
    """The headings known for each of `columns`."""
    known: dict[str, tuple[str, ...]] = {}
    for table in _ALL:
        for field, names in table.items():
            if field in columns:
                known[field] = tuple(dict.fromkeys(known.get(field, ()) + names))
    return {c: known.get(c, ()) for c in columns}
