"""`ledger.toml` (cli/config.py): the database and operator a desk keeps in a file; the
environment and the command line still win, in that order."""

import json

import pytest
from sqlalchemy import create_engine, text

from tests.ids import WORKER

ADD = ["person", "add", WORKER, "--name", "李建国", "--insutype", "310", "--psn-type", "1101", "--region", "220702"]


@pytest.fixture
def desk(tmp_path, monkeypatch):
    """An empty working folder and no settings from the environment."""
    monkeypatch.chdir(tmp_path)
    for name in ("LEDGER_DATABASE_URL", "LEDGER_READ_DATABASE_URL", "LEDGER_OPERATOR", "LEDGER_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path


def operators(path) -> list[str]:
    e = create_engine(f"sqlite:///{path}")
    with e.connect() as c:
        found = [r[0] for r in c.execute(text("SELECT operator FROM audit_log ORDER BY id"))]
    e.dispose()
    return found


def test_the_working_folders_file_names_the_database_and_the_operator(desk, ledger_main):
    (desk / "ledger.toml").write_text('database = "sqlite:///desk.db"\noperator = "王芳"\n', encoding="utf-8")
    assert ledger_main("db", "upgrade") == 0
    assert ledger_main(*ADD) == 0
    assert operators(desk / "desk.db") == ["王芳"]


def test_the_environment_wins_over_the_file_and_the_command_line_over_both(desk, monkeypatch, ledger_main):
    (desk / "ledger.toml").write_text('database = "sqlite:///desk.db"\noperator = "王芳"\n', encoding="utf-8")
    monkeypatch.setenv("LEDGER_DATABASE_URL", "sqlite:///env.db")
    monkeypatch.setenv("LEDGER_OPERATOR", "env-clerk")
    assert ledger_main("db", "upgrade") == 0
    assert ledger_main(*ADD) == 0
    assert operators(desk / "env.db") == ["env-clerk"] and not (desk / "desk.db").exists()
    assert ledger_main("--db", "sqlite:///line.db", "db", "upgrade") == 0
    assert ledger_main("--db", "sqlite:///line.db", "--operator", "line-clerk", *ADD) == 0
    assert operators(desk / "line.db") == ["line-clerk"]


def test_the_users_file_when_the_folder_has_none_and_LEDGER_CONFIG_before_both(desk, monkeypatch, ledger_main):
    user = desk / "config" / "ledger"
    user.mkdir(parents=True)
    (user / "ledger.toml").write_text('database = "sqlite:///user.db"\n', encoding="utf-8")
    assert ledger_main("db", "upgrade") == 0 and (desk / "user.db").exists()
    named = desk / "elsewhere.toml"
    named.write_text('database = "sqlite:///named.db"\n', encoding="utf-8")
    monkeypatch.setenv("LEDGER_CONFIG", str(named))
    assert ledger_main("db", "upgrade") == 0 and (desk / "named.db").exists()


def test_the_files_read_database_serves_the_reads_that_may_lag_and_no_write(desk, ledger_main, capsys):
    """A copy of the database taken after the first credit stands for a replica a moment
    behind: the statement (which may read on a replica) shows 100.00, `account show` and the
    second credit (which may not) the primary's 150.00."""
    import json
    import sqlite3

    (desk / "ledger.toml").write_text('database = "sqlite:///desk.db"\nread_database = "sqlite:///copy.db"\n')
    assert ledger_main("db", "upgrade") == 0
    assert ledger_main(*ADD) == 0
    assert ledger_main("account", "credit", WORKER, "100.00", "--reason", "opening", "--date", "2025-01-02") == 0
    with sqlite3.connect(desk / "desk.db") as primary, sqlite3.connect(desk / "copy.db") as copy:
        primary.backup(copy)
    assert ledger_main("account", "credit", WORKER, "50.00", "--reason", "more", "--date", "2025-01-03") == 0
    capsys.readouterr()
    assert ledger_main("account", "statement", WORKER, "--json") == 0
    assert json.loads(capsys.readouterr().out)["closing_balance"] == "100.00"
    assert ledger_main("account", "show", WORKER, "--json") == 0
    assert json.loads(capsys.readouterr().out)["balance"] == "150.00"  # 100.00 + 50.00
    assert ledger_main("--read-db", "sqlite:///desk.db", "account", "statement", WORKER, "--json") == 0
    assert json.loads(capsys.readouterr().out)["closing_balance"] == "150.00"


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (
            'databse = "sqlite:///x.db"\n',
            "Error: ledger.toml: unknown key(s) databse; the keys are database, read_database, operator, lang\n",
        ),
        ("database = 5\n", "Error: ledger.toml: database must be a non-empty string\n"),
        ('database = "unterminated\n', "Error: ledger.toml: not a TOML file the ledger can read ("),
    ],
)
def test_a_file_that_cannot_be_used_is_a_usage_error_naming_it(desk, ledger_main, capsys, content, said):
    (desk / "ledger.toml").write_text(content, encoding="utf-8")
    assert ledger_main("db", "upgrade") == 2
    assert capsys.readouterr().err.startswith(said)
    assert not (desk / "x.db").exists()


@pytest.mark.parametrize("argv", [("db", "upgrade"), ("--lang", "en", "db", "upgrade"), ("--help",)])
def test_a_language_the_ledger_does_not_speak_in_the_file_is_refused_as_on_the_command_line(
    desk, ledger_main, capsys, monkeypatch, argv
):
    """`lang = "fr"` stops every command, as `--lang fr` does (exit 2), naming the file and
    its key; as with any key of the file, even where the command line or LEDGER_LANG
    (en, for the whole suite) would have chosen the language instead."""
    (desk / "ledger.toml").write_text('lang = "fr"\n', encoding="utf-8")
    assert ledger_main(*argv) == 2
    assert capsys.readouterr().err == "Error: ledger.toml: lang: 'fr' is not a language of the ledger: use zh or en\n"
    assert not (desk / "ledger.db").exists()
    (desk / "ledger.toml").unlink()
    assert ledger_main("--lang", "fr", "db", "upgrade") == 2
    assert "'fr' is not a language of the ledger: use zh or en" in capsys.readouterr().err


FOUND_HERE = (
    "warning: {path} sets {settings} for every command run in its folder that does not say otherwise: "
    "check that the file is yours (LEDGER_CONFIG names the file to read instead)\n"
)


def test_a_file_found_in_the_working_folder_says_on_stderr_where_it_sends_the_writes(desk, ledger_main, capsys):
    """A shared folder's ledger.toml would choose a clerk's database and name: a file nobody
    named says so, one line on stderr, every run; standard output is untouched (JSON stays JSON)."""
    (desk / "ledger.toml").write_text('database = "sqlite:///desk.db"\noperator = "王芳"\nlang = "en"\n')
    said = FOUND_HERE.format(path=desk / "ledger.toml", settings="database = sqlite:///desk.db, operator = 王芳")
    assert ledger_main("db", "upgrade") == 0
    assert capsys.readouterr().err == said
    assert ledger_main(*ADD, "--json") == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["psn_no"] == WORKER and err == said
    # a password is never printed; the replica is said too, as where the reports read
    (desk / "ledger.toml").write_text('read_database = "postgresql://clerk:s3cret@replica.example/ledger"\n')
    assert ledger_main("--help") == 0
    assert capsys.readouterr().err == FOUND_HERE.format(
        path=desk / "ledger.toml", settings="read_database = postgresql+psycopg://clerk:***@replica.example/ledger"
    )


def test_the_warning_is_said_in_the_runs_language(desk, ledger_main, capsys, monkeypatch):
    (desk / "ledger.toml").write_text('operator = "王芳"\n', encoding="utf-8")
    monkeypatch.setenv("LEDGER_LANG", "zh")
    assert ledger_main("--help") == 0
    assert capsys.readouterr().err == (
        f"警告：{desk / 'ledger.toml'} 为其所在文件夹中未另行指定的每条命令设置了 operator = 王芳："
        "请确认这个文件是你的（LEDGER_CONFIG 可指定要读取的文件）\n"
    )


def test_a_file_named_or_the_users_own_or_one_that_sets_only_the_language_says_nothing(
    desk, ledger_main, capsys, monkeypatch
):
    settings = 'database = "sqlite:///desk.db"\noperator = "王芳"\n'
    user = desk / "config" / "ledger"
    user.mkdir(parents=True)
    (user / "ledger.toml").write_text(settings, encoding="utf-8")
    assert ledger_main("--help") == 0
    assert capsys.readouterr().err == ""
    monkeypatch.chdir(user)  # the user's own file, found from its folder
    assert ledger_main("--help") == 0
    assert capsys.readouterr().err == ""
    monkeypatch.chdir(desk)
    (desk / "ledger.toml").write_text(settings, encoding="utf-8")
    monkeypatch.setenv("LEDGER_CONFIG", "ledger.toml")  # named: the clerk chose it
    assert ledger_main("--help") == 0
    assert capsys.readouterr().err == ""
    monkeypatch.delenv("LEDGER_CONFIG")
    (desk / "ledger.toml").write_text('lang = "en"\n', encoding="utf-8")
    assert ledger_main("--help") == 0
    assert capsys.readouterr().err == ""


def test_LEDGER_CONFIG_naming_no_file(desk, monkeypatch, ledger_main, capsys):
    monkeypatch.setenv("LEDGER_CONFIG", str(desk / "none.toml"))
    assert ledger_main("--help") == 2
    assert capsys.readouterr().err == f"Error: LEDGER_CONFIG: {desk / 'none.toml'} does not exist\n"
