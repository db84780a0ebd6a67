"""Batches and nominations: the office's batches, a batch's nominations and announcement, its .xlsx list, and
a union's nomination through the workflow."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import attachments, audit, pii
from core.actor import Actor
from core.errors import UserError
from core.exports import export_response
from core.rendering import temporary_xlsx
from orgs.choices import Action
from orgs.pickers import bind_user
from orgs.scoping import can, ensure_action, get_visible_or_404, granted_paths, has_action, is_office
from sites import exports, queries, services
from sites import forms as f
from sites.choices import NominationStatus
from sites.models import Batch, Nomination, NominationFile
from sites.views.common import history_rows, put_error
from sites.workflow import NOMINATION_WORKFLOW, may_nominate, nomination_permission

BATCH_KEYS = ("name", "level", "year", "quota", "opens_on", "closes_on", "notes")
CONTENT_KEYS = ("goals", "goals_text", "achievements", "plans", "contact_name", "contact_position", "contact_phone")


def _may_nominate_somewhere(user) -> bool:
    return not is_office(user) and bool(granted_paths(user, Action.REVIEW))


@require_GET
def batch_list(request: HttpRequest) -> HttpResponse:
    """批次: every batch with its window, quota and state (batches are the office's calendar, seen by all)."""
    batches = list(Batch.objects.order_by("-year", "name"))
    return render(
        request,
        "sites/batch_list.html",
        {"batches": batches, "may_manage": queries.may_manage(request.user)},
    )


def _manager_or_404(request: HttpRequest) -> None:
    if not is_office(request.user):
        raise Http404
    if not queries.may_manage(request.user):
        raise PermissionDenied(_("只有产改办管理员可以维护示范点批次。"))


@require_http_methods(["GET", "POST"])
def batch_create(request: HttpRequest) -> HttpResponse:
    _manager_or_404(request)
    form = f.BatchForm(request.POST or None, initial={"version": 0, "level": "provincial"})
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.batch_create(
                by=Actor.from_request(request), **{k: form.cleaned_data[k] for k in BATCH_KEYS}
            )
        except UserError as error:
            put_error(form, error)
        else:
            messages.success(request, _("批次“%(name)s”已建立，推荐期内各工会可以推荐。") % {"name": batch.name})
            return redirect(batch)
    return render(request, "sites/batch_form.html", {"form": form, "batch": None})


@require_http_methods(["GET", "POST"])
def batch_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _manager_or_404(request)
    batch = get_object_or_404(Batch, pk=pk)
    initial = {k: getattr(batch, k) for k in BATCH_KEYS}
    form = f.BatchForm(request.POST or None, initial={**initial, "version": batch.version, "status": batch.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.batch_update(
                by=Actor.from_request(request), batch=batch, version=form.cleaned_data["version"],
                status=form.cleaned_data["status"] or None, **{k: form.cleaned_data[k] for k in BATCH_KEYS},
            )  # fmt: skip
        except UserError as error:
            put_error(form, error)
        else:
            messages.success(request, _("批次已保存。"))
            return redirect(batch)
    return render(request, "sites/batch_form.html", {"form": form, "batch": batch})


@require_GET
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A batch: its nominations in the user's scope (all of them for the office), with the steps each may take."""
    batch = get_object_or_404(Batch, pk=pk)
    nominations = list(Nomination.objects.visible_to(request.user).filter(batch=batch).select_related("org"))
    rows = []
    for n in nominations:
        steps = NOMINATION_WORKFLOW.available(n.status, nomination_permission(request.user, n.org))
        rows.append((n, [s for s in steps if s != "submit"]))
    unions = queries.union_names([n.org for n in nominations])
    return render(
        request,
        "sites/batch_detail.html",
        {
            "batch": batch,
            "rows": [(n, steps, unions.get(n.org.path, "")) for n, steps in rows],
            "counts": queries.batch_counts(batch) if is_office(request.user) else None,
            "open": batch.is_open(),
            "may_nominate": _may_nominate_somewhere(request.user) and batch.is_open(),
            "may_manage": queries.may_manage(request.user),
            "may_export": has_action(request.user, Action.EXPORT),
            "announce_form": f.VersionForm(initial={"version": batch.version}),
            "sites": batch.sites.visible_to(request.user).select_related("org") if batch.announced_on else [],
        },
    )


@require_POST
def batch_announce(request: HttpRequest, pk: int) -> HttpResponse:
    """公布: the office announces a batch; its selected nominations become sites."""
    _manager_or_404(request)
    batch = get_object_or_404(Batch, pk=pk)
    form = f.VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请刷新页面后重试。"))
        return redirect(batch)
    try:
        sites = services.batch_announce(
            by=Actor.from_request(request), batch=batch, version=form.cleaned_data["version"]
        )
    except UserError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("“%(name)s”已公布，%(n)d 家单位成为示范点。") % {"name": batch.name, "n": len(sites)}
        )
    return redirect(batch)


@require_GET
def batch_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """A batch's list as .xlsx (the nominations in the exporter's scope); contacts masked unless allowed; audited."""
    ensure_action(request.user, Action.EXPORT)
    batch = get_object_or_404(Batch, pk=pk)
    nominations = list(
        Nomination.objects.visible_to(request.user)
        .filter(batch=batch)
        .select_related("org")
        .order_by("status", "org__path")
    )
    order = {NominationStatus.SELECTED: 0, NominationStatus.SUBMITTED: 1}
    nominations.sort(key=lambda n: (order.get(n.status, 2), n.org.path))
    full = all(can(request.user, Action.PII_VIEW, n.org) for n in nominations) and bool(nominations)
    unions = queries.union_names([n.org for n in nominations])
    fileobj, count = temporary_xlsx(
        lambda out: exports.batch_xlsx(
            batch, nominations, unions=lambda org: unions.get(org.path, ""), full_contacts=full, fileobj=out
        )
    )
    audit.record(
        Actor.from_request(request), "sites.batch.export", batch, after=None,
        detail={"format": "xlsx", "rows": count, "contacts": "full" if full else "masked"},
    )  # fmt: skip
    return export_response(fileobj, fmt="xlsx", filename_stem=batch.name)


@require_http_methods(["GET", "POST"])
def nomination_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A union nominates one of its enterprises for an open batch (a draft it then submits)."""
    batch = get_object_or_404(Batch, pk=pk)
    if not _may_nominate_somewhere(request.user):
        raise PermissionDenied(_("只有产业系统公司工会管理员可以推荐示范点。"))
    form = f.NewNominationForm(request.POST or None, request.FILES or None, initial={"version": 0})
    bind_user(form, request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            nomination = services.nomination_create(
                by=Actor.from_request(request), batch=batch, org=data["org"], **{k: data[k] for k in CONTENT_KEYS}
            )
            if data.get("file"):
                services.nomination_attach(by=Actor.from_request(request), nomination=nomination, upload=data["file"])
        except UserError as error:
            put_error(form, error)
        else:
            messages.success(request, _("推荐已保存为草稿，检查无误后点“推荐”提交产改办。"))
            return redirect(nomination)
    return render(request, "sites/nomination_form.html", {"form": form, "batch": batch, "nomination": None})


def _nomination(request: HttpRequest, pk: int, action: str = Action.VIEW) -> Nomination:
    return get_visible_or_404(Nomination.objects.select_related("org", "batch"), request.user, action, pk=pk)


@require_http_methods(["GET", "POST"])
def nomination_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A nomination: the application (editable by its union while a draft or returned), its files, its steps."""
    nomination = _nomination(request, pk)
    editable = nomination.status in NOMINATION_WORKFLOW.editable
    may_edit = editable and may_nominate(request.user, nomination.org)
    # The stored phone is never put back into the page (personal data is shown masked): left empty, it is kept.
    initial = {k: getattr(nomination, k) for k in CONTENT_KEYS if k != "contact_phone"}
    form = f.NominationForm(
        request.POST or None, request.FILES or None, initial={**initial, "version": nomination.version}
    )
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("推荐当前不能修改。"))
        if form.is_valid():
            data = form.cleaned_data
            by = Actor.from_request(request)
            try:
                changes = {k: data[k] for k in CONTENT_KEYS if k != "contact_phone" or data[k]}
                services.nomination_update(by=by, nomination=nomination, version=data["version"], **changes)
                if data.get("file"):
                    services.nomination_attach(by=by, nomination=nomination, upload=data["file"])
            except UserError as error:
                put_error(form, error)
            else:
                messages.success(request, _("推荐已保存。"))
                return redirect(nomination)
    steps = NOMINATION_WORKFLOW.available(nomination.status, nomination_permission(request.user, nomination.org))
    return render(
        request,
        "sites/nomination_detail.html",
        {
            "nomination": nomination,
            "form": form if may_edit else None,
            "steps": [(s, NOMINATION_WORKFLOW.step(s)) for s in steps],
            "step_form": f.ReasonForm(initial={"version": nomination.version}),
            "goals": exports.goals_label(nomination.goals),
            "phone": pii.shown(nomination, "contact_phone"),
            "may_reveal": queries.may_reveal(request.user, nomination) and bool(nomination.contact_phone),
            "files": nomination.files.all(),
            "history": history_rows(nomination),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def nomination_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """推荐, 退回修改, 入选 or 未入选 (with a reason where it needs one)."""
    nomination = _nomination(request, pk)
    form = f.ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请刷新页面后重试。"))
        return redirect(nomination)
    try:
        services.nomination_step(
            by=Actor.from_request(request), nomination=nomination, step=step, version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        )  # fmt: skip
    except UserError as error:
        messages.error(request, error.message)
    else:
        label = NOMINATION_WORKFLOW.step(step).label
        messages.success(request, _("“%(org)s”：已%(step)s。") % {"org": nomination.org.name, "step": label})
    if request.POST.get("next") == "batch":
        return redirect(nomination.batch)
    return redirect(nomination)


@require_GET
def nomination_file(request: HttpRequest, pk: int, file: int) -> HttpResponse:
    """A nomination's file, as a download; audited."""
    nomination = _nomination(request, pk)
    row = get_visible_or_404(NominationFile.objects.filter(nomination=nomination), request.user, pk=file)
    audit.record(
        Actor.from_request(request), "sites.file.download", row, after=None, detail={"nomination": nomination.pk}
    )
    return attachments.download(row)


@require_POST
def nomination_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = _nomination(request, pk, Action.PII_VIEW)
    return pii.reveal_response(request, nomination, "contact_phone")
