"""Evaluation reports (评估报告): the office asks for a year's (or the four reform years') draft, generated in
the background from the platform's data (publishing.evaluation) as .docx and PDF, each kept with the sections'
data it was drawn from, so it can be drawn again identically."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, deadlines
from core.actor import Actor
from core.db import atomic_retrying
from core.docx import DOCX_CONTENT_TYPE
from core.errors import UserError
from core.files import new_storage_name
from core.jobs import current_job_progress, job_create
from core.models import Job
from core.rendering import PDF_CONTENT_TYPE
from publishing.choices import DocumentFormat
from publishing.evaluation import KINDS, build_snapshot
from publishing.models import EvaluationReport, ReportDocument
from publishing.services.submissions import ensure_editor

JOB_KIND = "publishing.report_documents"


@atomic_retrying
def report_create(*, by: Actor, kind: str, year: int) -> EvaluationReport:
    ensure_editor(by)
    if kind not in KINDS:
        raise UserError(_("报告类型应为年度评估报告或产改四年评估报告。"), field="kind")
    if not isinstance(year, int) or not 2018 <= year <= deadlines.today().year:
        raise UserError(_("年度应在 2018 到 %(last)d 之间。") % {"last": deadlines.today().year}, field="year")
    if by.user is None:
        raise UserError(_("评估报告必须由登录用户创建。"))
    report = EvaluationReport.objects.create(kind=kind, year=year, created_by=by.user)
    audit.record(by, "publishing.report.create", report)
    return report


def documents_request(*, by: Actor, report: EvaluationReport) -> Job:
    from publishing.tasks import report_documents_task

    ensure_editor(by)
    return job_create(
        kind=JOB_KIND, by=by, obj=report, params={"back_url": report.get_absolute_url()},
        task=report_documents_task, task_kwargs={"report_id": report.pk},
        dedupe_key=f"report:{report.pk}:{timezone.now():%Y%m%d%H%M}",  # a double click within the minute
    )  # fmt: skip


def _keep(*, by: Actor, report: EvaluationReport, data: dict, job_id: int | None) -> list[ReportDocument]:
    from publishing.evaluation_files import report_docx, report_pdf

    kept = []
    stem = data["title"]
    for fmt, draw in ((DocumentFormat.DOCX, report_docx), (DocumentFormat.PDF, report_pdf)):
        content = draw(data)
        row = ReportDocument(
            report=report, format=fmt, as_of=dt.date.fromisoformat(data["as_of"]), snapshot=data, job_id=job_id,
            original_name=f"{stem}.{fmt}", size=len(content),
            content_type=DOCX_CONTENT_TYPE if fmt == DocumentFormat.DOCX else PDF_CONTENT_TYPE,
            sha256=hashlib.sha256(content).hexdigest(), uploaded_by=by.user,
        )  # fmt: skip
        row.file.save(new_storage_name(f".{fmt}"), ContentFile(content), save=False)
        row.save()
        kept.append(row)
    audit.record(
        by, "publishing.report.documents", report, after=None,
        detail={"documents": [r.pk for r in kept], "as_of": data["as_of"],
                "sections": [s["key"] for s in data["sections"]]},
    )  # fmt: skip
    return kept


def report_generate(*, by: Actor, report_id: int, job_id: int | None = None, as_of: dt.date | None = None) -> dict:
    """Read every section for the report and keep its .docx and PDF; the job's summary."""
    ensure_editor(by)
    report = EvaluationReport.objects.filter(pk=report_id).first()
    if report is None:
        raise UserError(_("该评估报告已不存在。"))
    data = build_snapshot(
        kind=report.kind, year=report.year, as_of=as_of or deadlines.today(),
        progress=lambda done, total: current_job_progress(done=done, total=total + 1),
    )  # fmt: skip
    kept = _keep(by=by, report=report, data=data, job_id=job_id)
    return {
        "message": _("已生成“%(title)s”的 Word 和 PDF 草稿。") % {"title": data["title"]},
        "documents": [r.pk for r in kept],
        "url": reverse("publishing:report", kwargs={"pk": report.pk}),
    }


def document_regenerate(*, by: Actor, document: ReportDocument) -> list[ReportDocument]:
    ensure_editor(by)
    return _keep(by=by, report=document.report, data=document.snapshot, job_id=None)


def document_open(*, by: Actor, document: ReportDocument) -> None:
    audit.record(by, "publishing.report.download", document, after=None, detail={"report": document.report_id})
