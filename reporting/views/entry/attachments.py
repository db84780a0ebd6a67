"""A report's files: upload (checked by content, refusals audited), download as an attachment, delete."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core import audit
from core.actor import Actor
from core.errors import UserError
from core.exports import attachment_disposition
from core.files import MAX_ATTACHMENT_SIZE
from orgs.choices import Action
from orgs.scoping import get_visible_or_404
from reporting import services
from reporting.models import Report, ReportAttachment
from reporting.views.entry.common import _read_only_reason, _report_context, _visible_report


class AttachmentForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("文件"), allow_empty_file=True)


def _attachments_response(request: HttpRequest, report: Report, *, error: str = "", status: int = 200) -> HttpResponse:
    if not request.htmx:
        if error:
            messages.error(request, error)
        target = "reporting:report_detail" if request.POST.get("next_page") == "detail" else "reporting:report_entry"
        return redirect(target, pk=report.pk)
    context = _report_context(request, report)
    context.update(editable=not _read_only_reason(report, request.user, timezone.now()), attachment_error=error)
    return render(request, "reporting/entry_report.html#attachments", context, status=status)


@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach a file to the report (checked by its content; 413 over 20 MB)."""
    report = _visible_report(request, pk)
    length = request.META.get("CONTENT_LENGTH") or "0"
    if length.isdigit() and int(length) > MAX_ATTACHMENT_SIZE + 1024 * 1024:
        return _attachments_response(
            request,
            report,
            error=_("上传的文件超过了 20 MB 的上限；请压缩或拆分后再上传。"),
            status=413,
        )
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _attachments_response(request, report, error=_("请选择要上传的文件。"), status=400)
    actor = Actor.from_request(request)
    upload = form.cleaned_data["file"]
    try:
        attachment = services.attachment_add(by=actor, report=report, upload=upload)
    except UserError as error:
        # A refused file is audited too (who tried what), then the temporary upload is dropped.
        audit.record(
            actor,
            "reporting.attachment.add",
            report,
            success=False,
            after=None,
            detail={"name": (upload.name or "")[:200], "size": upload.size, "message": error.message},
        )
        upload.close()
        return _attachments_response(request, report, error=error.message, status=error.status_code)
    if not request.htmx:
        messages.success(request, _("已上传附件“%(name)s”。") % {"name": attachment.original_name})
    return _attachments_response(request, report)


def _visible_attachment(request: HttpRequest, pk: int, attachment_id: int) -> ReportAttachment:
    return get_visible_or_404(
        ReportAttachment.objects.select_related("report__org", "report__dataset", "report__period"),
        request.user,
        Action.VIEW,
        pk=attachment_id,
        report_id=pk,
    )


@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    """The file, always as a download under its original name (never shown inline)."""
    attachment = _visible_attachment(request, pk, attachment_id)
    try:
        handle = services.attachment_open(by=Actor.from_request(request), attachment=attachment)
    except UserError as error:
        messages.error(request, error.message)
        return redirect("reporting:report_detail", pk=pk)
    response = FileResponse(handle, as_attachment=True, content_type=attachment.content_type)
    response["Content-Disposition"] = attachment_disposition(
        attachment.original_name, fallback=f"attachment-{attachment.pk}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def attachment_delete(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    """Remove a file while the report can still be edited."""
    attachment = _visible_attachment(request, pk, attachment_id)
    report = attachment.report
    try:
        services.attachment_delete(by=Actor.from_request(request), attachment=attachment)
    except UserError as error:
        return _attachments_response(request, report, error=error.message, status=error.status_code)
    if not request.htmx:
        messages.success(request, _("已删除附件“%(name)s”。") % {"name": attachment.original_name})
    return _attachments_response(request, report)
