"""政策库: the library with search in Chinese and filters, a measure's page, and the office's editing of measures,
their eligibility rules and files, and the organisations each measure is for."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import attachments, deadlines
from core.actor import Actor
from core.errors import UserError
from policies import eligibility, queries, services
from policies.choices import MeasureStatus
from policies.forms import LibraryFilterForm, MeasureForm, NoticeForm, RuleForm
from policies.models import MeasureFile, Rule
from policies.rules import FIELDS
from policies.views.common import manager_or_403, reader_or_404

PER_PAGE = 20


@require_GET
def library(request: HttpRequest) -> HttpResponse:
    reader_or_404(request.user)
    form = LibraryFilterForm(request.GET)
    flt = queries.LibraryFilter()
    if form.is_valid():
        data = form.cleaned_data
        flt = queries.LibraryFilter(q=data["q"], category=data["category"], issuer=data["issuer"],
                                    valid_now=data["valid_now"], status=data["status"])  # fmt: skip
    rows = queries.library(request.user, flt)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "policies/library.html", {
        "form": form, "filter": flt, "page_obj": page, "measures": page.object_list, "total": len(rows),
        "page_extra": "&" + params.urlencode() if params else "", "issuers": queries.issuers(request.user),
        "today": deadlines.today(), "may_manage": queries.may_manage(request.user),
        "statuses": MeasureStatus.choices,
    })  # fmt: skip


@require_GET
def measure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    reader_or_404(request.user)
    measure = queries.measure_or_404(request.user, pk)
    manage = queries.may_manage(request.user)
    return render(request, "policies/measure_detail.html", {
        "measure": measure, "rules": list(measure.rules.all()), "files": list(measure.files.all()),
        "today": deadlines.today(), "may_manage": manage, "rule_form": RuleForm() if manage else None,
        "notice_form": NoticeForm() if manage else None, "statuses": MeasureStatus,
    })  # fmt: skip


@require_http_methods(["GET", "POST"])
def measure_new(request: HttpRequest) -> HttpResponse:
    manager_or_403(request.user)
    form = MeasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            measure = services.measure_create(by=Actor.from_request(request), **fields)
        except UserError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("已保存为草稿；设置适用条件后即可发布。"))
            return redirect(measure)
    return render(request, "policies/measure_form.html", {"form": form, "measure": None})


@require_http_methods(["GET", "POST"])
def measure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    manager_or_403(request.user)
    measure = queries.measure_or_404(request.user, pk)
    form = MeasureForm(request.POST or None, instance=measure, initial={"version": measure.version})
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.measure_update(
                by=Actor.from_request(request), measure=measure, version=form.cleaned_data["version"] or 0, **fields
            )
        except UserError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("已保存。"))
            return redirect(measure)
    return render(request, "policies/measure_form.html", {"form": form, "measure": measure})


@require_POST
def measure_status(request: HttpRequest, pk: int) -> HttpResponse:
    manager_or_403(request.user)
    measure = queries.measure_or_404(request.user, pk)
    try:
        services.measure_set_status(
            by=Actor.from_request(request), measure=measure, version=_int(request.POST.get("version")),
            status=request.POST.get("status", ""),
        )  # fmt: skip
    except UserError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("状态已改为“%(s)s”。") % {"s": measure.get_status_display()})
    return redirect(measure)


def _int(text) -> int:
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else 0


@require_POST
def rule_add(request: HttpRequest, pk: int) -> HttpResponse:
    manager_or_403(request.user)
    measure = queries.measure_or_404(request.user, pk)
    form = RuleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请完整填写适用条件。"))
        return redirect(measure)
    try:
        services.rule_add(
            by=Actor.from_request(request), measure=measure, field=form.cleaned_data["field"],
            operator=form.cleaned_data["operator"], value=form.value(),
        )  # fmt: skip
    except UserError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已增加适用条件。"))
    return redirect(measure)


@require_POST
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    manager_or_403(request.user)
    rule = get_object_or_404(Rule.objects.select_related("measure"), pk=pk)
    measure = rule.measure
    services.rule_delete(by=Actor.from_request(request), rule=rule)
    messages.success(request, _("已删除适用条件。"))
    return redirect(measure)


@require_POST
def file_add(request: HttpRequest, pk: int) -> HttpResponse:
    manager_or_403(request.user)
    measure = queries.measure_or_404(request.user, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择要上传的文件。"))
        return redirect(measure)
    try:
        services.file_add(by=Actor.from_request(request), measure=measure, upload=upload)
    except UserError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("文件已上传。"))
    return redirect(measure)


@require_GET
def file_download(request: HttpRequest, pk: int) -> HttpResponse:
    reader_or_404(request.user)
    row = get_object_or_404(MeasureFile.objects.select_related("measure"), pk=pk)
    queries.measure_or_404(request.user, row.measure_id)  # a draft's files are the office's only
    return attachments.download(row)


@require_GET
def measure_orgs(request: HttpRequest, pk: int) -> HttpResponse:
    """The office's view of who a measure is for: eligible (used or not) and 无数据, with the reasons."""
    from orgs.scoping import office_or_404

    office_or_404(request.user)
    measure = queries.measure_or_404(request.user, pk)
    found = eligibility.measure_orgs(measure)
    return render(request, "policies/measure_orgs.html", {
        "measure": measure, "found": found, "rules": list(measure.rules.all()),
        "figures_year": eligibility.figures_year(), "fields": FIELDS,
    })  # fmt: skip
