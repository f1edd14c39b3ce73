"""Family mutual aid through the service layer, on the real database."""

import json
from datetime import date

import pytest
from sqlalchemy import text

from ledger.errors import LedgerError, MissingParameter
from ledger.services import accounts, family, persons, policies, verify
from tests.claim_policy import CLAIM_POLICY
from tests.ids import (
    BEIJING,
    GRANDCHILD,
    GRANDPARENT,
    HARDSHIP_CHILD,
    MATERNAL_GRANDCHILD,
    MATERNAL_GRANDPARENT,
    POOR_CHILD,
    RETIREE,
    SIBLING,
    SPOUSE,
    STUDENT,
    WORKER,
)
from tests.policy_text import policy_text

ON = date(2025, 12, 1)


def employee(uow, psn_no, name, psn_type="1101", region="220702", enrolled=(2025,)):
    persons.add_person(
        uow,
        "clerk",
        psn_no=psn_no,
        name=name,
        insutype="310",
        psn_type=psn_type,
        region=region,
        enrolled=list(enrolled),
    )


def resident(uow, psn_no, name, category="ordinary", region="220702", enrolled=(2025,)):
    persons.add_person(
        uow,
        "clerk",
        psn_no=psn_no,
        name=name,
        insutype="390",
        resident_category=category,
        region=region,
        enrolled=list(enrolled),
    )


@pytest.fixture
def holder(uow):
    employee(uow, WORKER, "李建国")
    return WORKER


RELATIVES = [
    ("spouse", SPOUSE),
    ("parent", RETIREE),
    ("child", STUDENT),
    ("sibling", SIBLING),
    ("grandparent", GRANDPARENT),
    ("maternal_grandparent", MATERNAL_GRANDPARENT),
    ("grandchild", GRANDCHILD),
    ("maternal_grandchild", MATERNAL_GRANDCHILD),
]


@pytest.mark.parametrize("relation, member", RELATIVES)
def test_each_near_relative_of_the_songyuan_seed_can_be_bound(uow, holder, relation, member):
    resident(uow, member, "亲属")
    b = family.bind(uow, "zhang.wei", holder, member, relation, ON, "at the counter")
    assert (b["holder"], b["member"], b["relation"], b["bound_on"], b["active"], b["bound_by"]) == (
        holder,
        member,
        relation,
        ON,
        True,
        "zhang.wei",
    )


# --- refusals: each one names the problem and writes nothing --------------------------------


@pytest.fixture
def household(uow, holder):
    resident(uow, STUDENT, "李明")
    resident(uow, SIBLING, "李建军", enrolled=(2024,))  # not enrolled in 2025
    employee(uow, RETIREE, "王桂兰", psn_type="1201")


@pytest.mark.parametrize(
    "args, message",
    [
        ((WORKER, WORKER, "spouse"), "member: a person cannot be bound to their own account"),
        ((STUDENT, WORKER, "parent"), r"holder: 220702\*\*\*\*\*\*\*\*0136 has no personal account to share"),
        ((WORKER, SPOUSE, "spouse"), r"member: no person 220702\*\*\*\*\*\*\*\*0020 is registered"),
        (
            (WORKER, SIBLING, "sibling"),
            r"member: 220702\*\*\*\*\*\*\*\*0035 is not enrolled for 2025, the year of the binding date",
        ),
        (
            (WORKER, RETIREE, "child"),
            r"relation: a child must be younger than the holder \(member born 1952-03-15, holder born 1978-06-11\)",
        ),
        (
            (WORKER, STUDENT, "parent"),
            r"relation: a parent must be older than the holder \(member born 2008-09-02, holder born 1978-06-11\)",
        ),
        ((WORKER, STUDENT, "grandparent"), "relation: a grandparent must be older"),
        ((RETIREE, WORKER, "grandchild"), None),  # allowed: he is younger than she is (a control)
        ((WORKER, "22070219780611003X", "spouse"), "member: check digit is wrong"),
    ],
)
def test_binding_refusals(uow, household, snapshot, args, message):
    if message is None:
        family.bind(uow, "clerk", *args, ON)
        return
    before = snapshot()
    with pytest.raises(LedgerError, match=message):
        family.bind(uow, "clerk", *args, ON)
    assert snapshot() == before


def test_a_second_active_binding_of_the_same_pair_is_refused(uow, household, snapshot):
    family.bind(uow, "clerk", WORKER, STUDENT, "child", ON)
    before = snapshot()
    with pytest.raises(
        LedgerError,
        match=r"220702\*\*\*\*\*\*\*\*0035 is already bound to member 220702\*\*\*\*\*\*\*\*0136 \(as child, since 2025-12-01\)",
    ):
        family.bind(uow, "clerk", WORKER, STUDENT, "child", date(2025, 12, 5))
    assert snapshot() == before


def test_unbinding_a_pair_that_is_not_bound_is_refused(uow, household, snapshot):
    before = snapshot()
    with pytest.raises(LedgerError, match=r"is not bound to member 220702\*\*\*\*\*\*\*\*0136: nothing to unbind"):
        family.unbind(uow, "clerk", WORKER, STUDENT, ON)
    assert snapshot() == before


def test_history_is_kept_and_binding_again_is_a_new_binding(uow, household, snapshot):
    family.bind(uow, "clerk", WORKER, STUDENT, "child", date(2025, 3, 1), "first")
    family.unbind(uow, "wang.li", WORKER, STUDENT, date(2025, 6, 30), "moved away")
    before = snapshot()
    with pytest.raises(LedgerError, match="nothing to unbind"):  # already ended
        family.unbind(uow, "clerk", WORKER, STUDENT, date(2025, 7, 1))
    with pytest.raises(
        LedgerError, match="date: 2025-06-01 is before 2025-06-30, when the previous binding of this pair ended"
    ):
        family.bind(uow, "clerk", WORKER, STUDENT, "child", date(2025, 6, 1))
    assert snapshot() == before
    family.bind(uow, "clerk", WORKER, STUDENT, "child", date(2025, 9, 1), "back again")
    rows = family.list_bindings(uow, STUDENT)
    assert [
        (r["role"], r["bound_on"], r["ended_on"], r["bound_by"], r["bind_reason"], r["ended_by"], r["end_reason"])
        for r in rows
    ] == [
        ("member", date(2025, 3, 1), date(2025, 6, 30), "clerk", "first", "wang.li", "moved away"),
        ("member", date(2025, 9, 1), None, "clerk", "back again", None, None),
    ]
    assert [r["role"] for r in family.list_bindings(uow, WORKER)] == ["holder", "holder"]


def test_unbinding_before_the_binding_began_is_refused(uow, household):
    family.bind(uow, "clerk", WORKER, STUDENT, "child", ON)
    with pytest.raises(LedgerError, match="date: 2025-11-30 is before the binding began on 2025-12-01"):
        family.unbind(uow, "clerk", WORKER, STUDENT, date(2025, 11, 30))


def test_a_binding_cannot_end_on_or_before_a_day_it_paid(uow, household, snapshot):
    """Found by the reference-model test: bind, a claim paid by the holder that day, then
    unbind the same day left the payment under a binding that was never active."""
    from ledger.services import claims

    policies.load_policy(uow, "clerk", CLAIM_POLICY, "claims.toml")
    accounts.credit(uow, "clerk", WORKER, 10000, "opening balance", date(2025, 1, 1))
    family.bind(uow, "clerk", WORKER, STUDENT, "child", date(2025, 3, 1))
    r = claims.post_claim(
        uow,
        "feed",
        {
            "setl_id": "U1",
            "psn_no": STUDENT,
            "service_date": "2025-03-10",
            "med_type": "11",
            "hosp_lv": "2",
            "medfee_sumamt": "150.00",
        },
    )
    # resident L2: deductible 100.00, (150.00 - 100.00) x 55% = 27.50; personal 122.50: the
    # father's 100.00, then 22.50 cash
    assert (str(r["acct_mulaid_pay"]), str(r["psn_cash_pay"])) == ("100.00", "22.50")
    before = snapshot()
    for day in (date(2025, 3, 10), date(2025, 3, 5)):
        with pytest.raises(
            LedgerError,
            match=f"date: {day} would end the binding before claim U1 of 2025-03-10, which the holder's account paid under it; end it on 2025-03-11 or later",
        ):
            family.unbind(uow, "clerk", WORKER, STUDENT, day)
    assert snapshot() == before
    assert family.unbind(uow, "clerk", WORKER, STUDENT, date(2025, 3, 11))["ended_on"] == date(2025, 3, 11)


def test_a_future_date_is_refused(uow, household):
    with pytest.raises(LedgerError, match="date: 2999-01-01 is in the future"):
        family.bind(uow, "clerk", WORKER, STUDENT, "child", date(2999, 1, 1))


NARROW = policy_text(
    {"family.relations": '["spouse", "parent", "child"]', "family.member_same_province": "true"},
    effective_from="2026-01-01",
)


def test_a_narrower_policy_is_honoured_for_bindings_dated_under_it(uow, holder, snapshot):
    resident(uow, SIBLING, "李建军", enrolled=(2025, 2026))
    policies.load_policy(uow, "clerk", NARROW, "narrow-2026.toml")
    before = snapshot()
    with pytest.raises(
        LedgerError,
        match=r"relation: sibling is not allowed by the policy for region 220700 on 2026-02-01 \(allowed: spouse, parent, child\)",
    ):
        family.bind(uow, "clerk", WORKER, SIBLING, "sibling", date(2026, 2, 1))
    assert snapshot() == before
    # the same binding dated under the Songyuan 2025 seed is accepted
    assert family.bind(uow, "clerk", WORKER, SIBLING, "sibling", date(2025, 12, 31))["relation"] == "sibling"


def test_same_province_is_required_when_the_policy_says_so(uow, holder):
    resident(uow, BEIJING, "赵强", region="110105", enrolled=(2025, 2026))
    family.bind(uow, "clerk", WORKER, BEIJING, "spouse", date(2025, 12, 1))  # Songyuan 2025: no province limit
    family.unbind(uow, "clerk", WORKER, BEIJING, date(2025, 12, 2))
    policies.load_policy(uow, "clerk", NARROW, "narrow-2026.toml")
    with pytest.raises(
        LedgerError, match=r"member: insured in region 110105, outside the holder's province \(220000\)"
    ):
        family.bind(uow, "clerk", WORKER, BEIJING, "spouse", date(2026, 2, 1))


def test_a_region_without_family_policy_is_a_loud_error(uow):
    employee(uow, WORKER, "李建国", region="220104")  # Changchun: the 2024 letter says nothing of family aid
    resident(uow, STUDENT, "李明", region="220104")
    with pytest.raises(MissingParameter, match="'family.relations' is not given for region 220100 on 2025-12-01"):
        family.bind(uow, "clerk", WORKER, STUDENT, "child", ON)


def test_account_show_lists_active_bindings(uow, household):
    family.bind(uow, "clerk", WORKER, STUDENT, "child", ON)
    family.bind(uow, "clerk", WORKER, RETIREE, "parent", ON)
    family.unbind(uow, "clerk", WORKER, RETIREE, ON)
    family.bind(uow, "clerk", RETIREE, WORKER, "child", ON)
    shown = accounts.show_account(uow, WORKER)["bindings"]
    assert [(b["role"], b["holder"], b["member"], b["relation"]) for b in shown] == [
        ("holder", WORKER, STUDENT, "child"),
        ("member", RETIREE, WORKER, "child"),
    ]


# --- paying a resident member's contribution -----------------------------------------------

PAY_ON = date(2026, 1, 15)


@pytest.fixture
def payer(uow, holder):
    resident(uow, STUDENT, "李明", "ordinary")
    resident(uow, HARDSHIP_CHILD, "李华", "hardship")
    resident(uow, POOR_CHILD, "李强", "extreme_poverty")
    for member in (STUDENT, HARDSHIP_CHILD, POOR_CHILD):
        family.bind(uow, "clerk", WORKER, member, "child", ON)
    accounts.credit(uow, "clerk", WORKER, 80000, "opening balance", date(2025, 1, 1))  # 800.00
    return WORKER


def test_contributions_are_paid_by_category_and_never_twice(uow, payer, snapshot):
    first = family.pay_contribution(uow, "clerk", WORKER, STUDENT, 2026, PAY_ON)
    # Songyuan 2025 standard, still in force for 2026: ordinary 410.00; 800.00 - 410.00 = 390.00
    assert (str(first["amount"]), str(first["holder_balance"])) == ("410.00", "390.00")
    assert first["policy"] == "seed/220700-2025-01-01.toml"
    assert any("past its review date 2025-12-31" in w for w in first["warnings"])
    second = family.pay_contribution(uow, "clerk", WORKER, HARDSHIP_CHILD, 2026, PAY_ON)
    # hardship 260.00; 390.00 - 260.00 = 130.00
    assert (str(second["amount"]), str(second["holder_balance"])) == ("260.00", "130.00")
    before = snapshot()
    with pytest.raises(
        LedgerError,
        match=r"member: the 2026 contribution of 220702\*\*\*\*\*\*\*\*0136 is already paid \(410.00 on 2026-01-15",
    ):
        family.pay_contribution(uow, "clerk", WORKER, STUDENT, 2026, PAY_ON)
    assert snapshot() == before
    assert str(accounts.show_account(uow, WORKER)["balance"]) == "130.00"
    assert persons.show_person(uow, STUDENT)["enrolled"] == [2025, 2026]


def test_extreme_poverty_contribution(uow, payer):
    # extreme poverty / orphans: 10.00 (care insurance only); 800.00 - 10.00 = 790.00
    assert str(family.pay_contribution(uow, "clerk", WORKER, POOR_CHILD, 2026, PAY_ON)["holder_balance"]) == "790.00"


def test_a_short_balance_is_refused(uow, holder, snapshot):
    resident(uow, STUDENT, "李明")
    family.bind(uow, "clerk", WORKER, STUDENT, "child", ON)
    accounts.credit(uow, "clerk", WORKER, 40999, "opening balance", date(2025, 1, 1))  # 409.99, one fen short of 410.00
    before = snapshot()
    with pytest.raises(
        LedgerError, match=r"holder: balance 409.99 is short of the 2026 contribution 410.00 \(ordinary\)"
    ):
        family.pay_contribution(uow, "clerk", WORKER, STUDENT, 2026, PAY_ON)
    assert snapshot() == before


def test_not_bound_on_the_payment_date_is_refused(uow, payer, snapshot):
    family.unbind(uow, "clerk", WORKER, STUDENT, date(2026, 1, 10))
    before = snapshot()
    with pytest.raises(
        LedgerError,
        match=r"member: 220702\*\*\*\*\*\*\*\*0136 is not bound to holder 220702\*\*\*\*\*\*\*\*0035 on 2026-01-15",
    ):
        family.pay_contribution(uow, "clerk", WORKER, STUDENT, 2026, PAY_ON)
    with pytest.raises(LedgerError, match="is not bound to holder .* on 2025-11-30"):  # before the binding began
        family.pay_contribution(uow, "clerk", WORKER, HARDSHIP_CHILD, 2026, date(2025, 11, 30))
    assert snapshot() == before


def test_a_member_already_enrolled_for_the_year_is_not_charged(uow, payer, snapshot):
    persons.enroll(uow, "clerk", STUDENT, 2026)
    before = snapshot()
    with pytest.raises(LedgerError, match="is already enrolled for 2026; the contribution was paid another way"):
        family.pay_contribution(uow, "clerk", WORKER, STUDENT, 2026, PAY_ON)
    assert snapshot() == before


def test_an_employee_member_has_no_resident_contribution(uow, payer):
    employee(uow, RETIREE, "王桂兰", psn_type="1201")
    family.bind(uow, "clerk", WORKER, RETIREE, "parent", ON)
    with pytest.raises(
        LedgerError, match="is an employee .310.; only a resident's .390. contribution is paid this way"
    ):
        family.pay_contribution(uow, "clerk", WORKER, RETIREE, 2026, PAY_ON)


def test_journal_names_both_people_and_the_audit_log_records_everything(uow, payer, engine):
    family.pay_contribution(uow, "zhang.wei", WORKER, STUDENT, 2026, PAY_ON)
    # Ended the day after: a binding cannot end on the day a contribution was paid under it.
    family.unbind(uow, "zhang.wei", WORKER, STUDENT, date(2026, 1, 16), "done")
    with engine.connect() as conn:
        entries = conn.execute(
            text(
                "SELECT e.book, e.amount, e.psn_no FROM journal_entries e JOIN journal_postings p ON p.id = e.posting_id "
                "WHERE p.kind = 'family.contribution' ORDER BY e.id"
            )
        ).all()
        audit = conn.execute(
            text(
                "SELECT operator, action, subject, reason, details FROM audit_log WHERE action LIKE 'family.%' ORDER BY id"
            )
        ).all()
    assert [tuple(e) for e in entries] == [
        ("personal_account", -41000, WORKER),
        ("contribution_collection", 41000, STUDENT),
    ]
    assert [a.action for a in audit] == ["family.bind"] * 3 + ["family.pay_contribution", "family.unbind"]
    paid = json.loads(audit[3].details)
    assert (audit[3].operator, audit[3].subject, paid["member"], paid["year"], paid["amount"]) == (
        "zhang.wei",
        WORKER,
        STUDENT,
        2026,
        41000,
    )
    assert (audit[4].reason, json.loads(audit[4].details)["member"]) == ("done", STUDENT)


def test_verify_finds_a_paid_contribution_whose_enrollment_vanished(uow, payer, engine):
    from ledger.services.verify import verify

    family.pay_contribution(uow, "clerk", WORKER, STUDENT, 2026, PAY_ON)
    assert verify(uow)["ok"]
    with engine.begin() as conn:  # enrollments are not append-only; a careless script could do this
        conn.execute(text(f"DELETE FROM enrollments WHERE psn_no = '{STUDENT}' AND year = 2026"))
    assert verify(uow)["problems"] == [
        "contribution of 220702********0136 for 2026: paid but the member is not enrolled for 2026"
    ]


# --- a relative's first contribution, paid in the central contribution period ----------------


def test_a_relatives_first_contribution_is_paid_from_the_holders_account_in_the_central_period(uow):
    """Songyuan: 集中缴费时间 2024年9月1日至2025年2月28日; 普通居民:410元/人年. On 2024-10-15 the
    holder binds his son, never insured, and pays the son's 2025 contribution: 1000.00 -
    410.00 = 590.00 left, and the son is enrolled for 2025, paid on 2024-10-15 (on time: no
    waiting period). The 2025 binding rules apply although no 2024 file is in force."""
    employee(uow, WORKER, "李建国", enrolled=(2024, 2025))
    accounts.credit(uow, "clerk", WORKER, 100000, "opening balance", date(2024, 9, 1))
    persons.add_person(
        uow,
        "clerk",
        psn_no=STUDENT,
        name="李明",
        insutype="390",
        resident_category="ordinary",
        region="220702",
        enrolled=[],
    )
    b = family.bind(uow, "clerk", WORKER, STUDENT, "child", date(2024, 10, 15), "first contribution")
    assert (b["active"], b["bound_on"], b["contribution_year"]) == (True, date(2024, 10, 15), 2025)
    paid = family.pay_contribution(uow, "clerk", WORKER, STUDENT, 2025, date(2024, 10, 15))
    assert (str(paid["amount"]), str(paid["holder_balance"])) == ("410.00", "590.00")
    shown = persons.show_person(uow, STUDENT)
    assert shown["enrolled"] == [2025]


@pytest.mark.parametrize(
    "on, message",
    [
        # before the period: no Songyuan file is in force yet, and that is what is said
        (date(2024, 6, 1), r"policy parameter 'family.relations' is not given for region 220700 on 2024-06-01"),
        (
            date(2025, 3, 10),
            r"member: 220702\*\*\*\*\*\*\*\*0136 is not enrolled for 2025, the year of the binding date",
        ),  # after it
    ],
)
def test_outside_the_central_period_an_unenrolled_relative_cannot_be_bound(uow, snapshot, on, message):
    employee(uow, WORKER, "李建国", enrolled=(2024, 2025))
    persons.add_person(
        uow,
        "clerk",
        psn_no=STUDENT,
        name="李明",
        insutype="390",
        resident_category="ordinary",
        region="220702",
        enrolled=[],
    )
    before = snapshot()
    with pytest.raises(LedgerError, match=message):
        family.bind(uow, "clerk", WORKER, STUDENT, "child", on)
    assert snapshot() == before


# --- limits a bureau may set: unset means none ---------------------------------------------


def limits(uow, **values):
    params = {f"family.{k}": (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in values.items()}
    policies.load_policy(uow, "clerk", policy_text(params, effective_from="2025-01-01"), "limits.toml")


def test_at_most_one_holder_per_member(uow, holder):
    limits(uow, max_holders_per_member=1)
    resident(uow, STUDENT, "李明")
    employee(uow, SPOUSE, "王芳")
    family.bind(uow, "clerk", WORKER, STUDENT, "child", date(2025, 1, 2))
    with pytest.raises(
        LedgerError,
        match=r"member: 220702\*\*\*\*\*\*\*\*0136 is already bound to 1 holder\(s\), the most the policy for region "
        r"220700 allows \(family.max_holders_per_member = 1\); unbind one first",
    ):
        family.bind(uow, "clerk", SPOUSE, STUDENT, "child", date(2025, 1, 3))


def test_without_the_limit_a_member_may_have_two_holders(uow, holder):
    resident(uow, STUDENT, "李明")
    employee(uow, SPOUSE, "王芳")
    family.bind(uow, "clerk", WORKER, STUDENT, "child", date(2025, 1, 2))
    assert family.bind(uow, "clerk", SPOUSE, STUDENT, "child", date(2025, 1, 3))["active"]


def test_the_most_members_per_holder(uow, holder):
    limits(uow, max_members_per_holder=2)
    for psn in (STUDENT, HARDSHIP_CHILD, POOR_CHILD):
        resident(uow, psn, "子女")
    family.bind(uow, "clerk", WORKER, STUDENT, "child", date(2025, 1, 2))
    family.bind(uow, "clerk", WORKER, HARDSHIP_CHILD, "child", date(2025, 1, 2))
    with pytest.raises(
        LedgerError, match=r"holder: 220702\*\*\*\*\*\*\*\*0035 already has 2 member\(s\) bound, the most the policy"
    ):
        family.bind(uow, "clerk", WORKER, POOR_CHILD, "child", date(2025, 1, 2))
    family.unbind(uow, "clerk", WORKER, STUDENT, date(2025, 1, 5))  # a place frees up
    assert family.bind(uow, "clerk", WORKER, POOR_CHILD, "child", date(2025, 1, 5))["active"]


def test_the_shortest_time_before_a_binding_may_be_ended(uow, holder):
    limits(uow, min_days_before_unbind=30)
    resident(uow, STUDENT, "李明")
    family.bind(uow, "clerk", WORKER, STUDENT, "child", date(2025, 1, 2))
    # 2025-01-02 + 30 days = 2025-02-01
    with pytest.raises(
        LedgerError,
        match=r"date: the binding began on 2025-01-02 and the policy for region 220700 keeps a binding at least 30 days "
        r"\(family.min_days_before_unbind\): end it on 2025-02-01 or later",
    ):
        family.unbind(uow, "clerk", WORKER, STUDENT, date(2025, 1, 31))
    assert family.unbind(uow, "clerk", WORKER, STUDENT, date(2025, 2, 1))["ended_on"] == date(2025, 2, 1)


def test_cross_region_bindings_refused_where_the_policy_says_so(uow, holder):
    limits(uow, cross_region_allowed=False)
    resident(uow, STUDENT, "李明", region="220102")  # Changchun
    resident(uow, HARDSHIP_CHILD, "李丽", category="hardship")  # Songyuan, as the holder
    with pytest.raises(
        LedgerError,
        match=r"member: insured in region 220102, outside the holder's pooling area \(220700\); the policy for region "
        r"220700 on 2025-01-02 allows no cross-region binding \(family.cross_region_allowed\)",
    ):
        family.bind(uow, "clerk", WORKER, STUDENT, "child", date(2025, 1, 2))
    assert family.bind(uow, "clerk", WORKER, HARDSHIP_CHILD, "child", date(2025, 1, 2))["active"]


def test_a_binding_cannot_end_on_or_before_a_contribution_paid_under_it(uow, payer, snapshot):
    """Claims were guarded, contributions not: an end on the day the father paid his son's
    2026 contribution left that payment under a binding not active on its day."""
    family.pay_contribution(uow, "clerk", WORKER, STUDENT, 2026, PAY_ON)
    before = snapshot()
    for day in (PAY_ON, date(2026, 1, 2)):
        with pytest.raises(
            LedgerError,
            match=f"date: {day} would end the binding before the 2026 contribution paid under it on 2026-01-15; "
            "end it on 2026-01-16 or later",
        ):
            family.unbind(uow, "clerk", WORKER, STUDENT, day)
    assert snapshot() == before
    assert family.unbind(uow, "clerk", WORKER, STUDENT, date(2026, 1, 16))["ended_on"] == date(2026, 1, 16)
    assert verify.verify(uow)["ok"]
