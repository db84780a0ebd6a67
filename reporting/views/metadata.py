"""Metadata pages of the reform office: data elements, categories and combos, data sets, their
versions (sections, elements, totals) and validation rules.

Metadata belongs to no organisation: the office's administrators (Action.METADATA_MANAGE) change
it, the office's reviewers read it, everyone else gets 403. Every write goes through
reporting.services, which checks the right again and writes the audit row. A published version is
frozen: its pages are read-only, and reports keep the version they were filled against.
"""

from __future__ import annotations

import difflib
import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.actor import Actor
from core.errors import ConflictError, UserError
from orgs.choices import Action
from orgs.models import Organisation
from orgs.roles import OFFICE_ROLES
from orgs.scoping import has_action, roles_of
from reporting import forms as f
from reporting import queries, services
from reporting.expressions import ExpressionError, Ref, parse, references
from reporting.filters import DataElementFilter, style_form
from reporting.models import (
    Category,
    CategoryCombo,
    CategoryOption,
    DataElement,
    DataSet,
    DataSetVersion,
    Report,
    Section,
    SectionElement,
    TotalRelation,
    ValidationRule,
)
from reporting.services.structure import next_sort_order
from reporting.validation import evaluate_rule, expression_problems

ELEMENTS_PER_PAGE = 50
TEST_REPORTS_LIMIT = 200


# --- Access ---------------------------------------------------------------------------------------------


def may_read_metadata(user) -> bool:
    """Office staff read metadata; its administrators also change it."""
    return has_action(user, Action.METADATA_MANAGE) or bool(roles_of(user) & OFFICE_ROLES)


def _reader(request: HttpRequest) -> bool:
    """Whether the user may change metadata; PermissionDenied (403) unless they may at least read it."""
    if has_action(request.user, Action.METADATA_MANAGE):
        return True
    if roles_of(request.user) & OFFICE_ROLES:
        return False
    raise PermissionDenied(_("只有产改办可以查看报表定义。"))


def _manager(request: HttpRequest) -> None:
    if not _reader(request):
        raise PermissionDenied(_("只有产改办管理员可以修改报表定义。"))


def _read_only(form) -> None:
    for field in form.fields.values():
        field.disabled = True


def _form_page(request, form, *, title: str, crumbs: list[tuple[str, str]], cancel: str, **extra) -> HttpResponse:
    context = {"form": form, "title": title, "crumbs": crumbs, "cancel": cancel, "may_manage": True, **extra}
    return render(request, "reporting/metadata_form.html", context)


def _crumbs(*items: tuple[str, str]) -> list[tuple[str, str]]:
    return [(_("报表定义"), reverse("reporting:metadata_home")), *items]


def _changed_fields(form, obj, names, stale_values: dict) -> list[tuple[str, str, str]]:
    """Fields someone else changed: (label, what the user sent, what is stored now)."""
    rows = []
    for name in names:
        current = getattr(obj, name)
        mine = stale_values.get(name)
        if name in form.fields and str(mine if mine is not None else "") != str(current if current is not None else ""):
            rows.append((str(form.fields[name].label), _shown(mine), _shown(current)))
    return rows


def _shown(value) -> str:
    if value in (None, ""):
        return _("（空）")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        return "、".join(map(str, value)) or _("（空）")
    return str(value)


# --- Overview --------------------------------------------------------------------------------------------


@require_GET
def metadata_home(request: HttpRequest) -> HttpResponse:
    """What the office defines, with counts, and the data sets with their current and draft versions."""
    may_manage = _reader(request)
    datasets = list(
        DataSet.objects.order_by("code").prefetch_related(
            Prefetch("versions", queryset=DataSetVersion.objects.order_by("-number"), to_attr="ordered_versions")
        )
    )
    for dataset in datasets:
        dataset.current = next((v for v in dataset.ordered_versions if v.is_published), None)
        dataset.draft = next((v for v in dataset.ordered_versions if not v.is_published), None)
    context = {
        "may_manage": may_manage,
        "datasets": datasets,
        "counts": {
            "elements": DataElement.objects.count(),
            "categories": Category.objects.count(),
            "combos": CategoryCombo.objects.filter(is_default=False).count(),
        },
    }
    return render(request, "reporting/metadata_home.html", context)


# --- Data elements ---------------------------------------------------------------------------------------------


@require_GET
def element_list(request: HttpRequest) -> HttpResponse:
    """Data elements with search and filters, 50 a page."""
    may_manage = _reader(request)
    filterset = DataElementFilter(request.GET, queryset=DataElement.objects.select_related("category_combo"))
    style_form(filterset.form)
    page = Paginator(filterset.qs.order_by("code"), ELEMENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "may_manage": may_manage,
        "filter": filterset,
        "page_obj": page,
        "page_extra": f"&{query.urlencode()}" if query else "",
    }
    template = "reporting/metadata_element_list.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#results"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def element_create(request: HttpRequest) -> HttpResponse:
    _manager(request)
    form = f.DataElementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            element = services.data_element_create(by=Actor.from_request(request), **form.values())
        except UserError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("已新增数据元“%(name)s”。") % {"name": element.name})
            return redirect("reporting:element_list")
    return _form_page(
        request,
        form,
        title=_("新增数据元"),
        crumbs=_crumbs((_("数据元"), reverse("reporting:element_list"))),
        cancel=reverse("reporting:element_list"),
    )


def _element_frozen(element: DataElement) -> bool:
    return SectionElement.objects.filter(element=element, dataset_version__published_at__isnull=False).exists()


@require_http_methods(["GET", "POST"])
def element_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """An element's page: its fields (editable by the administrators, with a version check) and where it is used."""
    may_manage = _reader(request)
    element = get_object_or_404(DataElement.objects.select_related("category_combo"), pk=pk)
    frozen = _element_frozen(element)
    changes = None
    if request.method == "POST":
        _manager(request)
        form = f.DataElementEditForm(request.POST, frozen=frozen, initial=f.DataElementEditForm.initial_for(element))
        if form.is_valid():
            try:
                services.data_element_update(
                    by=Actor.from_request(request),
                    element=element,
                    version=form.cleaned_data["version"],
                    **form.changes(element),
                )
            except ConflictError as error:
                form.add_error(None, error.message)
                element.refresh_from_db()
                names = [n for n in form.fields if n != "version"]
                changes = _changed_fields(form, element, names, form.cleaned_data)
                form.set_version(element.version)
            except UserError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("已保存数据元“%(name)s”的修改。") % {"name": element.name})
                return redirect("reporting:element_list")
    else:
        form = f.DataElementEditForm(initial=f.DataElementEditForm.initial_for(element), frozen=frozen)
    if not may_manage:
        _read_only(form)
    used_in = (
        SectionElement.objects.filter(element=element)
        .select_related("dataset_version__dataset", "section")
        .order_by("dataset_version__dataset__code", "-dataset_version__number")
    )
    return render(
        request,
        "reporting/metadata_form.html",
        {
            "form": form,
            "title": _("数据元：%(code)s %(name)s") % {"code": element.code, "name": element.name},
            "crumbs": _crumbs((_("数据元"), reverse("reporting:element_list"))),
            "cancel": reverse("reporting:element_list"),
            "may_manage": may_manage,
            "changes": changes,
            "used_in": list(used_in),
            "element": element,
        },
    )


# --- Categories and combos --------------------------------------------------------------------------------------


@require_GET
def category_list(request: HttpRequest) -> HttpResponse:
    """Categories with their options, and the combos built from them with their cells."""
    may_manage = _reader(request)
    categories = Category.objects.order_by("code").prefetch_related(
        Prefetch("options", queryset=CategoryOption.objects.order_by("sort_order", "id"))
    )
    combos = (
        CategoryCombo.objects.order_by("-is_default", "code")
        .prefetch_related("category_links__category", "option_combos")
        .annotate(element_count=Count("elements", distinct=True))
    )
    context = {"may_manage": may_manage, "categories": categories, "combos": combos}
    return render(request, "reporting/metadata_categories.html", context)


@require_http_methods(["GET", "POST"])
def category_create(request: HttpRequest) -> HttpResponse:
    _manager(request)
    form = f.CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            category = services.category_create(by=Actor.from_request(request), **form.cleaned_data)
        except UserError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("已新增分类“%(name)s”。") % {"name": category.name})
            return redirect("reporting:category_list")
    return _form_page(
        request,
        form,
        title=_("新增分类"),
        crumbs=_crumbs((_("分类与分类组合"), reverse("reporting:category_list"))),
        cancel=reverse("reporting:category_list"),
    )


@require_http_methods(["GET", "POST"])
def category_option_add(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    category = get_object_or_404(Category, pk=pk)
    form = f.CategoryOptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.category_option_add(by=Actor.from_request(request), category=category, **form.cleaned_data)
        except UserError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("已为分类“%(category)s”新增选项“%(name)s”，使用该分类的分类组合已相应增加单元格。")
                % {"category": category.name, "name": form.cleaned_data["name"]},
            )
            return redirect("reporting:category_list")
    return _form_page(
        request,
        form,
        title=_("为分类“%(name)s”新增选项") % {"name": category.name},
        crumbs=_crumbs((_("分类与分类组合"), reverse("reporting:category_list"))),
        cancel=reverse("reporting:category_list"),
    )


@require_http_methods(["GET", "POST"])
def combo_create(request: HttpRequest) -> HttpResponse:
    _manager(request)
    form = f.CategoryComboForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            combo = services.category_combo_create(
                by=Actor.from_request(request), code=data["code"], name=data["name"], categories=data["categories"]
            )
        except UserError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("已新增分类组合“%(name)s”。") % {"name": combo.name})
            return redirect("reporting:category_list")
    return _form_page(
        request,
        form,
        title=_("新增分类组合"),
        crumbs=_crumbs((_("分类与分类组合"), reverse("reporting:category_list"))),
        cancel=reverse("reporting:category_list"),
    )


# --- Data sets -------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def dataset_create(request: HttpRequest) -> HttpResponse:
    _manager(request)
    form = f.DataSetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            dataset = services.dataset_create(by=Actor.from_request(request), **form.values())
        except UserError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request, _("已新增报表“%(name)s”，并创建了草稿版本 v1，请添加分区和数据元。") % {"name": dataset.name}
            )
            return redirect("reporting:dataset_detail", pk=dataset.pk)
    return _form_page(request, form, title=_("新增报表"), crumbs=_crumbs(), cancel=reverse("reporting:metadata_home"))


def _dataset_context(request, dataset: DataSet, may_manage: bool, form, changes=None) -> dict:
    versions = list(dataset.versions.order_by("-number").annotate(report_count=Count("reports")))
    return {
        "dataset": dataset,
        "form": form,
        "changes": changes,
        "may_manage": may_manage,
        "assignments": list(dataset.assignments.select_related("org").order_by("org__path")),
        "assign_form": f.DataSetAssignForm(),
        "draft_form": f.DraftForm(),
        "versions": versions,
        "has_draft": any(not v.is_published for v in versions),
    }


@require_http_methods(["GET", "POST"])
def dataset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A data set: its settings (who reports, deadline rule; not versioned), reporting scope and versions."""
    may_manage = _reader(request)
    dataset = get_object_or_404(DataSet, pk=pk)
    changes = None
    if request.method == "POST":
        _manager(request)
        form = f.DataSetEditForm(request.POST, initial=f.DataSetEditForm.initial_for(dataset))
        if form.is_valid():
            try:
                services.dataset_update(
                    by=Actor.from_request(request),
                    dataset=dataset,
                    version=form.cleaned_data["version"],
                    **form.changes(dataset),
                )
            except ConflictError as error:
                form.add_error(None, error.message)
                dataset.refresh_from_db()
                names = [n for n in form.fields if n != "version"]
                changes = _changed_fields(form, dataset, names, form.cleaned_data)
                form.set_version(dataset.version)
            except UserError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("已保存报表“%(name)s”的设置。") % {"name": dataset.name})
                return redirect("reporting:dataset_detail", pk=dataset.pk)
    else:
        form = f.DataSetEditForm(initial=f.DataSetEditForm.initial_for(dataset))
    if not may_manage:
        _read_only(form)
    return render(
        request, "reporting/metadata_dataset_detail.html", _dataset_context(request, dataset, may_manage, form, changes)
    )


def _org_by_code(request: HttpRequest, code: str) -> Organisation | None:
    return Organisation.objects.visible_to(request.user, Action.ORG_VIEW).filter(code=code).first()


@require_POST
def dataset_assign(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    dataset = get_object_or_404(DataSet, pk=pk)
    form = f.DataSetAssignForm(request.POST)
    if form.is_valid():
        org = _org_by_code(request, form.cleaned_data["org"])
        if org is None:
            messages.error(
                request, _("未找到代码为“%(code)s”的机构，或您无权访问。") % {"code": form.cleaned_data["org"]}
            )
        else:
            try:
                services.dataset_assign(
                    by=Actor.from_request(request),
                    dataset=dataset,
                    org=org,
                    include_descendants=form.cleaned_data["include_descendants"],
                )
            except UserError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("已将“%(org)s”加入填报范围。") % {"org": org.name})
    else:
        messages.error(request, _("请填写机构代码。"))
    return redirect("reporting:dataset_detail", pk=dataset.pk)


@require_POST
def dataset_unassign(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    dataset = get_object_or_404(DataSet, pk=pk)
    org = _org_by_code(request, request.POST.get("org", "").strip())
    if org is None:
        messages.error(request, _("未找到该机构，或您无权访问。"))
    else:
        try:
            services.dataset_unassign(by=Actor.from_request(request), dataset=dataset, org=org)
        except UserError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已将“%(org)s”移出填报范围。") % {"org": org.name})
    return redirect("reporting:dataset_detail", pk=dataset.pk)


@require_POST
def version_create_draft(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    dataset = get_object_or_404(DataSet, pk=pk)
    form = f.DraftForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    had_draft = dataset.draft_version() is not None
    draft = services.dataset_version_create_draft(by=Actor.from_request(request), dataset=dataset, note=note)
    if had_draft:
        messages.info(request, _("已有草稿版本 v%(n)d，请在其中修改。") % {"n": draft.number})
    else:
        messages.success(request, _("已创建草稿版本 v%(n)d（复制自最新版本）。") % {"n": draft.number})
    return redirect("reporting:version_detail", pk=draft.pk)


# --- Versions: sections, elements, totals ----------------------------------------------------------------------


def _version(pk: int) -> DataSetVersion:
    return get_object_or_404(DataSetVersion.objects.select_related("dataset", "created_by", "published_by"), pk=pk)


def _draft_or_message(request, version: DataSetVersion) -> bool:
    if version.is_published:
        messages.error(request, _("报表版本 v%(n)d 已发布，不能修改；请先创建新的草稿版本。") % {"n": version.number})
        return False
    return True


@require_GET
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A version's form: sections and their elements, total relations, rule counts; editable while a draft."""
    may_manage = _reader(request)
    version = _version(pk)
    layout = queries.version_layout(version)
    cells_per_item: dict[int, int] = {}
    for cell in layout.cells.values():
        cells_per_item[cell.section_element.pk] = cells_per_item.get(cell.section_element.pk, 0) + 1
    sections = []
    for section in layout.sections:
        items = [se for se in layout.section_elements if se.section_id == section.pk]
        for item in items:
            item.cell_count = cells_per_item.get(item.pk, 0)
        sections.append((section, items))
    rules = version.rules.aggregate(
        total=Count("id"),
        generated=Count("id", filter=Q(is_generated=True)),
        active=Count("id", filter=Q(is_active=True)),
    )
    context = {
        "version": version,
        "dataset": version.dataset,
        "may_manage": may_manage,
        "editable": may_manage and not version.is_published,
        "sections": sections,
        "cell_total": len(layout.cells),
        "totals": list(version.total_relations.select_related("total_element", "parts_element")),
        "rules": rules,
        "report_count": version.reports.count(),
        "section_form": f.SectionForm(),
    }
    return render(request, "reporting/metadata_version_detail.html", context)


@require_POST
def version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    version = _version(pk)
    try:
        services.dataset_version_publish(by=Actor.from_request(request), dataset_version=version)
    except UserError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("已发布 v%(n)d：此后新开的报表按此版本填报，已有报表仍按其填报时的版本。") % {"n": version.number},
        )
    return redirect("reporting:version_detail", pk=version.pk)


@require_POST
def section_create(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    version = _version(pk)
    form = f.SectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(f"{form.fields[k].label}：{v[0]}" for k, v in form.errors.items()))
    elif _draft_or_message(request, version):
        order = (version.sections.order_by("-sort_order").values_list("sort_order", flat=True).first() or 0) + 1
        try:
            section = services.section_create(
                by=Actor.from_request(request), dataset_version=version, sort_order=order, **form.cleaned_data
            )
        except UserError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已新增分区“%(name)s”。") % {"name": section.name})
    return redirect("reporting:version_detail", pk=version.pk)


def _section(pk: int) -> Section:
    return get_object_or_404(Section.objects.select_related("dataset_version__dataset"), pk=pk)


def _version_crumbs(version: DataSetVersion) -> list[tuple[str, str]]:
    return _crumbs(
        (version.dataset.name, reverse("reporting:dataset_detail", args=[version.dataset_id])),
        (f"v{version.number}", reverse("reporting:version_detail", args=[version.pk])),
    )


@require_http_methods(["GET", "POST"])
def section_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    section = _section(pk)
    version = section.dataset_version
    back = reverse("reporting:version_detail", args=[version.pk])
    form = f.SectionEditForm(request.POST or None, initial={"name": section.name, "description": section.description})
    if request.method == "POST" and form.is_valid():
        try:
            services.section_update(by=Actor.from_request(request), section=section, **form.cleaned_data)
        except UserError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("已保存分区“%(name)s”。") % {"name": form.cleaned_data["name"]})
            return redirect(back)
    return _form_page(
        request,
        form,
        title=_("编辑分区“%(name)s”") % {"name": section.name},
        crumbs=_version_crumbs(version),
        cancel=back,
    )


@require_POST
def section_move(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    section = _section(pk)
    try:
        services.section_move(
            by=Actor.from_request(request), section=section, direction=request.POST.get("direction", "")
        )
    except UserError as error:
        messages.error(request, error.message)
    return redirect("reporting:version_detail", pk=section.dataset_version_id)


@require_POST
def section_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    section = _section(pk)
    try:
        services.section_delete(by=Actor.from_request(request), section=section)
    except UserError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已删除分区“%(name)s”。") % {"name": section.name})
    return redirect("reporting:version_detail", pk=section.dataset_version_id)


@require_http_methods(["GET", "POST"])
def section_element_add(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    section = _section(pk)
    version = section.dataset_version
    back = reverse("reporting:version_detail", args=[version.pk])
    form = f.SectionElementAddForm(request.POST or None, version=version)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.section_element_add(
                by=Actor.from_request(request),
                section=section,
                sort_order=next_sort_order(section),
                **form.cleaned_data,
            )
        except UserError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("已在分区“%(section)s”中加入“%(name)s”。") % {"section": section.name, "name": item.element.name},
            )
            return redirect(back)
    return _form_page(
        request,
        form,
        title=_("在分区“%(name)s”中加入数据元") % {"name": section.name},
        crumbs=_version_crumbs(version),
        cancel=back,
    )


def _item(pk: int) -> SectionElement:
    return get_object_or_404(
        SectionElement.objects.select_related("dataset_version__dataset", "element", "section"), pk=pk
    )


@require_http_methods(["GET", "POST"])
def section_element_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    item = _item(pk)
    version = item.dataset_version
    back = reverse("reporting:version_detail", args=[version.pk])
    form = f.SectionElementEditForm(request.POST or None, initial=f.SectionElementEditForm.initial_for(item))
    if request.method == "POST" and form.is_valid():
        try:
            services.section_element_update(by=Actor.from_request(request), section_element=item, **form.cleaned_data)
        except UserError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("已保存“%(name)s”的填报要求。") % {"name": item.element.name})
            return redirect(back)
    return _form_page(
        request,
        form,
        title=_("“%(name)s”的填报要求") % {"name": item.element.name},
        crumbs=_version_crumbs(version),
        cancel=back,
    )


@require_POST
def section_element_move(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    item = _item(pk)
    try:
        services.section_element_move(
            by=Actor.from_request(request), section_element=item, direction=request.POST.get("direction", "")
        )
    except UserError as error:
        messages.error(request, error.message)
    return redirect("reporting:version_detail", pk=item.dataset_version_id)


@require_POST
def section_element_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    item = _item(pk)
    try:
        services.section_element_remove(by=Actor.from_request(request), section_element=item)
    except UserError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("已从本版本中移除“%(name)s”（涉及它的合计关系一并移除）。") % {"name": item.element.name},
        )
    return redirect("reporting:version_detail", pk=item.dataset_version_id)


@require_http_methods(["GET", "POST"])
def total_relation_add(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    version = _version(pk)
    back = reverse("reporting:version_detail", args=[version.pk])
    layout = queries.version_layout(version)
    form = f.TotalRelationForm(request.POST or None, layout=layout)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        elements = {se.element.code: se.element for se in layout.section_elements}
        try:
            relation = services.total_relation_add(
                by=Actor.from_request(request),
                dataset_version=version,
                total_element=elements[data["total_element"]],
                parts_element=elements[data["parts_element"]],
                total_key=data["total_key"],
            )
        except UserError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request, _("已新增合计关系 %(relation)s；发布时将生成对应的求和校验规则。") % {"relation": relation}
            )
            return redirect(back)
    return _form_page(request, form, title=_("新增合计关系"), crumbs=_version_crumbs(version), cancel=back)


@require_POST
def total_relation_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    relation = get_object_or_404(TotalRelation.objects.select_related("dataset_version"), pk=pk)
    try:
        services.total_relation_remove(by=Actor.from_request(request), relation=relation)
    except UserError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已移除合计关系。"))
    return redirect("reporting:version_detail", pk=relation.dataset_version_id)


# --- Validation rules ---------------------------------------------------------------------------------------------


@require_GET
def rule_list(request: HttpRequest, pk: int) -> HttpResponse:
    """A version's rules, configured first, then the generated sum rules."""
    may_manage = _reader(request)
    version = _version(pk)
    layout = queries.version_layout(version)
    rules = list(version.rules.order_by("is_generated", "code"))
    for rule in rules:
        rule.readable = _readable(rule, layout)
    context = {
        "version": version,
        "dataset": version.dataset,
        "may_manage": may_manage,
        "editable": may_manage and not version.is_published,
        "rules": rules,
    }
    return render(request, "reporting/metadata_rule_list.html", context)


def _readable(rule: ValidationRule, layout: queries.Layout) -> str:
    """The rule with references replaced by the element names: 持证人数 ≤ 产业工人构成·非农民工."""
    parts = []
    for side in (rule.left, rule.right):
        try:
            node = parse(side)
        except ExpressionError:
            parts.append(side)
            continue
        text = side
        for ref in references(node):
            text = text.replace(str(ref), layout.describe(ref), 1)
        parts.append(text)
    return f"{parts[0]} {rule.get_operator_display()} {parts[1]}"


def _test_reports(request: HttpRequest, version: DataSetVersion):
    return (
        Report.objects.visible_to(request.user, Action.VIEW)
        .filter(dataset=version.dataset)
        .select_related("org", "period")
        .order_by("-period__start", "org__path")
    )


def _rule_context(request, version, form, *, rule=None, may_manage=True, changes=None) -> dict:
    reports = _test_reports(request, version)
    return {
        "version": version,
        "dataset": version.dataset,
        "form": form,
        "rule": rule,
        "may_manage": may_manage,
        "editable": may_manage and not version.is_published and not (rule and rule.is_generated),
        "changes": changes,
        "test_form": f.RuleTestForm(reports=reports[:TEST_REPORTS_LIMIT]),
        "known": _known_elements(queries.version_layout(version)),
    }


def _known_elements(layout) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(code, name, [(option code, option name)]) of every element an expression may reference."""
    known = []
    for code in sorted(layout.option_names):
        item = layout.element(code)
        options = sorted(layout.option_names[code].items())
        known.append((code, item.element.name if item else "", options))
    return known


_REF_CODE = re.compile(r"#\{\s*([A-Za-z0-9_]+)")


def _suggestions(text: str, layout) -> list[str]:
    """For each element code in `text` that the version does not know, the closest codes it does."""
    known = layout.option_names
    hints = []
    for code in dict.fromkeys(_REF_CODE.findall(text)):
        if code in known:
            continue
        close = difflib.get_close_matches(code.upper(), list(known), n=2, cutoff=0.75)
        if close:
            named = "、".join(f"#{{{c}}}（{layout.describe(Ref(c, ()))}）" for c in close)
            hints.append(_("您是否要写 %(names)s？") % {"names": named})
    return hints


@require_http_methods(["GET", "POST"])
def rule_create(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    version = _version(pk)
    known = queries.version_layout(version).known_options()
    form = f.RuleForm(request.POST or None, known=known, creating=True)
    if request.method == "POST" and form.is_valid() and _draft_or_message(request, version):
        try:
            rule = services.rule_create(
                by=Actor.from_request(request),
                dataset_version=version,
                code=form.cleaned_data["code"],
                **form.values(),
            )
        except UserError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("已新增校验规则“%(name)s”。") % {"name": rule.name})
            return redirect("reporting:rule_list", pk=version.pk)
    return render(request, "reporting/metadata_rule_form.html", _rule_context(request, version, form))


@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A rule's page: its fields (editable in a draft), the live expression check and the test box."""
    may_manage = _reader(request)
    rule = get_object_or_404(ValidationRule.objects.select_related("dataset_version__dataset"), pk=pk)
    version = rule.dataset_version
    known = queries.version_layout(version).known_options()
    changes = None
    if request.method == "POST":
        _manager(request)
        form = f.RuleForm(request.POST, known=known, creating=False, initial=f.RuleForm.initial_for(rule))
        version_sent = request.POST.get("version", "")
        if form.is_valid() and _draft_or_message(request, version):
            try:
                services.rule_update(
                    by=Actor.from_request(request),
                    rule=rule,
                    version=int(version_sent) if version_sent.isdigit() else 0,
                    **{k: v for k, v in form.values().items() if v != getattr(rule, k)},
                )
            except ConflictError as error:
                form.add_error(None, error.message)
                rule.refresh_from_db()
                changes = _changed_fields(form, rule, list(f.RULE_FORM_FIELDS) + ["is_active"], form.cleaned_data)
            except UserError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("已保存校验规则“%(name)s”。") % {"name": form.cleaned_data["name"]})
                return redirect("reporting:rule_list", pk=version.pk)
    else:
        form = f.RuleForm(initial=f.RuleForm.initial_for(rule), known=known, creating=False)
    context = _rule_context(request, version, form, rule=rule, may_manage=may_manage, changes=changes)
    if not context["editable"]:
        _read_only(form)
    return render(request, "reporting/metadata_rule_form.html", context)


@require_POST
def rule_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Activate or deactivate a configured rule of a draft version."""
    _manager(request)
    rule = get_object_or_404(ValidationRule.objects.select_related("dataset_version"), pk=pk)
    active = request.POST.get("active") == "1"
    version_sent = request.POST.get("version", "")
    try:
        services.rule_update(
            by=Actor.from_request(request),
            rule=rule,
            version=int(version_sent) if version_sent.isdigit() else 0,
            is_active=active,
        )
    except UserError as error:
        messages.error(request, error.message)
    else:
        if active:
            messages.success(request, _("已启用校验规则“%(name)s”。") % {"name": rule.name})
        else:
            messages.success(request, _("已停用校验规则“%(name)s”。") % {"name": rule.name})
    return redirect("reporting:rule_list", pk=rule.dataset_version_id)


@require_POST
def rules_generate(request: HttpRequest, pk: int) -> HttpResponse:
    """Regenerate a draft's sum rules from its total relations."""
    _manager(request)
    version = _version(pk)
    try:
        rules = services.rules_generate(by=Actor.from_request(request), dataset_version=version)
    except UserError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已根据合计关系生成 %(n)d 条求和校验规则。") % {"n": len(rules)})
    return redirect("reporting:rule_list", pk=version.pk)


_POSITION = re.compile(r"第 (\d+) 个字符")


def _highlighted(text: str, message: str):
    """The expression with the character the parser stopped at marked, or None when no position is known."""
    match = _POSITION.search(message)
    if not match:
        return None
    index = int(match.group(1)) - 1
    if not 0 <= index < len(text):
        return None
    return format_html(
        '{}<mark class="expr-error">{}</mark>{}', text[:index], text[index : index + 1], text[index + 1 :]
    )


@require_GET
def expression_check(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: check one expression as it is typed; the errors name the position, the references are spelled out."""
    _reader(request)
    version = _version(pk)
    side = "right" if "right" in request.GET else "left"
    text = (request.GET.get(side) or "").strip()
    layout = queries.version_layout(version)
    problems = expression_problems(text, layout.known_options()) if text else []
    if problems:
        problems = [*problems, *_suggestions(text, layout)]
    refs = []
    if text and not problems:
        refs = [layout.describe(ref) for ref in references(parse(text))]
    context = {
        "text": text,
        "problems": problems,
        "highlight": _highlighted(text, problems[0]) if problems else None,
        "refs": refs,
        "side": side,
    }
    return render(request, "reporting/metadata_rule_form.html#expression_check", context)


@require_POST
def rule_test(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: evaluate a rule against a report the user may see; writes nothing.

    With the rule form's fields (left, operator, right, …) the rule is tested as typed, unsaved;
    with only `rule` (a read-only page) the stored rule of this version is tested.
    """
    _reader(request)
    version = _version(pk)
    layout = queries.version_layout(version)
    test_form = f.RuleTestForm(request.POST, reports=_test_reports(request, version))
    context: dict = {"test_form": test_form}
    rule = None
    if "left" in request.POST:
        rule_form = f.RuleForm(request.POST, known=layout.known_options(), creating=False)
        for name in ("name", "message", "is_active"):
            rule_form.fields.pop(name)
        if rule_form.is_valid():
            data = rule_form.cleaned_data
            rule = ValidationRule(
                dataset_version=version,
                code="TEST",
                left=data["left"],
                operator=data["operator"],
                right=data["right"],
                importance=data["importance"],
                missing_value_strategy=data["missing_value_strategy"],
                message=(request.POST.get("message") or "").strip() or _("校验未通过"),
            )
        else:
            context["error"] = "；".join(
                f"{rule_form.fields[k].label}：{'；'.join(v)}"
                for k, v in rule_form.errors.items()
                if k in rule_form.fields
            )
    else:
        rule_pk = request.POST.get("rule", "")
        rule = version.rules.filter(pk=int(rule_pk)).first() if rule_pk.isdigit() else None
        if rule is None:
            context["error"] = _("请先填写左侧和右侧表达式。")
    if not test_form.is_valid():
        context["error"] = _("请选择一份您有权查看的、属于本报表的填报记录。")
    if "error" not in context:
        report = test_form.cleaned_data["report"]
        values = queries.value_map(queries.report_values(report))
        context.update(report=report, outcome=evaluate_rule(rule, values, layout.describe))
    return render(request, "reporting/metadata_rule_form.html#test_result", context)


urlpatterns = [
    path("metadata/", metadata_home, name="metadata_home"),
    path("metadata/elements/", element_list, name="element_list"),
    path("metadata/elements/new/", element_create, name="element_create"),
    path("metadata/elements/<int:pk>/", element_edit, name="element_edit"),
    path("metadata/categories/", category_list, name="category_list"),
    path("metadata/categories/new/", category_create, name="category_create"),
    path("metadata/categories/<int:pk>/options/new/", category_option_add, name="category_option_add"),
    path("metadata/combos/new/", combo_create, name="combo_create"),
    path("metadata/datasets/new/", dataset_create, name="dataset_create"),
    path("metadata/datasets/<int:pk>/", dataset_detail, name="dataset_detail"),
    path("metadata/datasets/<int:pk>/assign/", dataset_assign, name="dataset_assign"),
    path("metadata/datasets/<int:pk>/unassign/", dataset_unassign, name="dataset_unassign"),
    path("metadata/datasets/<int:pk>/draft/", version_create_draft, name="version_create_draft"),
    path("metadata/versions/<int:pk>/", version_detail, name="version_detail"),
    path("metadata/versions/<int:pk>/publish/", version_publish, name="version_publish"),
    path("metadata/versions/<int:pk>/sections/new/", section_create, name="section_create"),
    path("metadata/versions/<int:pk>/totals/new/", total_relation_add, name="total_relation_add"),
    path("metadata/versions/<int:pk>/rules/", rule_list, name="rule_list"),
    path("metadata/versions/<int:pk>/rules/new/", rule_create, name="rule_create"),
    path("metadata/versions/<int:pk>/rules/generate/", rules_generate, name="rules_generate"),
    path("metadata/versions/<int:pk>/rules/check/", expression_check, name="expression_check"),
    path("metadata/versions/<int:pk>/rules/test/", rule_test, name="rule_test"),
    path("metadata/sections/<int:pk>/edit/", section_edit, name="section_edit"),
    path("metadata/sections/<int:pk>/move/", section_move, name="section_move"),
    path("metadata/sections/<int:pk>/delete/", section_delete, name="section_delete"),
    path("metadata/sections/<int:pk>/elements/new/", section_element_add, name="section_element_add"),
    path("metadata/items/<int:pk>/edit/", section_element_edit, name="section_element_edit"),
    path("metadata/items/<int:pk>/move/", section_element_move, name="section_element_move"),
    path("metadata/items/<int:pk>/remove/", section_element_remove, name="section_element_remove"),
    path("metadata/totals/<int:pk>/remove/", total_relation_remove, name="total_relation_remove"),
    path("metadata/rules/<int:pk>/", rule_edit, name="rule_edit"),
    path("metadata/rules/<int:pk>/toggle/", rule_toggle, name="rule_toggle"),
]
