"""The error workbook of a refused upload: the person's own values in the template, every wrong
cell filled red with a comment saying what is wrong and how to fix it, and an 错误清单 sheet listing
every problem (sheet, row, column, field, value, problem, fix).

It is a fresh template with the same signed stamp, so after fixing the red cells the person can
upload it again. When the file's stamp could not be read, only the 错误清单 sheet is written.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence

from django.utils.translation import gettext as _
from openpyxl import Workbook

from reporting.excel.problems import ImportProblem
from reporting.excel.reader import cell_ref
from reporting.excel.template import TemplateRow, TemplateSpec, _errors_sheet, write_workbook


def _marks(problems: Sequence[ImportProblem]) -> dict[tuple[int, str], list[str]]:
    marks: dict[tuple[int, str], list[str]] = defaultdict(list)
    for p in problems:
        ref = cell_ref(p)
        if ref is not None:
            marks[ref].append(f"{p.message}{('。' + p.fix) if p.fix else ''}")
    return marks


def error_workbook(spec: TemplateSpec, rows: list[TemplateRow], problems: Sequence[ImportProblem]) -> bytes:
    """The template of `spec` holding `rows` as read from the file, with the problems marked and listed."""
    spec.rows = rows
    buffer = io.BytesIO()
    write_workbook(buffer, spec, marks=_marks(problems), problems=problems)
    return buffer.getvalue()


def problems_workbook(problems: Sequence[ImportProblem]) -> bytes:
    """A workbook with only the 错误清单 sheet (when the file could not be read as our template)."""
    workbook = Workbook(write_only=True)
    _errors_sheet(workbook, problems)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def error_filename(stem: str) -> str:
    return _("%(stem)s-错误报告") % {"stem": stem}
