from tests.ids import RETIREE, WORKER
from tests.policy_text import policy_text


def test_credit_monthly_from_a_bases_file(run, tmp_path):
    rates = tmp_path / "rates.toml"
    rates.write_text(
        policy_text(
            {"employee.account.in_service_rate": '"0.02"', "employee.account.retired_monthly_amount": '"120.00"'},
            effective_from="2025-01-01",
        ),
        encoding="utf-8",
    )
    assert run("policy", "load", rates).exit_code == 0
    for psn, kind in ((WORKER, "1101"), (RETIREE, "1201")):
        assert (
            run(
                "person",
                "add",
                psn,
                "--name",
                "职工",
                "--insutype",
                "310",
                "--psn-type",
                kind,
                "--region",
                "220702",
                "--enrolled",
                "2025",
            ).exit_code
            == 0
        )
    bases = tmp_path / "bases.csv"
    bases.write_text(f"psn_no,base\n{WORKER},6000.00\n", encoding="utf-8")
    r = run("account", "credit-monthly", "--month", "2025-03", "--file", bases)
    assert r.exit_code == 0, r.output
    # 6000.00 x 2% = 120.00, and the retiree's 120.00
    assert r.output.splitlines() == [
        "2025-03: credited 2 accounts, 240.00 in all, on 2025-03-31 (1 in service, 1 retired)"
    ]
    r = run("account", "credit-monthly", "--month", "2025-03", "--file", bases)
    assert r.output.splitlines() == [
        "2025-03: credited 0 accounts, 0.00 in all, on 2025-03-31 (0 in service, 0 retired)",
        "2 already credited for 2025-03: left as they were",
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text(f"psn_no,base\n{RETIREE},6000.00\n", encoding="utf-8")
    r = run("account", "credit-monthly", "--month", "2025-04", "--file", bad)
    assert r.exit_code == 1 and "line 2 (220702********0020): psn_no: not an in-service employee" in r.stderr
