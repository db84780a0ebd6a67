"""The issue's .docx and PDF, generated in the background and kept with what they were drawn from.

- `documents_request` (a page or the API) queues the job `publishing.issue_documents` for the office's editor
  (core.jobs: progress on the job's page; the same issue version asked twice finds the same job).
- `documents_generate` (what the job runs) reads the issue once into its snapshot (publishing/layout.py), draws
  the .docx and the PDF from it and keeps each as an `IssueDocument` with the snapshot, the issue's version
  and the day, audited.
- `document_regenerate` draws a kept file's snapshot again: the same content, whatever has changed since.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.translation import gettext as _

from core import audit, deadlines
from core.actor import Actor
from core.db import atomic_retrying
from core.docx import DOCX_CONTENT_TYPE
from core.files import new_storage_name
from core.jobs import current_job_progress, job_create
from core.models import Job
from core.rendering import PDF_CONTENT_TYPE
from publishing.choices import DocumentFormat
from publishing.layout import snapshot
from publishing.models import Issue, IssueDocument
from publishing.services.submissions import ensure_editor

JOB_KIND = "publishing.issue_documents"
FORMATS = (DocumentFormat.DOCX, DocumentFormat.PDF)


def documents_request(*, by: Actor, issue: Issue) -> Job:
    """Queue the generation of `issue`'s .docx and PDF (one job per issue version)."""
    from publishing.tasks import issue_documents_task

    ensure_editor(by)
    return job_create(
        kind=JOB_KIND, by=by, obj=issue, params={"back_url": reverse("publishing:issue", kwargs={"pk": issue.pk})},
        task=issue_documents_task, task_kwargs={"issue_id": issue.pk},
        dedupe_key=f"issue:{issue.pk}:v{issue.version}",
    )  # fmt: skip


def _draw(data: dict[str, Any], fmt: str) -> bytes:
    if fmt == DocumentFormat.DOCX:
        from publishing.word import issue_docx

        return issue_docx(data)
    from publishing.pdf import issue_pdf

    return issue_pdf(data)


def _keep(*, by: Actor, issue: Issue, data: dict[str, Any], job_id: int | None) -> list[IssueDocument]:
    kept = []
    total = len(FORMATS) + 1
    current_job_progress(done=1, total=total)
    for index, fmt in enumerate(FORMATS, start=2):
        content = _draw(data, fmt)
        row = IssueDocument(
            issue=issue, format=fmt, issue_version=data["issue_version"], as_of=dt.date.fromisoformat(data["as_of"]),
            snapshot=data, job_id=job_id, original_name=f"{data['file_stem']}.{fmt}", size=len(content),
            content_type=DOCX_CONTENT_TYPE if fmt == DocumentFormat.DOCX else PDF_CONTENT_TYPE,
            sha256=hashlib.sha256(content).hexdigest(), uploaded_by=by.user,
        )  # fmt: skip
        row.file.save(new_storage_name(f".{fmt}"), ContentFile(content), save=False)
        row.save()
        kept.append(row)
        current_job_progress(done=index, total=total)
    audit.record(
        by, "publishing.issue.documents", issue, after=None,
        detail={"documents": [r.pk for r in kept], "issue_version": data["issue_version"], "as_of": data["as_of"]},
    )  # fmt: skip
    return kept


@atomic_retrying
def documents_generate(*, by: Actor, issue_id: int, job_id: int | None = None, as_of: dt.date | None = None) -> dict:
    """Draw and keep the issue's .docx and PDF; the job's summary."""
    ensure_editor(by)
    issue = Issue.objects.select_related("series").filter(pk=issue_id).first()
    if issue is None:
        from core.errors import UserError

        raise UserError(_("该期快报已不存在。"))
    data = snapshot(issue, as_of=as_of or deadlines.today())
    kept = _keep(by=by, issue=issue, data=data, job_id=job_id)
    return {
        "message": _("已生成 %(name)s 的 Word 和 PDF 文件。") % {"name": data["file_stem"]},
        "documents": [r.pk for r in kept],
        "url": reverse("publishing:issue", kwargs={"pk": issue.pk}),
    }


@atomic_retrying
def document_regenerate(*, by: Actor, document: IssueDocument) -> list[IssueDocument]:
    """Draw a kept file's snapshot again as a new pair of files (the same content)."""
    ensure_editor(by)
    return _keep(by=by, issue=document.issue, data=document.snapshot, job_id=None)


def document_open(*, by: Actor, document: IssueDocument) -> None:
    """Audit a download (the caller fetched the issue and the file through the door)."""
    audit.record(by, "publishing.document.download", document, after=None, detail={"issue": document.issue_id})
