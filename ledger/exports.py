"""The written reports as Word files: one report, and a round's reports in one file (core.docx primitives).

Both take reports already fetched through the door (ledger.queries.written) and read nothing else of
anyone's: the caller decides whose reports go in (a union its subtree's, the office all).

Layout of one report: the title (organisation, round), the period and state, then the nine aspects as
numbered headings, each with the platform's figures for it (ledger.written_figures), the text, the
attachments' names and the reviewer's comment. The round's file starts with a cover listing every
organisation on the ledger in scope with how its report stands, then each submitted or accepted report
on a new page.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from core import docx, richtext
from core.formatting import day_label
from ledger.choices import Aspect, WrittenStatus
from ledger.written_figures import ReportFigures

NUMERALS = "一二三四五六七八九"
EXPORTED_STATES = (WrittenStatus.SUBMITTED, WrittenStatus.ACCEPTED)


def aspect_title(aspect: int) -> str:
    return f"{NUMERALS[aspect - 1]}、{Aspect(aspect).label}"


def _sections(container, report, figures: ReportFigures | None, level: int) -> None:
    """The nine aspects of `report` under headings of `level`."""
    for section in report.sections.all():
        docx.heading(container, aspect_title(section.aspect), level)
        shown = figures.of(section.aspect) if figures is not None else []
        if shown:
            docx.paragraph(container, _("相关数据（%(year)s年，已验收报表）") % {"year": figures.year}, bold=True)
            docx.table(container, [_("项目"), _("数值")], [[f.label, f.text] for f in shown], widths_cm=[9, 6])
        if richtext.plain_text(section.body):
            docx.add_html(container, section.body, heading_offset=level - 2)
        else:
            docx.paragraph(container, _("（未填写）"), italic=True)
        names = [d.original_name for d in section.attachments.all()]
        if names:
            docx.paragraph(container, _("附件：%(names)s") % {"names": "；".join(names)}, italic=True)
        if section.comment:
            docx.paragraph(container, _("审核意见：%(comment)s") % {"comment": section.comment}, italic=True)


def _report_head(document, report, level: int) -> None:
    title = _("%(org)s%(round)s九个方面书面报告") % {"org": report.org.name, "round": report.round.title}
    docx.heading(document, title, level, centred=level == 0)
    period = _("报告期：%(start)s至%(end)s") % {
        "start": day_label(report.round.period_start),
        "end": day_label(report.round.period_end),
    }
    state = _("状态：%(status)s　提交时间：%(at)s") % {
        "status": report.get_status_display(),
        "at": day_label(report.submitted_at),
    }
    docx.paragraph(document, period, centred=level == 0)
    docx.paragraph(document, state, centred=level == 0)


def report_docx(report, figures: ReportFigures | None) -> bytes:
    """One report as a .docx file."""
    document = docx.new_document()
    _report_head(document, report, 0)
    _sections(document, report, figures, 1)
    return docx.to_bytes(document)


def round_docx(written_round, rows, reports, figures: dict[int, ReportFigures]) -> tuple[bytes, int]:
    """A round's reports in one .docx: the cover with who has and has not submitted (`rows`,
    ledger.queries.written.submission_rows), then each submitted or accepted report of `reports` on a new
    page. Returns the file and how many reports it holds."""
    document = docx.new_document()
    docx.heading(document, _("%(round)s九个方面书面报告汇编") % {"round": written_round.title}, 0, centred=True)
    docx.paragraph(
        document,
        _("报告期：%(start)s至%(end)s　报送截止：%(due)s")
        % {
            "start": day_label(written_round.period_start),
            "end": day_label(written_round.period_end),
            "due": day_label(written_round.due_on),
        },
        centred=True,
    )
    docx.paragraph(document, _("导出时间：%(at)s") % {"at": day_label(timezone.now())}, centred=True)
    included = [r for r in reports if r.status in EXPORTED_STATES]
    submitted = sum(1 for row in rows if row.report is not None and row.report.first_submitted_at is not None)
    docx.heading(document, _("报送情况"), 1)
    docx.paragraph(
        document,
        _("应报 %(all)d 家，已报送 %(submitted)d 家，未报送 %(missing)d 家；本汇编收入已提交和已通过的报告 %(n)d 份。")
        % {"all": len(rows), "submitted": submitted, "missing": len(rows) - submitted, "n": len(included)},
    )
    docx.table(
        document,
        [_("序号"), _("单位"), _("所属工会"), _("状态"), _("提交时间"), _("是否按时")],
        [
            [
                str(n),
                row.org.name,
                row.union,
                row.status_label,
                day_label(row.report.submitted_at) if row.report is not None else "—",
                row.timing_label or "—",
            ]
            for n, row in enumerate(rows, start=1)
        ],
        widths_cm=[1.2, 5, 3.5, 2, 2.8, 2],
    )
    for report in included:
        docx.page_break(document)
        _report_head(document, report, 1)
        _sections(document, report, figures.get(report.pk), 2)
    return docx.to_bytes(document), len(included)
