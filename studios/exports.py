"""The studio list and the results as .xlsx, in the house style of core.rendering. No ID number or phone is
exported: people appear by name only."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from core import rendering

DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "#,##0.00"


def _sheet(title: str, names: list[str], rows: list[list], note: str, widths: list[int], fileobj: IO[bytes],
           dates=(), money=()) -> int:  # fmt: skip
    book = Workbook()
    sheet = book.active
    sheet.title = rendering.sheet_title(title)
    rendering.title(sheet, title, len(names))
    rendering.note_lines(sheet, 2, [note])
    for column, name in enumerate(names, start=1):
        rendering.header_cell(rendering.write(sheet, 4, column, name))
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=1):
            cell = rendering.write(sheet, 5 + offset, column, value)
            if column in dates:
                cell.number_format = DATE_FORMAT
            elif column in money:
                cell.number_format = MONEY_FORMAT
    rendering.note_lines(
        sheet, 6 + len(rows), [_("导出时间：%(time)s") % {"time": f"{timezone.localtime():%Y-%m-%d %H:%M}"}], len(names)
    )
    rendering.set_widths(sheet, widths)
    sheet.freeze_panes = "B5"
    book.save(fileobj)
    return len(rows)


def studios_xlsx(studios: Iterable, *, note: str, fileobj: IO[bytes]) -> int:
    """The studio list: one row per studio with its level, naming, leader, results and value created."""
    names = [
        _("工作室名称"), _("类别"), _("当前级别"), _("最近命名日期"), _("所属单位"), _("单位代码"), _("领办人"),
        _("场所"), _("状态"), _("撤销日期"), _("成果数"), _("创效金额（元）"),
    ]  # fmt: skip
    data = [
        [
            s.name, s.get_kind_display(), s.get_level_display(), s.named_on, s.org.name, s.org.code, s.leader.name,
            s.location, s.get_status_display(), s.revoked_on, s.result_count, s.result_value,
        ]
        for s in studios
    ]  # fmt: skip
    widths = [26, 16, 8, 12, 24, 12, 10, 24, 8, 12, 8, 16]
    return _sheet(_("创新工作室名单"), names, data, note, widths, fileobj, dates=(4, 10), money=(12,))


def results_xlsx(results: Iterable, *, note: str, fileobj: IO[bytes]) -> int:
    """The results: one row per result with its studio, kind, date, people credited and value created."""
    names = [
        _("成果名称"), _("类别"), _("取得日期"), _("专利号或编号"), _("工作室"), _("所属单位"), _("完成人"),
        _("创效金额（元）"),
    ]  # fmt: skip
    data = [
        [
            r.title, r.get_kind_display(), r.achieved_on, r.reference, r.studio.name, r.studio.org.name,
            "、".join(p.name for p in r.credited.all()), r.value,
        ]
        for r in results
    ]  # fmt: skip
    widths = [30, 10, 12, 18, 24, 24, 24, 16]
    return _sheet(_("创新工作室成果"), names, data, note, widths, fileobj, dates=(3,), money=(8,))
