"""Control characters in names, reasons and memos (issue: a reason with a newline forged a
line in `account statement`; ESC sequences reached the clerk's terminal). Refused where text
comes in; escaped where text goes out, for what was stored before."""

import json

import pytest
from sqlalchemy import text

from tests.ids import STUDENT, WORKER

WORKER_ADD = ("person", "add", WORKER, "--insutype", "310", "--psn-type", "1101", "--region", "220702", "--enrolled", "2025")  # fmt: skip
FORGED = "opening balance\n2025-01-02  credit from the bureau                    99999.00"
STORED = "open\n01-02 +99999\x1b[31m"  # short enough for the statement's memo column


@pytest.fixture
def worker(run):
    assert run(*WORKER_ADD, "--name", "李建国").exit_code == 0
    assert run("account", "credit", WORKER, "100.00", "--reason", "opening", "--date", "2025-01-01").exit_code == 0


@pytest.mark.parametrize(
    ("text_", "named"),
    [
        (FORGED, "U+000A (LINE FEED)"),
        ("fine\r2025-01-02", "U+000D (CARRIAGE RETURN)"),
        ("\x1b[2J\x1b[31mcleared", "U+001B (ESCAPE)"),
        ("李\u202e5300", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ],
)
def test_every_free_text_input_refuses_control_characters(run, worker, snapshot, text_, named):
    student = ("person", "add", STUDENT, "--name", "李明", "--insutype", "390", "--resident-category", "ordinary", "--region", "220702", "--enrolled", "2025")  # fmt: skip
    assert run(*student).exit_code == 0
    assert run("family", "bind", WORKER, STUDENT, "--relation", "child", "--date", "2025-01-02").exit_code == 0
    before = snapshot()
    said = f"holds the control or formatting character {named}; write one line of plain text"
    for args, field in (
        ((*WORKER_ADD[:2], "220702200809020136", *WORKER_ADD[3:], "--name", text_), "name"),
        (("account", "credit", WORKER, "1.00", "--reason", text_), "reason"),
        (("family", "bind", WORKER, STUDENT, "--relation", "child", "--reason", text_), "reason"),
        (("family", "unbind", WORKER, STUDENT, "--reason", text_), "reason"),
    ):
        r = run(*args)
        assert r.exit_code == 1 and f"{field}: {said}" in r.stderr, (args, r.output)
        assert "\x1b" not in r.output and "\u202e" not in r.output
    assert snapshot() == before


def test_text_stored_before_is_escaped_for_people_and_kept_exact_for_scripts(run, worker, engine):
    # A memo written before the edge refused it: the statement shows its newline and ESC as
    # escapes, on its own line; --json gives the text back exactly.
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER trg_journal_postings_no_update"))
        else:
            conn.exec_driver_sql("ALTER TABLE journal_postings DISABLE TRIGGER USER")
        conn.execute(text("UPDATE journal_postings SET memo = :m"), {"m": STORED})
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("ALTER TABLE journal_postings ENABLE TRIGGER USER")
    human = run("account", "statement", WORKER)
    assert human.exit_code == 0, human.output
    assert "\x1b" not in human.output
    lines = human.output.splitlines()
    assert len(lines) == 4  # the title, opening, the one credit, closing: nothing forged
    assert "open\\n01-02 +99999\\x1b[31m" in lines[2]
    whole = run("account", "statement", WORKER, "--json")
    assert "\x1b" not in whole.stdout and json.loads(whole.stdout)["lines"][0]["memo"] == STORED
