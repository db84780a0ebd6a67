"""Indicator definitions and department statistics: read by everyone who sees business data, kept
by the reform office (METADATA_MANAGE). Writes go through analytics.services (audited, versioned)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from analytics import engine, services
from analytics.choices import IndicatorTask
from analytics.forms import ExpressionCheckForm, ExternalFigureForm, IndicatorForm, TargetForm
from analytics.models import ExternalFigure, Indicator, IndicatorTarget
from analytics.views.common import describe_refs as _described
from analytics.views.common import ensure_viewer
from core.actor import Actor
from core.errors import ConflictError, UserError
from orgs.choices import Action
from orgs.scoping import has_action, visible_or_province_wide
from reporting.periods import period_from_code

FORM_FIELDS = (
    "name",
    "short_name",
    "task",
    "numerator",
    "denominator",
    "factor",
    "decimals",
    "unit",
    "migrant_scope",
    "scope",
    "description",
    "higher_is_better",
    "is_key",
    "is_active",
    "sort_order",
)


def _may_manage(request: HttpRequest) -> bool:
    return has_action(request.user, Action.METADATA_MANAGE)


def _ensure_manager(request: HttpRequest) -> None:
    if not _may_manage(request):
        raise PermissionDenied(_("只有产改办可以维护指标定义和部门统计数据。"))


def _error_to_form(form, error: UserError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@require_GET
def indicator_list(request: HttpRequest) -> HttpResponse:
    """The indicators, grouped by the reform's tasks, with their scope (口径)."""
    ensure_viewer(request)
    indicators = Indicator.objects.all() if _may_manage(request) else Indicator.objects.filter(is_active=True)
    groups = []
    for task, label in IndicatorTask.choices:
        items = [i for i in indicators if i.task == task]
        if items:
            groups.append({"label": label, "items": items})
    return render(
        request,
        "analytics/indicator_list.html",
        {"groups": groups, "may_manage": _may_manage(request), "title": _("指标定义")},
    )


@require_GET
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    ensure_viewer(request)
    indicator = get_object_or_404(Indicator, code=code)
    if not indicator.is_active and not _may_manage(request):
        raise Http404
    # The province's targets and those of organisations in the viewer's scope, never another branch's.
    targets = list(
        visible_or_province_wide(IndicatorTarget.objects.filter(indicator=indicator), request.user)
        .select_related("org")
        .order_by("year", "org__path")
    )
    for target in targets:  # written as the indicator's figures are: 2,935人次, 25.0%
        target.display = engine.format_value(target.value, indicator.unit, indicator.decimals)
    answer = None
    if indicator.is_active:
        try:
            answer = engine.answer(
                engine.Scope.for_user(request.user),
                engine.Query(measure=f"indicator:{code}", periods=(engine.current_year(),)),
            )
        except (UserError, engine.OutOfScope):
            answer = None
    latest = next((f for f in answer.totals if not f.option), None) if answer else None
    return render(
        request,
        "analytics/indicator_detail.html",
        {
            "indicator": indicator,
            "targets": targets,
            "may_manage": _may_manage(request),
            "numerator_refs": _described(indicator.numerator),
            "denominator_refs": _described(indicator.denominator),
            "target_form": TargetForm(user=request.user),
            "latest": latest,
            "answer": answer,
            "title": indicator.name,
            "pivot_url": reverse("analytics:pivot") + f"?measure=indicator:{code}",
            "map_url": reverse("analytics:map") + f"?measure=indicator:{code}",
        },
    )


@require_http_methods(["GET", "POST"])
def indicator_create(request: HttpRequest) -> HttpResponse:
    _ensure_manager(request)
    form = IndicatorForm(
        request.POST or None,
        initial={"factor": 100, "decimals": 2, "unit": "%", "is_active": True, "higher_is_better": True},
    )
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in FORM_FIELDS}
        try:
            indicator = services.indicator_create(
                by=Actor.from_request(request), code=form.cleaned_data["code"], **data
            )
        except UserError as error:
            _error_to_form(form, error)
        else:
            messages.success(request, _("已新增指标“%(name)s”。") % {"name": indicator.name})
            return redirect("analytics:indicator_detail", code=indicator.code)
    return render(request, "analytics/indicator_form.html", {"form": form, "indicator": None, "title": _("新增指标")})


@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, code: str) -> HttpResponse:
    _ensure_manager(request)
    indicator = get_object_or_404(Indicator, code=code)
    initial = {k: getattr(indicator, k) for k in FORM_FIELDS}
    initial.update(
        code=indicator.code, version=indicator.version, factor=f"{indicator.factor:f}".rstrip("0").rstrip(".")
    )
    data = None
    if request.method == "POST":
        data = request.POST.copy()
        data["code"] = indicator.code  # the code never changes
    form = IndicatorForm(data, initial=initial)
    form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        changes = {k: form.cleaned_data[k] for k in FORM_FIELDS}
        try:
            services.indicator_update(
                by=Actor.from_request(request),
                indicator=indicator,
                version=form.cleaned_data.get("version") or 0,
                **changes,
            )
        except ConflictError as error:
            form.add_error(None, error.message)
        except UserError as error:
            _error_to_form(form, error)
        else:
            messages.success(request, _("已保存指标“%(name)s”。") % {"name": indicator.name})
            return redirect("analytics:indicator_detail", code=indicator.code)
    return render(
        request, "analytics/indicator_form.html", {"form": form, "indicator": indicator, "title": indicator.name}
    )


@require_POST
def expression_check(request: HttpRequest) -> HttpResponse:
    """The checker beside the expression fields (htmx): each expression parsed and its references named."""
    _ensure_manager(request)
    form = ExpressionCheckForm(request.POST)
    results = []
    if form.is_valid():
        for name, label, required in (("numerator", _("分子"), True), ("denominator", _("分母"), False)):
            text = form.cleaned_data.get(name) or ""
            try:
                services.expression_check(text=text, field=name, required=required)
            except UserError as error:
                results.append({"label": label, "ok": False, "message": error.message})
            else:
                refs = _described(text)
                message = "；".join(
                    f"{r['ref']} = {r['name']}{('（' + r['options'] + '）') if r['options'] else ''}" for r in refs
                )
                results.append({"label": label, "ok": True, "message": message or _("（空：总量指标）")})
    return render(request, "analytics/indicator_form.html#check", {"results": results})


@require_POST
def target_set(request: HttpRequest, code: str) -> HttpResponse:
    _ensure_manager(request)
    indicator = get_object_or_404(Indicator, code=code)
    form = TargetForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            target = services.indicator_target_set(
                by=Actor.from_request(request), indicator=indicator, **form.cleaned_data
            )
        except UserError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("已设定%(org)s%(year)s年目标。")
                % {"org": target.org.name if target.org_id else _("全省"), "year": target.year},
            )
    else:
        messages.error(
            request,
            "；".join(
                f"{form.fields[k].label}：{e}" for k, errs in form.errors.items() if k in form.fields for e in errs
            )
            or _("目标无效。"),
        )
    return redirect("analytics:indicator_detail", code=indicator.code)


# --- Department statistics -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def external_list(request: HttpRequest) -> HttpResponse:
    """Figures from outside the reporting system, each with its own scope and source; new ones added here."""
    _ensure_manager(request)
    form = ExternalFigureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        from orgs.models import Region

        region = Region.objects.filter(code=data.pop("region")).first() if data.get("region") else None
        data.pop("region", None)
        try:
            figure = services.external_figure_create(
                by=Actor.from_request(request), period=period_from_code(data.pop("period")), region=region, **data
            )
        except UserError as error:
            _error_to_form(form, error)
        else:
            messages.success(request, _("已录入“%(name)s”。") % {"name": figure.name})
            return redirect("analytics:external_list")
    figures = list(ExternalFigure.objects.select_related("period", "region").order_by("code", "period__start"))
    for figure in figures:
        figure.display = engine.format_value(figure.value, figure.unit, 2)
    return render(
        request, "analytics/external_list.html", {"form": form, "figures": figures, "title": _("部门统计数据")}
    )
