"""The attendance sheet of a class as a formatted .xlsx (签到表): one row per enrolled person, one column per day,
the whole-class mark and completion, and a blank column to sign. Phones are masked (core.pii.shown)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from core import pii, rendering
from training.choices import Mark
from training.models import TrainingClass

MARK_LABELS = dict(Mark.choices)


def headers(klass: TrainingClass) -> list[str]:
    days = [f"{day:%m-%d}" for day in klass.days]
    return [_("序号"), _("姓名"), _("单位"), _("职务"), _("联系电话"), *days, _("全程考勤"), _("结业"), _("签名")]


def rows_of(klass: TrainingClass, enrolments: Sequence, marks: dict) -> list[list]:
    """Every person's cells, in the order of `headers` (the .xlsx and the PDF agree)."""
    return [
        [
            offset + 1,
            enrolment.name,
            enrolment.org.name,
            enrolment.position,
            pii.shown(enrolment, "phone") if enrolment.phone else "",
            *[MARK_LABELS.get(marks.get((enrolment.pk, day), ""), "") for day in klass.days],
            MARK_LABELS.get(enrolment.attendance, ""),
            _("是") if enrolment.completed else "",
            "",
        ]
        for offset, enrolment in enumerate(enrolments)
    ]


def attendance_pdf(klass: TrainingClass, enrolments: Sequence, marks: dict) -> bytes:
    """The same sheet as a landscape A4 PDF to print and sign (core.rendering)."""
    return rendering.render_pdf(
        "training/pdf/attendance.html",
        {"klass": klass, "headers": headers(klass), "rows": rows_of(klass, enrolments, marks)},
    )


def attendance_xlsx(klass: TrainingClass, enrolments: Sequence, marks: dict, *, fileobj: IO[bytes]) -> int:
    """Write the sheet of `klass` for `enrolments` (with `marks`: {(enrolment id, day): mark}); the row count."""
    book = Workbook()
    sheet = book.active
    sheet.title = rendering.sheet_title(_("考勤表"))
    names = headers(klass)
    rendering.title(sheet, _("%(title)s 考勤表") % {"title": klass.title}, len(names))
    rendering.note_lines(
        sheet,
        2,
        [
            _("主办单位：%(org)s；时间：%(start)s 至 %(end)s；地点：%(place)s")
            % {
                "org": klass.organiser.name,
                "start": f"{klass.starts_on:%Y-%m-%d}",
                "end": f"{klass.ends_on:%Y-%m-%d}",
                "place": klass.place,
            }
        ],
    )
    for column, name in enumerate(names, start=1):
        rendering.header_cell(rendering.write(sheet, 4, column, name))
    for offset, values in enumerate(rows_of(klass, enrolments, marks)):
        row = 5 + offset
        for column, value in enumerate(values, start=1):
            rendering.write(sheet, row, column, value).border = rendering.BORDER
    rendering.note_lines(
        sheet,
        6 + len(enrolments),
        [
            _("共 %(n)d 人。联系电话已脱敏显示。") % {"n": len(enrolments)},
            _("导出时间：%(time)s") % {"time": f"{timezone.localtime():%Y-%m-%d %H:%M}"},
        ],
    )
    rendering.set_widths(sheet, [6, 10, 28, 16, 14, *[7] * len(klass.days), 10, 6, 14])
    sheet.freeze_panes = "C5"
    book.save(fileobj)
    return len(enrolments)
