from datetime import date, time
from decimal import Decimal

import pytest

from ledger.errors import PolicyError
from ledger.policy.book import PolicyBook, seed_documents
from ledger.policy.schema import parse_policy_text
from tests.policy_text import policy_text


@pytest.fixture(scope="module")
def seeds():
    return PolicyBook(seed_documents())


def values(book, region, on):
    return {name: r.value for name, r in book.in_force(region, on).items()}


def test_songyuan_2025_holds_exactly_the_numbers_of_rules_section_1(seeds):
    v = values(seeds, "220700", date(2025, 6, 1))
    # RULES.md §1, amounts in fen (yuan × 100)
    assert v["resident.contribution.ordinary"] == 41000
    assert v["resident.contribution.hardship"] == 26000
    assert v["resident.contribution.extreme_poverty"] == 1000
    assert v["resident.contribution.care_insurance_part"] == 1000
    assert v["resident.contribution.central_period.start"] == date(2024, 9, 1)
    assert v["resident.contribution.central_period.end"] == date(2025, 2, 28)
    assert [v[f"employee.outpatient.deductible.level{n}"] for n in (1, 2, 3)] == [20000, 30000, 40000]
    assert [v[f"employee.outpatient.ratio.in_service.level{n}"] for n in (1, 2, 3)] == [
        Decimal("0.55"),
        Decimal("0.57"),
        Decimal("0.50"),
    ]
    assert [v[f"employee.outpatient.ratio.retired.level{n}"] for n in (1, 2, 3)] == [
        Decimal("0.57"),
        Decimal("0.60"),
        Decimal("0.55"),
    ]
    assert v["employee.outpatient.annual_cap"] == 100000
    assert (v["chronic.annual_cap.lowest"], v["chronic.annual_cap.highest"]) == (96000, 180000)
    assert v["resident.inpatient.annual_cap"] == 20000000
    assert v["resident.major_illness.annual_cap"] == 40000000
    assert v["family.relations"] == (
        "spouse",
        "parent",
        "child",
        "sibling",
        "grandparent",
        "maternal_grandparent",
        "grandchild",
        "maternal_grandchild",
    )
    assert v["family.pays_relatives_personal_share"] is True and v["family.pays_resident_contributions"] is True
    assert v["resident.incentive.start_year"] == 2025
    assert v["resident.incentive.continuous.years_before_bonus"] == 4
    assert v["resident.incentive.continuous.minimum_per_year"] == 100000
    assert v["resident.incentive.zero_claim.minimum"] == 100000
    assert v["employee.account.crediting_reform_from"] == date(2023, 1, 1)
    assert v["reference.2024h1.employee_outpatient_settlements"] == 640000
    assert v["reference.2024h1.employee_outpatient_pooled_fund"] == 3358970000  # 3358.97万元 = 33,589,700.00 yuan
    # The one value no source gives, graded D (RULES.md §3: the 2024 extension names no province limit)
    assert v["family.member_same_province"] is False
    # The national limit on the two incentives (RULES.md §3, grade N), carried with them
    assert v["resident.incentive.max_share_of_cap"] == Decimal("0.20")
    # and the national waiting period (RULES.md §3): 3 months plus 1 per broken year
    assert (v["resident.waiting_period.fixed_months"], v["resident.waiting_period.months_per_broken_year"]) == (3, 1)
    # Read from the document beyond the rules digest's table: pharmacies are in employee
    # outpatient pooling (将符合条件的定点零售药店纳入门诊统筹管理), and the chronic cap is one
    # per disease (960至1800元不等,具体病种和限额由各统筹区确定)
    assert v["employee.pharmacy.pooled"] is True
    assert v["employee.chronic.cap_per_person"] is False and v["resident.chronic.cap_per_person"] is False
    # 零报销激励:当年未发生医疗费用的参保人: the document's reading of a zero-claim year
    assert v["resident.incentive.zero_claim.basis"] == "no_medical_expense"
    assert_wallet_seed(v)
    assert len(v) == 38 + 8  # nothing else beyond the document, those national rules and the wallet's


def assert_wallet_seed(v):
    """The wallet's parameters (docs/wallet.md), the same in both seeds: enabled from the
    2025 Jilin document's date (D: 若转账人和收款人的地区均开通了“医保钱包”功能,即可进行使用,
    健康新闻 2025-03-10); the limits of the public guide (B): 每个医保钱包账户单日限额三笔转账,
    每笔转账金额不超过2000元 (2000.00 yuan = 200000 fen), 每日22:00-次日6:00不能进行转账;
    no binding needed and the wallet before relatives' accounts (D); the day and the hours on
    Beijing time, the national platform's (D)."""
    assert v["wallet.enabled_from"] == date(2025, 3, 10)
    assert v["wallet.transfer.time_zone"] == "Asia/Shanghai"
    assert v["wallet.transfer.max_per_day"] == 3
    assert v["wallet.transfer.max_amount"] == 200000
    assert (v["wallet.transfer.quiet_from"], v["wallet.transfer.quiet_until"]) == (time(22, 0), time(6, 0))
    assert v["wallet.transfer.needs_binding"] is False
    assert v["wallet.pays_before_relatives"] is True


def test_changchun_2024_holds_exactly_the_numbers_of_rules_section_2(seeds):
    v = values(seeds, "220100", date(2024, 6, 1))
    assert v["employee.outpatient.annual_cap"] == 250000
    assert v["employee.outpatient.deductible.level1"] == 0
    assert v["employee.chronic.deductible.level1"] == 0
    assert (v["employee.chronic.disease_count"], v["employee.chronic.ratio"], v["employee.chronic.annual_cap"]) == (
        47,
        Decimal("0.70"),
        650000,
    )
    assert (v["employee.special.disease_count"], v["employee.special.at_inpatient_ratio"]) == (55, True)
    assert v["employee.basic_and_large_expense.annual_cap"] == 70000000
    assert v["employee.chronic.cap_per_person"] is True  # 每年最高报销6500元: one cap a year, not per disease
    assert v["employee.retired.year_end.large_expense_premium"] == 10000
    assert v["employee.retired.year_end.disabled_care_premium"] == 3336
    assert v["employee.retired.year_end.for_year"] == 2024  # 2024年大额医疗费用补助100元、……33.36元
    assert (v["care.institution.monthly_cap"], v["care.home.monthly_cap"]) == (288900, 67200)
    assert v["reference.inpatient.average_ratio"] == Decimal("0.85")
    assert v["reference.2023.retirees_benefited"] == 348000
    assert v["reference.2023.retiree_outpatient_fund"] == 32200000000  # 3.22亿元
    assert v["reference.2023.retiree_outpatient_average"] == 92400
    assert v["reference.2023.retiree_outpatient_average_ratio"] == Decimal("0.50")
    assert_wallet_seed(v)
    # 如需长期异地居住,办理长期异地就医备案后,可享受本市同等待遇: a long-term registration, local benefits
    assert v["offsite.long_term.local_benefits"] is True
    assert len(v) == 20 + 8 + 1
    # The U-grade figures of RULES.md §4 are not shipped:
    assert "employee.outpatient.deductible.level2" not in v and "employee.outpatient.ratio.retired.level1" not in v


def test_every_seed_value_cites_a_seed_document_with_a_quote(seeds):
    for doc in seeds.documents:
        for name, entry in doc.policy.parameters.items():
            if doc.policy.sources[entry.source].grade == "D":
                assert name in ("family.member_same_province", *WALLET_DECISIONS) and entry.note, name
                continue
            if doc.policy.sources[entry.source].grade == "B":  # the wallet guide's limits
                assert name.startswith("wallet.transfer.") and entry.quote, name
                continue
            if doc.policy.sources[entry.source].grade == "N":  # a national rule, reported by RULES.md §3
                assert (
                    name
                    in (
                        "resident.incentive.max_share_of_cap",
                        "resident.waiting_period.fixed_months",
                        "resident.waiting_period.months_per_broken_year",
                    )
                    and entry.note
                ), name
                continue
            assert entry.quote, name
            assert doc.policy.sources[entry.source].grade == "S", name


WALLET_DECISIONS = (
    "wallet.enabled_from",
    "wallet.transfer.time_zone",
    "wallet.transfer.needs_binding",
    "wallet.pays_before_relatives",
)
GOOD = {"employee.outpatient.annual_cap": '"1200.00"'}


def test_a_good_file_passes():
    p = parse_policy_text(policy_text(GOOD))
    assert p.parameters["employee.outpatient.annual_cap"].value == "1200.00"


@pytest.mark.parametrize(
    "text, message",
    [
        (
            policy_text(GOOD).replace('source = "doc"\n', ""),
            r"parameters\.employee\.outpatient\.annual_cap\.source: missing",
        ),
        (policy_text(GOOD).replace('source = "doc"', 'source = "nowhere"'), r"source 'nowhere' is not declared"),
        (
            policy_text({"employee.outpatient.ratio.retired.level1": '"1.05"'}),
            r"employee\.outpatient\.ratio\.retired\.level1: a ratio must be between 0 and 1 \(got 1\.05\)",
        ),
        (
            policy_text({"employee.outpatient.ratio.retired.level1": '"-0.1"'}),
            r"employee\.outpatient\.ratio\.retired\.level1: a ratio must be between 0 and 1 \(got -0\.1\)",
        ),
        (
            policy_text({"employee.outpatient.annual_cap": '"-5.00"'}),
            r"employee\.outpatient\.annual_cap: amount must not be negative",
        ),
        (policy_text({"employee.outpatient.annual_cap": "1000.0"}), r"money is written as a string"),
        (policy_text({"employee.outpatient.annual_cap": '"10.001"'}), r"more than two decimals"),
        (
            policy_text({"employee.outpatient.anual_cap": '"1000.00"'}),
            r"parameters\.employee\.outpatient\.anual_cap: unknown parameter",
        ),
        (policy_text(GOOD) + '\nmayor = "x"\n', r"mayor: unknown key"),
        (
            policy_text(GOOD).replace('title = "a test document"', 'title = "a test document"\nauthor = "x"'),
            r"sources\.doc\.author: unknown key",
        ),
        (
            policy_text(GOOD).replace("value =", 'unit = "yuan"\nvalue ='),
            r"parameters\.employee\.outpatient\.annual_cap\.unit: unknown key",
        ),
        (policy_text({"family.relations": '["spouse", "cousin"]'}), r"unknown relation\(s\) cousin"),
        (policy_text(GOOD).replace('region = "220700"', 'region = "2207"'), r"region: String should match pattern"),
        (policy_text(GOOD, review_by="2025-01-01"), r"review_by: is before effective_from"),
        ("region = ", r"not valid TOML"),
    ],
)
def test_check_rejects_naming_the_key(text, message):
    with pytest.raises(PolicyError, match=message):
        parse_policy_text(text, "bad.toml")


def test_all_problems_are_reported_at_once():
    text = policy_text({"employee.outpatient.annual_cap": '"-1.00"', "employee.chronic.ratio": '"2"'})
    with pytest.raises(PolicyError) as e:
        parse_policy_text(text)
    assert "employee.outpatient.annual_cap" in str(e.value) and "employee.chronic.ratio" in str(e.value)
