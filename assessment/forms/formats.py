"""The text formats of a criterion's lists and the number fields of the framework pages.

The JSON lists of a criterion (rubric levels, bands, bonus and deduction items) are edited as text,
one entry a line with fields separated by "|", and parsed here with Chinese errors naming the line.
Shares are typed as percentages (80 or 80%) and stored as ratios (0.8), as the scoring rules read them.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from assessment import facts

CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,31}$")
NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")
SEPARATORS = re.compile(r"[|｜]")
HUNDRED = Decimal(100)


# --- Numbers and the text formats ----------------------------------------------------------------------------


def number(text: str) -> Decimal | None:
    """A plain decimal typed by a person: full-width digits accepted (NFKC), other scripts, exponents,
    underscores, NaN and infinity refused (None)."""
    value = unicodedata.normalize("NFKC", text or "").strip()
    if not NUMBER.fullmatch(value):
        return None
    try:
        return Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern admits only plain decimals
        return None


def plain(value) -> str:
    """A stored number for a form field: no exponent, no trailing zeros (0.8, 90, 1.5)."""
    d = Decimal(str(value))
    text = f"{d:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def percent_text(ratio) -> str:
    """A stored ratio as the percentage people type: 0.8 → 80%."""
    return plain(Decimal(str(ratio)) * HUNDRED) + "%"


def _ratio(percent: Decimal) -> str:
    return plain(percent / HUNDRED)


def _lines(text: str) -> list[tuple[int, list[str]]]:
    """Non-blank lines with their line number (from 1), split at "|" and stripped."""
    rows = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if line.strip():
            rows.append((n, [part.strip() for part in SEPARATORS.split(line)]))
    return rows


def _percent(raw: str) -> tuple[Decimal | None, bool]:
    """(the number, whether a % sign was typed)."""
    value = unicodedata.normalize("NFKC", raw).strip()
    signed = value.endswith("%")
    return number(value.rstrip("%")), signed


def _looks_like_ratios(rows: list[tuple[int, str, Decimal, bool]]) -> tuple[int, str] | None:
    """Shares typed as ratios (0.8) rather than percentages (80): no % anywhere, all ≤ 1, some fractional."""
    if not rows or any(signed for *_rest, signed in rows):
        return None
    if all(value <= 1 for _n, _raw, value, _s in rows):
        for n, raw, value, _s in rows:
            if 0 < value < 1:
                return n, raw
    return None


def _code_error(n: int, code: str) -> str | None:
    if not code:
        return _("第 %(n)d 行：请填写代码。") % {"n": n}
    if not CODE.fullmatch(code):
        return _("第 %(n)d 行：代码“%(code)s”只能包含大写字母、数字和下划线，以字母开头，不超过 32 个字符。") % {
            "n": n,
            "code": code,
        }
    return None


def parse_levels(text: str) -> list[dict]:
    """Rubric levels, one a line: 代码|名称|得分比例|说明 (说明 optional). ValidationError lists every bad line."""
    errors: list[str] = []
    levels: list[dict] = []
    shares: list[tuple[int, str, Decimal, bool]] = []
    seen: dict[str, int] = {}
    for n, parts in _lines(text):
        if len(parts) not in (3, 4):
            errors.append(_("第 %(n)d 行：应为“代码|名称|得分比例|说明”四项（说明可省略），用“|”分隔。") % {"n": n})
            continue
        code, label, raw = parts[0], parts[1], parts[2]
        description = parts[3] if len(parts) == 4 else ""
        problem = _code_error(n, code)
        if problem:
            errors.append(problem)
        elif code in seen:
            errors.append(_("第 %(n)d 行：代码“%(code)s”与第 %(m)d 行重复。") % {"n": n, "code": code, "m": seen[code]})
        else:
            seen[code] = n
        if not label:
            errors.append(_("第 %(n)d 行：请填写等级名称。") % {"n": n})
        elif len(label) > 50:
            errors.append(_("第 %(n)d 行：等级名称不能超过 50 个字。") % {"n": n})
        value, signed = _percent(raw)
        if value is None:
            errors.append(
                _("第 %(n)d 行：得分比例“%(value)s”不是数字，请写成百分数，如 80%%。") % {"n": n, "value": raw}
            )
            continue
        if not 0 <= value <= 100:
            errors.append(_("第 %(n)d 行：得分比例应在 0%% 到 100%% 之间。") % {"n": n})
            continue
        shares.append((n, raw, value, signed))
        levels.append({"code": code, "label": label, "share": _ratio(value), "description": description})
    if not errors:
        suspicious = _looks_like_ratios(shares)
        if suspicious:
            errors.append(
                _("第 %(n)d 行：得分比例请写成百分数（如 80 或 80%%），“%(value)s”会被当作 %(value)s%%。")
                % {"n": suspicious[0], "value": suspicious[1]}
            )
    if errors:
        raise ValidationError(errors)
    return levels


def levels_text(levels: list[dict]) -> str:
    rows = []
    for lv in levels or []:
        parts = [str(lv.get("code", "")), str(lv.get("label", "")), percent_text(lv.get("share", 0))]
        if lv.get("description"):
            parts.append(str(lv["description"]))
        rows.append("|".join(parts))
    return "\n".join(rows)


def parse_bands(text: str) -> list[list[str]]:
    """Bands, one a line: 下限|得分比例, both in percent (达标率或百分位达到下限得该比例的分值)."""
    errors: list[str] = []
    bands: list[list[str]] = []
    typed: list[tuple[int, str, Decimal, bool]] = []
    for n, parts in _lines(text):
        if len(parts) != 2:
            errors.append(_("第 %(n)d 行：应为“下限|得分比例”两项，用“|”分隔，如 90%%|80%%。") % {"n": n})
            continue
        lower, lower_signed = _percent(parts[0])
        share, share_signed = _percent(parts[1])
        if lower is None or lower < 0:
            errors.append(_("第 %(n)d 行：下限“%(value)s”应为不小于 0 的百分数。") % {"n": n, "value": parts[0]})
        if share is None or not 0 <= share <= 100:
            errors.append(_("第 %(n)d 行：得分比例“%(value)s”应在 0%% 到 100%% 之间。") % {"n": n, "value": parts[1]})
        if lower is None or share is None or lower < 0 or not 0 <= share <= 100:
            continue
        typed.append((n, parts[1], share, share_signed or lower_signed))
        bands.append([_ratio(lower), _ratio(share)])
    if not errors:
        suspicious = _looks_like_ratios(typed)
        if suspicious:
            errors.append(
                _("第 %(n)d 行：请写成百分数（如 80 或 80%%），“%(value)s”会被当作 %(value)s%%。")
                % {"n": suspicious[0], "value": suspicious[1]}
            )
    if errors:
        raise ValidationError(errors)
    return sorted(bands, key=lambda band: Decimal(band[0]))


def bands_text(bands) -> str:
    return "\n".join(f"{percent_text(lower)}|{percent_text(share)}" for lower, share in bands or [])


def _fact_key(typed: str, choices: list[tuple[str, str]]) -> str | None:
    for key, label in choices:
        if typed in (key, label):
            return key
    return None


def parse_items(text: str) -> list[dict]:
    """Bonus or deduction items, one a line: 代码|名称|分值|计数的平台事实 (the fact optional, by key or name)."""
    errors: list[str] = []
    items: list[dict] = []
    seen: dict[str, int] = {}
    counted = facts.fact_choices(counted=True)
    for n, parts in _lines(text):
        if len(parts) not in (3, 4):
            errors.append(_("第 %(n)d 行：应为“代码|名称|分值|平台事实”四项（平台事实可省略），用“|”分隔。") % {"n": n})
            continue
        code, label, raw = parts[0], parts[1], parts[2]
        problem = _code_error(n, code)
        if problem:
            errors.append(problem)
        elif code in seen:
            errors.append(_("第 %(n)d 行：代码“%(code)s”与第 %(m)d 行重复。") % {"n": n, "code": code, "m": seen[code]})
        else:
            seen[code] = n
        if not label:
            errors.append(_("第 %(n)d 行：请填写事项名称。") % {"n": n})
        elif len(label) > 100:
            errors.append(_("第 %(n)d 行：事项名称不能超过 100 个字。") % {"n": n})
        points = number(raw)
        if points is None or points <= 0 or points >= 1000:
            errors.append(_("第 %(n)d 行：分值“%(value)s”应为大于 0、小于 1000 的数字。") % {"n": n, "value": raw})
            continue
        item = {"code": code, "label": label, "points": plain(points)}
        if len(parts) == 4 and parts[3]:
            key = _fact_key(parts[3], counted)
            if key is None:
                errors.append(
                    _("第 %(n)d 行：没有名为“%(fact)s”的可计数平台事实，可选：%(choices)s。")
                    % {"n": n, "fact": parts[3], "choices": "、".join(label for _k, label in counted) or _("（无）")}
                )
                continue
            item["fact"] = key
        items.append(item)
    if errors:
        raise ValidationError(errors)
    return items


def items_text(items: list[dict]) -> str:
    labels = dict(facts.fact_choices())
    rows = []
    for item in items or []:
        parts = [str(item.get("code", "")), str(item.get("label", "")), plain(item.get("points", 0))]
        if item.get("fact"):
            parts.append(labels.get(item["fact"], item["fact"]))
        rows.append("|".join(parts))
    return "\n".join(rows)


# --- Fields --------------------------------------------------------------------------------------------------


class PlainDecimalField(forms.DecimalField):
    """A decimal typed by a person: full-width digits become ASCII; other scripts and exponents are refused
    (Python's Decimal would silently accept Arabic-Indic digits and 1e3)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, str):
            parsed = number(value)
            if parsed is None:
                raise ValidationError(_("请输入数字。"), code="invalid")
            value = str(parsed)
        return super().to_python(value)


class PercentField(PlainDecimalField):
    """A ratio typed as a percentage (60 → 0.6), with an optional % sign."""

    def to_python(self, value):
        if isinstance(value, Decimal):
            return value  # already a ratio (an initial value from the model)
        if isinstance(value, str):
            value = unicodedata.normalize("NFKC", value).strip().rstrip("%").strip()
        percent = super().to_python(value)
        return None if percent is None else percent / HUNDRED

    def validate(self, value):
        forms.Field.validate(self, value)

    def run_validators(self, value):
        return super().run_validators(None if value is None else value * HUNDRED)

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return plain(value * HUNDRED)
        return value
