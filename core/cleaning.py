"""Typed text as the services keep it: one rule for every app's plain-text fields.

`clean_text` strips the value (or, with `one_line`, collapses every run of spaces and line breaks into one
space), refuses it when required and empty, when longer than `limit` (saying how long it is) or when it holds
invisible control or text-direction characters (a name that reads "exe.xlsx" backwards), each with a Chinese
message naming the field's label; the UserError carries the field for the form or the API. `clean_date` is
the same for dates: ISO text or a date, within the years the platform keeps, not in the future unless asked.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from django.utils.translation import gettext as _

from core import deadlines
from core.errors import UserError

MAX_TEXT = 5_000
LAST_YEAR = 2100
# Text-direction controls (embeddings, overrides, isolates): invisible, and able to make a text read otherwise.
BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean_text(
    value: Any, *, field: str, label: str, required: bool = False, limit: int = MAX_TEXT, one_line: bool = False
) -> str:
    text = "" if value is None else str(value)
    text = " ".join(text.split()) if one_line else text.strip()
    if required and not text:
        raise UserError(_("请填写%(label)s。") % {"label": label}, field=field)
    if len(text) > limit:
        raise UserError(
            _("%(label)s不能超过 %(limit)d 个字（现有 %(n)d 个字）。")
            % {"label": label, "limit": limit, "n": len(text)},
            field=field,
        )
    if any(ch in BIDI or (unicodedata.category(ch) == "Cc" and ch not in "\n\r\t") for ch in text):
        raise UserError(_("%(label)s含有不可见的控制字符，请删除后重试。") % {"label": label}, field=field)
    return text


def clean_date(
    value: Any, *, field: str, label: str, required: bool = True, future: bool = False, since: int = 1990
) -> dt.date | None:
    """A date (a date, or YYYY-MM-DD text) from `since` on, not after today unless `future`; None when empty
    and optional; a UserError naming the field's label otherwise."""
    if value in (None, ""):
        if required:
            raise UserError(_("请填写%(label)s。") % {"label": label}, field=field)
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise UserError(
                _("%(label)s格式不正确，请按“2026-03-15”的格式填写。") % {"label": label}, field=field
            ) from None
    if value.year < since:
        raise UserError(_("%(label)s不能早于 %(year)d 年。") % {"label": label, "year": since}, field=field)
    if not future and value > deadlines.today():
        raise UserError(_("%(label)s不能晚于今天。") % {"label": label}, field=field)
    if value.year > LAST_YEAR:
        raise UserError(_("%(label)s不能晚于 %(year)d 年。") % {"label": label, "year": LAST_YEAR}, field=field)
    return value
