import pytest

from ledger.errors import Conflict, NotFound, ValidationError
from ledger.services import persons
from tests.ids import RETIREE, STANDARD_EXAMPLE, STUDENT, WORKER

RETIREE_FIELDS = dict(psn_no=RETIREE, name="王桂兰", insutype="310", psn_type="1201", region="220702", enrolled=[2025])


def test_an_employee_is_registered_with_an_empty_account(uow):
    p = persons.add_person(uow, "clerk", **RETIREE_FIELDS)
    assert (p["psn_no"], p["sex"], p["birth_date"].isoformat(), p["enrolled"], str(p["balance"])) == (
        RETIREE,
        "F",
        "1952-03-15",
        [2025],
        "0.00",
    )


def test_a_resident_is_registered_without_account(uow):
    p = persons.add_person(
        uow, "clerk", psn_no=STUDENT, name="李明", insutype="390", resident_category="ordinary", region="220702"
    )
    assert p["balance"] is None


def test_a_second_registration_is_refused_and_writes_nothing(uow, snapshot):
    persons.add_person(uow, "clerk", **RETIREE_FIELDS)
    before = snapshot()
    with pytest.raises(Conflict, match=r"psn_no: 220702\*\*\*\*\*\*\*\*0020 is already registered"):
        persons.add_person(uow, "clerk", **RETIREE_FIELDS)
    assert snapshot() == before


def test_enroll_adds_a_year_once(uow, snapshot):
    persons.add_person(uow, "clerk", **RETIREE_FIELDS)
    assert persons.enroll(uow, "clerk", RETIREE, 2026)["enrolled"] == [2025, 2026]
    before = snapshot()
    with pytest.raises(Conflict, match="already enrolled for 2026"):
        persons.enroll(uow, "clerk", RETIREE, 2026)
    assert snapshot() == before


def test_enrolling_an_unknown_person_names_the_field(uow):
    with pytest.raises(NotFound, match=r"psn_no: no person 110105\*\*\*\*\*\*\*\*002X is registered"):
        persons.enroll(uow, "clerk", STANDARD_EXAMPLE, 2026)


def test_import_is_all_or_nothing_and_reports_every_bad_row(uow, snapshot):
    persons.add_person(uow, "clerk", **RETIREE_FIELDS)
    before = snapshot()
    rows = [
        (2, dict(psn_no=WORKER, name="李建国", insutype="310", psn_type="1101", region="220702", enrolled="2025;2026")),
        (3, dict(psn_no=STUDENT, name="李明", insutype="390", resident_category="student", region="220702")),
        (4, dict(psn_no=RETIREE, name="王桂兰", insutype="310", psn_type="1201", region="220702")),
        (5, dict(psn_no=WORKER, name="李建国", insutype="310", psn_type="1101", region="220702")),
        (
            6,
            dict(
                psn_no=STANDARD_EXAMPLE[:17] + "1",
                name="x",
                insutype="390",
                resident_category="ordinary",
                region="110105",
            ),
        ),
    ]
    with pytest.raises(persons.ImportRejected) as e:
        persons.import_persons(uow, "clerk", rows)
    assert [(r.line, r.message) for r in e.value.errors] == [
        (3, "resident_category: must be one of ordinary, hardship, extreme_poverty, got 'student'"),
        (4, "psn_no: is already registered"),
        (5, "psn_no: repeats line 2"),
        (6, "psn_no: check digit is wrong for 110105********0021 (GB 11643 MOD 11-2)"),
    ]
    assert snapshot() == before


def test_a_clean_import_registers_everyone(uow):
    rows = [
        (2, dict(psn_no=WORKER, name="李建国", insutype="310", psn_type="1101", region="220702", enrolled="2025;2026")),
        (
            3,
            dict(
                psn_no=STUDENT, name="李明", insutype=390, resident_category="ordinary", region=220702, enrolled=[2025]
            ),
        ),
    ]
    assert persons.import_persons(uow, "clerk", rows) == 2
    assert persons.show_person(uow, WORKER)["enrolled"] == [2025, 2026]
    assert persons.show_person(uow, STUDENT)["region"] == "220702"


def test_import_refuses_unknown_columns(uow):
    with pytest.raises(persons.ImportRejected, match="line 2 .*: nickname: unknown column"):
        persons.import_persons(
            uow,
            "clerk",
            [(2, dict(psn_no=WORKER, name="x", insutype="310", psn_type="1101", region="220702", nickname="x"))],
        )


def test_show_refuses_a_malformed_number_as_malformed(uow):
    with pytest.raises(ValidationError, match="psn_no: an ID number has 18 characters, got 5"):
        persons.show_person(uow, "12345")
