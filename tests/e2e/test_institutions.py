"""The designated-institution registry and off-site care (docs/institutions.md): records that
give no level take their institution's on the service date, a pharmacy known only from the
registry is adjudicated as one, a regrade changes the level from its day, and off-site care is
adjudicated by the patient's registration. Figures worked by hand from the seeds' quotes."""

import json

import pytest

from tests.ids import RETIREE, SPOUSE
from tests.platform_records import AGREES, DIFFERS, Num, add_worker, record, write
from tests.policy_text import policy_text


@pytest.fixture
def worker(run):
    return add_worker(run)


def post(run, path, *more):
    return run("claim", "post", "--profile", "national", path, "--json", *more)


def results(r) -> list[dict]:
    return [json.loads(line) for line in r.stdout.splitlines()]


def registry(run, tmp_path, text: str) -> None:
    f = tmp_path / "fixmedins.csv"
    f.write_text(text, encoding="utf-8")
    r = run("institution", "import", str(f))
    assert r.exit_code == 0, r.output


# H22070200001 is 二级甲等 (05) until it is regraded 三级甲等 (02) on 2025-07-01;
# P22070200002 is a pharmacy (定点零售药店, type 2) held to deductible level 1.
REGISTRY = """定点医药机构编号,定点医药机构名称,定点医药机构类型,医院等级,起付线医院等级,定点归属医保区划,开始日期,结束日期
H22070200001,松原市某医院,1,05,,220702,2025-01-01,
H22070200001,松原市某医院,1,02,,220702,2025-07-01,
P22070200002,松原某大药房,2,,1,220702,2020-01-01 00:00:00,
"""
NO_LEVEL = {"hosp_lv": "", "dedc_hosp_lv": ""}


def test_a_hospital_regraded_mid_year_gives_each_claim_the_level_of_its_day(run, worker, tmp_path):
    registry(run, tmp_path, REGISTRY)
    # Neither record gives a level. Songyuan 2025, employee in service, general outpatient:
    # March, 二级甲等 -> level 2: deductible 300.00, fund (800 - 300) x 57% = 285.00.
    # September, 三级甲等 -> level 3: deductible 400.00 - 300.00 met = 100.00,
    #   fund (1000 - 100) x 50% = 450.00.
    march = AGREES | NO_LEVEL
    september = DIFFERS | NO_LEVEL | {"setl_time": "2025-09-01 10:00:00"}
    r = post(run, write(tmp_path, march, september))
    assert r.exit_code == 0, r.output
    assert [(o["hosp_lv"], o["act_pay_dedc"], o["hifp_pay"]) for o in results(r)] == [
        ("2", "300.00", "285.00"),
        ("3", "100.00", "450.00"),
    ]
    assert run("verify").exit_code == 0


def test_a_pharmacy_known_only_from_the_registry_is_adjudicated_as_one(run, worker, tmp_path):
    registry(run, tmp_path, REGISTRY)
    # The record says general outpatient (11) and gives no level; the registry says the place
    # is a pharmacy held to level 1. Songyuan: employee pharmacy purchases are pooled
    # (employee.pharmacy.pooled, seed) at the level's outpatient rules: deductible 200.00,
    # fund (300 - 200) x 55% = 55.00; personal 245.00 from the account, 1000.00 -> 755.00.
    purchase = record(
        "P1", "2025-03-02 11:00:00", "", "300.00", "55.00", "245.00", "245.00", "0.00",
        dedc="200.00", ratio="0.55", balc="755.00", fixmedins_code="P22070200002", fixmedins_name="松原某大药房",
    )  # fmt: skip
    r = post(run, write(tmp_path, purchase))
    assert r.exit_code == 0, r.output
    [o] = results(r)
    assert (o["med_type"], o["hosp_lv"], o["act_pay_dedc"], o["hifp_pay"], o["acct_pay"], o["balc"]) == (
        "41", "1", "200.00", "55.00", "245.00", "755.00",
    )  # fmt: skip
    again = run("claim", "reconcile", write(tmp_path, purchase))
    assert again.exit_code == 0 and "1 agree" in again.output, again.output


def test_a_record_naming_no_institution_takes_the_one_named_for_the_file_or_its_setl_ids(run, worker, tmp_path):
    registry(run, tmp_path, REGISTRY)
    # A hospital's own capture of its settlement outputs names no fixmedins_code.
    anonymous = {k: v for k, v in (AGREES | NO_LEVEL).items() if k not in ("fixmedins_code", "medins_setl_id")}
    f = write(tmp_path, anonymous)
    r = post(run, f)
    assert r.exit_code == 1
    assert "fixmedins_code: the record names no institution and gives no level" in results(r)[0]["errors"][0]
    # The platform's settlement ids begin with the institution's code: level 2 from the registry.
    by_setl_id = anonymous | {"medins_setl_id": "H22070200001202503010001"}
    r = post(run, write(tmp_path, by_setl_id))
    assert r.exit_code == 0, r.output
    assert (results(r)[0]["hosp_lv"], json.loads(run("claim", "show", "N1", "--json").stdout)["fixmedins_code"]) == (
        "2",
        "H22070200001",
    )
    # Named for the whole file (--institution), in September: level 3 (the regrade).
    r = post(
        run,
        write(tmp_path, anonymous | {"setl_id": "N9", "setl_time": "2025-09-02 08:00:00"}),
        "--institution",
        "H22070200001",
    )
    assert r.exit_code == 0 and results(r)[0]["hosp_lv"] == "3", r.output


def test_an_unregistered_institution_without_a_level_is_one_clear_error(run, worker, tmp_path):
    r = post(run, write(tmp_path, AGREES | NO_LEVEL))
    assert r.exit_code == 1
    assert results(r)[0]["errors"] == [
        "fixmedins_code: institution H22070200001 is not in the registry (ledger institution import), and the record gives no level (dedc_hosp_lv, hosp_lv)"
    ]
    # A record that gives its level needs no registry, as before.
    assert post(run, write(tmp_path, AGREES)).exit_code == 0


def test_a_record_keeps_its_own_deductible_level_and_reconcile_reports_the_registrys(run, worker, tmp_path):
    registry(run, tmp_path, REGISTRY)
    own = AGREES | {"hosp_lv": "", "dedc_hosp_lv": "2"}  # the registry says level 2 too: agrees
    assert run("claim", "reconcile", write(tmp_path, own)).exit_code == 0
    other = AGREES | {"hosp_lv": "", "dedc_hosp_lv": "3", "setl_time": "2025-09-01 09:30:00"}
    # September: the registry says level 3 (三级甲等); the record says 3 too -> agrees on the level.
    # March with level 3 given: deductible 400.00, fund (800 - 400) x 50% = 200.00 (the record says 285.00).
    march3 = AGREES | {"hosp_lv": "", "dedc_hosp_lv": "3"}
    r = run("claim", "reconcile", write(tmp_path, march3), "--json")
    assert r.exit_code == 1
    [o] = results(r)
    assert o["level"] == {"platform": "3", "registry": "2"}
    assert {d["field"]: d["ledger"] for d in o["differences"]}["hifp_pay"] == "200.00"
    assert run("claim", "reconcile", write(tmp_path, other)).exit_code == 1  # its figures are March's


def test_an_institution_not_designated_that_day_is_refused_or_warned_as_the_policy_says(run, worker, tmp_path):
    registry(run, tmp_path, REGISTRY.replace("2025-01-01,\n", "2025-01-01,2025-02-28\n", 1))
    # March at H22070200001: its designation ended on 2025-02-28 and the July state is not yet.
    r = post(run, write(tmp_path, AGREES | NO_LEVEL))
    assert r.exit_code == 1
    assert results(r)[0]["errors"] == [
        "policy parameter 'institution.undesignated' is not given for region 220700 on 2025-03-01: load a policy file that sets it (see docs/policy-files.md)"
    ]
    for choice, code in (("refuse", 1), ("warn", 0)):
        f = tmp_path / f"{choice}.toml"
        f.write_text(
            policy_text(
                {"institution.undesignated": f'"{choice}"'},
                effective_from="2025-01-0" + ("1" if choice == "refuse" else "2"),
            )
        )
        assert run("policy", "load", str(f)).exit_code == 0
        r = post(run, write(tmp_path, AGREES | NO_LEVEL))
        assert r.exit_code == code, r.output
        said = "fixmedins_code: institution H22070200001 (松原市某医院) is not designated on 2025-03-01: its designation ended on 2025-02-28"
        assert said in (results(r)[0]["errors"] if choice == "refuse" else results(r)[0]["warnings"])


# Changchun (220100): a retiree insured there, treated in Sanya (460200).
CHANGCHUN = policy_text(
    # The letter gives no outpatient ratio: the test's 62 %, as test_claim_service does; the
    # seed gives deductible level 1 0.00 and cap 2500.00. A temporary registration 10 points off.
    {"employee.outpatient.ratio.retired.level1": '"0.62"', "offsite.temporary.ratio_reduction": '"0.10"'},
    region="220100",
    effective_from="2024-01-01",
)


def retiree_record(setl_id: str, day: str) -> dict:
    return record(
        setl_id, f"{day} 10:00:00", "", "800.00", "496.00", "304.00", "0.00", "304.00",
        dedc="0.00", ratio="0.62", balc="0.00", certno=RETIREE, psn_no="22000000000000000000000099",
        dedc_hosp_lv="1", insutype="310", psn_type="1201", mdtrtarea_admvs="460200", insuplc_admdvs="220102",
    )  # fmt: skip


def test_a_changchun_retiree_registered_long_term_elsewhere_gets_local_ratios(run, tmp_path):
    f = tmp_path / "cc.toml"
    f.write_text(CHANGCHUN)
    assert run("policy", "load", str(f)).exit_code == 0
    for who in (RETIREE, SPOUSE):
        assert run("person", "add", who, "--name", "张秀英", "--insutype", "310", "--psn-type", "1201",
                   "--region", "220102", "--enrolled", "2024").exit_code == 0  # fmt: skip
    r = run("offsite", "add", RETIREE, "--kind", "long_term", "--from", "2024-01-01", "--area", "460000",
            "--reason", "长期异地居住备案")  # fmt: skip
    assert r.exit_code == 0, r.output
    # 如需长期异地居住,办理长期异地就医备案后,可享受本市同等待遇 (seed): 800.00 at level 1,
    # deductible 0.00, fund 800 x 62% = 496.00, cash 304.00 (no account balance).
    r = post(run, write(tmp_path, retiree_record("C1", "2024-03-01")))
    assert r.exit_code == 0, r.output
    assert (results(r)[0]["hifp_pay"], results(r)[0]["psn_cash_pay"]) == ("496.00", "304.00")
    shown = json.loads(run("claim", "show", "C1", "--json").stdout)["source"]
    assert (shown["mdtrtarea_admvs"], shown["offsite"]) == ("460200", "long_term")
    # Unregistered off-site care (the spouse has no registration): Changchun gives no rule.
    r = post(
        run,
        write(
            tmp_path, retiree_record("C2", "2024-03-02") | {"certno": SPOUSE, "psn_no": "22000000000000000000000098"}
        ),
    )
    assert r.exit_code == 1
    assert results(r)[0]["errors"] == [
        "policy parameter 'offsite.unregistered.ratio_reduction' is not given for region 220100 on 2024-03-02: load a policy file that sets it (see docs/policy-files.md)"
    ]
    # A temporary registration: the operator's 10 points off, 800 x 52% = 416.00, cash 384.00.
    assert run("offsite", "add", SPOUSE, "--kind", "temporary", "--from", "2024-03-01", "--to", "2024-03-31",
               "--reason", "临时外出就医").exit_code == 0  # fmt: skip
    r = post(
        run,
        write(
            tmp_path, retiree_record("C2", "2024-03-02") | {"certno": SPOUSE, "psn_no": "22000000000000000000000098"}
        ),
    )
    assert r.exit_code == 0, r.output
    assert (results(r)[0]["hifp_pay"], results(r)[0]["psn_cash_pay"]) == ("416.00", "384.00")
    # Cancelled from 15 March (取消备案): care on the 20th is unregistered again.
    assert (
        run(
            "offsite",
            "add",
            SPOUSE,
            "--kind",
            "cancelled",
            "--from",
            "2024-03-15",
            "--area",
            "460000",
            "--reason",
            "取消备案",
        ).exit_code
        == 1
    )  # a cancellation ends the one before, wherever: no area
    assert run("offsite", "add", SPOUSE, "--kind", "cancelled", "--from", "2024-03-15",
               "--reason", "取消备案").exit_code == 0  # fmt: skip
    late = retiree_record("C4", "2024-03-20") | {"certno": SPOUSE, "psn_no": "22000000000000000000000098"}
    assert "offsite.unregistered.ratio_reduction" in results(post(run, write(tmp_path, late)))[0]["errors"][0]
    # Care back home, in Changchun itself, is local whatever is registered.
    home = retiree_record("C3", "2024-04-01") | {
        "certno": SPOUSE,
        "psn_no": "22000000000000000000000098",
        "mdtrtarea_admvs": "220104",
    }
    r = post(run, write(tmp_path, home))
    assert r.exit_code == 0 and results(r)[0]["hifp_pay"] == "496.00", r.output
    # The report by area of treatment: Changchun (local) 496.00, Sanya under each kind.
    report = json.loads(run("report", "places", "--from", "2024-01-01", "--to", "2024-12-31", "--json").stdout)
    assert [(x["area"], x["offsite"], x["claims"], x["fund_pay_sumamt"]) for x in report["rows"]] == [
        ("220104", "local", 1, "496.00"),
        ("460200", "long_term", 1, "496.00"),
        ("460200", "temporary", 1, "416.00"),
    ]
    assert (report["total"]["claims"], report["total"]["people"], report["total"]["fund_pay_sumamt"]) == (
        3,
        2,
        "1408.00",
    )
    assert run("verify").exit_code == 0


def test_a_record_posted_again_is_a_duplicate_though_the_registry_now_places_it_otherwise(run, worker, tmp_path):
    registry(run, tmp_path, REGISTRY)
    f = write(tmp_path, AGREES | NO_LEVEL)
    assert [o["hosp_lv"] for o in results(post(run, f))] == ["2"]
    # The list exported again, H22070200001 now 三级甲等 (02) from 2025-01-01: the same day's
    # state written again, the later wins for claims to come.
    registry(run, tmp_path, REGISTRY.replace("1,05,,220702,2025-01-01", "1,02,,220702,2025-01-01"))
    r = post(run, f)
    assert r.exit_code == 0, r.output
    assert [(o["status"], o["hosp_lv"], o["hifp_pay"]) for o in results(r)] == [("duplicate", "2", "285.00")]
    # Another record of that setl_id is still refused as other content.
    other = post(run, write(tmp_path, AGREES | NO_LEVEL | {"medfee_sumamt": Num("801.00")}))
    assert "with different content" in results(other)[0]["errors"][0]
