"""The national design on Citus (docs/scale.md, "A nation on Citus") checked against the code:
every statement the posting path issues, listed as it runs, is one the design places, and
each keeps the rule the design depends on.

The posting path here: an employee's claim paid from his own account, his son's claim paid
from the father's account by mutual aid, the same claim sent again (a duplicate), and the
father's claim reversed. The design's table of statements (docs/scale.md) names each kind
of statement (its verb and first table) and where it runs on Citus:

- `family`: a distributed table, on the shard of one family. The statement's person
  numbers are all the claim's family's (the patient, and the payer bound to him), and there
  is at least one: the statement names its shard.
- `reference`: tables copied to every node (the policy files); any node answers.
- `setl_id`: the settlement-id registry, distributed by `setl_id`; the statement names one.
- `node`: the node's own sequence or lock, no table.
- `changed`: a statement the design changes (a global row, or a table without the key);
  docs/scale.md says what replaces it on Citus.

A statement of a kind the table does not list fails the test, and so does a listed kind the
path no longer issues: the design and the code cannot drift apart unnoticed.
"""

import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import event

from ledger.services import claim_reversal, claims, family, policies
from tests.claim_policy import CLAIM_POLICY
from tests.ids import STUDENT, WORKER
from tests.integration.test_claim_service import claim, employee, fund, resident

DOC = Path(__file__).parents[2] / "docs" / "scale.md"
PSN_NO = re.compile(r"\d{17}[\dX]")


def design() -> dict[str, str]:
    """The statements' table in docs/scale.md: kind -> where it runs."""
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("### The posting path's statements") :]
    rows = re.findall(r"^\| `([^`]+)` \| (\w+) \|", section, flags=re.M)
    assert rows, "docs/scale.md has no table of the posting path's statements"
    return dict(rows)


def kind(statement: str) -> str:
    """A statement's verb and the first table it names (a sequence or lock: what it calls)."""
    flat = " ".join(statement.split())
    verb = flat.split(" ", 1)[0].upper()
    found = re.search(r"pg_get_serial_sequence\('(\w+)'", flat)
    if found:
        return f"nextval {found.group(1)}"
    found = re.search(r"(pg_advisory_xact_lock)", flat)
    if found:
        return found.group(1)
    found = re.search(r"\b(?:FROM|INTO|UPDATE)\s+(\w+)", flat, flags=re.I)
    what = f"{verb} {found.group(1) if found else '?'}"
    where = re.search(r"\bWHERE\s+\(?(?:\w+\.)?(\w+)", flat, flags=re.I)
    return f"{what} by {where.group(1)}" if where and verb != "INSERT" else what


def person_numbers(parameters) -> set[str]:
    found: set[str] = set()

    def walk(x):
        if isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list | tuple):
            for v in x:
                walk(v)
        elif isinstance(x, str) and PSN_NO.fullmatch(x):
            found.add(x)

    walk(parameters)
    return found


@pytest.fixture
def statements(engine, uow):
    if engine.dialect.name != "postgresql":
        pytest.skip("the design is PostgreSQL's (Citus); SQLite's statements differ")
    policies.load_policy(uow, "clerk", CLAIM_POLICY, "claims.toml")
    employee(uow, WORKER, "李建国")
    fund(uow, WORKER, 100000)  # 1000.00
    resident(uow, STUDENT, "李明")
    family.bind(uow, "clerk", WORKER, STUDENT, "child", date(2025, 1, 2))
    seen: list[tuple[str, object]] = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listen)
    try:
        assert claims.post_claim(uow, "feed", claim("N1", WORKER)).status == "posted"
        son = claims.post_claim(uow, "feed", claim("N2", STUDENT, hosp_lv="1", medfee_sumamt="300.00"))
        assert (
            son.status == "posted" and str(son["acct_mulaid_pay"]) == "150.00"
        )  # (300.00 - 50.00) x 60 % = 150.00 fund; 150.00 from the father
        assert (
            claims.post_claim(uow, "feed", claim("N2", STUDENT, hosp_lv="1", medfee_sumamt="300.00")).status
            == "duplicate"
        )
        claim_reversal.reverse_claim(uow, "clerk", "N1", "entered twice", date(2025, 3, 2))
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return seen


def test_every_statement_of_the_posting_path_is_placed_by_the_design(statements):
    placed = design()
    family_numbers = {WORKER, STUDENT}
    unplaced, broken = set(), []
    for statement, parameters in statements:
        k = kind(statement)
        if k not in placed:
            unplaced.add(k)
            continue
        where = placed[k]
        numbers = person_numbers(parameters)
        if where == "family" and not (numbers and numbers <= family_numbers):
            broken.append(f"{k}: names {sorted(numbers) or 'no person'}, not one family's")
        if where in ("reference", "setl_id", "node") and numbers:
            broken.append(f"{k}: placed {where}, yet names persons {sorted(numbers)}")
    assert not unplaced, f"statements docs/scale.md does not place: {sorted(unplaced)}"
    assert not broken
    issued = {kind(s) for s, _ in statements}
    assert set(placed) - issued == set(), "docs/scale.md places statements the posting path no longer issues"
