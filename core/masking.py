"""Masking of personal data for display, export and the audit log (GB/T 35273 去标识化)."""

import re

_ID_RE = re.compile(r"^\d{17}[\dXx]$")
_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")

# What an encrypted field holds (core/fields.py), which decides how it is masked.
KINDS = ("phone", "id_number", "email", "other")


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


def mask_email(value: str) -> str:
    """a***@example.com: the first character of the name and the whole domain; the name's length is hidden."""
    value = (value or "").strip()
    name, at, domain = value.rpartition("@")
    if not at or not name:
        return mask_text(value)
    return f"{name[0]}***@{domain}"


def mask_text(value: str) -> str:
    """张*丰: the first and last characters kept; two or fewer characters are all hidden."""
    value = value or ""
    if len(value) <= 2:
        return "*" * len(value)
    return value[0] + "*" * (len(value) - 2) + value[-1]


_BY_KIND = {"phone": mask_phone, "id_number": mask_id_number, "email": mask_email, "other": mask_text}


def mask(kind: str, value: str) -> str:
    """The value masked as what it is (one of KINDS); raises ValueError for another kind."""
    try:
        masker = _BY_KIND[kind]
    except KeyError:
        raise ValueError(f"unknown kind of personal data {kind!r}; expected one of {KINDS}") from None
    return masker(value)


def mask_value(field_name: str, value: str) -> str:
    """Mask by what the value looks like, falling back on the field's name."""
    if _ID_RE.match(value) or "id_number" in field_name:
        return mask_id_number(value)
    if _PHONE_RE.match(value) or "phone" in field_name or "mobile" in field_name:
        return mask_phone(value)
    if "@" in value or "email" in field_name:
        return mask_email(value)
    return mask_text(value)
