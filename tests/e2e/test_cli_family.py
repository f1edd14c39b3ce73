"""`ledger family` end to end: exact messages on stderr, exit 1, nothing written."""

import json

import pytest

from tests.ids import (
    GRANDCHILD,
    GRANDPARENT,
    HARDSHIP_CHILD,
    MATERNAL_GRANDCHILD,
    MATERNAL_GRANDPARENT,
    RETIREE,
    SIBLING,
    SPOUSE,
    STUDENT,
    WORKER,
)
from tests.policy_text import policy_text


def add_resident(run, psn_no, category="ordinary", enrolled=("2025",)):
    args = [
        "person",
        "add",
        psn_no,
        "--name",
        "亲属",
        "--insutype",
        "390",
        "--resident-category",
        category,
        "--region",
        "220702",
    ]
    for y in enrolled:
        args += ["--enrolled", y]
    assert run(*args).exit_code == 0


@pytest.fixture
def holder(run):
    assert (
        run(
            "person",
            "add",
            WORKER,
            "--name",
            "李建国",
            "--insutype",
            "310",
            "--psn-type",
            "1101",
            "--region",
            "220702",
            "--enrolled",
            "2025",
        ).exit_code
        == 0
    )


@pytest.mark.parametrize(
    "relation, member",
    [
        ("spouse", SPOUSE),
        ("parent", RETIREE),
        ("child", STUDENT),
        ("sibling", SIBLING),
        ("grandparent", GRANDPARENT),
        ("maternal_grandparent", MATERNAL_GRANDPARENT),
        ("grandchild", GRANDCHILD),
        ("maternal_grandchild", MATERNAL_GRANDCHILD),
    ],
)
def test_bind_each_relation(run, holder, relation, member):
    add_resident(run, member)
    r = run(
        "family",
        "bind",
        WORKER,
        member,
        "--relation",
        relation,
        "--date",
        "2025-12-01",
        "--reason",
        "counter 3",
        "--json",
    )
    assert r.exit_code == 0, r.output
    b = json.loads(r.stdout)
    assert (b["holder"], b["member"], b["relation"], b["bound_on"], b["bound_by"], b["bind_reason"], b["active"]) == (
        WORKER,
        member,
        relation,
        "2025-12-01",
        "tester",
        "counter 3",
        True,
    )


@pytest.fixture
def household(run, holder):
    add_resident(run, STUDENT)
    add_resident(run, SIBLING, enrolled=("2024",))
    assert run("family", "bind", WORKER, STUDENT, "--relation", "child", "--date", "2025-12-01").exit_code == 0


M = "220702********"


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ("bind", WORKER, WORKER, "--relation", "spouse"),
            "Error: member: a person cannot be bound to their own account\n",
        ),
        (
            ("bind", STUDENT, WORKER, "--relation", "parent", "--date", "2025-12-01"),
            f"Error: holder: {M}0136 has no personal account to share (residents have none)\n",
        ),
        (("bind", WORKER, SPOUSE, "--relation", "spouse"), f"Error: member: no person {M}0020 is registered\n"),
        (
            ("bind", WORKER, SIBLING, "--relation", "sibling", "--date", "2025-12-01"),
            f"Error: member: {M}0035 is not enrolled for 2025, the year of the binding date\n",
        ),
        (
            ("bind", WORKER, STUDENT, "--relation", "child", "--date", "2025-12-02"),
            f"Error: {M}0035 is already bound to member {M}0136 (as child, since 2025-12-01)\n",
        ),
        (
            ("unbind", WORKER, SIBLING, "--date", "2025-12-02"),
            f"Error: {M}0035 is not bound to member {M}0035: nothing to unbind\n",
        ),
        (
            ("pay-contribution", WORKER, STUDENT, "--year", "2026", "--date", "2026-01-15"),
            "Error: holder: balance 0.00 is short of the 2026 contribution 410.00 (ordinary)\n",
        ),
        (
            ("pay-contribution", WORKER, STUDENT, "--year", "2026", "--date", "2025-11-30"),
            f"Error: member: {M}0136 is not bound to holder {M}0035 on 2025-11-30\n",
        ),
    ],
)
def test_refusals(run, household, snapshot, args, message):
    before = snapshot()
    r = run("family", *args)
    assert (r.exit_code, r.stderr) == (1, message)
    assert snapshot() == before


@pytest.mark.parametrize(
    "relation, member, message",
    [
        (
            "parent",
            STUDENT,
            "Error: relation: a parent must be older than the holder (member born 2008-09-02, holder born 1978-06-11)\n",
        ),
        (
            "grandparent",
            STUDENT,
            "Error: relation: a grandparent must be older than the holder (member born 2008-09-02, holder born 1978-06-11)\n",
        ),
        (
            "maternal_grandparent",
            STUDENT,
            "Error: relation: a maternal grandparent must be older than the holder (member born 2008-09-02, holder born 1978-06-11)\n",
        ),
        (
            "child",
            RETIREE,
            "Error: relation: a child must be younger than the holder (member born 1952-03-15, holder born 1978-06-11)\n",
        ),
        (
            "grandchild",
            RETIREE,
            "Error: relation: a grandchild must be younger than the holder (member born 1952-03-15, holder born 1978-06-11)\n",
        ),
        (
            "maternal_grandchild",
            RETIREE,
            "Error: relation: a maternal grandchild must be younger than the holder (member born 1952-03-15, holder born 1978-06-11)\n",
        ),
    ],
)
def test_generation_refusals(run, holder, snapshot, relation, member, message):
    add_resident(run, member)
    before = snapshot()
    r = run("family", "bind", WORKER, member, "--relation", relation, "--date", "2025-12-01")
    assert (r.exit_code, r.stderr) == (1, message)
    assert snapshot() == before


def test_unknown_relation_is_a_usage_error(run, household):
    r = run("family", "bind", WORKER, STUDENT, "--relation", "cousin")
    assert r.exit_code == 2 and "Invalid value for '--relation': 'cousin' is not one of" in r.stderr


def test_narrow_policy_refuses_a_sibling_dated_under_it_while_songyuan_2025_accepts(run, holder, tmp_path, snapshot):
    add_resident(run, SIBLING, enrolled=("2025", "2026"))
    f = tmp_path / "narrow-2026.toml"
    f.write_text(
        policy_text({"family.relations": '["spouse", "parent", "child"]', "family.member_same_province": "false"}),
        encoding="utf-8",
    )
    assert run("policy", "load", f).exit_code == 0
    before = snapshot()
    r = run("family", "bind", WORKER, SIBLING, "--relation", "sibling", "--date", "2026-02-01")
    assert (r.exit_code, r.stderr) == (
        1,
        "Error: relation: sibling is not allowed by the policy for region 220700 on 2026-02-01 (allowed: spouse, parent, child)\n",
    )
    assert snapshot() == before
    assert run("family", "bind", WORKER, SIBLING, "--relation", "sibling", "--date", "2025-12-31").exit_code == 0


def test_contributions_800_minus_410_minus_260(run, holder, snapshot):
    add_resident(run, STUDENT, "ordinary")
    add_resident(run, HARDSHIP_CHILD, "hardship")
    for member in (STUDENT, HARDSHIP_CHILD):
        assert run("family", "bind", WORKER, member, "--relation", "child", "--date", "2025-12-01").exit_code == 0
    assert (
        run("account", "credit", WORKER, "800.00", "--reason", "opening balance", "--date", "2025-01-01").exit_code == 0
    )
    r = run("family", "pay-contribution", WORKER, STUDENT, "--year", "2026", "--date", "2026-01-15", "--json")
    assert r.exit_code == 0, r.output
    assert (json.loads(r.stdout)["amount"], json.loads(r.stdout)["holder_balance"]) == (
        "410.00",
        "390.00",
    )  # 800.00 - 410.00
    assert "past its review date 2025-12-31" in r.stderr  # the 2025 standard is still in force for 2026
    r = run("family", "pay-contribution", WORKER, HARDSHIP_CHILD, "--year", "2026", "--date", "2026-01-15")
    assert r.exit_code == 0
    assert (
        f"paid the 2026 contribution of {M}0049 (hardship): 260.00 from {M}0035's account; balance 130.00" in r.stdout
    )  # 390.00 - 260.00
    before = snapshot()
    again = run("family", "pay-contribution", WORKER, STUDENT, "--year", "2026", "--date", "2026-01-16")
    assert (again.exit_code, again.stderr) == (
        1,
        f"Error: member: the 2026 contribution of {M}0136 is already paid (410.00 on 2026-01-15 from {M}0035's account)\n",
    )
    assert snapshot() == before
    assert json.loads(run("account", "show", WORKER, "--json").stdout)["balance"] == "130.00"


def test_list_shows_history_with_operator_and_reason(run, household):
    assert (
        run(
            "family", "unbind", WORKER, STUDENT, "--date", "2025-12-10", "--reason", "moved", operator="wang.li"
        ).exit_code
        == 0
    )
    assert (
        run(
            "family", "bind", WORKER, STUDENT, "--relation", "child", "--date", "2025-12-20", "--reason", "back"
        ).exit_code
        == 0
    )
    rows = json.loads(run("family", "list", STUDENT, "--json").stdout)
    assert [
        (r["role"], r["bound_on"], r["ended_on"], r["ended_by"], r["end_reason"], r["bind_reason"], r["active"])
        for r in rows
    ] == [
        ("member", "2025-12-01", "2025-12-10", "wang.li", "moved", None, False),
        ("member", "2025-12-20", None, None, None, "back", True),
    ]
    text = run("family", "list", WORKER).output
    assert "ended 2025-12-10 by wang.li (moved)" in text and STUDENT not in text and f"{M}0136" in text
    shown = run("account", "show", WORKER).output
    assert f"pays for {M}0136 亲属 (child) since 2025-12-20" in shown
