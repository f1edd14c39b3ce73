import json

from tests.policy_text import policy_text

WALLET_GRADES = {
    "wallet.enabled_from": "D",
    "wallet.transfer.time_zone": "D",
    "wallet.transfer.max_per_day": "B",
    "wallet.transfer.max_amount": "B",
    "wallet.transfer.quiet_from": "B",
    "wallet.transfer.quiet_until": "B",
    "wallet.transfer.needs_binding": "D",
    "wallet.pays_before_relatives": "D",
}


def test_policy_show_songyuan_2025_json_has_every_seed_number_with_its_source(run):
    r = run("policy", "show", "220700", "2025", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    by_name = {p["name"]: p for p in data["parameters"]}
    # RULES.md §1 as the JSON contract shows it: money as yuan strings, ratios as decimals
    expected = {
        "resident.contribution.ordinary": "410.00",
        "resident.contribution.hardship": "260.00",
        "resident.contribution.extreme_poverty": "10.00",
        "resident.contribution.central_period.start": "2024-09-01",
        "resident.contribution.central_period.end": "2025-02-28",
        "employee.outpatient.deductible.level1": "200.00",
        "employee.outpatient.deductible.level2": "300.00",
        "employee.outpatient.deductible.level3": "400.00",
        "employee.outpatient.ratio.in_service.level1": "0.55",
        "employee.outpatient.ratio.in_service.level2": "0.57",
        "employee.outpatient.ratio.in_service.level3": "0.50",
        "employee.outpatient.ratio.retired.level1": "0.57",
        "employee.outpatient.ratio.retired.level2": "0.60",
        "employee.outpatient.ratio.retired.level3": "0.55",
        "employee.outpatient.annual_cap": "1000.00",
        "chronic.annual_cap.lowest": "960.00",
        "chronic.annual_cap.highest": "1800.00",
        "resident.inpatient.annual_cap": "200000.00",
        "resident.major_illness.annual_cap": "400000.00",
        "resident.incentive.continuous.minimum_per_year": "1000.00",
        "resident.incentive.zero_claim.minimum": "1000.00",
        "resident.incentive.continuous.years_before_bonus": 4,
        "resident.incentive.start_year": 2025,
        "reference.2024h1.employee_outpatient_settlements": 640000,
        "reference.2024h1.employee_outpatient_pooled_fund": "33589700.00",
    }
    assert {k: by_name[k]["value"] for k in expected} == expected
    assert by_name["family.relations"]["value"] == [
        "spouse",
        "parent",
        "child",
        "sibling",
        "grandparent",
        "maternal_grandparent",
        "grandchild",
        "maternal_grandchild",
    ]
    for p in data["parameters"]:
        if p["name"] == "family.member_same_province":  # the sources are silent: a design decision
            assert (p["value"], p["source"]["grade"]) == (False, "D")
            continue
        if p["name"] in (
            "resident.incentive.max_share_of_cap",
            "resident.waiting_period.fixed_months",
            "resident.waiting_period.months_per_broken_year",
        ):
            assert p["source"]["grade"] == "N"  # national rules (RULES.md §3)
            continue
        if p["name"] in WALLET_GRADES:  # docs/wallet.md: the guide's limits (B), decisions (D)
            assert p["source"]["grade"] == WALLET_GRADES[p["name"]], p["name"]
            continue
        assert (
            p["source"]["file"] == "000_df13a8154db98c92.txt" and p["source"]["grade"] == "S" and p["source"]["quote"]
        ), p["name"]
    assert data["warnings"] == []


def test_policy_show_past_review_warns_on_stderr(run):
    r = run("policy", "show", "220700", "2026")
    assert r.exit_code == 0
    assert "warning: policy parameter 'employee.outpatient.annual_cap' for region 220700" in r.stderr
    assert "past its review date 2025-12-31" in r.stderr


def test_policy_check_names_the_unknown_key(run, tmp_path):
    f = tmp_path / "bad.toml"
    f.write_text(policy_text({"employee.outpatient.anual_cap": '"1000.00"'}), encoding="utf-8")
    r = run("policy", "check", f)
    assert r.exit_code == 1
    assert (
        r.stderr
        == "Error: bad.toml: parameters.employee.outpatient.anual_cap: unknown parameter (see docs/policy-files.md for the list)\n"
    )


def test_policy_check_accepts_a_good_file(run, tmp_path):
    f = tmp_path / "good.toml"
    f.write_text(policy_text({"employee.outpatient.annual_cap": '"1200.00"'}), encoding="utf-8")
    r = run("policy", "check", f)
    assert r.exit_code == 0 and "ok, region 220700 from 2026-01-01, 1 parameters" in r.output


def test_policy_load_supersedes_from_its_date_and_is_listed(run, tmp_path, snapshot):
    f = tmp_path / "songyuan-2026.toml"
    f.write_text(policy_text({"employee.outpatient.annual_cap": '"1200.00"'}, review_by="2026-12-31"), encoding="utf-8")
    assert run("policy", "load", f).exit_code == 0
    shown = {p["name"]: p for p in json.loads(run("policy", "show", "220700", "2026", "--json").stdout)["parameters"]}
    assert shown["employee.outpatient.annual_cap"]["value"] == "1200.00"
    assert shown["employee.outpatient.annual_cap"]["policy_file"] == "songyuan-2026.toml"
    assert shown["employee.outpatient.deductible.level1"]["value"] == "200.00"  # still the 2025 seed
    names = [p["name"] for p in json.loads(run("policy", "list", "--json").stdout)]
    assert names == ["seed/220100-2024-01-01.toml", "seed/220700-2025-01-01.toml", "songyuan-2026.toml"]
    before = snapshot()
    again = run("policy", "load", f)
    assert again.exit_code == 1 and "this file is already loaded" in again.stderr
    assert snapshot() == before


def test_policy_load_refuses_a_bad_file_and_writes_nothing(run, tmp_path, snapshot):
    f = tmp_path / "bad.toml"
    f.write_text(policy_text({"employee.outpatient.ratio.retired.level1": '"1.2"'}), encoding="utf-8")
    before = snapshot()
    r = run("policy", "load", f)
    assert r.exit_code == 1 and "a ratio must be between 0 and 1 (got 1.2)" in r.stderr
    assert snapshot() == before


def test_policy_show_for_a_region_without_policy_says_so(run):
    r = run("policy", "show", "110105", "2025")
    assert (r.exit_code, r.stderr) == (
        1,
        "Error: no policy file for region 110100 is in force on 2025-01-01 (see `ledger policy list`)\n",
    )
