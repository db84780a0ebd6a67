"""Cleaning one raw value (typed in the grid, read from a spreadsheet cell or sent by the API).

`clean_value()` turns what a person or a file gives into the canonical text that is stored and,
for numeric and yes/no types, a Decimal for rules and aggregation. It accepts the harmless
variations people type (1,234, surrounding or non-breaking spaces, full-width digits, a trailing
%, ¥ or 元) and notes each conversion; it refuses anything that would need a guess (中文数字,
1.2万, 1e3, 1_000, Arabic-Indic digits, Excel error values, 12.5 people) with a message saying
what is wrong and how to fix it. It never raises for bad input.

Full-width forms are mapped by hand (U+FF01–U+FF5E and the ideographic space) rather than by a
blanket NFKC, because NFKC also turns ² and ① into digits, which would be a silent guess.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from reporting.choices import ValueType

TEXT_MAX_LENGTH = 2000
MAX_DECIMAL_PLACES = 4
MAX_ABS = Decimal("1e15")  # fits Decimal(20, 4)

_SPACES = "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\ufeff\u200b"
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
_CHINESE_NUMERALS = set("零〇一二两三四五六七八九十百千万亿壹贰貳叁參肆伍陆陸柒捌玖拾佰仟萬億")
_EXCEL_ERRORS = {
    "#DIV/0!",
    "#REF!",
    "#N/A",
    "#VALUE!",
    "#NAME?",
    "#NUM!",
    "#NULL!",
    "#SPILL!",
    "#CALC!",
    "#GETTING_DATA",
}
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d+)?|\.\d+)$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_DATE_LIKE = re.compile(r"^\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?$")
_TRUE = {"是", "有", "y", "yes", "true", "1", "√", "✓", "t"}
_FALSE = {"否", "无", "没有", "n", "no", "false", "0", "×", "✗", "f"}


@dataclass(frozen=True)
class CleanResult:
    """The outcome for one value: either `error` is set, or `text` (and `number`) hold the clean value.

    `empty` means nothing was given (the cell is to be cleared); `notes` lists the conversions made.
    """

    text: str = ""
    number: Decimal | None = None
    value: Any = None
    notes: tuple[str, ...] = ()
    error: str | None = None
    empty: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


def _refuse(message: str) -> CleanResult:
    return CleanResult(error=message)


def _to_halfwidth(text: str) -> str:
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            out.append(chr(code - 0xFEE0))
        elif ch == "\u3000":
            out.append(" ")
        elif ch == "\uffe5":  # full-width yen sign
            out.append("¥")
        else:
            out.append(ch)
    return "".join(out)


def _control_problem(text: str, *, allow_newlines: bool) -> str | None:
    for ch in text:
        if ch in _BIDI:
            return _("包含不可见的文字方向控制字符（U+%(code)04X），请删除后重新输入。") % {"code": ord(ch)}
        if unicodedata.category(ch) == "Cc" and not (allow_newlines and ch in "\n\t\r"):
            return _("包含不可见的控制字符（U+%(code)04X），请删除后重新输入。") % {"code": ord(ch)}
    return None


def plain_number(number: Decimal) -> str:
    """A Decimal as plain text without exponent or trailing zeros: 1200, 12.5, 0.25."""
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")


def _prepare_text(raw: str, notes: list[str]) -> tuple[str | None, str | None]:
    """Strip and map a typed number; returns (text, None) or (None, error)."""
    stripped = raw.strip(" \t\r\n" + _SPACES)
    problem = _control_problem(stripped, allow_newlines=False)
    if problem:
        return None, problem
    if stripped != raw and stripped:
        notes.append(_("已去除首尾空格"))
    half = _to_halfwidth(stripped)
    if half != stripped:
        notes.append(_("已将全角字符转换为半角"))
    return half, None


def _letter_o_problem(text: str, body: str) -> str | None:
    """The letter O typed for the digit 0 (1O0, 1,O00): say so, rather than blame the commas or the format."""
    if not any(ch in "Oo" for ch in body) or not any(ch.isdigit() for ch in body):
        return None
    guess = re.sub("[Oo]", "0", body)
    if not (_NUMBER.match(guess) or _GROUPED.match(guess)):
        return None
    return _("“%(value)s”含有字母 O，是否想输入数字 0？如是，请填写 %(guess)s。") % {
        "value": text,
        "guess": guess.replace(",", ""),
    }


def _parse_number_text(text: str, notes: list[str], value_type: str) -> tuple[Decimal | None, str | None]:
    """Parse a typed number into a Decimal, or explain why it is refused."""
    upper = text.upper()
    if upper in _EXCEL_ERRORS:
        return None, _("单元格是 Excel 错误值“%(value)s”，请修正公式或直接填写数值。") % {"value": text}
    if ("万" in text or "亿" in text) and any(c in "0123456789" for c in text):
        return None, _("“%(value)s”带有“万”“亿”等单位，请换算成完整的数字后填写，如 1.2万 应填写 12000。") % {
            "value": text
        }
    if any(ch in _CHINESE_NUMERALS for ch in text):
        return None, _("“%(value)s”是中文数字，请改用阿拉伯数字填写，如“一百二十”应填写 120。") % {"value": text}
    for ch in text:
        if ch.isdigit() and not ch.isascii():
            return None, _("“%(value)s”含有非阿拉伯数字字符“%(char)s”，请只使用 0–9。") % {"value": text, "char": ch}
    if upper in {"NAN", "INF", "+INF", "-INF", "INFINITY", "-INFINITY", "+INFINITY"}:
        return None, _("“%(value)s”不是有效的数字，请填写具体数值。") % {"value": text}
    if _DATE_LIKE.match(text):
        return None, _("“%(value)s”是日期，此处应填写数字。") % {"value": text}
    body = text
    if value_type == ValueType.PERCENTAGE and body.endswith("%"):
        body = body[:-1].rstrip()
        notes.append(_("已去除百分号"))
    if value_type == ValueType.MONEY:
        if body.startswith("¥"):
            body = body[1:].lstrip()
            notes.append(_("已去除货币符号"))
        if body.endswith("元"):
            body = body[:-1].rstrip()
            notes.append(_("已去除单位“元”"))
    letter_o = _letter_o_problem(text, body)
    if letter_o:
        return None, letter_o
    if "_" in body:
        return None, _("“%(value)s”中不能用下划线分隔数字，请直接填写，如 1000。") % {"value": text}
    if re.search(r"\d[eE][+-]?\d", body):
        return None, _("“%(value)s”是科学计数法，请填写完整的数字，如 1e3 应填写 1000。") % {"value": text}
    if "%" in body:
        return None, _("“%(value)s”不能带百分号，此处应填写数字。") % {"value": text}
    if "," in body:
        if not _GROUPED.match(body):
            return None, _("“%(value)s”中的千分位逗号位置不正确；请去掉逗号，或每三位加一个逗号，如 1,234,567。") % {
                "value": text
            }
        body = body.replace(",", "")
        notes.append(_("已去除千分位逗号"))
    if re.search(r"\d\s+\d", body):
        return None, _("“%(value)s”的数字中间有空格，请删除空格。") % {"value": text}
    if not _NUMBER.match(body):
        return None, _("“%(value)s”不是数字，请填写阿拉伯数字，如 1234 或 12.5。") % {"value": text}
    try:
        return Decimal(body), None
    except InvalidOperation:  # pragma: no cover - the pattern above already guarantees a number
        return None, _("“%(value)s”不是数字。") % {"value": text}


def _from_python_number(raw: Any) -> tuple[Decimal | None, str | None]:
    if isinstance(raw, float):
        if math.isnan(raw) or math.isinf(raw):
            return None, _("不是有效的数字，请填写具体数值。")
        return Decimal(repr(raw)), None
    return Decimal(raw), None


def _check_number(
    number: Decimal,
    value_type: str,
    shown: str,
    *,
    negative_sign: bool,
    min_value: Decimal | None,
    max_value: Decimal | None,
    notes: list[str],
) -> CleanResult:
    if not number.is_finite():
        return _refuse(_("“%(value)s”不是有效的数字，请填写具体数值。") % {"value": shown})
    if abs(number) >= MAX_ABS:
        return _refuse(_("“%(value)s”超出了允许的范围（绝对值小于 10¹⁵）。") % {"value": shown})
    if value_type == ValueType.INTEGER:
        if number < 0 or negative_sign:
            return _refuse(_("“%(value)s”为负数；人数、次数等计数不能为负数。") % {"value": shown})
        if number != number.to_integral_value():
            return _refuse(_("“%(value)s”不是整数；人数、次数等应填写整数。") % {"value": shown})
        number = number.quantize(Decimal(1))
    elif value_type == ValueType.MONEY:
        if number < 0 or negative_sign:
            return _refuse(_("“%(value)s”为负数；金额不能为负数。") % {"value": shown})
        if -number.normalize().as_tuple().exponent > 2:
            return _refuse(
                _("“%(value)s”的小数超过两位；金额以元为单位，最多精确到分（两位小数）。") % {"value": shown}
            )
    elif value_type == ValueType.PERCENTAGE:
        if number < 0 or negative_sign:
            return _refuse(_("“%(value)s”为负数；百分比应在 0 到 100 之间。") % {"value": shown})
        if number > 100:
            return _refuse(_("“%(value)s”大于 100；百分比应在 0 到 100 之间，如 85%% 填写 85。") % {"value": shown})
    if value_type != ValueType.INTEGER and -number.normalize().as_tuple().exponent > MAX_DECIMAL_PLACES:
        return _refuse(_("“%(value)s”的小数位数超过 4 位。") % {"value": shown})
    if number == 0:
        number = abs(number)  # no "-0"
    if min_value is not None and number < min_value:
        return _refuse(_("“%(value)s”小于允许的最小值 %(min)s。") % {"value": shown, "min": plain_number(min_value)})
    if max_value is not None and number > max_value:
        return _refuse(_("“%(value)s”大于允许的最大值 %(max)s。") % {"value": shown, "max": plain_number(max_value)})
    text = plain_number(number)
    return CleanResult(text=text, number=Decimal(text), value=Decimal(text), notes=tuple(notes))


_PLAIN_DIGITS = re.compile(r"0|[1-9][0-9]{0,14}")  # a whole number below 10¹⁵ as canonical text


def _clean_number(raw: Any, value_type: str, min_value, max_value) -> CleanResult:
    # The common case first: a whole number written plainly (a typed count, a template's cell, a stored text),
    # with the same answer as the full checks below give it; anything else, or out of bounds, goes through them.
    if (type(raw) is int and 0 <= raw < 10**15) or (type(raw) is str and _PLAIN_DIGITS.fullmatch(raw)):
        number = Decimal(raw)
        if (
            (value_type != ValueType.PERCENTAGE or number <= 100)
            and (min_value is None or number >= min_value)
            and (max_value is None or number <= max_value)
        ):
            return CleanResult(text=str(raw), number=number, value=number)
    notes: list[str] = []
    if isinstance(raw, bool):
        return _refuse(_("此处应填写数字，不能填写“是/否”。"))
    if isinstance(raw, dt.date | dt.datetime | dt.time):
        return _refuse(_("此处应填写数字，但单元格是日期；请把单元格格式设为“常规”或“数值”后重新填写。"))
    if isinstance(raw, int | float | Decimal):
        number, error = _from_python_number(raw)
        if error:
            return _refuse(error)
        return _check_number(
            number,
            value_type,
            plain_number(number) if number.is_finite() else str(raw),
            negative_sign=number.is_signed(),
            min_value=min_value,
            max_value=max_value,
            notes=notes,
        )
    text, error = _prepare_text(str(raw), notes)
    if error:
        return _refuse(error)
    if not text:
        return CleanResult(empty=True)
    number, error = _parse_number_text(text, notes, value_type)
    if error:
        return _refuse(error)
    return _check_number(
        number,
        value_type,
        text,
        negative_sign=text.lstrip().startswith("-"),
        min_value=min_value,
        max_value=max_value,
        notes=notes,
    )


def _clean_text(raw: Any) -> CleanResult:
    text = str(raw)
    problem = _control_problem(text, allow_newlines=True)
    if problem:
        return _refuse(problem)
    stripped = text.strip(" \t\r\n" + _SPACES)
    if not stripped:
        return CleanResult(empty=True)
    if len(stripped) > TEXT_MAX_LENGTH:
        return _refuse(
            _("内容过长：最多 %(max)d 个字符，当前 %(length)d 个。") % {"max": TEXT_MAX_LENGTH, "length": len(stripped)}
        )
    notes = (_("已去除首尾空格"),) if stripped != text else ()
    return CleanResult(text=stripped, value=stripped, notes=notes)


def _clean_boolean(raw: Any) -> CleanResult:
    if isinstance(raw, bool):
        flag = raw
    elif isinstance(raw, int | float | Decimal) and raw in (0, 1):
        flag = bool(raw)
    else:
        notes: list[str] = []
        text, error = _prepare_text(str(raw), notes)
        if error:
            return _refuse(error)
        if not text:
            return CleanResult(empty=True)
        lowered = text.lower()
        if lowered in _TRUE:
            flag = True
        elif lowered in _FALSE:
            flag = False
        else:
            return _refuse(_("“%(value)s”无法识别，请填写“是”或“否”。") % {"value": text})
    return CleanResult(text="true" if flag else "false", number=Decimal(1 if flag else 0), value=flag)


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)


def _clean_date(raw: Any) -> CleanResult:
    if isinstance(raw, dt.datetime):
        day = raw.date()
    elif isinstance(raw, dt.date):
        day = raw
    elif isinstance(raw, bool | int | float | Decimal):
        return _refuse(
            _("“%(value)s”不是日期；请把单元格设为日期格式，或填写 2021-03-05 这样的日期。") % {"value": raw}
        )
    else:
        notes: list[str] = []
        text, error = _prepare_text(str(raw), notes)
        if error:
            return _refuse(error)
        if not text:
            return CleanResult(empty=True)
        for pattern in _DATE_PATTERNS:
            match = pattern.match(text)
            if match:
                year, month, day_of_month = (int(g) for g in match.groups())
                try:
                    day = dt.date(year, month, day_of_month)
                except ValueError:
                    return _refuse(_("日期不存在：%(value)s。") % {"value": text})
                break
        else:
            return _refuse(_("“%(value)s”不是日期，请填写 2021-03-05 这样的日期。") % {"value": text})
    if not 1900 <= day.year <= 2999:
        return _refuse(_("日期 %(value)s 超出了允许的范围。") % {"value": day.isoformat()})
    return CleanResult(text=day.isoformat(), value=day)


def clean_value(
    raw: Any,
    value_type: str,
    *,
    min_value: Decimal | None = None,
    max_value: Decimal | None = None,
) -> CleanResult:
    """Clean one raw value for `value_type`; bounds apply to numeric types. Never raises for bad input."""
    if raw is None:
        return CleanResult(empty=True)
    if value_type in (ValueType.INTEGER, ValueType.DECIMAL, ValueType.MONEY, ValueType.PERCENTAGE):
        return _clean_number(raw, value_type, min_value, max_value)
    if value_type == ValueType.TEXT:
        return _clean_text(raw)
    if value_type == ValueType.BOOLEAN:
        return _clean_boolean(raw)
    if value_type == ValueType.DATE:
        return _clean_date(raw)
    raise ValueError(f"unknown value type {value_type!r}")


def display_value(text: str, value_type: str) -> str:
    """The stored canonical text as a person reads it (是/否 for yes/no, thousands separators for counts)."""
    if not text:
        return ""
    if value_type == ValueType.BOOLEAN:
        return _("是") if text == "true" else _("否")
    if value_type in (ValueType.INTEGER, ValueType.MONEY, ValueType.DECIMAL):
        number = Decimal(text)
        whole = number.to_integral_value()
        if number == whole:
            return f"{int(whole):,}"
        return f"{number:,f}"
    if value_type == ValueType.PERCENTAGE:
        return f"{text}%"
    return text
