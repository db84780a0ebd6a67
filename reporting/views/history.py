"""Pages of the history import (past years' figures from the office's own spreadsheets), under Excel:

    excel/history/                       the upload form (POST: upload, 413 before reading when too big)
    excel/history/<token>/               the mapping: one select per column (POST: preview)
    excel/history/<token>/preview/       every problem, or what would be written, and the confirm button
    excel/history/<token>/confirm/       POST: write it all or nothing (a job when large)
    excel/history/<token>/discard/       POST: drop the upload

Who: anyone who may fill (EDIT) for an organisation, within its subtree; the office (who may accept) may
also overwrite accepted figures. An upload belongs to the person who made it: anyone else gets 404.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from core.actor import Actor
from core.jobs import job_create, job_for_key
from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import can, get_visible_or_404, granted_paths
from reporting.excel import storage
from reporting.excel.container import max_data_rows, max_upload_bytes
from reporting.excel.problems import ImportProblem
from reporting.history import flow
from reporting.history.plan import HistoryContext, may_accept
from reporting.models import DataSet
from reporting.tasks import history_import_confirm_task

HOW_LABELS = {
    "code": gettext_lazy("按代码自动匹配"),
    "name": gettext_lazy("按名称自动匹配"),
    "close": gettext_lazy("按相近名称自动匹配，请核对"),
    "saved": gettext_lazy("沿用上次保存的对应关系"),
    "": gettext_lazy("未能自动匹配，请选择或不导入"),
}


def _roots(user) -> list[Organisation]:
    """The organisations at the top of the subtrees the user may fill for, highest first."""
    paths = granted_paths(user, Action.EDIT)
    return list(Organisation.objects.visible_to(user, Action.EDIT).filter(path__in=paths).order_by("depth", "path"))


def _datasets() -> list[DataSet]:
    return [d for d in DataSet.objects.filter(is_active=True).order_by("code") if d.current_version() is not None]


def _home(request: HttpRequest, *, problems: list[ImportProblem] | None = None, status: int = 200) -> HttpResponse:
    roots = _roots(request.user)
    if not roots:
        raise PermissionDenied(_("您没有填报权限，不能导入历史数据。"))
    context = {
        "roots": roots,
        "datasets": _datasets(),
        "problems": problems or [],
        "chosen_dataset": request.POST.get("dataset", ""),
        "chosen_org": request.POST.get("org", ""),
        "max_mb": max_upload_bytes() // (1024 * 1024),
        "max_rows": max_data_rows(),
    }
    return render(request, "reporting/excel_history.html", context, status=status)


def _context_from(request: HttpRequest, dataset_code: str, org_code: str, overwrite: bool = False) -> HistoryContext:
    """The data set and organisation of an upload: 404 outside the scope (or unknown), 403 without EDIT."""
    org = get_visible_or_404(Organisation.objects, request.user, Action.VIEW, code=org_code)
    if not can(request.user, Action.EDIT, org):
        raise PermissionDenied(_("您没有为“%(org)s”填报的权限。") % {"org": org.name})
    dataset = DataSet.objects.filter(code=dataset_code, is_active=True).first()
    if dataset is None:
        raise Http404
    actor = Actor.from_request(request)
    if overwrite and not may_accept(actor, org):
        raise PermissionDenied(_("只有产改办可以覆盖已验收数据。"))
    return HistoryContext(actor, dataset, org, overwrite)


def _meta(request: HttpRequest, token: str) -> dict[str, Any]:
    meta = storage.read_meta(token)
    if meta is None or meta.get("kind") != flow.KIND or meta.get("user_id") != request.user.pk:
        raise Http404
    return meta


@csrf_exempt  # checked by csrf_protect below, after the size check (as the Excel upload does)
@require_http_methods(["GET", "POST"])
def history_home(request: HttpRequest) -> HttpResponse:
    """GET: the upload form. POST: an upload, refused with 413 before it is read if too big."""
    if request.method == "POST":
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > max_upload_bytes() + 64 * 1024:
            problem = ImportProblem(
                "too_large",
                _("文件过大（%(size).1f MB），上限为 %(limit)d MB")
                % {"size": length / 1048576, "limit": max_upload_bytes() // 1048576},
                _("请删除多余的工作表和图片，或分批导入。"),
            )
            return _home(request, problems=[problem], status=413)
    return _history_upload(request)


@csrf_protect
def _history_upload(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _home(request)
    problems = []
    if not request.POST.get("dataset"):
        problems.append(ImportProblem("format", _("请选择报表。"), field=_("报表")))
    upload = request.FILES.get("file")
    if upload is None:
        problems.append(ImportProblem("format", _("请选择要上传的 .xlsx 文件。"), field=_("文件")))
    if problems:
        return _home(request, problems=problems, status=400)
    roots = _roots(request.user)
    org_code = request.POST.get("org") or (roots[0].code if roots else "")
    ctx = _context_from(request, request.POST["dataset"], org_code)
    token = storage.new_token()
    path = storage.save_upload(token, upload.chunks())
    try:
        step = flow.upload(ctx=ctx, path=str(path), token=token, filename=upload.name)
    except Exception:
        storage.delete(token)
        raise
    if not step.ok:
        return _home(request, problems=step.problems, status=step.status)
    return redirect("reporting:history_mapping", token)


@require_http_methods(["GET", "POST"])
def history_mapping(request: HttpRequest, token: str) -> HttpResponse:
    """The columns of the file, each with the data item it goes to; POST: preview with the chosen mapping."""
    meta = _meta(request, token)
    if meta.get("state") not in ("mapping", "preview", "refused"):
        raise Http404
    overwrite = request.method == "POST" and request.POST.get("overwrite") == "1"
    ctx = _context_from(request, meta["dataset"], meta["org"], overwrite)
    headers = meta.get("headers") or []
    current = meta.get("columns") or flow.suggested_columns(meta)
    if request.method == "POST":
        columns = {f"{h}": request.POST.get(f"col-{i}", "") for i, h in enumerate(headers)}
        flow.preview(ctx=ctx, token=token, meta=meta, columns=columns, save=request.POST.get("save") == "1")
        return redirect("reporting:history_preview", token)
    suggested = meta.get("suggested") or {}
    rows = [
        {
            "index": i,
            "header": h,
            "letter": (meta.get("letters") or [""] * len(headers))[i],
            "token": current.get(h, ""),
            "how": HOW_LABELS.get((suggested.get(h) or {}).get("how", ""), ""),
        }
        for i, h in enumerate(headers)
    ]
    context = {
        "ctx": ctx,
        "meta": meta,
        "token": token,
        "rows": rows,
        "choices": flow.choices(ctx),
        "may_overwrite": may_accept(ctx.actor, ctx.org),
        "overwrite": meta.get("overwrite", False),
    }
    return render(request, "reporting/excel_history_mapping.html", context)


@require_http_methods(["GET"])
def history_preview(request: HttpRequest, token: str) -> HttpResponse:
    """Every problem found, or what the import would write, with the confirm button."""
    meta = _meta(request, token)
    ctx = _context_from(request, meta["dataset"], meta["org"], bool(meta.get("overwrite")))
    if meta.get("state") not in ("preview", "refused"):
        return redirect("reporting:history_mapping", token)
    problems = [ImportProblem.from_dict(p) for p in meta.get("problems", [])]
    context = {
        "ctx": ctx,
        "meta": meta,
        "token": token,
        "plan": meta.get("plan"),
        "problems": problems,
        "total_problems": meta.get("total_problems") or len(problems),
        "accepts": may_accept(ctx.actor, ctx.org),
    }
    return render(request, "reporting/excel_history_preview.html", context, status=400 if problems else 200)


@require_POST
def history_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Write the previewed file, all or nothing; the upload is deleted whatever happens."""
    if (job := job_for_key(request.user, kind="reporting.history_import", dedupe_key=token)) is not None:
        return redirect("core:job_detail", job.pk)
    meta = _meta(request, token)
    ctx = _context_from(request, meta["dataset"], meta["org"], bool(meta.get("overwrite")))
    plan = meta.get("plan") or {}
    if meta.get("state") == "preview" and plan.get("changed_values", 0) > settings.IMPORT_INLINE_LIMIT:
        job = job_create(
            kind="reporting.history_import",
            by=ctx.actor,
            object_type="reporting.history",
            object_id=token,
            object_repr=f"{ctx.dataset.name} {ctx.org.name}",
            params={"dataset": ctx.dataset.code, "org": ctx.org.code, "overwrite": ctx.overwrite,
                    "file": meta.get("file", ""), "back_url": reverse("reporting:history_home")},
            task=history_import_confirm_task,
            task_kwargs={"token": token},
            dedupe_key=token,
        )  # fmt: skip
        return redirect("core:job_detail", job.pk)
    step = flow.confirm(ctx=ctx, token=token, meta=meta)
    if step.problems:
        context = {
            "ctx": ctx,
            "meta": meta,
            "token": token,
            "plan": None,
            "problems": step.problems,
            "total_problems": len(step.problems),
            "confirm_failed": True,
        }
        return render(request, "reporting/excel_history_preview.html", context, status=step.status)
    messages.success(request, flow.result_message(step.result))
    return redirect("reporting:history_home")


@require_POST
def history_discard(request: HttpRequest, token: str) -> HttpResponse:
    _meta(request, token)
    storage.delete(token)
    messages.info(request, _("已放弃本次上传，文件已删除。"))
    return redirect("reporting:history_home")
