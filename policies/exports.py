"""The uptake analytics of a round as .xlsx: one sheet per table of the page, "无数据" where nothing was reported."""

from __future__ import annotations

from decimal import Decimal
from typing import IO

from django.utils.translation import gettext as _
from openpyxl import Workbook

from core.formatting import percent
from core.rendering import header_cell, set_widths, sheet_title, temporary_xlsx, write
from policies.queries import Analytics


def rate_text(rate: Decimal | None) -> str:
    """A use rate as 37.50%, or 无数据 when nobody reported (never 0%)."""
    return _("无数据") if rate is None else percent(rate * 100)


def _sheet(workbook, title: str, headers: list[str], rows: list[list], widths: list[float]) -> int:
    sheet = workbook.create_sheet(sheet_title(title))
    for column, header in enumerate(headers, start=1):
        header_cell(write(sheet, 1, column, header))
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            write(sheet, r, c, value)
    sheet.freeze_panes = "A2"
    set_widths(sheet, widths)
    return len(rows)


def uptake_xlsx(data: Analytics) -> tuple[IO[bytes], int]:
    def write_into(fileobj) -> int:
        workbook = Workbook()
        workbook.remove(workbook.active)
        count = _sheet(
            workbook, _("各项政策使用率"),
            [_("政策名称"), _("类别"), _("符合条件单位数"), _("已填报单位数"), _("已享受单位数"), _("使用率"),
             _("受益人次"), _("金额（元）"), _("未用足"), _("主要未享受原因")],
            [[m.measure.title, m.measure.get_category_display(), m.eligible, m.reported, m.used, rate_text(m.rate),
              m.beneficiaries, m.amount, _("是") if m.under_used else "", m.main_reason] for m in data.measures],
            [40, 14, 14, 14, 14, 10, 12, 16, 8, 16],
        )  # fmt: skip
        count += _sheet(
            workbook, _("产业工会未用足的政策"),
            [_("产业系统公司工会"), _("政策名称"), _("已填报单位数"), _("已享受单位数"), _("使用率")],
            [[u.union_name, u.measure.title, u.reported, u.used, rate_text(u.rate)] for u in data.unused_by_union],
            [24, 40, 14, 14, 10],
        )  # fmt: skip
        count += _sheet(
            workbook, _("未享受任何政策的单位"),
            [_("单位"), _("代码"), _("产业系统公司工会"), _("符合条件的政策数")],
            [[org.name, org.code, union, n] for org, union, n in data.none_used],
            [30, 12, 24, 16],
        )  # fmt: skip
        count += _sheet(
            workbook, _("未享受原因"), [_("原因"), _("项次")], [[label, n] for label, n in data.reasons], [20, 10]
        )
        workbook.save(fileobj)
        return count

    return temporary_xlsx(write_into)
