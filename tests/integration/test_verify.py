"""`verify` finds each kind of damage the database's own guards would normally stop.

Each test switches the guards of the tables it damages off inside one transaction (the
append-only triggers and the CHECK constraints: what a restored backup, a hand-edited table
or a dropped constraint would leave), damages them, runs every check in that same
transaction and rolls it all back.

The books before the damage: the worker holds 1000.00; his son (a resident, bound to him on
2025-01-02) has claim F1, 300.00 at level 2 under tests/claim_policy.py: deductible 100.00,
(300.00 - 100.00) x 55% = 110.00 fund, 190.00 paid by his father; the worker's own claim W1,
800.00 at level 2 (Songyuan seed): deductible 300.00, 285.00 fund, 515.00 from his account,
which leaves 1000.00 - 190.00 - 515.00 = 295.00; W1 is then reversed (back to 810.00)."""

from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from ledger.services import accounts, claims, family, persons, policies
from ledger.services.verify import check, verify
from tests.claim_policy import CLAIM_POLICY
from tests.ids import STUDENT, WORKER

CLAIM = {"service_date": "2025-03-01", "med_type": "11", "hosp_lv": "2"}


@pytest.fixture
def books(uow):
    policies.load_policy(uow, "clerk", CLAIM_POLICY, "claims.toml")
    persons.add_person(
        uow, "clerk", psn_no=WORKER, name="李建国", insutype="310", psn_type="1101", region="220702", enrolled=[2025]
    )
    persons.add_person(
        uow,
        "clerk",
        psn_no=STUDENT,
        name="李明",
        insutype="390",
        resident_category="ordinary",
        region="220702",
        enrolled=[2025],
    )
    accounts.credit(uow, "clerk", WORKER, 100000, "opening balance", date(2025, 1, 1))
    family.bind(uow, "clerk", WORKER, STUDENT, "child", date(2025, 1, 2))
    f1 = claims.post_claim(uow, "feed", CLAIM | {"setl_id": "F1", "psn_no": STUDENT, "medfee_sumamt": "300.00"})
    assert (str(f1["hifp_pay"]), str(f1["acct_mulaid_pay"])) == ("110.00", "190.00")
    w1 = claims.post_claim(uow, "feed", CLAIM | {"setl_id": "W1", "psn_no": WORKER, "medfee_sumamt": "800.00"})
    assert (str(w1["hifp_pay"]), str(w1["acct_pay"]), str(w1["balc"])) == ("285.00", "515.00", "295.00")
    claims.reverse_claim(uow, "clerk", "W1", "entered twice", date(2025, 3, 2))
    assert verify(uow) == {
        "ok": True,
        "problems": [],
        "checked": {"accounts": 1, "postings": 4, "entries": 11},
    }  # 2 + 3 + 3 + 3


@contextmanager
def unguarded(engine, *tables):
    """A transaction in which `tables` take any edit; everything is rolled back after."""
    with engine.connect() as conn:
        tx = conn.begin()
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA ignore_check_constraints = ON")
            for t in tables:
                for (name,) in conn.execute(
                    text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"), {"t": t}
                ):
                    conn.exec_driver_sql(f"DROP TRIGGER {name}")
        else:
            for t in tables:
                conn.exec_driver_sql(f"ALTER TABLE {t} DISABLE TRIGGER USER")
                for (name,) in conn.execute(
                    text("SELECT conname FROM pg_constraint WHERE conrelid = CAST(:t AS regclass) AND contype = 'c'"),
                    {"t": t},
                ):
                    conn.exec_driver_sql(f'ALTER TABLE {t} DROP CONSTRAINT "{name}"')
        try:
            yield conn
        finally:
            tx.rollback()
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA ignore_check_constraints = OFF")


def scalar(engine, sql: str):
    """One value, read on a connection closed at once (a connection left open holds its
    locks, and the next test's TRUNCATE waits for them)."""
    with engine.connect() as conn:
        return conn.scalar(text(sql))


def problems(conn) -> list[str]:
    return check(Session(bind=conn))["problems"]


def test_a_claim_that_does_not_add_up(engine, books):
    with unguarded(engine, "claims") as conn:
        conn.execute(text("UPDATE claims SET psn_cash_pay = psn_cash_pay + 1 WHERE setl_id = 'F1'"))
        # psn_part_amt 190.00 = 0.00 + 190.00 + 0.00 + 0.00 no longer holds (0.01 in cash), and the
        # journal has no cash leg behind that 0.01
        assert problems(conn) == [
            "claim F1: does not satisfy psn_part_amt = acct_pay + wallet_pay + acct_mulaid_pay + other_funds_pay + psn_cash_pay",
            "claim F1: its journal posting gives patient_cash 0.00, the claim says 0.01",
            # and the reports' sums, kept when F1 was posted, no longer agree with it
            "claim_totals 2025-03-01 11/2/- 220702 390: the stored sums less its claims' are 0 claims, fee 0.00,"
            " fund 0.00, cash -0.01",
        ]


def test_a_claim_whose_journal_says_otherwise(engine, books):
    with unguarded(engine, "journal_entries") as conn:
        # move 10.00 of F1's posting from the pooled fund to the patient's cash: the posting
        # still balances, but no longer matches the claim
        conn.execute(
            text(
                "UPDATE journal_entries SET amount = amount + 1000 WHERE book = 'pooled_fund' AND posting_id = (SELECT posting_id FROM claims WHERE setl_id = 'F1')"
            )
        )
        conn.execute(
            text(
                "UPDATE journal_entries SET amount = amount - 1000 WHERE book = 'provider' AND posting_id = (SELECT posting_id FROM claims WHERE setl_id = 'F1')"
            )
        )
        f1 = conn.scalar(text("SELECT posting_id FROM claims WHERE setl_id = 'F1'"))
        assert problems(conn) == [
            # the hash chain (tamper evidence) sees the edited entries first
            f"journal posting {f1}: its hash does not follow from its content and the journal before it: "
            "changed, inserted or something before it removed (every later row is chained to it)",
            "claim F1: its journal posting gives provider 290.00, the claim says 300.00",
            "claim F1: its journal posting gives pooled_fund 100.00, the claim says 110.00",
        ]


def test_a_mutual_aid_payment_without_its_payers(engine, books):
    with unguarded(engine, "claim_mulaid_payments") as conn:
        conn.execute(text("DELETE FROM claim_mulaid_payments"))
        assert problems(conn) == ["claim F1: acct_mulaid_pay 190.00 but its payers paid 0.00"]


def test_a_reversal_that_does_not_undo_its_claim(engine, books):
    with unguarded(engine, "journal_entries") as conn:
        # the reversal gives the account back 515.01 and takes 0.01 more from the fund
        conn.execute(
            text(
                "UPDATE journal_entries SET amount = amount + 1 WHERE book = 'personal_account' AND posting_id = (SELECT posting_id FROM claim_reversals)"
            )
        )
        conn.execute(
            text(
                "UPDATE journal_entries SET amount = amount - 1 WHERE book = 'provider' AND posting_id = (SELECT posting_id FROM claim_reversals)"
            )
        )
        found = problems(conn)
    assert (
        "reversal of claim W1: personal_account of 220702********0035 is left at 0.01 after the claim and its reversal, not 0.00"
        in found
    )
    assert (
        "reversal of claim W1: provider of 220702********0035 is left at -0.01 after the claim and its reversal, not 0.00"
        in found
    )
    # and the account no longer ties to its journal (balance 810.00, entries 810.01)
    assert "account of 220702********0035: balance 810.00 but its journal entries sum to 810.01" in found


def test_a_claim_reversed_twice(engine, books):
    with unguarded(engine, "claim_reversals") as conn:
        if conn.dialect.name == "sqlite":  # a table constraint: copy the table without it
            conn.exec_driver_sql("ALTER TABLE claim_reversals RENAME TO guarded_reversals")
            conn.exec_driver_sql("CREATE TABLE claim_reversals AS SELECT * FROM guarded_reversals")
        else:
            conn.exec_driver_sql("ALTER TABLE claim_reversals DROP CONSTRAINT uq_claim_reversals_claim_id")
        conn.execute(
            text(
                "INSERT INTO claim_reversals (claim_id, service_date, reason, reversed_on, posting_id, operator, created_at) "
                "SELECT claim_id, service_date, 'again', reversed_on, posting_id, operator, created_at FROM claim_reversals"
            )
        )
        found = problems(conn)
    assert "claim W1: reversed 2 times" in found


def test_a_payment_made_before_the_binding_began(engine, books):
    with engine.begin() as conn:  # bindings are not append-only: the start date can be edited
        conn.execute(text("UPDATE family_bindings SET bound_on = '2025-03-05'"))
    binding = scalar(engine, "SELECT id FROM family_bindings")
    assert verify(engine_uow(engine))["problems"] == [
        f"claim F1: paid by 220702********0035 under binding {binding}, which did not bind that payer to the patient on 2025-03-01"
    ]


def test_a_contribution_paid_under_a_binding_not_active_that_day(uow, engine, books):
    # The father pays his son's 2026 contribution on 2025-03-05 (Songyuan ordinary: 410.00),
    # then the binding's end is edited back to that day, past what unbind allows.
    family.pay_contribution(uow, "clerk", WORKER, STUDENT, 2026, date(2025, 3, 5))
    with engine.begin() as conn:
        conn.execute(text("UPDATE family_bindings SET ended_on = '2025-03-05'"))
    binding = scalar(engine, "SELECT id FROM family_bindings")
    assert verify(engine_uow(engine))["problems"] == [
        f"contribution 2026 of 220702********0136: paid by 220702********0035 on 2025-03-05 under binding {binding}, "
        "which did not bind that holder to the member that day"
    ]


def test_a_pair_bound_twice_at_once(uow, engine, books):
    family.unbind(uow, "clerk", WORKER, STUDENT, date(2025, 6, 1))
    family.bind(uow, "clerk", WORKER, STUDENT, "child", date(2025, 7, 1))
    with engine.begin() as conn:
        conn.execute(text("UPDATE family_bindings SET ended_on = '2025-08-01' WHERE bound_on = '2025-01-02'"))
    with engine.connect() as conn:  # closed at once: an open read would hold up the next test's TRUNCATE
        first, second = (r[0] for r in conn.execute(text("SELECT id FROM family_bindings ORDER BY id")))
    assert verify(engine_uow(engine))["problems"] == [
        f"bindings {first} and {second}: 220702********0035 and member 220702********0136 are bound twice at once"
    ]


def test_a_balance_below_zero(engine, books):
    with unguarded(engine, "accounts") as conn:
        conn.execute(text("UPDATE accounts SET balance = -1"))
        assert problems(conn) == [
            "account of 220702********0035: balance -0.01 but its journal entries sum to 810.00",
            "account of 220702********0035: balance -0.01 is below zero",
        ]


def engine_uow(engine):
    from ledger.uow import UnitOfWork

    return UnitOfWork(engine)


def test_a_copied_date_that_differs_or_a_claim_left_out_of_the_registry(engine, books):
    """SQLite keys an entry to its posting by id alone, so a date copied wrong would stand;
    on PostgreSQL the key is (id, date), and what could be left out is a claim's entry in
    the settlement-id registry (a load with the triggers set aside)."""
    if engine.dialect.name == "sqlite":
        with unguarded(engine, "journal_entries") as conn:
            posting, day = conn.execute(text("SELECT id, effective_date FROM journal_postings WHERE ref = 'F1'")).one()
            conn.execute(
                text("UPDATE journal_entries SET effective_date = '2025-01-01' WHERE posting_id = :p"), {"p": posting}
            )
            entries = conn.execute(
                text("SELECT id FROM journal_entries WHERE posting_id = :p ORDER BY id"), {"p": posting}
            ).scalars()
            assert problems(conn) == [
                f"journal_entries {e}: dated 2025-01-01, but the row it belongs to is dated {day}" for e in entries
            ]
    else:
        with unguarded(engine, "claim_setl_ids") as conn:
            conn.execute(text("DELETE FROM claim_setl_ids WHERE setl_id = 'F1'"))
            assert problems(conn) == ["claim F1: not in the settlement-id registry (claim_setl_ids) as itself"]


def test_an_amount_out_of_the_checks_range_is_named_by_the_checks_own_words(engine, books):
    # layer_selfpay below zero breaks no sum, only the range the CHECK amounts_not_negative states
    with unguarded(engine, "claims") as conn:
        conn.execute(text("UPDATE claims SET layer_selfpay = -1 WHERE setl_id = 'F1'"))
        found = problems(conn)
    assert [(p.kind, p.id) for p in found] == [("claim_does_not_add_up", "F1")]
    assert found[0].startswith("claim F1: does not satisfy medfee_sumamt > 0 AND ") and "layer_selfpay >= 0" in found[0]


def test_a_cap_raised_behind_the_ledger_is_named_though_the_fund_is_within_it(engine, books):
    # W1 opened the worker's outpatient counter on 2025-03-01 at the Songyuan seed's
    # employee.outpatient.annual_cap, 1000.00; raised to 30000.00, every other check holds
    with unguarded(engine, "benefit_usage") as conn:
        conn.execute(text(f"UPDATE benefit_usage SET cap = 3000000 WHERE psn_no = '{WORKER}'"))
        found = check(Session(bind=conn))["problems"]
        assert [(p.kind, p.id) for p in found] == [("usage_cap_not_policy", f"{WORKER}/2025/outpatient")]
        assert found == [
            "usage of 220702********0035 2025 outpatient: cap 30000.00, but the policy in force on 2025-03-01 "
            "gives 1000.00 and the incentive 0.00: 1000.00"
        ]


def test_a_counter_said_to_open_on_a_day_of_no_claim_of_it_is_named(engine, books):
    # W1 opened the worker's outpatient counter on 2025-03-01; a day written by hand (another
    # file's day, next year's) would pick another cap: 2025-06-15 is neither 1 January nor
    # the day of one of its claims
    with unguarded(engine, "benefit_usage") as conn:
        conn.execute(text(f"UPDATE benefit_usage SET opened_on = '2025-06-15' WHERE psn_no = '{WORKER}'"))
        assert problems(conn) == [
            "usage of 220702********0035 2025 outpatient: cap 1000.00 taken from the policy on 2025-06-15, which "
            "is neither 1 January 2025 nor the day of one of its claims"
        ]


def test_a_counter_over_its_cap_or_missing(engine, books):
    # F1, the student's claim of 300.00: the resident outpatient fund paid 110.00 of it
    with unguarded(engine, "benefit_usage") as conn:
        conn.execute(text(f"UPDATE benefit_usage SET cap = 100 WHERE psn_no = '{STUDENT}' AND fund_paid > 0"))
        assert problems(conn) == [
            "usage of 220702********0136 2025 outpatient: fund paid 110.00 exceeds the cap 1.00",
            # tests/claim_policy.py: resident.outpatient.annual_cap = "800.00"
            "usage of 220702********0136 2025 outpatient: cap 1.00, but the policy in force on 2025-03-01 gives "
            "800.00 and the incentive 0.00: 800.00",
        ]
    with unguarded(engine, "benefit_usage") as conn:
        conn.execute(text(f"DELETE FROM benefit_usage WHERE psn_no = '{STUDENT}' AND fund_paid > 0"))
        assert problems(conn) == [
            "usage of 220702********0136 2025 outpatient: claims were posted but there is no counter"
        ]
