"""Framework pages: the reform office's editor of the assessment method (考核方案).

Only the office reaches these pages (for everyone else they do not exist: 404), and within it only those
who run the assessment (Action.ASSESS_MANAGE; an office reviewer gets 403).
Every write goes through assessment.services, which checks the right again, refuses frozen frameworks
(used by a round) and writes the audit row. The detail page shows what stops a framework from being
issued (services.framework_problems), how totals are normalised, and each criterion's rule in the words
the score card will use (criterion_words).
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.forms import MultipleChoiceField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessment import facts, scoring, services
from assessment.choices import CriterionKind, Curve, FrameworkStatus, Grade, GradeMethod
from assessment.forms import (
    CriterionForm,
    DimensionForm,
    FrameworkCreateForm,
    FrameworkSettingsForm,
    plain,
)
from assessment.models import Criterion, Dimension, Framework
from assessment.queries import runs_assessment
from assessment.views import criterion_words
from core import deadlines
from core.actor import Actor
from core.errors import ConflictError, UserError
from orgs.forms import VersionedForm
from orgs.scoping import office_or_404


def _office(request: HttpRequest) -> None:
    """The framework pages exist for the reform office only (404 for anyone else); within the office
    only those who run the assessment edit frameworks (403 for the others)."""
    office_or_404(request.user)
    if not runs_assessment(request.user):
        raise PermissionDenied(_("只有产改办管理员可以维护考核方案。"))


def _frozen(request: HttpRequest, framework: Framework) -> bool:
    """Whether the framework is used by a round; if so, say so (the service's own words) and refuse."""
    message = services.framework_frozen_message(framework)
    if message is None:
        return False
    messages.error(request, message)
    return True


def _framework(pk: int) -> Framework:
    return get_object_or_404(Framework, pk=pk)


def _dimension(pk: int) -> Dimension:
    return get_object_or_404(Dimension.objects.select_related("framework"), pk=pk)


def _criterion(pk: int) -> Criterion:
    return get_object_or_404(Criterion.objects.select_related("dimension__framework", "indicator"), pk=pk)


def _crumbs(framework: Framework | None = None) -> list[tuple[str, str]]:
    crumbs = [(_("考核方案"), reverse("assessment:framework_list"))]
    if framework is not None:
        crumbs.append((str(framework), framework.get_absolute_url()))
    return crumbs


def _form_page(request, form, *, title: str, framework: Framework | None, intro: str = "", **extra) -> HttpResponse:
    back = framework.get_absolute_url() if framework else reverse("assessment:framework_list")
    context = {"form": form, "title": title, "crumbs": _crumbs(framework), "cancel": back, "intro": intro, **extra}
    return render(request, "assessment/framework_form.html", context)


# --- Frameworks ----------------------------------------------------------------------------------------------------


@require_GET
def framework_list(request: HttpRequest) -> HttpResponse:
    """Every framework by year and version, with its status and whether a round uses it."""
    _office(request)
    frameworks = (
        Framework.objects.annotate(
            round_count=Count("rounds", distinct=True),
            dimension_count=Count("dimensions", distinct=True),
            criterion_count=Count("dimensions__criteria", distinct=True),
        )
        .select_related("copied_from")
        .order_by("-year", "-number")
    )
    years: dict[int, list[Framework]] = {}
    for framework in frameworks:
        years.setdefault(framework.year, []).append(framework)
    return render(
        request,
        "assessment/framework_list.html",
        {"years": list(years.items()), "title": _("考核方案"), "copy_form": VersionedForm()},
    )


@require_http_methods(["GET", "POST"])
def framework_create(request: HttpRequest) -> HttpResponse:
    """A new framework: empty, a copy of last year's latest version, or a copy of any version."""
    _office(request)
    latest = Framework.objects.order_by("-year", "-number").first()
    year = latest.year + 1 if latest else deadlines.today().year
    last_year = latest is not None and latest.year == year - 1
    initial = {"year": year, "start": FrameworkCreateForm.LAST_YEAR if last_year else FrameworkCreateForm.EMPTY}
    source = request.GET.get("copy", "")
    if source.isdigit():
        copied = Framework.objects.filter(pk=int(source)).first()
        if copied is not None:
            initial = {"year": copied.year, "start": FrameworkCreateForm.VERSION, "copy_from": copied.pk}
    form = FrameworkCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            framework = services.framework_create(
                by=Actor.from_request(request), year=data["year"], name=data["name"], copy_from=data["source"]
            )
        except UserError as error:
            form.add_service_error(error)
        else:
            if data["source"] is not None:
                messages.success(
                    request,
                    _("已新建“%(name)s”，内容复制自“%(source)s”。") % {"name": framework, "source": data["source"]},
                )
            else:
                messages.success(request, _("已新建“%(name)s”，请添加维度和考核指标。") % {"name": framework})
            return redirect(framework)
    return _form_page(request, form, title=_("新建考核方案"), framework=None, radio=("start",))


@require_GET
def framework_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The editor: settings, dimensions and criteria with their rules in words, problems, issuing."""
    _office(request)
    framework = _framework(pk)
    rounds = list(framework.rounds.order_by("-id"))
    frozen = bool(rounds)
    problems = services.framework_problems(framework)
    rows = criterion_words.criterion_rows(framework)
    total = sum((row["dimension"].points for row in rows), Decimal(0))
    thresholds = [
        (Grade(g).label, plain(framework.thresholds[g])) for g in Grade.values if g in (framework.thresholds or {})
    ]
    quotas = [(Grade(g).label, plain(framework.quotas[g])) for g in Grade.values if g in (framework.quotas or {})]
    context = {
        "framework": framework,
        "title": str(framework),
        "rounds": rounds,
        "frozen": frozen,
        "editable": not frozen,
        "problems": problems,
        "rows": rows,
        "dimension_total": total,
        "thresholds": thresholds,
        "quotas": quotas,
        "by_quotas": framework.grade_method == GradeMethod.QUOTAS,
        "pass_line": plain((framework.thresholds or {}).get(Grade.PASS, 0)),
        "normalisation": _(scoring.NORMALISATION_TEXT),
        "issued": framework.status == FrameworkStatus.ISSUED,
        "version_form": VersionedForm(initial={"version": framework.version}),
        "kinds": CriterionKind.choices,
    }
    return render(request, "assessment/framework_detail.html", context)


@require_POST
def framework_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """A new version of the same year, copied from this one (the way to change a frozen framework)."""
    _office(request)
    source = _framework(pk)
    framework = services.framework_create(
        by=Actor.from_request(request), year=source.year, name=source.name, copy_from=source
    )
    messages.success(request, _("已复制为“%(name)s”（草稿），可以修改后发布。") % {"name": framework})
    return redirect(framework)


@require_http_methods(["GET", "POST"])
def framework_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """Name, full points, grading by thresholds or quotas, peer groups."""
    _office(request)
    framework = _framework(pk)
    if _frozen(request, framework):
        return redirect(framework)
    form = FrameworkSettingsForm(request.POST or None, initial=FrameworkSettingsForm.initial_for(framework))
    if request.method == "POST" and form.is_valid():
        try:
            services.framework_update(
                by=Actor.from_request(request),
                framework=framework,
                version=form.cleaned_data["version"],
                **form.service_data(),
            )
        except ConflictError as error:
            form.add_error(None, error.message)
            form.set_version(Framework.objects.get(pk=framework.pk).version)
        except UserError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("已保存方案设置。"))
            return redirect(framework)
    return _form_page(
        request, form, title=_("方案设置"), framework=framework, radio=("grade_method",),
        intro=_("按分数线定等：总分达到分数线即得该等次。按比例定等：总分从高到低，前若干比例为优秀、其次为良好"
                "（与比例末位同分者同等次），其余不低于合格分数线的为合格，否则不合格。一票否决在定等之后封顶。"),
    )  # fmt: skip


@require_POST
def framework_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the framework ready for rounds; refused with the list of problems while anything does not add up."""
    _office(request)
    framework = _framework(pk)
    form = VersionedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("页面已过期，请刷新后重试。"))
        return redirect(framework)
    try:
        services.framework_issue(
            by=Actor.from_request(request), framework=framework, version=form.cleaned_data["version"]
        )
    except UserError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已发布“%(name)s”，可以在此方案上开启考核轮次。") % {"name": framework})
    return redirect(framework)


# --- Dimensions ------------------------------------------------------------------------------------------------------


def _dimension_page(request, form, framework, title) -> HttpResponse:
    return _form_page(request, form, title=title, framework=framework)


@require_http_methods(["GET", "POST"])
def dimension_create(request: HttpRequest, pk: int) -> HttpResponse:
    _office(request)
    framework = _framework(pk)
    if _frozen(request, framework):
        return redirect(framework)
    form = DimensionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        last = framework.dimensions.order_by("-sort_order").values_list("sort_order", flat=True).first() or 0
        try:
            dimension = services.dimension_save(
                by=Actor.from_request(request), framework=framework, sort_order=last + 1, **form.cleaned_data
            )
        except UserError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("已新增维度“%(name)s”。") % {"name": dimension.name})
            return redirect(reverse("assessment:framework_detail", args=[framework.pk]) + f"#dimension-{dimension.pk}")
    return _dimension_page(request, form, framework, _("新增维度"))


@require_http_methods(["GET", "POST"])
def dimension_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _office(request)
    dimension = _dimension(pk)
    framework = dimension.framework
    if _frozen(request, framework):
        return redirect(framework)
    initial = {
        "version": dimension.version,
        "code": dimension.code,
        "name": dimension.name,
        "area": dimension.area,
        "points": plain(dimension.points),
    }
    form = DimensionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.dimension_save(
                by=Actor.from_request(request), framework=framework, dimension=dimension,
                sort_order=dimension.sort_order, **form.cleaned_data,
            )  # fmt: skip
        except UserError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("已保存维度“%(name)s”。") % {"name": dimension.name})
            return redirect(reverse("assessment:framework_detail", args=[framework.pk]) + f"#dimension-{dimension.pk}")
    return _dimension_page(request, form, framework, _("修改维度“%(name)s”") % {"name": dimension.name})


@require_POST
def dimension_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _office(request)
    dimension = _dimension(pk)
    framework = dimension.framework
    count = dimension.criteria.count()
    try:
        services.dimension_delete(by=Actor.from_request(request), dimension=dimension)
    except UserError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("已删除维度“%(name)s”及其 %(n)d 项考核指标。") % {"name": dimension.name, "n": count}
        )
    return redirect(framework)


@require_POST
def dimension_move(request: HttpRequest, pk: int) -> HttpResponse:
    _office(request)
    dimension = _dimension(pk)
    try:
        services.dimension_move(
            by=Actor.from_request(request), dimension=dimension, direction=request.POST.get("direction", "")
        )
    except UserError as error:
        messages.error(request, error.message)
    return redirect(
        reverse("assessment:framework_detail", args=[dimension.framework_id]) + f"#dimension-{dimension.pk}"
    )


# --- Criteria --------------------------------------------------------------------------------------------------


def _initial_from_query(form: CriterionForm, query) -> dict:
    """What the page held when the kind was changed (htmx), as initial values for the re-drawn fields."""
    kind = query.get("kind", "")
    initial = CriterionForm.blank_initial(kind)
    for name, field in form.fields.items():
        if name in query:
            initial[name] = query.getlist(name) if isinstance(field, MultipleChoiceField) else query.get(name)
    return initial


def _criterion_page(request, *, framework: Framework, dimension: Dimension, criterion: Criterion | None, form):
    url = (
        reverse("assessment:criterion_edit", args=[criterion.pk])
        if criterion
        else reverse("assessment:criterion_create", args=[dimension.pk])
    )
    form.fields["kind"].widget.attrs.update(
        {"hx-get": url, "hx-target": "#kind-fields", "hx-swap": "outerHTML", "hx-include": "[data-keep]"}
    )
    for name in ("points", "indicator"):
        form.fields[name].widget.attrs["data-keep"] = "1"
    if request.htmx and request.method == "GET" and "kind" in request.GET:
        return render(request, "assessment/framework_criterion.html#kind_fields", {"form": form})
    title = _("修改考核指标“%(name)s”") % {"name": criterion.name} if criterion else _("新增考核指标")
    context = {
        "form": form,
        "framework": framework,
        "dimension": dimension,
        "criterion": criterion,
        "title": title,
        "crumbs": _crumbs(framework),
        "cancel": reverse("assessment:framework_detail", args=[framework.pk]) + f"#dimension-{dimension.pk}",
        "facts": facts.FACTS.values(),
        "curve_bands": Curve.BANDS,
    }
    return render(request, "assessment/framework_criterion.html", context)


def _save_criterion(request, form, *, dimension: Dimension, criterion: Criterion | None):
    data = form.service_data()
    target = form.cleaned_data["dimension"]
    if criterion is None or target.pk != criterion.dimension_id:
        last = target.criteria.order_by("-sort_order").values_list("sort_order", flat=True).first() or 0
        data["sort_order"] = last + 1
    return services.criterion_save(
        by=Actor.from_request(request), dimension=target, criterion=criterion,
        version=form.cleaned_data.get("version"), **data,
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def criterion_create(request: HttpRequest, pk: int) -> HttpResponse:
    _office(request)
    dimension = _dimension(pk)
    framework = dimension.framework
    if _frozen(request, framework):
        return redirect(framework)
    if request.method == "POST":
        form = CriterionForm(request.POST, framework=framework)
    else:
        kind = request.GET.get("kind", "")
        kind = kind if kind in CriterionKind.values else CriterionKind.INDICATOR_TARGET
        if request.htmx:
            initial = _initial_from_query(CriterionForm(framework=framework), request.GET)
        else:
            initial = CriterionForm.blank_initial(kind)
        initial.setdefault("dimension", dimension.pk)
        form = CriterionForm(initial=initial, framework=framework)
    if request.method == "POST" and form.is_valid():
        try:
            criterion = _save_criterion(request, form, dimension=dimension, criterion=None)
        except UserError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("已新增考核指标“%(name)s”。") % {"name": criterion.name})
            return redirect(reverse("assessment:framework_detail", args=[framework.pk]) + f"#criterion-{criterion.pk}")
    return _criterion_page(request, framework=framework, dimension=dimension, criterion=None, form=form)


@require_http_methods(["GET", "POST"])
def criterion_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _office(request)
    criterion = _criterion(pk)
    dimension = criterion.dimension
    framework = dimension.framework
    if _frozen(request, framework):
        return redirect(framework)
    initial = CriterionForm.initial_for(criterion)
    if request.method == "POST":
        form = CriterionForm(request.POST, initial=initial, framework=framework, current=criterion)
    elif request.htmx and "kind" in request.GET:
        blank = CriterionForm(framework=framework, current=criterion)
        form = CriterionForm(initial=_initial_from_query(blank, request.GET), framework=framework, current=criterion)
    else:
        form = CriterionForm(initial=initial, framework=framework, current=criterion)
    if request.method == "POST" and form.is_valid():
        try:
            _save_criterion(request, form, dimension=dimension, criterion=criterion)
        except UserError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("已保存考核指标“%(name)s”。") % {"name": criterion.name})
            return redirect(reverse("assessment:framework_detail", args=[framework.pk]) + f"#criterion-{criterion.pk}")
    return _criterion_page(request, framework=framework, dimension=dimension, criterion=criterion, form=form)


@require_POST
def criterion_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _office(request)
    criterion = _criterion(pk)
    framework = criterion.dimension.framework
    try:
        services.criterion_delete(by=Actor.from_request(request), criterion=criterion)
    except UserError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已删除考核指标“%(name)s”。") % {"name": criterion.name})
    return redirect(
        reverse("assessment:framework_detail", args=[framework.pk]) + f"#dimension-{criterion.dimension_id}"
    )


@require_POST
def criterion_move(request: HttpRequest, pk: int) -> HttpResponse:
    _office(request)
    criterion = _criterion(pk)
    try:
        services.criterion_move(
            by=Actor.from_request(request), criterion=criterion, direction=request.POST.get("direction", "")
        )
    except UserError as error:
        messages.error(request, error.message)
    framework_id = criterion.dimension.framework_id
    return redirect(reverse("assessment:framework_detail", args=[framework_id]) + f"#criterion-{criterion.pk}")
