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
    # and it can be run again
    assert CliRunner().invoke(cli, ["demo"]).exit_code == 0
    assert os.listdir(tmp_path).count("ledger-demo.db") == 1


def test_db_upgrade_then_check(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    r = CliRunner().invoke(cli, ["--db", url, "db", "upgrade"])
    assert r.exit_code == 0 and "schema at 0003 (was empty)" in r.output
    r = CliRunner().invoke(cli, ["--db", url, "db", "check"])
    assert r.exit_code == 0 and "models and migrations agree" in r.output
