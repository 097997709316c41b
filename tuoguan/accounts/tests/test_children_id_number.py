"""The resident ID number validator (GB 11643-1999: format, birth date, check character)."""

import pytest
from django.core.exceptions import ValidationError

from tuoguan.accounts.models import id_number_validator


@pytest.mark.parametrize(
    "number",
    ["11010519491231002X", "11010519491231002x", "210202201909014564", " 110101201506157899 "],
)
def test_a_valid_number_passes(number: str) -> None:
    id_number_validator(number)


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("", "invalid"),
        ("12345", "invalid"),
        ("1101051949123100212", "invalid"),  # 19 characters
        ("X10105194912310021", "invalid"),  # X only as the last character
        ("11010519491231002Y", "invalid"),
        ("110105194902300028", "invalid_date"),  # 30 February
        ("110105194913010021", "invalid_date"),  # month 13
        ("110105194912310021", "checksum"),
        ("210202201703051234", "checksum"),  # one digit away from a real number
    ],
)
def test_an_invalid_number_is_refused_with_its_reason(number: str, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        id_number_validator(number)
    assert caught.value.code == code


def test_every_single_digit_typo_is_caught() -> None:
    good = "11010519491231002X"
    for position in range(17):
        for digit in "0123456789":
            if digit == good[position]:
                continue
            typo = good[:position] + digit + good[position + 1 :]
            with pytest.raises(ValidationError):
                id_number_validator(typo)
