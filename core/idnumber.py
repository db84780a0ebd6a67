"""Resident identity card numbers (GB 11643-1999): 18 characters, the last a check character.

`validate_id_number` is the one rule every app uses: it refuses the old 15-digit numbers (they carry no
check character and were replaced in 2013), a wrong length or character, a birth date that does not exist
and a wrong check character, each with a message in Chinese that says what is wrong. `normalise_id_number`
turns full-width digits and a lower-case x into what is stored.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


def check_char(first17: str) -> str:
    """The check character of the first 17 digits (ISO 7064 MOD 11-2)."""
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def normalise_id_number(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").strip().replace(" ", "").upper()


def validate_id_number(value: str) -> None:
    number = normalise_id_number(value)
    if len(number) == 15 and number.isdigit():
        raise ValidationError(
            _("这是 15 位的旧身份证号，请填写 18 位的居民身份证号码（2013 年起旧证已停用）。"), code="id_old"
        )
    if len(number) != 18:
        raise ValidationError(_("身份证号应为 18 位，现在是 %(count)d 位。") % {"count": len(number)}, code="id_length")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("身份证号前 17 位应为数字，最后一位为数字或 X。"), code="id_chars")
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("身份证号中的出生日期 %(date)s 不存在，请核对第 7 至 14 位。") % {"date": number[6:14]}, code="id_birth"
        ) from None
    expected = check_char(number[:17])
    if number[17] != expected:
        # The expected character is not shown: a typo is as likely in the first 17 digits, and "fixing" the
        # last one would store a valid-looking wrong number.
        raise ValidationError(_("身份证号校验码不对：某一位填错了，请对照证件逐位核对。"), code="id_check")


def birth_date(number: str) -> dt.date:
    """The birth date a valid number carries."""
    number = normalise_id_number(number)
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def fake_id_number(region: str, born: dt.date, serial: int) -> str:
    """A valid-format number for demo data and tests (region code, birth date, a 3-digit serial)."""
    first17 = f"{region}{born:%Y%m%d}{serial % 1000:03d}"
    return first17 + check_char(first17)
