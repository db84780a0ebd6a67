"""The alert list as a formatted .xlsx (core/rendering.py): a title, the house header, one row per alert,
the filters and the export time as notes. Text is written through rendering.write (formula-injection safe,
stored as text); dates as dates; days as numbers."""

from __future__ import annotations

from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment

from core import rendering
from ledger.queries.alerts import AlertRow

DATE_FORMAT = "yyyy-mm-dd"


def headers() -> list[str]:
    return [
        _("单位"), _("单位代码"), _("所属产业系统公司工会"), _("州市"), _("预警类型"), _("原因"), _("起始日期"),
        _("预警日期"), _("解除日期"), _("持续天数"), _("状态"),
    ]  # fmt: skip


WIDTHS = [24, 14, 20, 12, 18, 70, 12, 12, 12, 10, 8]


def alerts_xlsx(rows: list[AlertRow], *, notes: list[str]) -> tuple[IO[bytes], int]:
    """The workbook in a temporary file (rewound) and the number of alert rows written."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = rendering.sheet_title(_("产改预警"))
    names = headers()
    rendering.title(sheet, _("产改预警清单"), len(names))
    for column, name in enumerate(names, start=1):
        rendering.header_cell(rendering.write(sheet, 2, column, name))
    for index, row in enumerate(rows, start=3):
        alert = row.alert
        values = [
            alert.org.name, alert.org.code, row.union or "—", row.prefecture or "—", alert.get_kind_display(),
            alert.reason, alert.since, alert.raised_on, alert.cleared_on, row.days_open,
            _("未解除") if alert.is_open else _("已解除"),
        ]  # fmt: skip
        for column, value in enumerate(values, start=1):
            cell = rendering.write(sheet, index, column, value)
            if column in (7, 8, 9) and value is not None:
                cell.number_format = DATE_FORMAT
            if column == 6:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    stamp = _("导出时间：%(time)s") % {"time": f"{timezone.localtime():%Y-%m-%d %H:%M}"}
    rendering.note_lines(sheet, len(rows) + 4, [*notes, stamp])
    rendering.set_widths(sheet, WIDTHS)
    sheet.freeze_panes = "A3"

    def save(fileobj: IO[bytes]) -> int:
        workbook.save(fileobj)
        return len(rows)

    return rendering.temporary_xlsx(save)
