"""The template's columns: one organisation per row, headers in Chinese, choices shown as their labels.

Each column knows how an organisation's value is written (`shown`) and how a cell is read back (`read`):
choices are accepted as their Chinese label or their stored value (类型 "企业" or "enterprise"; 行业 "C 制造业",
"制造业" or "C"); dates as date cells or text like 2021-03-15, 2021/3/15 or 2021年3月15日; codes typed as numbers
(530100.0 from a spreadsheet) as their digits. A text written out with a leading apostrophe against formula
injection (core/exports.safe_cell) is read back without it, so an export imports unchanged.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exports import FORMULA_PREFIXES
from orgs.choices import Industry, OrgKind, Ownership

SHEET = "组织机构"
GUIDE_SHEET = "填写说明"


@dataclass(frozen=True)
class Column:
    key: str  # the field it fills ("parent": the parent's code)
    header: str
    required: bool  # the column must be present (a value may still be empty where the guide says so)
    guide: Any


COLUMNS: tuple[Column, ...] = (
    Column(
        "code",
        "机构代码",
        True,
        gettext_lazy(
            "必填。字母、数字、下划线或短横线，最长 64 位，全省唯一。已有的代码表示修改该机构，新代码表示新增机构。"
        ),
    ),
    Column("name", "名称", True, gettext_lazy("必填，不超过 200 字。")),
    Column("short_name", "简称", False, gettext_lazy("选填，不超过 100 字。")),
    Column("kind", "类型", True, gettext_lazy("必填，填写以下之一（也可填英文值）：")),
    Column(
        "parent",
        "上级机构代码",
        True,
        gettext_lazy(
            "新增机构必填：上级机构可以是文件中的另一行，也可以是系统中您有权维护的机构。已有机构填写与现在不同的上级即为迁移"
            "（自上传时选择的生效日期起，原隶属关系保留为历史）；留空表示不改变上级。"
        ),
    ),
    Column("ownership", "所有制", False, gettext_lazy("选填，填写以下之一：")),
    Column("industry", "行业", False, gettext_lazy("选填，国民经济行业分类（GB/T 4754）门类，如“C 制造业”或“C”：")),
    Column("region", "行政区划代码", False, gettext_lazy("选填，6 位行政区划代码（GB/T 2260），如 530100（昆明市）。")),
    Column(
        "credit_code",
        "统一社会信用代码",
        False,
        gettext_lazy("选填，18 位，最后一位是校验位（GB 32100），字母须大写且不含 I、O、Z、S、V。"),
    ),
    Column("opened_on", "成立日期", False, gettext_lazy("选填，日期，如 2021-03-15。")),
    Column(
        "closed_on",
        "撤销日期",
        False,
        gettext_lazy(
            "选填，日期，不能早于成立日期。给未撤销的机构填写即为撤销（须先撤销或迁出其下属机构，撤销日期之后不能还有该机构的"
            "报表等数据）；已撤销的机构不能通过导入恢复或改动撤销日期。"
        ),
    ),
    Column("notes", "备注", False, gettext_lazy("选填。")),
)
HEADERS = tuple(c.header for c in COLUMNS)
BY_KEY = {c.key: c for c in COLUMNS}
BY_HEADER = {c.header: c for c in COLUMNS}
CHOICES = {"kind": OrgKind, "ownership": Ownership, "industry": Industry}


def column_letter(index: int) -> str:
    """0 → A, 26 → AA."""
    letters, index = "", index + 1
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def choice_label(key: str, value: str) -> str:
    return str(CHOICES[key](value).label) if value else ""


def choice_guide(key: str) -> str:
    return "、".join(str(label) for label in CHOICES[key].labels)


def _choice_lookup(key: str) -> dict[str, str]:
    """Every accepted spelling of a choice (its label in Chinese and in the language in use, its value, an
    industry's label without its letter) → value."""
    table: dict[str, str] = {}
    labels = [(value, str(label)) for value, label in CHOICES[key].choices]
    with translation.override("zh-hans"):
        labels += [(value, str(label)) for value, label in CHOICES[key].choices]
    for value, label in labels:
        table[value.lower()] = value
        table[label] = value
        if key == "industry":
            table[label.split(" ", 1)[-1]] = value
    return table


# --- Reading cells --------------------------------------------------------------------------------------------

_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


class BadValue(Exception):
    """A cell that cannot be read as its column's kind: `message` and `fix` say why and how to fix it."""

    def __init__(self, message: str, fix: str = "", code: str = "value_invalid"):
        super().__init__(message)
        self.message = message
        self.fix = fix
        self.code = code  # a problems.Code


def text_of(value: Any) -> str:
    """A cell as text: whole numbers without ".0", dates as ISO, stripped; a formula-guard apostrophe removed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        text = text[1:]
    return text


def read_date(value: Any) -> dt.date | None:
    """A date cell or a date written as text; None for an empty cell; BadValue otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        match = _DATE_TEXT.match(value.strip())
        if match:
            try:
                return dt.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                raise BadValue(_("日期不存在"), _("请核对年、月、日，例如 2021-02-28。"), "date_invalid") from None
    raise BadValue(_("不是有效的日期"), _("请填写如 2021-03-15 的日期，或把单元格设为日期格式。"), "date_invalid")


def read_choice(key: str, value: Any) -> str:
    """A choice's stored value from its label or value; "" for an empty cell; BadValue for an unknown one."""
    text = text_of(value)
    if not text:
        return ""
    table = _choice_lookup(key)
    found = table.get(text) or table.get(text.lower())
    if found is None:
        raise BadValue(
            _("未知的%(what)s") % {"what": BY_KEY[key].header},
            _("请填写以下之一：%(choices)s。") % {"choices": choice_guide(key)},
            "unknown_choice",
        )
    return found
