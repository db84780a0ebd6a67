"""Excel templates of a data set version, written with openpyxl in write-only mode.

Two layouts, both with Chinese headers (element, option, unit), a locked structure (sheet and
workbook protection; only the light-yellow input cells are unlocked), data validation per value
type, an instructions sheet (说明) and the hidden, signed version stamp (模板信息):

- single: one organisation; one row per cell of the form (序号, 分区, 指标, 分类, 单位, 填报值, 上期值,
  填报要求); blank or filled with the values stored now;
- bulk: a group's subsidiaries; one row per organisation, one column per cell, filled with the
  values stored now.

The same writer makes the error workbook of a refused upload: the person's own values in the
same template, each wrong cell filled red with a comment, and an 错误清单 sheet listing every
problem (reporting/excel/errors.py).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from core import rendering
from reporting.choices import MigrantScope, ValueType
from reporting.excel.container import column_letter
from reporting.excel.problems import ImportProblem
from reporting.excel.stamp import (
    BULK,
    DATA_SHEET,
    ERRORS_SHEET,
    HELP_SHEET,
    SINGLE,
    STAMP_SHEET,
    Stamp,
    layout_hash,
)
from reporting.queries import Cell, Layout
from reporting.values import TEXT_MAX_LENGTH

SINGLE_HEADER_ROW = 3  # the row of headers the import checks
SINGLE_FIRST_ROW = 4
BULK_HEADER_ROW = 4
BULK_FIRST_ROW = 6
SINGLE_VALUE_COLUMN = "F"
BULK_FIRST_VALUE_COLUMN = 3  # C

_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_SECTION_FILL = PatternFill("solid", fgColor="BDD7EE")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_ERROR_FILL = PatternFill("solid", fgColor="FF7C80")
_MUTED_FONT = Font(color="595959", size=9)
_LOCKED = Protection(locked=True)
_UNLOCKED = Protection(locked=False)
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)

NUMBER_FORMATS = {
    ValueType.INTEGER: "#,##0",
    ValueType.DECIMAL: "General",
    ValueType.MONEY: "#,##0.00",
    ValueType.PERCENTAGE: "0.00%",
    ValueType.DATE: "yyyy-mm-dd",
    ValueType.TEXT: "@",
    ValueType.BOOLEAN: "@",
}


# --- Cells, labels and rules as the template shows them --------------------------------------------------------


def template_cells(layout: Layout) -> list[Cell]:
    """The version's cells in form order (sections, elements, option combos)."""
    return list(layout.cells.values())


def cell_code(cell: Cell) -> str:
    return f"{cell.element.code}|{cell.option_combo.key}"


def header_label(cell: Cell) -> str:
    """The column header of a cell in the bulk layout: 产业工人构成·农民工·男（人）."""
    unit = cell.element.unit
    return f"{cell.label}（{unit}）" if unit else cell.label


def option_label(cell: Cell) -> str:
    return cell.option_combo.name if cell.option_combo.key else ""


def _bound(number: Decimal | None) -> str:
    if number is None:
        return ""
    return format(number.normalize(), "f")


def rule_hint(cell: Cell) -> str:
    """What may be typed in a cell, in words: 整数，≥0，必填."""
    se = cell.section_element
    value_type = cell.element.value_type
    parts = {
        ValueType.INTEGER: _("整数"),
        ValueType.DECIMAL: _("数字"),
        ValueType.MONEY: _("金额（元），最多两位小数"),
        ValueType.PERCENTAGE: _("百分比，0%–100%"),
        ValueType.BOOLEAN: _("是/否"),
        ValueType.DATE: _("日期，如 2021-03-05"),
        ValueType.TEXT: _("文字，最多 %(n)d 字") % {"n": TEXT_MAX_LENGTH},
    }[value_type]
    pieces = [parts]
    low = (
        se.min_value
        if se.min_value is not None
        else (0 if value_type in (ValueType.INTEGER, ValueType.MONEY) else None)
    )
    if value_type in (ValueType.INTEGER, ValueType.MONEY, ValueType.DECIMAL):
        if low is not None and se.max_value is not None:
            pieces.append(f"{_bound(Decimal(low))}–{_bound(se.max_value)}")
        elif low is not None:
            pieces.append(f"≥{_bound(Decimal(low))}")
        elif se.max_value is not None:
            pieces.append(f"≤{_bound(se.max_value)}")
    pieces.append(_("必填") if se.required else _("选填"))
    return "，".join(pieces)


def _validation(cell: Cell) -> tuple[tuple, dict[str, Any]]:
    """The data validation of a cell: a hashable key (to group cells) and DataValidation arguments."""
    se = cell.section_element
    value_type = cell.element.value_type
    low, high = se.min_value, se.max_value
    common = {"allow_blank": True, "showErrorMessage": True, "errorTitle": _("输入有误"), "showInputMessage": True}
    if value_type in (ValueType.INTEGER, ValueType.MONEY, ValueType.DECIMAL):
        kind = "whole" if value_type == ValueType.INTEGER else "decimal"
        if low is None and value_type != ValueType.DECIMAL:
            low = Decimal(0)
        if low is not None and high is not None:
            args = {"operator": "between", "formula1": _bound(low), "formula2": _bound(high)}
            limits = _("%(low)s 到 %(high)s 之间") % {"low": _bound(low), "high": _bound(high)}
        elif low is not None:
            args = {"operator": "greaterThanOrEqual", "formula1": _bound(low)}
            limits = _("不小于 %(low)s") % {"low": _bound(low)}
        elif high is not None:
            args = {"operator": "lessThanOrEqual", "formula1": _bound(high)}
            limits = _("不大于 %(high)s") % {"high": _bound(high)}
        else:
            args = {"operator": "between", "formula1": "-999999999999999", "formula2": "999999999999999"}
            limits = ""
        what = {
            ValueType.INTEGER: _("整数"),
            ValueType.MONEY: _("金额（元，最多两位小数）"),
            ValueType.DECIMAL: _("数字"),
        }[value_type]
        error = _("请填写%(limits)s的%(what)s。") % {"limits": limits, "what": what}
        return (kind, tuple(sorted(args.items()))), {"type": kind, **args, "error": error, **common}
    if value_type == ValueType.PERCENTAGE:
        error = _("请填写 0% 到 100% 之间的百分比，如 85%。")
        return ("percent",), {
            "type": "decimal",
            "operator": "between",
            "formula1": "0",
            "formula2": "1",
            "error": error,
            **common,
        }
    if value_type == ValueType.BOOLEAN:
        error = _("请从下拉列表中选择“是”或“否”。")
        return ("bool",), {"type": "list", "formula1": '"是,否"', "error": error, **common}
    if value_type == ValueType.DATE:
        # Serial numbers of 1900-01-01 and 2999-12-31: every office suite reads them the same way.
        error = _("请填写 1900-01-01 到 2999-12-31 之间的日期，如 2021-03-05。")
        return ("date",), {
            "type": "date",
            "operator": "between",
            "formula1": "1",
            "formula2": "401768",
            "error": error,
            **common,
        }
    error = _("最多 %(n)d 个字。") % {"n": TEXT_MAX_LENGTH}
    return ("text",), {
        "type": "textLength",
        "operator": "lessThanOrEqual",
        "formula1": str(TEXT_MAX_LENGTH),
        "error": error,
        **common,
    }


def excel_value(cell: Cell, text: str) -> Any:
    """A stored canonical value as the template writes it (numbers as numbers, 是/否, dates)."""
    if text == "":
        return None
    value_type = cell.element.value_type
    if value_type == ValueType.INTEGER:
        return int(Decimal(text))
    if value_type in (ValueType.DECIMAL, ValueType.MONEY):
        return Decimal(text)
    if value_type == ValueType.PERCENTAGE:
        return Decimal(text) / 100  # the cell is formatted as a percentage
    if value_type == ValueType.BOOLEAN:
        return _("是") if text == "true" else _("否")
    if value_type == ValueType.DATE:
        return dt.date.fromisoformat(text)
    return text


_text = rendering.safe_text


# --- The workbook ------------------------------------------------------------------------------------------------


@dataclass
class TemplateRow:
    """One data row: bulk — an organisation's code, name and values; single — the values only.

    `values` maps a cell's position in the template (0-based) to the value to write.
    """

    code: str = ""
    name: str = ""
    values: dict[int, Any] = field(default_factory=dict)


@dataclass
class TemplateSpec:
    """Everything a template needs: the stamp, the form, what it is for, and the rows to write."""

    stamp: Stamp
    layout: Layout
    dataset_name: str
    period_label: str
    org_code: str
    org_name: str
    rules: Sequence[Any] = ()
    rows: list[TemplateRow] = field(default_factory=list)
    previous: dict[int, Any] = field(default_factory=dict)  # single: last period's values by position


def new_stamp(
    *,
    layout: Layout,
    dataset_code: str,
    version_number: int,
    period_code: str,
    org_code: str,
    kind: str,
    filled: bool,
    created_by: str,
) -> Stamp:
    """A fresh stamp (new template id) for a template of `layout`."""
    cells = template_cells(layout)
    labels = [header_label(c) if kind == BULK else c.label for c in cells]
    return Stamp(
        dataset=dataset_code,
        version=version_number,
        period=period_code,
        org=org_code,
        layout=kind,
        filled=filled,
        cells=tuple(cell_code(c) for c in cells),
        labels=tuple(labels),
        first_row=BULK_FIRST_ROW if kind == BULK else SINGLE_FIRST_ROW,
        template_id=uuid.uuid4().hex,
        layout_hash=layout_hash(
            dataset_code, version_number, [(c.element.code, c.option_combo.key, c.element.value_type) for c in cells]
        ),
        created_at=timezone.now().isoformat(timespec="seconds"),
        created_by=created_by,
    )


def _styled(
    ws, value: Any, *, font=None, fill=None, alignment=None, protection=_LOCKED, number_format=None, border=True
):
    cell = WriteOnlyCell(ws, value=_text(value))
    if isinstance(value, str):
        cell.data_type = "s"
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if alignment is not None:
        cell.alignment = alignment
    if number_format is not None:
        cell.number_format = number_format
    if border:
        cell.border = _BORDER
    cell.protection = protection
    return cell


def _protect(ws) -> None:
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # people may widen columns and rows
    ws.protection.formatRows = False
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False


def _mark(cell: WriteOnlyCell, messages: list[str] | None) -> WriteOnlyCell:
    if messages:
        cell.fill = _ERROR_FILL
        cell.comment = Comment("\n".join(messages)[:2000], _("产改通"), width=300, height=120)
    return cell


def write_workbook(
    fileobj: IO[bytes],
    spec: TemplateSpec,
    *,
    marks: dict[tuple[int, str], list[str]] | None = None,
    problems: Sequence[ImportProblem] | None = None,
) -> None:
    """Write the template (or, with `marks` and `problems`, the error workbook) to `fileobj`."""
    workbook = Workbook(write_only=True)
    marks = marks or {}
    if problems is not None:
        _errors_sheet(workbook, problems)
    if spec.stamp.layout == BULK:
        _bulk_sheet(workbook, spec, marks)
    else:
        _single_sheet(workbook, spec, marks)
    _help_sheet(workbook, spec)
    stamp = workbook.create_sheet(STAMP_SHEET)
    for key, value in spec.stamp.rows():
        key_cell, value_cell = WriteOnlyCell(stamp, value=key), WriteOnlyCell(stamp, value=value)
        key_cell.data_type = value_cell.data_type = "s"
        stamp.append([key_cell, value_cell])
    stamp.sheet_state = "veryHidden"
    _protect(stamp)
    workbook.security = WorkbookProtection(lockStructure=True)
    workbook.save(fileobj)


def _title_rows(ws, spec: TemplateSpec, width: int, subtitle: str) -> None:
    ws.append([_styled(ws, f"{spec.dataset_name}（{spec.period_label}）", font=Font(bold=True, size=14), border=False)])
    ws.merged_cells.add(f"A1:{column_letter(width)}1")
    if subtitle:
        ws.append([_styled(ws, subtitle, font=_MUTED_FONT, border=False)])
        ws.merged_cells.add(f"A2:{column_letter(width)}2")


def _single_sheet(workbook: Workbook, spec: TemplateSpec, marks: dict[tuple[int, str], list[str]]) -> None:
    ws = workbook.create_sheet(DATA_SHEET)
    cells = template_cells(spec.layout)
    headers = single_headers()
    for letter, width in zip("ABCDEFGH", (6, 12, 34, 22, 8, 16, 14, 34), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = f"A{SINGLE_FIRST_ROW}"
    subtitle = _("机构：%(org)s（%(code)s）　报表版本：第 %(v)d 版　模板编号：%(id)s") % {
        "org": spec.org_name,
        "code": spec.org_code,
        "v": spec.stamp.version,
        "id": spec.stamp.template_id[:8],
    }
    _title_rows(ws, spec, len(headers), subtitle)
    ws.append([_styled(ws, h, font=Font(bold=True), fill=_HEADER_FILL, alignment=_CENTER) for h in headers])
    values = spec.rows[0].values if spec.rows else {}
    validations: dict[tuple, tuple[dict, list[str]]] = {}
    for index, cell in enumerate(cells):
        row = SINGLE_FIRST_ROW + index
        value_type = cell.element.value_type
        fmt = NUMBER_FORMATS[value_type]
        entry = _styled(ws, values.get(index), fill=_INPUT_FILL, protection=_UNLOCKED, number_format=fmt)
        _mark(entry, marks.get((row, SINGLE_VALUE_COLUMN)))
        ws.append(
            [
                _styled(ws, index + 1, alignment=_CENTER),
                _styled(ws, cell.section.name, alignment=_WRAP),
                _styled(ws, cell.element.name, alignment=_WRAP),
                _styled(ws, option_label(cell), alignment=_WRAP),
                _styled(ws, cell.element.unit, alignment=_CENTER),
                entry,
                _styled(ws, spec.previous.get(index), font=_MUTED_FONT, number_format=fmt),
                _styled(ws, rule_hint(cell), font=_MUTED_FONT, alignment=_WRAP),
            ]
        )
        key, args = _validation(cell)
        validations.setdefault(key, (args, []))[1].append(f"{SINGLE_VALUE_COLUMN}{row}")
    for args, refs in validations.values():
        ws.data_validations.append(DataValidation(sqref=" ".join(refs), **args))
    _protect(ws)


def single_headers() -> list[str]:
    return [_("序号"), _("分区"), _("指标"), _("分类"), _("单位"), _("填报值"), _("上期值"), _("填报要求")]


def bulk_headers() -> list[str]:
    return [_("机构代码"), _("机构名称")]


def _bulk_sheet(workbook: Workbook, spec: TemplateSpec, marks: dict[tuple[int, str], list[str]]) -> None:
    ws = workbook.create_sheet(DATA_SHEET)
    cells = template_cells(spec.layout)
    width = 2 + len(cells)
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 28
    for index in range(len(cells)):
        ws.column_dimensions[column_letter(BULK_FIRST_VALUE_COLUMN + index)].width = 14
    ws.freeze_panes = f"C{BULK_FIRST_ROW}"
    subtitle = _(
        "填报范围：%(org)s（%(code)s）的下属填报单位，每个单位一行　报表版本：第 %(v)d 版　模板编号：%(id)s"
    ) % {
        "org": spec.org_name,
        "code": spec.org_code,
        "v": spec.stamp.version,
        "id": spec.stamp.template_id[:8],
    }
    _title_rows(ws, spec, width, subtitle)
    # Row 3: sections over their columns; row 4: the headers the import checks; row 5: what to type.
    sections = [
        _styled(ws, _("机构"), font=Font(bold=True), fill=_SECTION_FILL, alignment=_CENTER),
        _styled(ws, None, fill=_SECTION_FILL),
    ]
    spans: list[tuple[str, int, int]] = []
    for index, cell in enumerate(cells):
        column = BULK_FIRST_VALUE_COLUMN + index
        if spans and spans[-1][0] == cell.section.name:
            spans[-1] = (spans[-1][0], spans[-1][1], column)
        else:
            spans.append((cell.section.name, column, column))
    for name, first, last in spans:
        for column in range(first, last + 1):
            text = name if column == first else None
            sections.append(_styled(ws, text, font=Font(bold=True), fill=_SECTION_FILL, alignment=_CENTER))
    ws.append(sections)
    ws.merged_cells.add("A3:B3")
    for _name, first, last in spans:
        if last > first:
            ws.merged_cells.add(f"{column_letter(first)}3:{column_letter(last)}3")
    headers = [*bulk_headers(), *(header_label(c) for c in cells)]
    ws.append([_styled(ws, h, font=Font(bold=True), fill=_HEADER_FILL, alignment=_CENTER) for h in headers])
    hints = [
        _styled(ws, _("请勿修改"), font=_MUTED_FONT, alignment=_CENTER),
        _styled(ws, _("请勿修改"), font=_MUTED_FONT, alignment=_CENTER),
        *(_styled(ws, rule_hint(c), font=_MUTED_FONT, alignment=_WRAP) for c in cells),
    ]
    ws.append(hints)
    formats = [NUMBER_FORMATS[c.element.value_type] for c in cells]
    for offset, row in enumerate(spec.rows):
        number = BULK_FIRST_ROW + offset
        line = [
            _mark(_styled(ws, row.code), marks.get((number, "A"))),
            _mark(_styled(ws, row.name), marks.get((number, "B"))),
        ]
        for index, fmt in enumerate(formats):
            letter = column_letter(BULK_FIRST_VALUE_COLUMN + index)
            entry = _styled(ws, row.values.get(index), fill=_INPUT_FILL, protection=_UNLOCKED, number_format=fmt)
            line.append(_mark(entry, marks.get((number, letter))))
        ws.append(line)
    last_row = BULK_FIRST_ROW + max(len(spec.rows), 1) - 1
    groups: dict[tuple, tuple[dict, list[str]]] = {}
    for index, cell in enumerate(cells):
        letter = column_letter(BULK_FIRST_VALUE_COLUMN + index)
        key, args = _validation(cell)
        groups.setdefault(key, (args, []))[1].append(f"{letter}{BULK_FIRST_ROW}:{letter}{last_row}")
    for args, refs in groups.values():
        ws.data_validations.append(DataValidation(sqref=" ".join(refs), **args))
    _protect(ws)


_SCOPES = {
    MigrantScope.INCLUDED: _("含农民工"),
    MigrantScope.EXCLUDED: _("不含农民工"),
    MigrantScope.NOT_APPLICABLE: "",
}
_RULE_REF = re.compile(r"#\{([A-Z][A-Z0-9_]*)((?:\.[A-Z][A-Z0-9_]*)*)\}")


def describe_expression(text: str, layout: Layout) -> str:
    """A rule expression with each #{CODE.OPTION} replaced by the name people read."""
    from reporting.expressions import Ref

    def name(match: re.Match) -> str:
        options = tuple(o for o in match.group(2).split(".") if o)
        return f"[{layout.describe(Ref(match.group(1), options))}]"

    return _RULE_REF.sub(name, text)


def _help_sheet(workbook: Workbook, spec: TemplateSpec) -> None:
    ws = workbook.create_sheet(HELP_SHEET)
    for letter, width in zip("ABCDEFGHIJ", (12, 30, 20, 8, 26, 8, 12, 24, 14, 40), strict=True):
        ws.column_dimensions[letter].width = width
    stamp = spec.stamp
    bold = Font(bold=True)

    def line(text: str = "", font=None) -> None:
        ws.append([_styled(ws, text, font=font, border=False, alignment=Alignment(vertical="top"))])

    line(_("填表说明"), Font(bold=True, size=14))
    scope = (
        _("适用机构：%(org)s（%(code)s）") % {"org": spec.org_name, "code": spec.org_code}
        if stamp.layout == SINGLE
        else _("适用范围：%(org)s（%(code)s）的下属填报单位，每个单位一行")
        % {"org": spec.org_name, "code": spec.org_code}
    )
    line(
        _("本模板用于填报“%(dataset)s”%(period)s的数据。%(scope)s。报表版本：第 %(v)d 版。模板编号：%(id)s。")
        % {
            "dataset": spec.dataset_name,
            "period": spec.period_label,
            "scope": scope,
            "v": stamp.version,
            "id": stamp.template_id,
        }
    )
    line()
    line(_("怎样填写"), bold)
    steps = [
        _(
            "1. 只在“填报数据”工作表的浅黄色单元格中填写；"
            "其他单元格和工作表的结构（行、列、工作表名称）已锁定，请不要修改。"
        ),
        _(
            "2. 数字直接填写阿拉伯数字，不要带单位或文字：人数、次数等填写整数；"
            "金额以元为单位，最多两位小数；百分比填写 0%–100%；"
            "“是/否”从下拉列表中选择；日期填写 2021-03-05 这样的格式。"
        ),
        _(
            "3. 可以填写 1,234 这样带千分位的数字，也可以填写全角数字，系统会自动转换并在预览中说明；"
            "“一百二十”“1.2万”等写法不会被猜测，会被拒绝。"
        ),
        _(
            "4. 可以使用公式（系统使用公式的计算结果），但请先在 Excel 或 WPS 中保存；"
            "不要引用其他文件或网址，含有 HYPERLINK、WEBSERVICE、DDE 等外部调用的文件会被拒绝。"
        ),
    ]
    if stamp.filled:
        steps.append(_("5. 本模板已填入系统中的当前数据：清空某个单元格表示删除该数值。"))
    else:
        steps.append(_("5. 本模板是空白模板：留空的单元格不会改动系统中已有的数值。"))
    steps += [
        _(
            "6. 上传后系统先显示预览，逐项列出将要修改的数值（当前值与新值）；确认后才会导入。"
            "只要有一处错误，整份文件都不会导入，页面会列出全部错误，并可下载标出错误单元格的文件。"
        ),
        _("7. 导入的数据保存为草稿；提交前还须通过全部校验规则（见下表），提交在系统中完成。"),
        _("8. 同一份文件重复上传不会重复导入；模板只能用于所标注的机构、报告期和报表版本，报表修订后请重新下载模板。"),
    ]
    for text in steps:
        line(text)
    line()
    line(_("各指标的口径"), bold)
    headers = [
        _("分区"),
        _("指标"),
        _("分类"),
        _("单位"),
        _("类型与要求"),
        _("必填"),
        _("农民工口径"),
        _("统计对象"),
        _("数据来源"),
        _("说明"),
    ]
    ws.append([_styled(ws, h, font=bold, fill=_HEADER_FILL, alignment=_CENTER) for h in headers])
    for se in spec.layout.section_elements:
        element = se.element
        cell = next((c for c in spec.layout.cells.values() if c.section_element.pk == se.pk), None)
        description = "；".join(t for t in (element.description, se.help_text) if t)
        ws.append(
            [
                _styled(ws, se.section.name, alignment=_WRAP),
                _styled(ws, element.name, alignment=_WRAP),
                _styled(ws, se.category_combo.name if not se.category_combo.is_default else "", alignment=_WRAP),
                _styled(ws, element.unit, alignment=_CENTER),
                _styled(ws, rule_hint(cell) if cell else element.get_value_type_display(), alignment=_WRAP),
                _styled(ws, _("是") if se.required else _("否"), alignment=_CENTER),
                _styled(ws, _SCOPES.get(element.migrant_scope, ""), alignment=_WRAP),
                _styled(ws, element.population, alignment=_WRAP),
                _styled(ws, element.source, alignment=_WRAP),
                _styled(ws, description, alignment=_WRAP),
            ]
        )
    if spec.rules:
        line()
        line(_("校验规则（提交前须全部通过；警告须填写说明）"), bold)
        ws.append(
            [
                _styled(ws, h, font=bold, fill=_HEADER_FILL, alignment=_CENTER)
                for h in (_("规则"), _("条件"), _("级别"), _("提示"))
            ]
        )
        for rule in spec.rules:
            left, right = describe_expression(rule.left, spec.layout), describe_expression(rule.right, spec.layout)
            condition = f"{left} {rule.operator} {right}"
            ws.append(
                [
                    _styled(ws, rule.name, alignment=_WRAP),
                    _styled(ws, condition, alignment=_WRAP),
                    _styled(ws, _("错误") if rule.importance == "error" else _("警告"), alignment=_CENTER),
                    _styled(ws, rule.message, alignment=_WRAP),
                ]
            )
    _protect(ws)


def _errors_sheet(workbook: Workbook, problems: Sequence[ImportProblem]) -> None:
    ws = workbook.create_sheet(ERRORS_SHEET)
    for letter, width in zip("ABCDEFGH", (6, 14, 8, 8, 30, 18, 48, 48), strict=True):
        ws.column_dimensions[letter].width = width
    ws.append(
        [
            _styled(
                ws,
                _("错误清单：共 %(n)d 处，整份文件未导入，请逐项修正后重新上传") % {"n": len(problems)},
                font=Font(bold=True, size=13),
                border=False,
            )
        ]
    )
    headers = [_("序号"), _("工作表"), _("行"), _("列"), _("项目"), _("值"), _("问题"), _("修改方法")]
    ws.append([_styled(ws, h, font=Font(bold=True), fill=_HEADER_FILL, alignment=_CENTER) for h in headers])
    for number, p in enumerate(problems, 1):
        ws.append(
            [
                _styled(ws, number, alignment=_CENTER),
                _styled(ws, p.sheet),
                _styled(ws, p.row, alignment=_CENTER),
                _styled(ws, p.column, alignment=_CENTER),
                _styled(ws, p.field, alignment=_WRAP),
                _styled(ws, p.value, alignment=_WRAP),
                _styled(ws, p.message, alignment=_WRAP, font=Font(color="C00000")),
                _styled(ws, p.fix, alignment=_WRAP),
            ]
        )
    ws.freeze_panes = "A3"
