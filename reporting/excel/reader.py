"""Reading an inspected workbook with python-calamine: the stamp, the headers and the values.

Nothing here touches the database: the reader turns the data sheet into `Entry` objects (one
per cell: organisation, element and option, the raw value and where it came from) and lists
what is wrong with the sheet's shape (renamed, missing, extra or moved headers and rows, merged
cells in the data area, duplicate organisations, formulas without a saved value …). Values are
prepared for `reporting.values.clean_value`, which decides whether they are acceptable:

- a numeric cell of a percentage element holds a fraction (the template formats it as a
  percentage: 85% is stored as 0.85), so it is multiplied by 100;
- a number stored as text is passed as text and noted;
- a formula's saved result is used and noted; without one the cell is refused;
- an apostrophe our own export put before text that starts like a formula is removed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import python_calamine
from django.utils.translation import gettext as _

from core.exports import FORMULA_PREFIXES
from reporting.choices import NUMERIC_TYPES, ValueType
from reporting.excel.container import Inspection, SheetInfo, column_letter, max_data_rows
from reporting.excel.problems import Code, ImportProblem, ImportRefused, shown
from reporting.excel.stamp import BULK, DATA_SHEET, STAMP_SHEET, Stamp, parse_stamp, stamp_invalid
from reporting.excel.template import (
    BULK_FIRST_VALUE_COLUMN,
    BULK_HEADER_ROW,
    SINGLE_HEADER_ROW,
    SINGLE_VALUE_COLUMN,
    TemplateRow,
    bulk_headers,
    single_headers,
)
from reporting.values import plain_number

CellKey = tuple[str, str]
_MAX_COLUMNS = 702  # ZZ: no template comes near it; beyond it the sheet is refused before reading
_STAMP_MAX_ROWS = 2000


@dataclass
class Entry:
    """One cell read from the file: whose, which element and option, the raw value and where it was."""

    org: str
    key: CellKey
    raw: Any
    sheet: str
    row: int
    column: str
    field: str
    notes: tuple[str, ...] = ()

    @property
    def shown(self) -> str:
        return shown(self.raw)


@dataclass
class ParsedUpload:
    """The data sheet as entries, with the problems of its shape and the rows as the file holds them."""

    stamp: Stamp
    entries: list[Entry] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    rows: list[TemplateRow] = field(default_factory=list)
    org_rows: dict[str, int] = field(default_factory=dict)  # bulk: organisation code → its row
    org_names: dict[str, str] = field(default_factory=dict)  # bulk: the name written beside each code


def _refused(code: str, message: str, fix: str = "", **where) -> ImportRefused:
    return ImportRefused([ImportProblem(code, message, fix, **where)])


def open_workbook(path: str) -> python_calamine.CalamineWorkbook:
    try:
        return python_calamine.CalamineWorkbook.from_path(path)
    except python_calamine.PasswordError:
        raise _refused(Code.ENCRYPTED, _("文件设置了打开密码（已加密），无法读取")) from None
    except (python_calamine.CalamineError, OSError, ValueError):
        raise _refused(
            Code.CORRUPT,
            _("文件已损坏或不完整，无法读取"),
            _("请确认文件已完整下载或保存，用 Excel 或 WPS 打开后重新保存再上传。"),
        ) from None


def _load(book: python_calamine.CalamineWorkbook, name: str) -> tuple[list[list[Any]], list]:
    try:
        sheet = book.get_sheet_by_name(name)
        return sheet.to_python(skip_empty_area=False), sheet.merged_cell_ranges or []
    except (python_calamine.CalamineError, OSError, ValueError):
        raise _refused(
            Code.CORRUPT,
            _("工作表“%(sheet)s”无法读取") % {"sheet": name},
            _("请用 Excel 或 WPS 打开文件，重新保存后再上传。"),
            sheet=name,
        ) from None


def read_stamp(book: python_calamine.CalamineWorkbook, inspection: Inspection) -> Stamp:
    """The signed stamp, found by its sheet's name (not position); ImportRefused if missing or edited."""
    info = inspection.sheet(STAMP_SHEET)
    if info is None or not info.part:
        raise _refused(
            Code.STAMP_MISSING,
            _("模板版本已过期，或不是本系统下载的模板：文件中没有模板信息"),
            _("请在本系统下载模板，在其中填写（不要把数据复制到新建的工作簿）后再上传。"),
        )
    if info.max_row > _STAMP_MAX_ROWS:
        raise stamp_invalid()  # not a stamp we wrote
    rows, _merged = _load(book, STAMP_SHEET)
    return parse_stamp(rows)


def _limits(info: SheetInfo, stamp: Stamp, width: int) -> None:
    data_rows = info.max_row - (stamp.first_row - 1)
    if data_rows > max_data_rows():
        raise _refused(
            Code.TOO_MANY_ROWS,
            _("数据行数超过上限：文件有 %(n)d 行数据，一次最多导入 %(max)d 行")
            % {"n": data_rows, "max": max_data_rows()},
            _("请删除多余的行，或分成几个文件导入。"),
            sheet=info.name,
        )
    if info.max_column > _MAX_COLUMNS:
        raise _refused(
            Code.TOO_MANY_COLUMNS,
            _("列数超过上限：文件用到了第 %(n)d 列（%(letter)s 列），模板只有 %(width)d 列")
            % {"n": info.max_column, "letter": column_letter(info.max_column), "width": width},
            _("请删除模板右侧多余的列后再上传。"),
            sheet=info.name,
        )


def _text(value: Any) -> str:
    """A header or code cell as text: numbers without a trailing .0, surrounding spaces removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip(" \t\r\n\u00a0\u3000") == "")


def _row(grid: list[list[Any]], number: int) -> list[Any]:
    return grid[number - 1] if 0 < number <= len(grid) else []


def _at(row: list[Any], column: int) -> Any:
    """The value in a 1-based column of a row ("" when the row is shorter)."""
    return row[column - 1] if column <= len(row) else ""


class _Cells:
    """Turns one raw cell into what clean_value gets, with the notes and problems the reading found."""

    def __init__(self, sheet: SheetInfo):
        self.sheet = sheet

    def prepare(self, raw: Any, value_type: str, ref: str) -> tuple[Any, tuple[str, ...], str | None, str]:
        """(value for clean_value, notes, problem code or None, problem message)."""
        notes: list[str] = []
        error = self.sheet.errors.get(ref)
        if error is not None:
            return (
                None,
                (),
                Code.CELL_ERROR,
                _("单元格是 Excel 错误值“%(value)s”，请修正后直接填写数值") % {"value": error or "#N/A"},
            )
        formula = self.sheet.formulas.get(ref)
        if formula is not None:
            if formula.error:
                return (
                    None,
                    (),
                    Code.CELL_ERROR,
                    _("公式 =%(f)s 的计算结果是错误值“%(value)s”，请修正公式或直接填写数值")
                    % {
                        "f": shown(formula.text, 40),
                        "value": formula.error,
                    },
                )
            if not formula.has_value:
                return (
                    None,
                    (),
                    Code.FORMULA_NO_VALUE,
                    _("公式 =%(f)s 没有保存计算结果：请在 Excel 中保存后再上传") % {"f": shown(formula.text, 40)},
                )
            notes.append(_("公式 =%(f)s，已使用其计算结果") % {"f": shown(formula.text, 40)})
        value = raw
        if isinstance(value, str):
            if value == "":
                return None, tuple(notes), None, ""
            if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
                value = value[1:]  # the apostrophe core.exports.safe_cell added
            elif value_type in NUMERIC_TYPES:
                notes.append(_("数字以文本形式存储，已按数值读取"))
        elif isinstance(value, bool):
            if value_type == ValueType.TEXT:
                value = "TRUE" if value else "FALSE"
        elif isinstance(value, int | float):
            if value_type == ValueType.PERCENTAGE:
                number = Decimal(repr(float(value))) * 100
                value = number.normalize() if number == number.to_integral_value() else number
                notes.append(
                    _("已将 Excel 百分比 %(shown)s%% 换算为 %(value)s")
                    % {
                        "shown": plain_number(Decimal(value)),
                        "value": plain_number(Decimal(value)),
                    }
                )
            elif value_type == ValueType.TEXT:
                value = plain_number(Decimal(repr(float(value))))
            elif isinstance(value, float) and value.is_integer():
                value = int(value)  # calamine reads every number as a float
        elif isinstance(value, dt.datetime | dt.date):
            if value_type == ValueType.TEXT:
                value = value.isoformat()
        elif isinstance(value, dt.timedelta):
            value = str(value)
        return value, tuple(notes), None, ""


def read_data(
    book: python_calamine.CalamineWorkbook, inspection: Inspection, stamp: Stamp, value_types: dict[CellKey, str]
) -> ParsedUpload:
    """Read the data sheet of a template whose stamp is `stamp`; `value_types` gives each cell's type."""
    info = inspection.sheet(DATA_SHEET)
    if info is None or not info.part:
        raise _refused(
            Code.SHEET_MISSING,
            _("找不到工作表“%(sheet)s”") % {"sheet": DATA_SHEET},
            _("工作表可能被删除或改名；请重新下载模板填写后再上传。"),
        )
    width = (2 + len(stamp.cells)) if stamp.layout == BULK else len(single_headers())
    _limits(info, stamp, width)
    grid, merged = _load(book, DATA_SHEET)
    parsed = ParsedUpload(stamp=stamp)
    header_row = BULK_HEADER_ROW if stamp.layout == BULK else SINGLE_HEADER_ROW
    for (r1, c1), (r2, c2) in merged:
        # The template's own merged cells (title, section bands) lie above the header row.
        if r2 + 1 >= header_row:
            ref = f"{column_letter(c1 + 1)}{r1 + 1}:{column_letter(c2 + 1)}{r2 + 1}"
            where = _("表头") if r1 + 1 <= header_row else _("数据区域")
            parsed.problems.append(
                ImportProblem(
                    Code.MERGED,
                    _("%(where)s中有合并单元格 %(ref)s") % {"where": where, "ref": ref},
                    _("请取消合并（“开始 → 合并后居中”再点一次），每个单元格只填一个值。"),
                    sheet=DATA_SHEET,
                    row=r1 + 1,
                    column=column_letter(c1 + 1),
                    value=ref,
                )
            )
    if stamp.layout == BULK:
        _read_bulk(parsed, grid, info, width, value_types)
    else:
        _read_single(parsed, grid, info, width, value_types)
    if not parsed.problems and not any(e.raw is not None for e in parsed.entries):
        parsed.problems.append(
            ImportProblem(
                Code.NO_DATA,
                _("没有数据"),
                _("文件中没有填写任何数值；请在“填报数据”工作表的浅黄色单元格中填写后再上传。"),
                sheet=DATA_SHEET,
            )
        )
    return parsed


def _header_problems(row: list[Any], expected: list[str], header_row: int, width: int) -> list[ImportProblem]:
    problems = []
    actual = [_text(_at(row, column)) for column in range(1, max(len(row), width) + 1)]
    expected_set = set(expected)
    renamed: set[str] = set()
    for index, want in enumerate(expected):
        got = actual[index] if index < len(actual) else ""
        if got == want:
            continue
        letter = column_letter(index + 1)
        if got == "":
            message = _("表头“%(want)s”缺失") % {"want": want}
            code = Code.COLUMN_MISSING
        elif got in expected_set:
            message = _("列的顺序被调整：此列应为“%(want)s”，实际为“%(got)s”") % {"want": want, "got": got}
            code = Code.HEADER_CHANGED
        else:
            message = _("表头被修改：应为“%(want)s”，实际为“%(got)s”") % {"want": want, "got": got}
            code = Code.HEADER_CHANGED
            renamed.add(want)
        problems.append(
            ImportProblem(
                code,
                message,
                _("请恢复模板原有的表头和列顺序，或重新下载模板填写。"),
                sheet=DATA_SHEET,
                row=header_row,
                column=letter,
                value=got,
            )
        )
    present = set(actual)
    for want in expected:
        if want not in present and want not in renamed:  # a renamed header is already listed
            problems.append(
                ImportProblem(
                    Code.COLUMN_MISSING,
                    _("缺少列“%(want)s”") % {"want": want},
                    _("该列可能被删除；请重新下载模板填写。"),
                    sheet=DATA_SHEET,
                    row=header_row,
                    field=want,
                )
            )
    return problems


def _extra_columns(grid: list[list[Any]], width: int, header_row: int) -> list[ImportProblem]:
    """One problem per column right of the template's last column that holds anything."""
    problems = []
    seen: set[int] = set()
    for number, row in enumerate(grid, 1):
        if number < header_row:
            continue
        for column in range(width + 1, len(row) + 1):
            if column not in seen and not _empty(row[column - 1]):
                seen.add(column)
                problems.append(
                    ImportProblem(
                        Code.COLUMN_EXTRA,
                        _("模板之外多出的列（第一个值在第 %(row)d 行）") % {"row": number},
                        _("请删除该列的内容；模板只读取原有的列。"),
                        sheet=DATA_SHEET,
                        row=number,
                        column=column_letter(column),
                        value=shown(row[column - 1]),
                    )
                )
    return problems


def _cell_entry(
    parsed: ParsedUpload,
    cells: _Cells,
    *,
    org: str,
    key: CellKey,
    raw: Any,
    value_type: str,
    row: int,
    column: str,
    label: str,
) -> None:
    value, notes, problem, message = cells.prepare(raw, value_type, f"{column}{row}")
    if problem:
        parsed.problems.append(
            ImportProblem(
                problem, message, "", sheet=DATA_SHEET, row=row, column=column, field=label, value=shown(raw), org=org
            )
        )
        return
    if value is None and not parsed.stamp.filled:
        return  # blank template: an empty cell leaves the stored value alone
    parsed.entries.append(Entry(org, key, value, DATA_SHEET, row, column, label, notes))


def _read_single(parsed: ParsedUpload, grid, info: SheetInfo, width: int, value_types: dict[CellKey, str]) -> None:
    stamp = parsed.stamp
    parsed.problems += _header_problems(_row(grid, SINGLE_HEADER_ROW), single_headers(), SINGLE_HEADER_ROW, width)
    parsed.problems += _extra_columns(grid, width, SINGLE_HEADER_ROW)
    if parsed.problems:
        return
    cells = _Cells(info)
    values: dict[int, Any] = {}
    for index, (key, label) in enumerate(zip(stamp.cell_keys, stamp.labels, strict=True)):
        number = stamp.first_row + index
        row = _row(grid, number)
        element, option = _text(_at(row, 3)), _text(_at(row, 4))
        got = f"{element}·{option}" if option else element
        if got != label:
            parsed.problems.append(
                ImportProblem(
                    Code.ROW_CHANGED,
                    _("此行应为“%(want)s”，实际为“%(got)s”：行被移动、插入、删除或改名")
                    % {"want": label, "got": got or _("（空）")},
                    _("请恢复模板原有的行，或重新下载模板填写。"),
                    sheet=DATA_SHEET,
                    row=number,
                    column="C",
                    field=label,
                )
            )
            continue
        raw = _at(row, 6)
        values[index] = raw
        _cell_entry(
            parsed,
            cells,
            org=stamp.org,
            key=key,
            raw=raw,
            value_type=value_types.get(key, ValueType.TEXT),
            row=number,
            column=SINGLE_VALUE_COLUMN,
            label=label,
        )
    last = stamp.first_row + len(stamp.cells) - 1
    for number in range(last + 1, len(grid) + 1):
        row = _row(grid, number)
        if any(not _empty(v) for v in row):
            parsed.problems.append(
                ImportProblem(
                    Code.ROW_CHANGED,
                    _("模板之外多出的行"),
                    _("模板的行是固定的，请删除这一行的内容。"),
                    sheet=DATA_SHEET,
                    row=number,
                    value=shown(next(v for v in row if not _empty(v))),
                )
            )
    parsed.rows = [TemplateRow(stamp.org, "", values)]


def _read_bulk(parsed: ParsedUpload, grid, info: SheetInfo, width: int, value_types: dict[CellKey, str]) -> None:
    stamp = parsed.stamp
    expected = [*bulk_headers(), *stamp.labels]
    parsed.problems += _header_problems(_row(grid, BULK_HEADER_ROW), expected, BULK_HEADER_ROW, width)
    parsed.problems += _extra_columns(grid, width, BULK_HEADER_ROW)
    if parsed.problems:
        return
    cells = _Cells(info)
    keys = stamp.cell_keys
    letters = [column_letter(BULK_FIRST_VALUE_COLUMN + i) for i in range(len(keys))]
    types = [value_types.get(k, ValueType.TEXT) for k in keys]
    for number in range(stamp.first_row, len(grid) + 1):
        row = grid[number - 1]
        if all(_empty(v) for v in row[:width]):
            continue  # blank rows are skipped
        code, name = _text(_at(row, 1)), _text(_at(row, 2))
        values = {i: _at(row, BULK_FIRST_VALUE_COLUMN + i) for i in range(len(keys))}
        parsed.rows.append(TemplateRow(code, name, values))
        if not code:
            parsed.problems.append(
                ImportProblem(
                    Code.UNKNOWN_ORG,
                    _("这一行填写了数值，但没有机构代码"),
                    _("请在 A 列填写机构代码，或删除这一行。"),
                    sheet=DATA_SHEET,
                    row=number,
                    column="A",
                    field=_("机构代码"),
                )
            )
            continue
        if code in parsed.org_rows:
            parsed.problems.append(
                ImportProblem(
                    Code.DUPLICATE_ORG,
                    _("机构代码 %(code)s 在第 %(first)d 行和第 %(row)d 行重复出现")
                    % {"code": code, "first": parsed.org_rows[code], "row": number},
                    _("每个单位只能有一行，请合并或删除重复的行。"),
                    sheet=DATA_SHEET,
                    row=number,
                    column="A",
                    field=_("机构代码"),
                    value=code,
                    org=code,
                )
            )
            continue
        parsed.org_rows[code] = number
        parsed.org_names[code] = name
        for index, key in enumerate(keys):
            _cell_entry(
                parsed,
                cells,
                org=code,
                key=key,
                raw=values[index],
                value_type=types[index],
                row=number,
                column=letters[index],
                label=stamp.labels[index],
            )


def cell_ref(problem: ImportProblem) -> tuple[int, str] | None:
    """(row, column letter) of a problem located on a single cell of the data sheet, else None."""
    if problem.sheet == DATA_SHEET and problem.row and re.fullmatch(r"[A-Z]{1,3}", problem.column or ""):
        return problem.row, problem.column
    return None
