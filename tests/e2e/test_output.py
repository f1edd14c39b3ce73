"""What reaches the screen (docs/cli.md, "Tables for people" and "Settings"): colour only on
a terminal and never under NO_COLOR, a pager for a table longer than the screen (and not
on a pipe), and `-v` saying each transaction and the run's timings on stderr only."""

import os
import pty
import subprocess
import sys

from click.testing import CliRunner

from ledger.cli import cli
from tests.e2e.test_reports import books  # noqa: F401 - the fixture
from tests.ids import WORKER

BOLD = "\x1b[1m"


def test_colour_on_a_terminal_and_never_under_no_color(db_url, books):  # noqa: F811
    args = ["--db", db_url, "person", "list"]
    on_a_terminal = CliRunner().invoke(cli, args, color=True, env={"NO_COLOR": None, "TERM": "xterm"})
    assert on_a_terminal.output.startswith(BOLD + "psn_no")  # the headings in bold
    asked_not_to = CliRunner().invoke(cli, args, color=True, env={"NO_COLOR": "1", "TERM": "xterm"})
    assert "\x1b" not in asked_not_to.output and asked_not_to.output.startswith("psn_no")
    dumb = CliRunner().invoke(cli, args, color=True, env={"NO_COLOR": None, "TERM": "dumb"})
    assert "\x1b" not in dumb.output
    on_a_pipe = CliRunner().invoke(cli, args, env={"NO_COLOR": None, "TERM": "xterm"})  # not a terminal
    assert "\x1b" not in on_a_pipe.output


def on_a_terminal(args: list[str], env: dict) -> str:
    """`ledger ARGS` with a pseudo-terminal for stdin and stdout: what it wrote there."""
    leader, follower = pty.openpty()
    done = subprocess.run(
        [sys.executable, "-c", "from ledger.cli import main; main()", *args],
        stdin=follower,
        stdout=follower,
        stderr=subprocess.PIPE,
        env={**os.environ, **env},
        timeout=60,
    )
    os.close(follower)
    out = b""
    try:
        while chunk := os.read(leader, 65536):
            out += chunk
    except OSError:  # the terminal closed: everything is read
        pass
    os.close(leader)
    assert done.returncode == 0, done.stderr
    return out.decode()


def test_a_table_longer_than_the_screen_goes_through_the_pager(db_url, books, tmp_path):  # noqa: F811
    paged = tmp_path / "paged.txt"
    pager = f"{sys.executable} -c \"import sys; open('{paged}', 'w').write(sys.stdin.read())\""
    # 2 persons: a heading, a rule and 2 rows are 4 lines, more than a screen of 3
    env = {"PAGER": pager, "LINES": "3", "COLUMNS": "120", "NO_COLOR": "1", "LEDGER_PAGER": ""}
    on_a_terminal(["--db", db_url, "person", "list"], env)
    assert paged.read_text().splitlines()[0].split()[:2] == ["psn_no", "name"]
    paged.unlink()
    shown = on_a_terminal(["--db", db_url, "person", "list"], env | {"LEDGER_PAGER": "0"})
    assert not paged.exists() and "psn_no" in shown  # LEDGER_PAGER=0: straight to the terminal
    on_a_terminal(["--db", db_url, "person", "list"], env | {"LINES": "40"})
    assert not paged.exists()  # it fits on the screen


def test_verbose_says_each_transaction_and_the_timings_on_stderr_only(run, books):  # noqa: F811
    quiet = run("account", "credit", WORKER, "1.00", "--reason", "x", "--date", "2025-06-01")
    loud = run("-v", "account", "credit", WORKER, "1.00", "--reason", "x", "--date", "2025-06-02")
    # the worker's balance: 0.00 after the claims (test_reports.py), +1.00, +1.00
    assert quiet.stdout == f"credited 1.00 to 220702********{WORKER[-4:]}; balance 1.00\n"
    assert loud.stdout == f"credited 1.00 to 220702********{WORKER[-4:]}; balance 2.00\n"
    said = loud.stderr.splitlines()
    assert said[0].startswith("· transaction 1 committed: ") and " statements, " in said[0]
    assert said[-1].startswith("· done in ") and "1 transactions committed" in said[-1]
    assert quiet.stderr == ""
