from datetime import date

import pytest

from ledger.errors import LedgerError
from ledger.rules.family import (
    BindingPolicy,
    Party,
    check_binding,
    check_relation_name,
    is_active,
)

ALL = (
    "spouse",
    "parent",
    "child",
    "sibling",
    "grandparent",
    "maternal_grandparent",
    "grandchild",
    "maternal_grandchild",
)
ON = date(2025, 6, 1)
POLICY = BindingPolicy("220700", ON, ALL, member_same_province=False)
HOLDER = Party("H" * 18, date(1978, 6, 11), "220702", True, frozenset({2025}))


def member(born: date, region="220702", enrolled=(2025,)) -> Party:
    return Party("M" * 18, born, region, False, frozenset(enrolled))


@pytest.mark.parametrize(
    "relation, born",
    [
        ("spouse", date(1980, 2, 2)),
        ("sibling", date(1970, 1, 1)),
        ("sibling", date(1990, 1, 1)),
        ("parent", date(1952, 3, 15)),
        ("grandparent", date(1930, 1, 1)),
        ("maternal_grandparent", date(1932, 1, 1)),
        ("child", date(2008, 9, 2)),
        ("grandchild", date(2020, 1, 1)),
        ("maternal_grandchild", date(2021, 1, 1)),
    ],
)
def test_allowed(relation, born):
    check_binding(HOLDER, member(born), relation, POLICY, ON)


@pytest.mark.parametrize(
    "relation, born, message",
    [
        ("parent", date(1978, 6, 11), "a parent must be older than the holder"),  # same day is not older
        ("grandparent", date(1990, 1, 1), "a grandparent must be older"),
        ("maternal_grandparent", date(1980, 1, 1), "a maternal grandparent must be older"),
        ("child", date(1978, 6, 11), "a child must be younger"),
        ("grandchild", date(1960, 1, 1), "a grandchild must be younger"),
        ("maternal_grandchild", date(1970, 1, 1), "a maternal grandchild must be younger"),
    ],
)
def test_generation_must_match_birth_dates(relation, born, message):
    with pytest.raises(LedgerError, match=message):
        check_binding(HOLDER, member(born), relation, POLICY, ON)


def test_policy_with_fewer_relations():
    narrow = BindingPolicy("220700", ON, ("spouse", "parent", "child"), False)
    with pytest.raises(
        LedgerError,
        match=r"relation: sibling is not allowed by the policy for region 220700 on 2025-06-01 \(allowed: spouse, parent, child\)",
    ):
        check_binding(HOLDER, member(date(1982, 5, 5)), "sibling", narrow, ON)


def test_same_province_when_the_policy_requires_it():
    strict = BindingPolicy("220700", ON, ALL, True)
    check_binding(HOLDER, member(date(1980, 1, 1), region="220104"), "spouse", strict, ON)  # Changchun: Jilin too
    with pytest.raises(LedgerError, match="outside the holder's province"):
        check_binding(HOLDER, member(date(1980, 1, 1), region="110105"), "spouse", strict, ON)
    check_binding(HOLDER, member(date(1980, 1, 1), region="110105"), "spouse", POLICY, ON)


def test_not_enrolled_in_the_binding_year():
    with pytest.raises(LedgerError, match="is not enrolled for 2025"):
        check_binding(HOLDER, member(date(1980, 1, 1), enrolled=(2024,)), "spouse", POLICY, ON)


def test_unknown_relation_name():
    with pytest.raises(LedgerError, match="relation: 'cousin' is not a relation"):
        check_relation_name("cousin")


def test_active_until_the_end_date_excluded():
    assert is_active(date(2025, 1, 1), None, date(2025, 1, 1))
    assert not is_active(date(2025, 1, 2), None, date(2025, 1, 1))
    assert is_active(date(2025, 1, 1), date(2025, 3, 1), date(2025, 2, 28))
    assert not is_active(date(2025, 1, 1), date(2025, 3, 1), date(2025, 3, 1))
