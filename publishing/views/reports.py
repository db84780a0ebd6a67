"""Pages of the evaluation reports (评估报告), the office's only (404 for everyone else): the list with a form for
a new draft, one report with its generating job and files, downloads and drawing a kept file again."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core import deadlines
from core.actor import Actor
from core.errors import UserError
from core.jobs import job_progress_of
from core.models import Job
from publishing import evaluation
from publishing.models import EvaluationReport
from publishing.queries import is_editor
from publishing.services import reports as services


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=list(evaluation.KINDS.items()))
    year = forms.IntegerField(label=gettext_lazy("年度"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs["class"] = "form-select"
        self.fields["year"].widget.attrs["class"] = "form-control"


def _office(request: HttpRequest) -> None:
    if not is_editor(request.user):
        raise Http404


def _report(request: HttpRequest, pk) -> EvaluationReport:
    _office(request)
    found = EvaluationReport.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise Http404
    return found


@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    _office(request)
    return render(
        request,
        "publishing/report_list.html",
        {
            "reports": EvaluationReport.objects.all()[:100],
            "form": ReportForm(initial={"kind": "four_year", "year": deadlines.today().year - 1}),
            "sections": evaluation.sections(),
        },
    )


@require_POST
def report_new(request: HttpRequest) -> HttpResponse:
    _office(request)
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择报告类型并填写年度。"))
        return redirect("publishing:reports")
    try:
        report = services.report_create(by=Actor.from_request(request), **form.cleaned_data)
    except UserError as error:
        messages.error(request, error.message)
        return redirect("publishing:reports")
    services.documents_request(by=Actor.from_request(request), report=report)
    return redirect(report)


@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    job = Job.objects.filter(kind=services.JOB_KIND, object_id=str(report.pk)).order_by("-id").first()
    documents = list(report.documents.order_by("-id")[:20])
    latest = {}
    for row in documents:
        latest.setdefault(row.format, row)
    return render(
        request,
        "publishing/report_detail.html",
        {
            "report": report,
            "job": job,
            "job_progress": job_progress_of(job) if job else None,
            "latest": [latest[f] for f in ("docx", "pdf") if f in latest],
            "documents": documents,
            "sections": (documents[0].snapshot.get("sections", []) if documents else []),
        },
    )


@require_POST
def report_generate(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    services.documents_request(by=Actor.from_request(request), report=report)
    messages.info(request, _("正在后台根据平台数据生成草稿，完成后可在本页下载。"))
    return redirect(report)


def _document(report: EvaluationReport, pk):
    found = report.documents.filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise Http404
    return found


@require_GET
def report_document(request: HttpRequest, pk: int, document: int) -> FileResponse:
    report = _report(request, pk)
    row = _document(report, document)
    try:
        handle = row.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    services.document_open(by=Actor.from_request(request), document=row)
    response = FileResponse(handle, as_attachment=True, filename=row.original_name, content_type=row.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def report_regenerate(request: HttpRequest, pk: int, document: int) -> HttpResponse:
    report = _report(request, pk)
    services.document_regenerate(by=Actor.from_request(request), document=_document(report, document))
    messages.success(request, _("已按原依据重新生成文件。"))
    return redirect(report)
