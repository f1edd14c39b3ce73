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
