"""Metadata pages for data sets and their versions: scope, drafts, publishing, sections, elements, totals."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.actor import Actor
from core.errors import ConflictError, UserError
from orgs.choices import Action
from orgs.models import Organisation
from reporting import forms as f
from reporting import queries, services
from reporting.models import (
    Category,
    CategoryCombo,
    DataElement,
    DataSet,
    DataSetVersion,
    Section,
    SectionElement,
    TotalRelation,
)
from reporting.services.structure import next_sort_order
from reporting.views.metadata.common import (
    breadcrumbs,
    changed_fields,
    check_manager,
    check_reader,
    draft_or_message,
    form_page,
    get_version,
    make_read_only,
    post_action,
    version_crumbs,
    version_url,
)

# --- Overview --------------------------------------------------------------------------------------------


@require_GET
def metadata_home(request: HttpRequest) -> HttpResponse:
    """What the office defines, with counts, and the data sets with their current and draft versions."""
    may_manage = check_reader(request)
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


# --- Data sets -------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def dataset_create(request: HttpRequest) -> HttpResponse:
    check_manager(request)
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
    return form_page(
        request, form, title=_("新增报表"), crumbs=breadcrumbs(), cancel=reverse("reporting:metadata_home")
    )


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
    may_manage = check_reader(request)
    dataset = get_object_or_404(DataSet, pk=pk)
    changes = None
    if request.method == "POST":
        check_manager(request)
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
                changes = changed_fields(form, dataset, names, form.cleaned_data)
                form.set_version(dataset.version)
            except UserError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("已保存报表“%(name)s”的设置。") % {"name": dataset.name})
                return redirect("reporting:dataset_detail", pk=dataset.pk)
    else:
        form = f.DataSetEditForm(initial=f.DataSetEditForm.initial_for(dataset))
    if not may_manage:
        make_read_only(form)
    return render(
        request, "reporting/metadata_dataset_detail.html", _dataset_context(request, dataset, may_manage, form, changes)
    )


def _org_by_code(request: HttpRequest, code: str) -> Organisation | None:
    return Organisation.objects.visible_to(request.user, Action.ORG_VIEW).filter(code=code).first()


@require_POST
def dataset_assign(request: HttpRequest, pk: int) -> HttpResponse:
    check_manager(request)
    dataset = get_object_or_404(DataSet, pk=pk)
    back = reverse("reporting:dataset_detail", args=[dataset.pk])
    form = f.DataSetAssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写机构代码。"))
        return redirect(back)
    data = form.cleaned_data
    org = _org_by_code(request, data["org"])
    if org is None:
        messages.error(request, _("未找到代码为“%(code)s”的机构，或您无权访问。") % {"code": data["org"]})
        return redirect(back)
    return post_action(
        request,
        lambda by: services.dataset_assign(
            by=by, dataset=dataset, org=org, include_descendants=data["include_descendants"]
        ),
        success=_("已将“%(org)s”加入填报范围。") % {"org": org.name},
        redirect_to=back,
    )


@require_POST
def dataset_unassign(request: HttpRequest, pk: int) -> HttpResponse:
    check_manager(request)
    dataset = get_object_or_404(DataSet, pk=pk)
    back = reverse("reporting:dataset_detail", args=[dataset.pk])
    org = _org_by_code(request, request.POST.get("org", "").strip())
    if org is None:
        messages.error(request, _("未找到该机构，或您无权访问。"))
        return redirect(back)
    return post_action(
        request,
        lambda by: services.dataset_unassign(by=by, dataset=dataset, org=org),
        success=_("已将“%(org)s”移出填报范围。") % {"org": org.name},
        redirect_to=back,
    )


@require_POST
def version_create_draft(request: HttpRequest, pk: int) -> HttpResponse:
    check_manager(request)
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


@require_GET
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A version's form: sections and their elements, total relations, rule counts; editable while a draft."""
    may_manage = check_reader(request)
    version = get_version(pk)
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
    check_manager(request)
    version = get_version(pk)
    return post_action(
        request,
        lambda by: services.dataset_version_publish(by=by, dataset_version=version),
        success=_("已发布 v%(n)d：此后新开的报表按此版本填报，已有报表仍按其填报时的版本。") % {"n": version.number},
        redirect_to=version_url(version.pk),
    )


@require_POST
def section_create(request: HttpRequest, pk: int) -> HttpResponse:
    check_manager(request)
    version = get_version(pk)
    form = f.SectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(f"{form.fields[k].label}：{v[0]}" for k, v in form.errors.items()))
        return redirect(version_url(version.pk))
    if not draft_or_message(request, version):
        return redirect(version_url(version.pk))
    order = (version.sections.order_by("-sort_order").values_list("sort_order", flat=True).first() or 0) + 1
    return post_action(
        request,
        lambda by: services.section_create(by=by, dataset_version=version, sort_order=order, **form.cleaned_data),
        success=lambda section: _("已新增分区“%(name)s”。") % {"name": section.name},
        redirect_to=version_url(version.pk),
    )


def _section(pk: int) -> Section:
    return get_object_or_404(Section.objects.select_related("dataset_version__dataset"), pk=pk)


@require_http_methods(["GET", "POST"])
def section_edit(request: HttpRequest, pk: int) -> HttpResponse:
    check_manager(request)
    section = _section(pk)
    version = section.dataset_version
    back = version_url(version.pk)
    form = f.SectionEditForm(request.POST or None, initial={"name": section.name, "description": section.description})
    if request.method == "POST" and form.is_valid():
        try:
            services.section_update(by=Actor.from_request(request), section=section, **form.cleaned_data)
        except UserError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("已保存分区“%(name)s”。") % {"name": form.cleaned_data["name"]})
            return redirect(back)
    return form_page(
        request,
        form,
        title=_("编辑分区“%(name)s”") % {"name": section.name},
        crumbs=version_crumbs(version),
        cancel=back,
    )


@require_POST
def section_move(request: HttpRequest, pk: int) -> HttpResponse:
    check_manager(request)
    section = _section(pk)
    direction = request.POST.get("direction", "")
    return post_action(
        request,
        lambda by: services.section_move(by=by, section=section, direction=direction),
        redirect_to=version_url(section.dataset_version_id),
    )


@require_POST
def section_delete(request: HttpRequest, pk: int) -> HttpResponse:
    check_manager(request)
    section = _section(pk)
    return post_action(
        request,
        lambda by: services.section_delete(by=by, section=section),
        success=_("已删除分区“%(name)s”。") % {"name": section.name},
        redirect_to=version_url(section.dataset_version_id),
    )


@require_http_methods(["GET", "POST"])
def section_element_add(request: HttpRequest, pk: int) -> HttpResponse:
    check_manager(request)
    section = _section(pk)
    version = section.dataset_version
    back = version_url(version.pk)
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
    return form_page(
        request,
        form,
        title=_("在分区“%(name)s”中加入数据元") % {"name": section.name},
        crumbs=version_crumbs(version),
        cancel=back,
    )


def _item(pk: int) -> SectionElement:
    return get_object_or_404(
        SectionElement.objects.select_related("dataset_version__dataset", "element", "section"), pk=pk
    )


@require_http_methods(["GET", "POST"])
def section_element_edit(request: HttpRequest, pk: int) -> HttpResponse:
    check_manager(request)
    item = _item(pk)
    version = item.dataset_version
    back = version_url(version.pk)
    form = f.SectionElementEditForm(request.POST or None, initial=f.SectionElementEditForm.initial_for(item))
    if request.method == "POST" and form.is_valid():
        try:
            services.section_element_update(by=Actor.from_request(request), section_element=item, **form.cleaned_data)
        except UserError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("已保存“%(name)s”的填报要求。") % {"name": item.element.name})
            return redirect(back)
    return form_page(
        request,
        form,
        title=_("“%(name)s”的填报要求") % {"name": item.element.name},
        crumbs=version_crumbs(version),
        cancel=back,
    )


@require_POST
def section_element_move(request: HttpRequest, pk: int) -> HttpResponse:
    check_manager(request)
    item = _item(pk)
    direction = request.POST.get("direction", "")
    return post_action(
        request,
        lambda by: services.section_element_move(by=by, section_element=item, direction=direction),
        redirect_to=version_url(item.dataset_version_id),
    )


@require_POST
def section_element_remove(request: HttpRequest, pk: int) -> HttpResponse:
    check_manager(request)
    item = _item(pk)
    return post_action(
        request,
        lambda by: services.section_element_remove(by=by, section_element=item),
        success=_("已从本版本中移除“%(name)s”（涉及它的合计关系一并移除）。") % {"name": item.element.name},
        redirect_to=version_url(item.dataset_version_id),
    )


@require_http_methods(["GET", "POST"])
def total_relation_add(request: HttpRequest, pk: int) -> HttpResponse:
    check_manager(request)
    version = get_version(pk)
    back = version_url(version.pk)
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
    return form_page(request, form, title=_("新增合计关系"), crumbs=version_crumbs(version), cancel=back)


@require_POST
def total_relation_remove(request: HttpRequest, pk: int) -> HttpResponse:
    check_manager(request)
    relation = get_object_or_404(TotalRelation.objects.select_related("dataset_version"), pk=pk)
    return post_action(
        request,
        lambda by: services.total_relation_remove(by=by, relation=relation),
        success=_("已移除合计关系。"),
        redirect_to=version_url(relation.dataset_version_id),
    )
