"""The province's task view as .xlsx: one row per task, with its organisation, union, target and progress.

Laid out from the same lines the page shows (ledger.queries.roadmap.task_lines), in the house style of
core.rendering: a title, bold shaded headers, numbers kept as numbers, text written safely (no formula
injection), notes under the table saying what the progress columns mean. "No figure yet" is an empty
cell, never 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from core import rendering
from ledger.queries.roadmap import TaskLine

PERCENT_FORMAT = '0.00"%"'  # values already ×100
NUMBER_FORMAT = "#,##0.####"
DATE_FORMAT = "yyyy-mm-dd"


def headers() -> list[str]:
    return [
        _("单位代码"), _("单位"), _("所属工会"), _("重点任务"), _("任务"), _("责任人"), _("责任部门"), _("开始日期"),
        _("完成期限"), _("状态"), _("是否逾期"), _("目标类型"), _("目标"), _("基期值"), _("目标值"), _("最新值"),
        _("最新值时点"), _("完成路径比例（%）"), _("按进度应达比例（%）"), _("落后（百分点）"),
    ]  # fmt: skip


def _pct(value: Decimal | None) -> Decimal | None:
    return None if value is None else (value * 100).quantize(Decimal("0.01"))


def row_of(line: TaskLine) -> list:
    task, progress = line.task, line.progress
    actual = progress.actual
    behind = progress.behind_by()
    return [
        task.ledger.org.code,
        task.ledger.org.name,
        line.union,
        task.get_key_task_display(),
        task.title,
        task.owner_name,
        task.owner_unit,
        task.starts_on,
        task.deadline,
        task.get_status_display(),
        _("是") if line.overdue else _("否"),
        task.get_target_kind_display(),
        line.statement.goal.removeprefix(_("目标：")).strip() if line.statement else "",
        progress.baseline,
        progress.target,
        actual.value if actual else None,
        actual.label if actual else "",
        _pct(progress.share),
        _pct(progress.expected),
        None if behind is None else behind.quantize(Decimal("0.01")),
    ]


def tasks_xlsx(lines: Sequence[TaskLine], *, scope_note: str, fileobj: IO[bytes]) -> int:
    """Write the tasks to `fileobj` as a formatted workbook; the number of task rows."""
    book = Workbook()
    sheet = book.active
    sheet.title = rendering.sheet_title(_("改革任务"))
    names = headers()
    rendering.title(sheet, _("改革任务清单"), len(names))
    rendering.note_lines(sheet, 2, [scope_note])
    for column, name in enumerate(names, start=1):
        rendering.header_cell(rendering.write(sheet, 4, column, name))
    for offset, line in enumerate(lines):
        row = 5 + offset
        for column, value in enumerate(row_of(line), start=1):
            cell = rendering.write(sheet, row, column, value)
            if column in (8, 9):
                cell.number_format = DATE_FORMAT
            elif column in (14, 15, 16):
                cell.number_format = NUMBER_FORMAT
            elif column in (18, 19, 20):
                cell.number_format = PERCENT_FORMAT if column != 20 else "0.00"
    notes = [
        _("完成路径比例：最新值从基期值走向目标值走了多远（可超过 100% 或为负）；按进度应达比例：按时间匀速推进，"
          "到最新值时点应走的比例；落后：两者之差（百分点），为负表示超前。空白表示暂无数据，不是 0。"),
        _("导出时间：%(time)s") % {"time": f"{timezone.localtime():%Y-%m-%d %H:%M}"},
    ]  # fmt: skip
    rendering.note_lines(sheet, 6 + len(lines), notes, len(names), wrap=True)
    rendering.set_widths(sheet, [12, 24, 16, 10, 30, 10, 14, 12, 12, 8, 8, 10, 44, 10, 10, 10, 12, 12, 12, 10])
    sheet.freeze_panes = "C5"
    book.save(fileobj)
    return len(lines)
