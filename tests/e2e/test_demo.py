import os

from click.testing import CliRunner

from ledger.cli import cli


def test_demo_builds_a_database_in_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LEDGER_DATABASE_URL", raising=False)
    r = CliRunner().invoke(cli, ["demo"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "ledger-demo.db").exists()
    assert "all balances tie to the journal" in r.output
    assert "check digit is wrong" in r.output
    # The grandson's 350.00 at level 2 under the illustrative file (deductible 100.00, 55 %):
    # (350.00 - 100.00) x 55% = 137.50 fund; his father's account pays the 212.50 left.
    assert (
        "SY202503150004 李明  posted    fee  350.00  fund 137.50  own account   0.00  family (李建国 212.50)  cash 0.00"
        in r.output
    )
    assert "SY202503150004 李明  duplicate" in r.output
    # 2026 starts from zero: retired, level 1, deductible 200.00; (300.00 - 200.00) x 57% = 57.00
    assert "SY202601050001 王桂兰 2026-01-05 fee 300.00: a new year's deductible 200.00, fund 57.00" in r.output
    # and it can be run again
    assert CliRunner().invoke(cli, ["demo"]).exit_code == 0
    assert os.listdir(tmp_path).count("ledger-demo.db") == 1


def test_db_upgrade_then_check(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    r = CliRunner().invoke(cli, ["--db", url, "db", "upgrade"])
    assert r.exit_code == 0 and "schema at 0024 (was empty)" in r.output
    r = CliRunner().invoke(cli, ["--db", url, "db", "check"])
    assert r.exit_code == 0 and "models and migrations agree" in r.output
