"""The ledger in Chinese and in English (docs/cli.md, "Language"): every command's help and
a sample of errors in both, the language chosen as documented, and a catalog that is
complete, compiled and keeps every placeholder of its texts."""

import importlib.util
import re
import string
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger import i18n
from ledger.cli import cli
from ledger.render import display
from tests.e2e.test_cli_help import all_commands

TOP = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")
NO_LANGUAGE = {"LEDGER_LANG": None, "LANGUAGE": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": None}


def catalog_script():
    spec = importlib.util.spec_from_file_location("catalog", TOP / "scripts" / "catalog.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def invoke(*args, env=None):
    return CliRunner().invoke(cli, list(args), env={**NO_LANGUAGE, "COLUMNS": "80", **(env or {})}, prog_name="ledger")


def test_every_commands_help_is_whole_in_chinese_and_fits_the_terminal():
    before = i18n.missing()
    for path, _cmd in all_commands(cli):
        r = invoke("--lang", "zh", *path, "--help")
        assert r.exit_code == 0, (path, r.output)
        assert r.output.startswith("用法："), path
        assert "选项：" in r.output and "示例：" in r.output, path
        for line in r.output.splitlines():
            # prose is filled to the 80 columns Click's test runner gives the help; an
            # example's command line is kept as written, as in English
            if CJK.search(line) and "ledger " not in line:
                assert display.width(line) <= 80, (path, line)
    assert i18n.missing() - before == set()


def test_the_english_help_is_the_text_written_in_the_code():
    r = invoke("--lang", "en", "family", "bind", "--help")
    assert r.output.startswith("Usage: ledger family bind [OPTIONS] HOLDER MEMBER")
    assert "Bind MEMBER to HOLDER's personal account." in r.output
    assert "  --reason TEXT" in r.output and "Recorded with the binding" in r.output


def test_the_language_comes_from_the_option_then_LEDGER_LANG_then_the_file_then_the_locale(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LEDGER_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))

    def heading(*args, env):
        return invoke(*args, "--help", env=env).output.split()[0]

    assert heading(env={}) == "Usage:"  # no locale at all: English
    assert heading(env={"LANG": "zh_CN.UTF-8"}) == "用法："
    assert heading(env={"LANG": "fr_FR.UTF-8"}) == "Usage:"  # a locale not ours
    assert heading(env={"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}) == "用法："  # LC_ALL first, as gettext
    assert heading(env={"LANGUAGE": "fr:zh_CN", "LANG": "en_US.UTF-8"}) == "用法："  # the first of ours in the list
    (tmp_path / "ledger.toml").write_text('lang = "zh"\n', encoding="utf-8")
    from ledger.cli.config import default_map

    settings = default_map()
    assert settings == {"lang": "zh"}
    file_says = CliRunner().invoke(cli, ["--help"], env={**NO_LANGUAGE, "LANG": "en_US.UTF-8"}, default_map=settings)
    assert file_says.output.startswith("用法：")  # the file wins over the locale
    both = {**NO_LANGUAGE, "LANG": "zh_CN.UTF-8", "LEDGER_LANG": "en"}
    assert CliRunner().invoke(cli, ["--help"], env=both, default_map=settings).output.startswith("Usage:")
    assert heading("--lang", "zh", env={"LEDGER_LANG": "en"}) == "用法："  # the command line first
    assert heading("--lang=zh_CN", env={}) == "用法："


def test_a_language_the_ledger_does_not_speak_is_a_usage_error():
    r = invoke("--lang", "fr", "verify")
    assert r.exit_code == 2
    assert "Invalid value for '--lang': 'fr' is not a language of the ledger: use zh or en" in r.output


def test_clicks_own_errors_in_chinese_plain_and_as_json():
    r = invoke("--lang", "zh", "person", "add")
    assert r.exit_code == 2
    assert "错误：缺少参数 'PSN_NO'" in r.output
    assert "用 'ledger person add --help' 查看帮助。" in r.output
    r = invoke("--lang", "zh", "verify", "--json", "--nope")
    assert r.exit_code == 2
    assert (
        r.output.strip()
        == '{"error": {"code": 2, "message": "没有选项 \'--nope\'。 你是不是想用 \'--since\'？", "field": null}}'
    )
    r = invoke("--lang", "en", "verify", "--json", "--nope")
    assert (
        r.output.strip()
        == '{"error": {"code": 2, "message": "No such option \'--nope\'. Did you mean \'--since\'?", "field": null}}'
    )


def test_the_catalog_is_complete_and_compiled_from_its_source():
    # every text the code marks, every command's help and Click's own texts are in
    # ledger.po, each translated, and ledger.mo is what Babel compiles from it
    pytest.importorskip("babel")
    catalog = catalog_script()
    po = catalog.merged(catalog.read(), catalog.template(with_click=False))  # whichever Click is installed
    assert catalog.untranslated(po) == []
    assert catalog.po_text(po) == catalog.PO.read_bytes(), "run python scripts/catalog.py"
    assert catalog.mo_bytes(po) == catalog.MO.read_bytes(), "run python scripts/catalog.py"


def fields(text: str) -> set[str]:
    found = {m for m in re.findall(r"%\((\w+)\)[sd]", text)}
    for _literal, name, spec, conversion in string.Formatter().parse(text):
        if name is not None:
            found.add(f"{name}!{conversion or ''}:{spec or ''}")
    return found


def test_every_translation_keeps_the_placeholders_of_its_text():
    pytest.importorskip("babel")
    po = catalog_script().read()
    wrong = []
    for m in po:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        # a plural's one Chinese form serves every count: it may use any of the forms' fields
        allowed = set().union(*map(fields, ids))
        for s in strings:
            if not fields(s) <= allowed or (len(ids) == 1 and fields(s) != allowed):
                wrong.append((m.id, s))
    assert wrong == []


def test_a_sample_of_errors_in_both_languages(run, tmp_path):
    from tests.ids import STUDENT, WORKER

    masked = f"{WORKER[:6]}********{WORKER[-4:]}"
    bad_day = tmp_path / "claims.csv"
    bad_day.write_text(f"setl_id,psn_no,service_date,med_type,medfee_sumamt\nX1,{WORKER},5/1/2025,11,10.00\n")
    cases = [
        (
            ("person", "add", "123", "--name", "x", "--insutype", "310", "--psn-type", "1101", "--region", "220702"),
            1,
            "psn_no: an ID number has 18 characters, got 3",
            "psn_no: 身份证号应为 18 位，实际为 3 位",
        ),
        (("person", "show", WORKER), 1, f"psn_no: no person {masked} is registered", f"psn_no: 没有登记人员 {masked}"),
        (("account", "credit", STUDENT, "1,20.00", "--reason", "x"), 1, "is not a number", "不是数字"),
        (("family", "bind", WORKER, STUDENT, "--relation", "cousin"), 2, "Invalid value for '--relation'", "的值无效"),
        (
            ("claim", "post", str(bad_day)),
            1,
            "is a date written YYYY-MM-DD, YYYY/M/D or YYYYMMDD (got '5/1/2025')",
            "应为 YYYY-MM-DD、YYYY/M/D 或 YYYYMMDD 形式的日期（实际为 '5/1/2025'）",
        ),
        (
            ("verify", "--since"),
            1,
            "no clean run of `ledger verify` is recorded yet",
            "还没有记录过无误的 `ledger verify` 核对",
        ),
        (
            ("claim", "list", "--from", "2025-05-01", "--to", "2025-04-01"),
            1,
            "--from: 2025-05-01 is after --to 2025-04-01",
            "--from: 2025-05-01 晚于 --to 2025-04-01",
        ),
    ]
    before = i18n.missing()
    for args, code, english, chinese in cases:
        en, zh = run("--lang", "en", *args), run("--lang", "zh", *args)
        assert (en.exit_code, zh.exit_code) == (code, code), args
        assert english in en.output and chinese in zh.output, (args, en.output, zh.output)
    assert i18n.missing() - before == set()
    # a database not migrated: exit 4, in either language
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    r = CliRunner().invoke(cli, ["--lang", "zh", "--db", empty, "verify"])
    assert r.exit_code == 4 and "没有账本的数据库结构：请先运行 `ledger db upgrade`" in r.output
