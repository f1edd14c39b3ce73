import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.errors import ValidationError
from ledger.rules.money import MAX_FEN, Yuan, format_fen, parse_yuan


@pytest.mark.parametrize(
    "text, fen",
    [
        ("0", 0),
        ("1", 100),
        ("1234.5", 123450),
        ("1234.50", 123450),
        ("0.01", 1),
        ("33.36", 3336),
        (" 7.05 ", 705),
        # thousands grouped as a spreadsheet shows them: 1,200.00 yuan = 120,000 fen
        ("1,200.00", 120000),
        ("12,345,678.9", 1234567890),
        ("1,000", 100000),
    ],  # fmt: skip
)
def test_parse_yuan_to_fen(text, fen):
    assert parse_yuan(text) == fen


@pytest.mark.parametrize(
    "text, message",
    [
        ("-1.00", "must not be negative"),
        ("abc", "is not a number"),
        ("1.234", "more than two decimals"),
        ("1,00.00", "is not a number"),  # thousands come in threes
        ("1,2345.00", "is not a number"),
        (",100", "is not a number"),
        ("1,234.567", "more than two decimals"),
        ("", "is not a number"),
        ("1e3", "is not a number"),
        ("10000000000.00", "larger than the largest amount accepted, 9999999999.99"),
        ("99999999999999999999.99", "larger than the largest amount accepted"),
    ],
)
def test_parse_yuan_refuses(text, message):
    with pytest.raises(ValidationError, match=message):
        parse_yuan(text, "AMOUNT")


def test_parse_yuan_refuses_floats_outright():
    with pytest.raises(ValidationError, match="expected a decimal string"):
        parse_yuan(0.1)


def test_zero_can_be_refused():
    with pytest.raises(ValidationError, match="AMOUNT: must be greater than zero"):
        parse_yuan("0.00", "AMOUNT", allow_zero=False)


@pytest.mark.parametrize("fen, text", [(0, "0.00"), (1, "0.01"), (123450, "1234.50"), (-705, "-7.05")])
def test_format_fen_always_two_decimals(fen, text):
    assert format_fen(fen) == text
    assert str(Yuan(fen)) == text


def test_the_largest_amount_is_accepted():
    # 9,999,999,999.99 yuan = 999,999,999,999 fen; leading zeros do not count
    assert parse_yuan("9999999999.99") == MAX_FEN == 999_999_999_999
    assert parse_yuan("0009999999999.99") == MAX_FEN


@given(st.integers(min_value=0, max_value=MAX_FEN))
def test_format_then_parse_round_trips(fen):
    assert parse_yuan(format_fen(fen)) == fen


def test_yuan_refuses_non_integers():
    with pytest.raises(TypeError):
        Yuan(1.5)
