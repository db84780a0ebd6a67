"""The entries workbook: the template to download and the reading of a filled one.

Sheet “参赛人员”, one participant per row from row 2: 工种 | 参赛单位代码 | 姓名 | 人才库编号 (optional: the
number of a person in the talent pool, shown on the person's page). The file is checked by the reporting
import's container checks (size, zip bombs, macros, external links, dangerous formulas) and read with calamine;
every problem names its sheet, row and column (reporting.excel.problems.ImportProblem).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from competitions.models import Competition
from core.exports import safe_cell
from reporting.excel.container import inspect_workbook, max_data_rows
from reporting.excel.problems import Code, ImportProblem, ImportRefused, shown
from reporting.excel.reader import open_workbook

SHEET = "参赛人员"
COLUMNS = ("A", "B", "C", "D")


def headers() -> list[str]:
    return [_("工种"), _("参赛单位代码"), _("姓名"), _("人才库编号（可不填）")]


def template_workbook(competition: Competition) -> bytes:
    """An empty entries template for `competition`, its trades offered as a drop-down list in column A."""
    book = Workbook()
    ws = book.active
    ws.title = SHEET
    ws.append(headers())
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for letter, width in zip(COLUMNS, (20, 18, 14, 22), strict=True):
        ws.column_dimensions[letter].width = width
    trades = list(competition.trades.values_list("name", flat=True))
    listing = book.create_sheet(_("工种列表"))
    for name in trades:
        listing.append([safe_cell(name)])
    if trades:
        check = DataValidation(type="list", formula1=f"'{listing.title}'!$A$1:$A${len(trades)}", allow_blank=False)
        check.error = _("请从列表中选择本竞赛的工种。")
        ws.add_data_validation(check)
        check.add("A2:A1000")
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class Row:
    """One participant as read: the sheet row and the four texts."""

    number: int
    trade: str
    org_code: str
    name: str
    person_id: str


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).replace("\u00a0", " ").split())


def read_rows(path: str) -> list[Row]:
    """The participants in the workbook at `path`; ImportRefused when the file or its sheet cannot be read."""
    inspection = inspect_workbook(path)  # refuses bombs, macros, external links and dangerous formulas
    book = open_workbook(path)
    if SHEET not in book.sheet_names:
        raise ImportRefused(
            [ImportProblem(Code.SHEET_MISSING, _("找不到工作表“%(sheet)s”") % {"sheet": SHEET},
                           _("请下载本竞赛的报名模板，填好后上传。"), sheet=SHEET)]
        )  # fmt: skip
    info = inspection.sheet(SHEET)
    if info is not None and info.max_row - 1 > max_data_rows():
        raise ImportRefused(
            [ImportProblem(Code.TOO_MANY_ROWS, _("行数超过上限（%(n)d 行）") % {"n": max_data_rows()},
                           _("请分批导入。"), sheet=SHEET)]
        )  # fmt: skip
    grid = book.get_sheet_by_name(SHEET).to_python(skip_empty_area=False)
    if not grid or [_text(v) for v in grid[0][:4]] != headers():
        raise ImportRefused(
            [
                ImportProblem(
                    Code.HEADER_CHANGED,
                    _("表头与模板不一致"),
                    _("第一行应为：%(h)s。") % {"h": "、".join(headers())},
                    sheet=SHEET,
                    row=1,
                )
            ]
        )
    rows = []
    for number, cells in enumerate(grid[1:], 2):
        texts = [_text(cells[i]) if i < len(cells) else "" for i in range(4)]
        if any(texts):
            rows.append(Row(number, *texts))
    if not rows:
        raise ImportRefused(
            [ImportProblem(Code.NO_DATA, _("没有参赛人员"), _("从第 2 行起每行填写一名参赛人员。"), sheet=SHEET, row=2)]
        )
    return rows


def problem(row: int, column: str, field: str, message: str, value="", fix: str = "") -> ImportProblem:
    return ImportProblem(
        Code.VALUE_INVALID, message, fix, sheet=SHEET, row=row, column=column, field=field, value=shown(value)
    )
