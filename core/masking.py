"""Masking of personal data for display, export and the audit log (GB/T 35273 去标识化)."""

import re

_ID_RE = re.compile(r"^\d{17}[\dXx]$")
_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def mask_id_number(value: str) -> str:
    """5301**********1234: the region's first four digits and the last four kept."""
    value = (value or "").strip()
    if len(value) < 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678."""
    digits = re.sub(r"\D", "", value or "")
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_value(field_name: str, value: str) -> str:
    """Mask by what the value looks like, falling back on the field's name."""
    if _ID_RE.match(value) or "id_number" in field_name:
        return mask_id_number(value)
    if _PHONE_RE.match(value) or "phone" in field_name or "mobile" in field_name:
        return mask_phone(value)
    if len(value) <= 2:
        return "*" * len(value)
    return value[0] + "*" * (len(value) - 2) + value[-1]
