"""Monthly personal-account crediting, with hand-worked amounts."""

import pytest

from ledger.errors import MissingParameter, ValidationError
from ledger.services import accounts, crediting, persons, policies, verify
from ledger.services.persons import ImportRejected
from tests.ids import RETIREE, SPOUSE, STUDENT, WORKER
from tests.policy_text import policy_text

# The operator's file: 2 % of the base for in-service employees, 120.00 a month for retirees.
RATES = policy_text(
    {"employee.account.in_service_rate": '"0.02"', "employee.account.retired_monthly_amount": '"120.00"'},
    effective_from="2025-01-01",
)


@pytest.fixture
def staff(uow):
    for psn, kind in ((WORKER, "1101"), (SPOUSE, "1101"), (RETIREE, "1201")):
        persons.add_person(
            uow, "clerk", psn_no=psn, name="职工", insutype="310", psn_type=kind, region="220702", enrolled=[2025]
        )
    persons.add_person(
        uow,
        "clerk",
        psn_no=STUDENT,
        name="居民",
        insutype="390",
        resident_category="ordinary",
        region="220702",
        enrolled=[2025],
    )


def bal(uow, psn):
    return str(accounts.show_account(uow, psn)["balance"])


def test_the_seeds_give_no_crediting_amounts_so_it_says_which(uow, staff, snapshot):
    before = snapshot()
    with pytest.raises(
        MissingParameter, match="'employee.account.retired_monthly_amount' is not given for region 220700 on 2025-03-01"
    ):
        crediting.credit_monthly(uow, "bureau", "2025-03")
    assert snapshot() == before


def test_rate_times_base_for_those_in_service_and_the_fixed_amount_for_retirees(uow, staff, snapshot):
    policies.load_policy(uow, "clerk", RATES, "rates.toml")
    bases = crediting.parse_bases([(2, {"psn_no": WORKER, "base": "5123.45"})])
    d = crediting.credit_monthly(uow, "bureau", "2025-03", bases)
    # 5123.45 x 2% = 102.469 -> 102.47; the retiree 120.00; the wife has no base: nothing
    assert bal(uow, WORKER) == "102.47" and bal(uow, RETIREE) == "120.00" and bal(uow, SPOUSE) == "0.00"
    assert (d["credited"], str(d["total"]), d["in_service"], d["retired"], d["in_service_without_base"]) == (
        2,
        "222.47",
        1,
        1,
        1,
    )
    assert str(d["credited_on"]) == "2025-03-31"
    # Again: nothing is credited twice, and it says so.
    before = snapshot()
    again = crediting.credit_monthly(uow, "bureau", "2025-03", bases)
    assert (again["credited"], again["already_credited"]) == (0, 2) and snapshot() == before
    # The next month is a month of its own.
    assert crediting.credit_monthly(uow, "bureau", "2025-04", bases)["credited"] == 2
    assert bal(uow, WORKER) == "204.94"  # 2 x 102.47
    assert verify.verify(uow)["ok"]


def test_a_bad_bases_file_is_rejected_whole(uow, staff, snapshot):
    policies.load_policy(uow, "clerk", RATES, "rates.toml")
    with pytest.raises(ImportRejected) as e:
        crediting.parse_bases(
            [
                (2, {"psn_no": WORKER, "base": "-5.00"}),
                (3, {"psn_no": "110105194912310021", "base": "1.00"}),
                (4, {"psn_no": SPOUSE, "base": "4000"}),
                (5, {"psn_no": SPOUSE, "base": "4000"}),
                (6, {"psn_no": WORKER, "base": "1", "x": "2"}),
            ]
        )
    assert [str(r) for r in e.value.errors] == [
        "line 2 (220702********0035): base: must not be negative (got -5.00)",
        "line 3 (110105********0021): psn_no: check digit is wrong for 110105********0021 (GB 11643 MOD 11-2)",
        "line 5 (220702********0020): psn_no: repeats line 4",
        "line 6 (220702********0035): x: unknown column (the columns are psn_no, base)",
    ]
    before = snapshot()
    with pytest.raises(ImportRejected) as e:
        crediting.credit_monthly(
            uow,
            "bureau",
            "2025-03",
            crediting.parse_bases([(2, {"psn_no": RETIREE, "base": "3000"}), (3, {"psn_no": STUDENT, "base": "1"})]),
        )
    assert [str(r) for r in e.value.errors] == [
        "line 2 (220702********0020): psn_no: not an in-service employee with an account enrolled for 2025",
        "line 3 (220702********0136): psn_no: not an in-service employee with an account enrolled for 2025",
    ]
    assert snapshot() == before


def test_a_month_that_has_not_begun_is_refused(uow, staff):
    with pytest.raises(ValidationError, match="--month: 2099-01 has not begun"):
        crediting.credit_monthly(uow, "bureau", "2099-01")
    with pytest.raises(ValidationError, match="--month: is a month written YYYY-MM"):
        crediting.credit_monthly(uow, "bureau", "2025-13")
