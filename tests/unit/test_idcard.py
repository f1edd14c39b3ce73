from datetime import date

import pytest

from ledger.errors import ValidationError
from ledger.rules.idcard import check_character, mask, parse_id_number
from tests.ids import RETIREE, STANDARD_EXAMPLE


def test_standard_example_is_accepted_with_birth_date_and_sex():
    # digits   1 1  0 1 0 5 1 9 4  9 1 2  3 1 0 0 2
    # weights  7 9 10 5 8 4 2 1 6  3 7 9 10 5 8 4 2
    # products 7 9  0 5 0 20 2 9 24 27 7 18 30 5 0 0 4 = 167; 167 mod 11 = 2 -> table "10X98765432"[2] = X
    idn = parse_id_number(STANDARD_EXAMPLE)
    assert idn.birth_date == date(1949, 12, 31)
    assert idn.sex == "F"  # 17th digit 2 is even
    assert idn.address_code == "110105"


def test_songyuan_retiree_check_digit():
    # 2 2 0 7 0 2 1 9 5 2 0 3 1 5 0 0 2 with the weights: 14+18+0+35+0+8+2+9+30+6+0+27+10+25+0+0+4 = 188;
    # 188 mod 11 = 1 -> "0"
    assert check_character(RETIREE[:17]) == "0"
    assert parse_id_number(RETIREE).birth_date == date(1952, 3, 15)


@pytest.mark.parametrize("wrong", "0123456789")
def test_any_other_check_digit_is_rejected_as_a_wrong_check_digit(wrong):
    with pytest.raises(ValidationError, match="check digit is wrong"):
        parse_id_number(STANDARD_EXAMPLE[:17] + wrong)


def test_lower_case_x_is_read_as_x():
    assert parse_id_number(STANDARD_EXAMPLE.lower()).value == STANDARD_EXAMPLE


@pytest.mark.parametrize(
    "text, message",
    [
        ("1101051949123100", "18 characters, got 16"),
        ("11010519491231002Y", "17 digits followed by a digit or X"),
        ("1101051949A231002X", "17 digits followed by a digit or X"),
        ("110105194902300021", "19490230 in the ID number is not a date"),
    ],
)
def test_malformed_numbers_say_what_is_wrong(text, message):
    with pytest.raises(ValidationError, match=message):
        parse_id_number(text)


def test_birth_date_in_the_future_is_refused():
    with pytest.raises(ValidationError, match="not plausible"):
        parse_id_number(STANDARD_EXAMPLE, today=date(1949, 12, 30))


def test_mask_hides_the_birth_date():
    assert mask("220702197806110035") == "220702********0035"
