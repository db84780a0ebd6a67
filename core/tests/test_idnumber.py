"""GB 11643 ID numbers: core/idnumber.py."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from core.idnumber import birth_date, check_char, fake_id_number, normalise_id_number, validate_id_number

# A number from GB 11643-1999's own example: 11010519491231002X.
GOOD = "11010519491231002X"


def test_the_standards_example_passes_and_its_check_character_is_x():
    assert check_char(GOOD[:17]) == "X"
    validate_id_number(GOOD)
    validate_id_number(GOOD.lower())
    validate_id_number("１１０１０５１９４９１２３１００２ｘ")  # full-width, as typed on some input methods
    assert normalise_id_number(" 11010519491231002x ") == GOOD
    assert birth_date(GOOD) == dt.date(1949, 12, 31)


@pytest.mark.parametrize(
    ("value", "code", "words"),
    [
        ("110105491231002", "id_old", "15 位的旧身份证号"),
        ("11010519491231002", "id_length", "现在是 17 位"),
        ("1101051949123100211", "id_length", "现在是 19 位"),
        ("11010519491231002Y", "id_chars", "最后一位为数字或 X"),
        ("1101051949123A002X", "id_chars", "前 17 位应为数字"),
        ("110105194902300026", "id_birth", "19490230 不存在"),
        ("110105194912310021", "id_check", "校验码不对"),
    ],
)
def test_bad_numbers_are_refused_with_what_is_wrong(value, code, words):
    with pytest.raises(ValidationError) as caught:
        validate_id_number(value)
    assert caught.value.code == code
    assert words in caught.value.messages[0]


def test_every_single_digit_typo_is_caught():
    # MOD 11-2 catches any one wrong digit: change each of the 17 digits to every other digit.
    for position in range(17):
        for digit in "0123456789":
            if digit == GOOD[position]:
                continue
            typo = GOOD[:position] + digit + GOOD[position + 1 :]
            try:
                validate_id_number(typo)
            except ValidationError:
                continue
            raise AssertionError(f"{typo} passed")


def test_fake_numbers_for_the_demo_are_valid():
    number = fake_id_number("530102", dt.date(1985, 6, 1), 417)
    validate_id_number(number)
    assert number.startswith("53010219850601417")
