"""The case library's files: the current search result as .xlsx, and one case as a Word document.

Both take cases already read through the door (cases.queries) and read nothing else of anyone's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment

from core import docx, rendering, richtext
from core.formatting import day_label


def library_headers() -> list[str]:
    return [_("标题"), _("案例来源单位"), _("年度"), _("重点任务"), _("专题"), _("被复制推广次数"), _("发布日期"),
            _("链接")]  # fmt: skip


def library_xlsx(hits: Sequence, *, base_url: str, note: str, fileobj: IO[bytes]) -> int:
    """Write the hits (cases.queries.Hit) as a formatted workbook; the number of case rows."""
    book = Workbook()
    sheet = book.active
    sheet.title = rendering.sheet_title(_("案例库"))
    names = library_headers()
    rendering.title(sheet, _("改革案例库检索结果"), len(names))
    rendering.note_lines(sheet, 2, [note])
    for column, name in enumerate(names, start=1):
        rendering.header_cell(rendering.write(sheet, 4, column, name))
    for offset, hit in enumerate(hits):
        case = hit.case
        row = 5 + offset
        values = [
            case.title,
            case.org.name,
            case.year,
            "、".join(case.task_labels),
            "、".join(t.name for t in case.topics.all()),
            case.replication_total,
            case.published_on,
            base_url + case.get_absolute_url(),
        ]
        for column, value in enumerate(values, start=1):
            cell = rendering.write(sheet, row, column, value)
            if column == 7 and value is not None:
                cell.number_format = "yyyy-mm-dd"
            if column in (1, 4, 5):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    rendering.set_widths(sheet, [40, 28, 8, 24, 30, 12, 12, 40])
    sheet.freeze_panes = "A5"
    book.save(fileobj)
    return len(hits)


def case_docx(case, replications: Sequence = ()) -> bytes:
    """One case as a Word document: title, source and tags, summary, body, files and who adopted it."""
    document = docx.new_document()
    docx.heading(document, case.title, 0, centred=True)
    docx.paragraph(
        document,
        _("案例来源：%(org)s　年度：%(year)s　状态：%(status)s")
        % {"org": case.org.name, "year": case.year, "status": case.get_status_display()},
        centred=True,
    )
    tags = []
    if case.task_labels:
        tags.append(_("重点任务：%(v)s") % {"v": "、".join(case.task_labels)})
    topics = [t.name for t in case.topics.all()]
    if topics:
        tags.append(_("专题：%(v)s") % {"v": "、".join(topics)})
    if tags:
        docx.paragraph(document, "　".join(tags), italic=True, centred=True)
    if case.author_name:
        docx.paragraph(
            document,
            _("撰写人：%(name)s %(position)s") % {"name": case.author_name, "position": case.author_position},
            centred=True,
        )
    docx.heading(document, _("摘要"), 1)
    docx.paragraph(document, case.summary)
    docx.heading(document, _("正文"), 1)
    if richtext.plain_text(case.body):
        docx.add_html(document, case.body, heading_offset=0)
    else:
        docx.paragraph(document, _("（未填写）"), italic=True)
    names = [f.original_name for f in case.files.all()]
    if names:
        docx.paragraph(document, _("附件：%(names)s") % {"names": "；".join(names)}, italic=True)
    if replications:
        docx.heading(document, _("复制推广情况"), 1)
        docx.table(
            document,
            [_("借鉴单位"), _("借鉴日期"), _("借鉴或改进的做法"), _("效果")],
            [[r.org.name, day_label(r.adopted_on), r.adopted, r.result or "—"] for r in replications],
            widths_cm=[4, 2.6, 5.5, 3.3],
        )
    footer = _("导出时间：%(at)s") % {"at": timezone.localtime().strftime("%Y-%m-%d %H:%M")}
    if case.published_on:
        footer = _("发布日期：%(on)s　") % {"on": day_label(case.published_on)} + footer
    docx.paragraph(document, footer, italic=True)
    return docx.to_bytes(document)
