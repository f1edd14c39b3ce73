import pytest

from ledger.errors import ValidationError
from ledger.rules.persons import new_person
from tests.ids import RETIREE, STUDENT


def test_employee_registration_derives_birth_date_and_sex_and_has_account():
    p = new_person(RETIREE, "王桂兰", "310", psn_type="1201", region="220702", enrolled=[2025, "2024", 2025])
    assert (p.birth_date.isoformat(), p.sex, p.has_account) == ("1952-03-15", "F", True)
    assert p.enrolled == (2024, 2025)  # sorted, duplicates folded


def test_resident_has_no_account():
    assert not new_person(STUDENT, "李明", "390", resident_category="ordinary", region="220702").has_account


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(insutype="320"), "insutype: must be 310 .employee. or 390 .resident., got '320'"),
        (dict(insutype="310"), "psn_type: is required for an employee"),
        (dict(insutype="310", psn_type="1301"), "psn_type: must be one of 1101, 1103, 1201, 1203, got '1301'"),
        (
            dict(insutype="310", psn_type="1101", resident_category="ordinary"),
            "resident_category: applies to residents",
        ),
        (dict(insutype="390"), "resident_category: is required for a resident"),
        (
            dict(insutype="390", resident_category="rich"),
            "resident_category: must be one of ordinary, hardship, extreme_poverty",
        ),
        (dict(insutype="390", resident_category="ordinary", psn_type="1101"), "psn_type: applies to employees"),
        (dict(insutype="390", resident_category="ordinary", region="2207"), "region: a region is a 6-digit"),
        (dict(insutype="390", resident_category="ordinary", name=" "), "name: is required"),
        (dict(insutype="390", resident_category="ordinary", enrolled=["20x5"]), "enrolled: is not a year"),
        (dict(insutype="390", resident_category="ordinary", enrolled=[1850]), "enrolled: 1850 is not a plausible"),
    ],
)
def test_each_bad_field_is_named(kwargs, message):
    fields = dict(psn_no=STUDENT, name="李明", region="220702") | kwargs
    with pytest.raises(ValidationError, match=message):
        new_person(**fields)
