"""The results pages: record or correct a studio's result, the province-wide list with totals and its export."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core import audit
from core.actor import Actor
from core.errors import UserError
from core.exports import export_response
from core.rendering import temporary_xlsx
from orgs.choices import Action
from orgs.scoping import ensure_action, get_visible_or_404, has_action, within
from studios import exports, queries, services
from studios import forms as f
from studios.models import Studio, StudioResult
from studios.views.common import put_error, query_string

PER_PAGE = 50


def _filtered(request: HttpRequest):
    form = f.ResultFilterForm(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_valid() else {}
    chosen = {k: v for k, v in data.items() if v}
    results = StudioResult.objects.visible_to(request.user)
    if data.get("kind"):
        results = results.filter(kind=data["kind"])
    if data.get("year"):
        results = results.filter(achieved_on__year=data["year"])
    if data.get("org") is not None:
        results = results.filter(within("studio__org__path", (data["org"].path,), results.db))
    return form, chosen, results


@require_GET
def result_list(request: HttpRequest) -> HttpResponse:
    """工作室成果: every result the user sees, with the totals (count by kind, value created)."""
    form, chosen, results = _filtered(request)
    listed = results.select_related("studio__org").prefetch_related("credited").order_by("-achieved_on", "-pk")
    page = Paginator(listed, PER_PAGE).get_page(request.GET.get("page"))
    extra = query_string(chosen)
    return render(
        request,
        "studios/result_list.html",
        {
            "form": form,
            "page_obj": page,
            "page_extra": f"&{extra}" if extra else "",
            "export_query": extra,
            "totals": queries.results_totals(results),
            "may_export": has_action(request.user, Action.EXPORT),
        },
    )


@require_GET
def result_xlsx(request: HttpRequest) -> HttpResponse:
    """The filtered results as .xlsx; audited."""
    ensure_action(request.user, Action.EXPORT)
    _form, chosen, results = _filtered(request)
    rows = list(results.select_related("studio__org").prefetch_related("credited").order_by("-achieved_on")[:5000])
    note = _("范围：本人可查看的工作室成果；筛选：%(filters)s") % {
        "filters": "，".join(f"{k}={getattr(v, 'name', v)}" for k, v in chosen.items()) or _("无")
    }
    fileobj, count = temporary_xlsx(lambda out: exports.results_xlsx(rows, note=note, fileobj=out))
    audit.record(
        Actor.from_request(request), "studios.result.export", after=None,
        detail={"format": "xlsx", "filters": {k: str(getattr(v, "code", v)) for k, v in chosen.items()},
                "rows": count},
    )  # fmt: skip
    return export_response(
        fileobj, fmt="xlsx", filename_stem=_("创新工作室成果-%(day)s") % {"day": f"{timezone.localdate():%Y%m%d}"}
    )


@require_http_methods(["GET", "POST"])
def result_create(request: HttpRequest, pk: int) -> HttpResponse:
    """登记成果 for a studio the user may edit."""
    studio = get_visible_or_404(Studio.objects.select_related("org"), request.user, Action.EDIT, pk=pk)
    people = queries.people_for(request.user, studio.org)
    form = f.ResultForm(request.POST or None, people=people, initial={"achieved_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        data.pop("version", None)
        try:
            services.result_record(by=Actor.from_request(request), studio=studio, **data)
        except UserError as error:
            put_error(form, error)
        else:
            messages.success(request, _("已登记成果“%(title)s”。") % {"title": data["title"]})
            return redirect(studio)
    return render(request, "studios/result_form.html", {"studio": studio, "form": form})


@require_http_methods(["GET", "POST"])
def result_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """修改成果."""
    result = get_visible_or_404(StudioResult.objects.select_related("studio__org"), request.user, Action.EDIT, pk=pk)
    studio = result.studio
    initial = {
        "version": result.version, "kind": result.kind, "title": result.title, "achieved_on": result.achieved_on,
        "reference": result.reference, "value": result.value, "description": result.description,
        "credited": list(result.credited.values_list("pk", flat=True)),
    }  # fmt: skip
    form = f.ResultForm(
        request.POST or None, people=queries.people_for(request.user, studio.org), initial=initial, editing=True
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.result_update(by=Actor.from_request(request), result=result, **form.cleaned_data)
        except UserError as error:
            put_error(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect(studio)
    return render(request, "studios/result_form.html", {"studio": studio, "result": result, "form": form})
