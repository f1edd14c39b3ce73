"""The README's tour runs as written, line by line, in an empty folder: each command a real
`ledger` process (the installed entry point), on the test database."""

import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def tour_lines() -> list[str]:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"## A short tour.*?```sh\n(.*?)```", text, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_the_tour_is_long_enough_to_be_worth_running():
    lines = tour_lines()
    assert lines[0].startswith("ledger examples") and lines[-1].startswith("ledger verify") and len(lines) >= 25


def test_the_readme_tour_runs_as_written_in_an_empty_folder(db_url, tmp_path):
    env = dict(
        os.environ,
        LEDGER_DATABASE_URL=db_url,
        LEDGER_OPERATOR="tour",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    )
    outputs = {}
    for line in tour_lines():
        r = subprocess.run(["bash", "-c", line], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, f"{line}\n{r.stdout}\n{r.stderr}"
        outputs[line.split("#")[0].strip()] = r.stdout
    assert "4 claims: 4 posted, 0 duplicates, 0 rejected" in outputs["ledger claim post examples/claims.jsonl"]
    assert len((tmp_path / "results.jsonl").read_text().splitlines()) == 3
    assert '[parameters."employee.outpatient.deductible.level2"]' in (tmp_path / "changchun-2024.toml").read_text(
        encoding="utf-8"
    )
    assert "REVERSED" in outputs['ledger claim reverse SY202503150004 --reason "settled twice"']
    # 王芳's records give no level: 松原市某医院 is 二级甲等 (level 2) in May, the pharmacy
    # level 1; her April claim met 400.00 of the deductible, so none is owed: 300 x 57% =
    # 171.00 and, at the pharmacy as one, 100 x 55% = 55.00. The platform says the same.
    assert "3 state(s)" in outputs["ledger institution import examples/institutions.csv"]
    assert "2 claims: 2 posted" in outputs["ledger claim post --profile national examples/setlinfo.jsonl"]
    assert "2 records: 2 agree" in outputs["ledger claim reconcile examples/setlinfo.jsonl"]


def chinese_tour() -> str:
    text = README.read_text(encoding="utf-8")
    return re.search(r"## 中文导览.*?```sh\n(.*?)```", text, re.S).group(1)


def test_the_chinese_tour_runs_as_written_and_speaks_chinese(db_url, tmp_path):
    # one script, as a clerk pastes it: `export LEDGER_LANG=zh` holds for every line after it
    env = {
        k: v for k, v in os.environ.items() if k not in ("LEDGER_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
    } | {
        "LEDGER_DATABASE_URL": db_url,
        "LEDGER_OPERATOR": "tour",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    r = subprocess.run(
        ["bash", "-e", "-c", chinese_tour()], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0, f"{r.stdout}\n{r.stderr}"
    out = r.stdout
    assert "已导入 4 人" in out  # the GB18030 file with Chinese headings, read as its UTF-8 twin
    assert "已向 220702********0035 划入 1200.00；余额 1200.00" in out  # "1,200.00" is 1200.00 yuan
    assert "3 笔结算：3 笔已记账，0 笔重复，0 笔被拒绝" in out  # 2025/4/2, 2025/4/10 and 20250412 all read
    assert "2 笔结算：2 笔已记账，0 笔重复，0 笔被拒绝" in out  # the platform's records, level from the registry
    assert "（为子女李明支付）" in out  # the statement names whom the holder's account paid for
    assert "的医保钱包（父母）转入 30.00" in out  # 35.60 - 30.00 left: 5.60
    assert "余额 5.60" in out
    assert out.splitlines()[-1] == "无误"  # verify: clean
    heading = next(line for line in out.splitlines() if line.startswith("月份"))
    assert heading.split()[:4] == ["月份", "人次", "人数", "医疗费总额"]
