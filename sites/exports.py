"""The site list and a batch's list as .xlsx, in the house style of core.rendering (contacts masked unless the
viewer may see personal data, which the caller decides and audits)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from core import pii, rendering
from sites.choices import Goal
from sites.queries import SiteRow

DATE_FORMAT = "yyyy-mm-dd"


def goals_label(goals) -> str:
    labels = dict(Goal.choices)
    return "、".join(str(labels.get(g, g)) for g in goals or [])


def _phone(obj, full: bool) -> str:
    return obj.contact_phone if full else pii.shown(obj, "contact_phone")


def _sheet(title: str, names: list[str], rows: list[list], note: str, widths: list[int], fileobj: IO[bytes], dates=()):
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
    rendering.note_lines(
        sheet, 6 + len(rows), [_("导出时间：%(time)s") % {"time": f"{timezone.localtime():%Y-%m-%d %H:%M}"}], len(names)
    )
    rendering.set_widths(sheet, widths)
    sheet.freeze_panes = "C5"
    book.save(fileobj)
    return len(rows)


def sites_xlsx(rows: Sequence[SiteRow], *, full_contacts: bool, note: str, fileobj: IO[bytes]) -> int:
    """The site list: one row per site with its batch, status, group, visits and follow-ups."""
    names = [
        _("单位代码"), _("单位"), _("所属工会"), _("批次"), _("级别"), _("公布日期"), _("状态"), _("示范的改革任务"),
        _("联系人"), _("联系人职务"), _("联系电话"), _("指导组"), _("走访次数"), _("最近走访"), _("待办跟进事项"),
        _("逾期跟进事项"),
    ]  # fmt: skip
    data = [
        [
            r.site.org.code, r.site.org.name, r.union, r.site.batch.name, r.site.batch.get_level_display(),
            r.site.announced_on, r.site.get_status_display(), goals_label(r.site.goals), r.site.contact_name,
            r.site.contact_position, _phone(r.site, full_contacts), r.site.group.name if r.site.group else "",
            r.visits, r.last_visit, r.open_followups, r.overdue,
        ]
        for r in rows
    ]  # fmt: skip
    widths = [10, 24, 16, 22, 8, 12, 8, 24, 10, 14, 14, 14, 8, 12, 10, 10]
    return _sheet(_("示范点名单"), names, data, note, widths, fileobj, dates=(6, 14))


def batch_xlsx(batch, nominations, *, unions: Callable[[object], str], full_contacts: bool, fileobj: IO[bytes]) -> int:
    """A batch's list: every nomination in the exporter's scope with its state, selected ones first."""
    names = [
        _("序号"), _("单位"), _("所属工会"), _("状态"), _("示范的改革任务"), _("示范内容"), _("联系人"),
        _("联系人职务"),
        _("联系电话"), _("推荐时间"), _("原因"),
    ]  # fmt: skip
    data = [
        [
            i, n.org.name, unions(n.org), n.get_status_display(), goals_label(n.goals), n.goals_text, n.contact_name,
            n.contact_position, _phone(n, full_contacts),
            timezone.localtime(n.submitted_at).strftime("%Y-%m-%d") if n.submitted_at else "", n.reason,
        ]
        for i, n in enumerate(nominations, start=1)
    ]  # fmt: skip
    note = _("%(name)s：%(level)s，%(year)d年度，名额 %(quota)d 个，状态 %(status)s。") % {
        "name": batch.name, "level": batch.get_level_display(), "year": batch.year, "quota": batch.quota,
        "status": batch.get_status_display(),
    }  # fmt: skip
    widths = [6, 24, 16, 8, 24, 36, 10, 14, 14, 12, 30]
    return _sheet(batch.name, names, data, note, widths, fileobj)
