"""One case: write it, read it, take its workflow steps, attach files, export it, record adopting it.

Every read goes through cases.queries (the door), every write through cases.services; plain form posts redirect
back (post/redirect/get) and show the service's message when it refuses.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import exports, queries, services
from cases.choices import CaseStatus
from cases.forms import CaseForm, FileForm, ReplicationForm, StepForm, VersionForm
from cases.views.common import case_nav
from cases.workflow import CASE_WORKFLOW
from core import attachments, registry, richtext
from core.actor import Actor
from core.docx import DOCX_CONTENT_TYPE
from core.errors import UserError
from core.exports import attachment_disposition, rate_limited
from core.workflow import history
from orgs.choices import Action
from orgs.scoping import can, has_action


def _writable_or_403(request: HttpRequest, case):
    """The case if the person may write for its organisation; 403 when they only read it (404 came earlier)."""
    if not can(request.user, Action.EDIT, case.org):
        raise PermissionDenied(_("您没有修改该案例的权限。"))
    return case


def _apply_error(form, error: UserError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    """写案例: a new draft of an organisation the person writes for."""
    if not has_action(request.user, Action.EDIT):
        if not has_action(request.user, Action.VIEW):
            raise Http404  # the separated administrators: no business pages at all
        raise PermissionDenied(_("您没有撰写案例的权限。"))
    form = CaseForm(request.POST or None, user=request.user)
    if request.method == "GET":
        from core import deadlines
        from orgs.queries import active_memberships

        own = next((m.org for m in active_memberships(request.user) if can(request.user, Action.EDIT, m.org)), None)
        form = CaseForm(
            user=request.user,
            initial={"year": deadlines.today().year, "org": own.name if own else "",
                     "author_name": request.user.full_name if hasattr(request.user, "full_name") else ""},
        )  # fmt: skip
    elif form.is_valid():
        try:
            case = services.case_create(by=Actor.from_request(request), **form.service_fields())
        except UserError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("已保存案例草稿。检查无误后请点击“提交审核”。"))
            return redirect(case)
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/case_form.html", _form_context(form, None), status=status)


def _form_context(form, case) -> dict:
    html = ""
    if form.is_bound:
        sent = form.data.get("body", "")
        html = richtext.clean(sent) if form.data.get("format") == "html" else richtext.from_plain(sent)
    elif case is not None:
        html = case.body
    return {
        "form": form,
        "case": case,
        "body_html": html,
        "body_text": richtext.as_paragraphs(html),
        "case_nav": case_nav(form.fields["org"].user),
        "tab": "mine",
    }


@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = _writable_or_403(request, queries.case_or_404(request.user, pk))
    topics = list(case.topics.all())
    if request.method == "POST":
        form = CaseForm(request.POST, user=request.user, current_topics=topics)
        if form.is_valid():
            try:
                services.case_update(
                    by=Actor.from_request(request), case=case, version=form.cleaned_data["version"] or 0,
                    **form.service_fields(),
                )  # fmt: skip
            except PermissionDenied:
                raise
            except UserError as error:
                _apply_error(form, error)
            else:
                messages.success(request, _("已保存案例。"))
                return redirect(case)
        return render(request, "cases/case_form.html", _form_context(form, case), status=400)
    if case.status not in CASE_WORKFLOW.editable:
        messages.error(request, _("案例当前状态为“%(s)s”，不能修改。") % {"s": case.get_status_display()})
        return redirect(case)
    form = CaseForm(
        user=request.user,
        current_topics=topics,
        initial={
            "org": case.org.name, "title": case.title, "year": case.year, "summary": case.summary,
            "tasks": case.task_values, "topics": topics, "author_name": case.author_name,
            "author_position": case.author_position, "version": case.version,
        },
    )  # fmt: skip
    return render(request, "cases/case_form.html", _form_context(form, case))


def _history(case) -> list[dict]:
    rows = []
    for entry in history(case):
        if not entry.success or not entry.event.startswith("cases.case."):
            continue
        if entry.event in ("cases.case.export",):
            continue
        rows.append(
            {"at": entry.at, "who": entry.username, "event": registry.event_label(entry.event),
             "reason": (entry.detail or {}).get("reason", "")}
        )  # fmt: skip
    return rows


def _detail_context(request: HttpRequest, case, **extra) -> dict:
    user = request.user
    editable = case.status in CASE_WORKFLOW.editable and can(user, Action.EDIT, case.org)
    replications = list(queries.replications_visible(user).filter(case=case).order_by("-adopted_on"))
    total = case.replications.count()
    context = {
        "case": case,
        "steps": services.may(user, case),
        "step_labels": {s.name: s.label for s in CASE_WORKFLOW.steps},
        "editable": editable,
        "files": list(case.files.all()),
        "file_form": FileForm() if editable else None,
        "step_form": StepForm(initial={"version": case.version}),
        "replications": replications,
        "replication_total": total,
        "may_adopt": case.status == CaseStatus.PUBLISHED and has_action(user, Action.EDIT),
        "adopt_form": None,
        "history": _history(case),
        "may_export": can(user, Action.EXPORT, case.org)
        or (case.status == CaseStatus.PUBLISHED and has_action(user, Action.EXPORT)),
        "deletable": editable and case.status == CaseStatus.DRAFT and case.submitted_at is None,
        "case_nav": case_nav(user),
        "tab": "library" if case.status == CaseStatus.PUBLISHED else "mine",
    }
    if context["may_adopt"]:
        from core import deadlines
        from orgs.queries import active_memberships

        own = next(
            (m.org for m in active_memberships(user) if m.org_id != case.org_id and can(user, Action.EDIT, m.org)),
            None,
        )
        initial = {"org": own.name if own else "", "adopted_on": deadlines.today()}
        context["adopt_form"] = ReplicationForm(user=user, initial=initial)
    context.update(extra)
    return context


@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = queries.case_or_404(request.user, pk)
    return render(request, "cases/case_detail.html", _detail_context(request, case))


@require_POST
def case_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Submit, return (with a reason), publish or withdraw (with a reason)."""
    case = queries.case_or_404(request.user, pk)
    if step not in {s.name for s in CASE_WORKFLOW.steps}:
        raise Http404
    form = StepForm(request.POST)
    if form.is_valid():
        try:
            services.case_step(
                by=Actor.from_request(request), case=case, step=step, version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )  # fmt: skip
        except PermissionDenied:
            raise
        except UserError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("案例已%(step)s。") % {"step": CASE_WORKFLOW.step(step).label})
            return redirect(case)
    case = queries.case_or_404(request.user, pk)
    context = _detail_context(request, case, step_form=form, step_error=step)
    return render(request, "cases/case_detail.html", context, status=400)


@require_POST
def case_delete(request: HttpRequest, pk: int) -> HttpResponse:
    case = _writable_or_403(request, queries.case_or_404(request.user, pk))
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请刷新页面后重试。"))
        return redirect(case)
    try:
        services.case_delete(by=Actor.from_request(request), case=case, version=form.cleaned_data["version"])
    except UserError as error:
        messages.error(request, error.message)
        return redirect(case)
    messages.success(request, _("已删除草稿“%(t)s”。") % {"t": case.title})
    return redirect("cases:mine")


@require_GET
def case_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """One case as a Word document (whoever sees it and may export)."""
    case = queries.case_or_404(request.user, pk)
    if not has_action(request.user, Action.EXPORT):
        raise PermissionDenied(_("您没有导出的权限。"))
    wait = rate_limited(request, "cases")
    if wait:
        response = HttpResponse(_("导出过于频繁，请%(s)d秒后再试。") % {"s": wait}, status=429)
        response["Retry-After"] = str(wait)
        return response
    replications = list(queries.replications_visible(request.user).filter(case=case).order_by("adopted_on"))
    content = exports.case_docx(case, replications)
    services.export_audit(Actor.from_request(request), case=case)
    response = FileResponse(io.BytesIO(content), as_attachment=True, content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_disposition(f"{case.title}.docx", fallback=f"case-{case.pk}.docx")
    response["Cache-Control"] = "no-store, private"
    return response


# --- Files -------------------------------------------------------------------------------------------------------


@require_POST
def file_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _writable_or_403(request, queries.case_or_404(request.user, pk))
    form = FileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择要上传的文件或照片。"))
    else:
        try:
            row = services.file_add(by=Actor.from_request(request), case=case, upload=form.cleaned_data["file"])
        except UserError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已上传“%(name)s”。") % {"name": row.original_name})
    return redirect(f"{case.get_absolute_url()}#files")


@require_GET
def file_download(request: HttpRequest, pk: int, file: int) -> HttpResponse:
    case = queries.case_or_404(request.user, pk)
    return attachments.download(queries.file_or_404(request.user, case, file))


@require_GET
def file_preview(request: HttpRequest, pk: int, file: int) -> HttpResponse:
    case = queries.case_or_404(request.user, pk)
    return attachments.preview(queries.file_or_404(request.user, case, file))


@require_POST
def file_remove(request: HttpRequest, pk: int, file: int) -> HttpResponse:
    case = _writable_or_403(request, queries.case_or_404(request.user, pk))
    row = queries.file_or_404(request.user, case, file)
    try:
        services.file_remove(by=Actor.from_request(request), row=row)
    except UserError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已移除“%(name)s”。") % {"name": row.original_name})
    return redirect(f"{case.get_absolute_url()}#files")


# --- 复制推广 --------------------------------------------------------------------------------------------------------


@require_POST
def case_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    """An organisation records that it adopted this published case."""
    case = queries.case_or_404(request.user, pk)
    form = ReplicationForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.replication_record(by=Actor.from_request(request), case=case, **form.cleaned_data)
        except UserError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("已登记复制推广，计入案例来源单位。"))
            return redirect(f"{case.get_absolute_url()}#replications")
    context = _detail_context(request, case, adopt_form=form)
    return render(request, "cases/case_detail.html", context, status=400)


@require_POST
def replication_delete(request: HttpRequest, pk: int) -> HttpResponse:
    row = queries.replication_or_404(request.user, pk)
    if not can(request.user, Action.EDIT, row.org):
        raise PermissionDenied(_("只有借鉴单位可以删除自己的复制推广记录。"))
    try:
        services.replication_delete(by=Actor.from_request(request), replication=row)
    except UserError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已删除“%(org)s”的复制推广记录。") % {"org": row.org.name})
    return redirect(f"{row.case.get_absolute_url()}#replications")
