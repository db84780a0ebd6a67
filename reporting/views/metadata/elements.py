"""Metadata pages for data elements, categories and category combos."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.actor import Actor
from core.errors import ConflictError, UserError
from reporting import forms as f
from reporting import services
from reporting.filters import DataElementFilter, style_form
from reporting.models import (
    Category,
    CategoryCombo,
    CategoryOption,
    DataElement,
    SectionElement,
)
from reporting.views.metadata.common import (
    breadcrumbs,
    changed_fields,
    check_manager,
    check_reader,
    form_page,
    make_read_only,
)

ELEMENTS_PER_PAGE = 50


# --- Data elements ---------------------------------------------------------------------------------------------


@require_GET
def element_list(request: HttpRequest) -> HttpResponse:
    """Data elements with search and filters, 50 a page."""
    may_manage = check_reader(request)
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
    check_manager(request)
    form = f.DataElementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            element = services.data_element_create(by=Actor.from_request(request), **form.values())
        except UserError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("已新增数据元“%(name)s”。") % {"name": element.name})
            return redirect("reporting:element_list")
    return form_page(
        request,
        form,
        title=_("新增数据元"),
        crumbs=breadcrumbs((_("数据元"), reverse("reporting:element_list"))),
        cancel=reverse("reporting:element_list"),
    )


def _element_frozen(element: DataElement) -> bool:
    return SectionElement.objects.filter(element=element, dataset_version__published_at__isnull=False).exists()


@require_http_methods(["GET", "POST"])
def element_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """An element's page: its fields (editable by the administrators, with a version check) and where it is used."""
    may_manage = check_reader(request)
    element = get_object_or_404(DataElement.objects.select_related("category_combo"), pk=pk)
    frozen = _element_frozen(element)
    changes = None
    if request.method == "POST":
        check_manager(request)
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
                changes = changed_fields(form, element, names, form.cleaned_data)
                form.set_version(element.version)
            except UserError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("已保存数据元“%(name)s”的修改。") % {"name": element.name})
                return redirect("reporting:element_list")
    else:
        form = f.DataElementEditForm(initial=f.DataElementEditForm.initial_for(element), frozen=frozen)
    if not may_manage:
        make_read_only(form)
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
            "crumbs": breadcrumbs((_("数据元"), reverse("reporting:element_list"))),
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
    may_manage = check_reader(request)
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
    check_manager(request)
    form = f.CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            category = services.category_create(by=Actor.from_request(request), **form.cleaned_data)
        except UserError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("已新增分类“%(name)s”。") % {"name": category.name})
            return redirect("reporting:category_list")
    return form_page(
        request,
        form,
        title=_("新增分类"),
        crumbs=breadcrumbs((_("分类与分类组合"), reverse("reporting:category_list"))),
        cancel=reverse("reporting:category_list"),
    )


@require_http_methods(["GET", "POST"])
def category_option_add(request: HttpRequest, pk: int) -> HttpResponse:
    check_manager(request)
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
    return form_page(
        request,
        form,
        title=_("为分类“%(name)s”新增选项") % {"name": category.name},
        crumbs=breadcrumbs((_("分类与分类组合"), reverse("reporting:category_list"))),
        cancel=reverse("reporting:category_list"),
    )


@require_http_methods(["GET", "POST"])
def combo_create(request: HttpRequest) -> HttpResponse:
    check_manager(request)
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
    return form_page(
        request,
        form,
        title=_("新增分类组合"),
        crumbs=breadcrumbs((_("分类与分类组合"), reverse("reporting:category_list"))),
        cancel=reverse("reporting:category_list"),
    )
