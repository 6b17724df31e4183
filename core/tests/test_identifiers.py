"""Citizen ID numbers: Linli's own reading agrees with python-stdnum's, number for number."""

import random

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from core.identifiers import normalize_id_number
from core.tests.refused import refused


def _numbers(count: int):
    """Numbers with valid and broken dates (Feb 29/30, month 13, day 00) and check digits."""
    rng = random.Random(11643)
    for _ in range(count):
        year = rng.choice([1935, 1984, 1999, 2000, 2004, 2010, 2023])
        month, day = rng.randint(0, 13), rng.choice([0, 1, 15, 28, 29, 30, 31, 32])
        body = f"320104{year:04d}{month:02d}{day:02d}{rng.randint(0, 999):03d}"
        right = ric.calc_check_digit(body + "0")
        wrong = rng.choice([c for c in "0123456789X" if c != right])
        yield body + (right if rng.random() < 0.7 else wrong)


def _stdnum_says_valid(number: str) -> bool:
    try:
        ric.get_birth_date(number)
    except StdnumError:
        return False
    return ric.calc_check_digit(number) == number[17]


def test_id_number_check_agrees_with_stdnum():
    seen = {True: 0, False: 0}
    for number in _numbers(2000):
        valid = _stdnum_says_valid(number)
        seen[valid] += 1
        if valid:
            assert normalize_id_number(number) == number
        else:
            with pytest.raises(ValidationError) as error:
                normalize_id_number(number)
            message = error.value.messages[0]
            assert ("出生日期无效" in message) or ("校验位不正确" in message), number
    assert seen[True] > 100 and seen[False] > 100  # both kinds were really tried


def test_leap_day_is_a_birth_date_only_in_a_leap_year():
    leap = "32010420000229123"
    assert normalize_id_number(leap + ric.calc_check_digit(leap + "0"))[6:14] == "20000229"
    plain = "32010419990229123"
    with refused("id_number"):
        normalize_id_number(plain + ric.calc_check_digit(plain + "0"))
