"""Excel pages: download a template, upload it filled, check the preview, confirm the import.

    excel/                                         the rounds the user can fill, with links
    excel/<dataset>/<period>/<org>/                downloads and the upload form (POST: upload)
    excel/<dataset>/<period>/<org>/template.xlsx   ?layout=single|bulk&filled=0|1
    excel/uploads/<token>/                         the preview, or every problem found
    excel/uploads/<token>/confirm/                 POST: import, all or nothing
    excel/uploads/<token>/discard/                 POST: drop the upload
    excel/uploads/<token>/errors.xlsx              the error workbook (red cells, 错误清单)

Organisations are read through the scope: outside it → 404; inside it without EDIT → 403. An
upload belongs to the person who made it: anyone else gets 404 for its token. The upload view
limits the request size before Django reads the body (a 413 without parsing anything), which is
why it installs its CSRF check itself instead of relying on the middleware (see `upload`).
"""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import audit
from core.actor import Actor
from core.exports import XLSX_CONTENT_TYPE, attachment_disposition
from core.jobs import job_create, job_for_key
from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import can, get_visible_or_404, granted_paths, in_subtree
from reporting import queries
from reporting.excel import storage
from reporting.excel.container import max_data_rows, max_upload_bytes
from reporting.excel.importer import (
    build_template,
    bulk_orgs,
    confirm_upload,
    preview_upload,
    template_fallback,
    template_filename,
    template_version,
)
from reporting.excel.plan import Context
from reporting.excel.problems import ImportProblem, ImportRefused
from reporting.excel.stamp import BULK, SINGLE
from reporting.forms import ExcelGoForm
from reporting.models import DataSet, Report
from reporting.periods import parse_code, period_from_code
from reporting.tasks import excel_import_confirm_task

ROUNDS_SHOWN = 200


# --- Helpers -----------------------------------------------------------------------------------------------


def _context(request: HttpRequest, dataset_code: str, period_code: str, org_code: str) -> Context:
    """The page's data set, period and organisation: 404 when unknown or outside the scope, 403 without EDIT."""
    org = get_visible_or_404(Organisation.objects, request.user, Action.VIEW, code=org_code)
    dataset = get_object_or_404(DataSet, code=dataset_code, is_active=True)
    try:
        spec = parse_code(period_code)
    except Exception:  # noqa: BLE001 - any unreadable period is simply not a page
        raise Http404 from None
    if spec.period_type != dataset.period_type or spec.code != period_code:
        raise Http404
    if not can(request.user, Action.EDIT, org):
        raise PermissionDenied(_("您没有为“%(org)s”填报的权限。") % {"org": org.name})
    return Context(Actor.from_request(request), dataset, period_from_code(spec.code), org)


def _page_url(ctx: Context) -> str:
    return reverse("reporting:excel_import", args=[ctx.dataset.code, ctx.period.code, ctx.org.code])


def _upload_meta(request: HttpRequest, token: str) -> dict[str, Any]:
    """The upload's metadata if it exists and belongs to this user; 404 otherwise."""
    meta = storage.read_meta(token)
    if meta is None or meta.get("user_id") != request.user.pk or meta.get("kind"):  # a history upload: its own pages
        raise Http404
    return meta


def _upload_context(request: HttpRequest, meta: dict[str, Any]) -> Context:
    return _context(request, meta["dataset"], meta["period"], meta["org"])


# --- Pages -------------------------------------------------------------------------------------------------------


@require_GET
def excel_home(request: HttpRequest, go_form: ExcelGoForm | None = None) -> HttpResponse:
    """The rounds open for the user's organisations, each with its Excel page, and the bulk pages of groups;
    `go_form` is the "其他报告期或单位" form shown again with its errors (excel_go)."""
    user = request.user
    if not granted_paths(user, Action.EDIT):
        return render(request, "reporting/excel_home.html", {"no_scope": True})
    rounds = queries.entry_rounds(user=user, limit=ROUNDS_SHOWN + 1)
    groups = []
    edit_roots = list(Organisation.objects.filter(path__in=granted_paths(user, Action.EDIT)).order_by("path"))
    seen = set()
    for r in rounds:
        for group in edit_roots:
            key = (r.dataset.pk, r.period.code, group.pk)
            if key in seen or not in_subtree(r.org, group, strict=True):
                continue
            seen.add(key)
            groups.append({"round": r, "group": group})
    context = {
        "rounds": rounds[:ROUNDS_SHOWN],
        "truncated": len(rounds) > ROUNDS_SHOWN,
        "groups": groups,
        "go_form": go_form or ExcelGoForm(user=user),
    }
    # The open rounds' periods are offered even before a report made them exist.
    context["go_form"].fields["period"].offer([r.period.code for r in rounds] + [request.GET.get("period", "")])
    return render(request, "reporting/excel_home.html", context)


@require_GET
def excel_go(request: HttpRequest) -> HttpResponse:
    """The small form on the home page: go to the Excel page of a chosen data set, period and organisation
    (typed by name, pinyin initials or code); the form again with its errors otherwise."""
    # A well-formed period that no report has used yet (an open round's) is accepted; its page makes it.
    form = ExcelGoForm(request.GET, user=request.user, include_periods=[request.GET.get("period", "")])
    if not form.is_valid():
        return excel_home(request, go_form=form)
    data = form.cleaned_data
    return redirect("reporting:excel_import", data["dataset"], data["period"], data["org"].code)


def _import_page(
    request: HttpRequest, ctx: Context, *, error: ImportProblem | None = None, status: int = 200
) -> HttpResponse:
    report = Report.objects.visible_to(request.user).filter(org=ctx.org, dataset=ctx.dataset, period=ctx.period).first()
    version = template_version(ctx, SINGLE)
    due_here = report is not None or queries.must_report(ctx.dataset, ctx.org, ctx.period)
    subsidiaries = bulk_orgs(ctx, ctx.dataset.current_version()) if ctx.dataset.current_version() else []
    window = queries.entry_window(ctx.dataset, ctx.period, ctx.org)
    context = {
        "ctx": ctx,
        "report": report,
        "version": version,
        "due_here": due_here,
        "subsidiaries": len(subsidiaries),
        "window": window,
        "editable": report is None or report.is_editable,
        "max_mb": max_upload_bytes() // (1024 * 1024),
        "max_rows": max_data_rows(),
        "error": error,
        "page_url": _page_url(ctx),
    }
    return render(request, "reporting/excel_import.html", context, status=status)


@csrf_exempt  # checked by csrf_protect below, after the size check (Django docs: "Modifying upload handlers")
@require_http_methods(["GET", "POST"])
def excel_import(request: HttpRequest, dataset: str, period: str, org: str) -> HttpResponse:
    """GET: the downloads and the upload form. POST: an upload, refused with 413 before it is read if too big."""
    if request.method == "POST":
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > max_upload_bytes() + 64 * 1024:
            ctx = _context(request, dataset, period, org)
            problem = ImportProblem(
                "too_large",
                _("文件过大（%(size).1f MB），上限为 %(limit)d MB")
                % {"size": length / 1048576, "limit": max_upload_bytes() // 1048576},
                _("请删除多余的工作表和图片，或分批导入。"),
            )
            audit.record(
                ctx.actor,
                "reporting.import.refused",
                None,
                after=None,
                success=False,
                detail={
                    "dataset": ctx.dataset.code,
                    "period": ctx.period.code,
                    "org": ctx.org.code,
                    "size": length,
                    "codes": {"too_large": 1},
                },
                object_type="reporting.import",
                object_repr=f"{ctx.dataset.code} {ctx.period.code} {ctx.org.code}",
            )
            return _import_page(request, ctx, error=problem, status=413)
    return _excel_import(request, dataset, period, org)


@csrf_protect
def _excel_import(request: HttpRequest, dataset: str, period: str, org: str) -> HttpResponse:
    ctx = _context(request, dataset, period, org)
    if request.method == "GET":
        return _import_page(request, ctx)
    upload = request.FILES.get("file")
    if upload is None:
        return _import_page(request, ctx, error=ImportProblem("format", _("请选择要上传的 .xlsx 文件。")), status=400)
    token = storage.new_token()
    try:
        path = storage.save_upload(token, upload.chunks())
        preview_upload(ctx=ctx, path=str(path), token=token, filename=upload.name)
    except Exception:
        storage.delete(token)
        raise
    return redirect("reporting:excel_preview", token)


@require_GET
def excel_template(request: HttpRequest, dataset: str, period: str, org: str) -> HttpResponse:
    """A template: ?layout=single (default; &filled=1 with the stored values) or ?layout=bulk."""
    ctx = _context(request, dataset, period, org)
    kind = BULK if request.GET.get("layout") == BULK else SINGLE
    filled = request.GET.get("filled") in {"1", "true", "on"}
    try:
        data = build_template(ctx=ctx, kind=kind, filled=filled)
    except ImportRefused as refusal:
        messages.error(request, refusal.problems[0].message)
        return redirect(_page_url(ctx))
    response = FileResponse(io.BytesIO(data), as_attachment=True, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_disposition(
        f"{template_filename(ctx, kind)}.xlsx", fallback=f"{template_fallback(ctx, kind)}.xlsx"
    )
    response["Cache-Control"] = "no-store, private"
    return response


@require_GET
def excel_preview(request: HttpRequest, token: str) -> HttpResponse:
    """What the upload would change, per organisation, or every problem found (with the error workbook)."""
    meta = _upload_meta(request, token)
    ctx = _upload_context(request, meta)
    problems = [ImportProblem.from_dict(p) for p in meta.get("problems", [])]
    context = {
        "ctx": ctx,
        "token": token,
        "meta": meta,
        "plan": meta.get("plan"),
        "problems": problems,
        "total_problems": meta.get("total_problems") or len(problems),
        "page_url": _page_url(ctx),
    }
    return render(request, "reporting/excel_preview.html", context, status=200)


@require_POST
def excel_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Import the previewed upload, all or nothing; the upload is deleted whatever happens."""
    if (job := job_for_key(request.user, kind="reporting.excel_import", dedupe_key=token)) is not None:
        return redirect("core:job_detail", job.pk)  # confirmed before (the upload may be gone): that job's page
    meta = _upload_meta(request, token)
    ctx = _upload_context(request, meta)
    if (
        meta.get("state") == "preview"
        and (meta.get("plan") or {}).get("total_changes", 0) > settings.IMPORT_INLINE_LIMIT
    ):
        # Too many values to write within one request: the worker imports it (still all or nothing).
        job = job_create(
            kind="reporting.excel_import",
            by=ctx.actor,
            object_type="reporting.import",
            object_id=token,
            object_repr=f"{ctx.dataset.name} {ctx.period.code} {ctx.org.name}",
            params={"dataset": ctx.dataset.code, "period": ctx.period.code, "org": ctx.org.code,
                    "file": meta.get("file", ""), "back_url": _page_url(ctx)},
            task=excel_import_confirm_task,
            task_kwargs={"token": token},
            dedupe_key=token,  # confirming twice finds the job the first confirm made
        )  # fmt: skip
        return redirect("core:job_detail", job.pk)
    outcome = confirm_upload(ctx=ctx, token=token, meta=meta)
    if outcome.problems:
        status = 409 if any(p.code in ("conflict", "expired") for p in outcome.problems) else 400
        context = {
            "ctx": ctx,
            "token": token,
            "meta": meta,
            "plan": None,
            "problems": outcome.problems,
            "total_problems": len(outcome.problems),
            "confirm_failed": True,
            "page_url": _page_url(ctx),
        }
        return render(request, "reporting/excel_preview.html", context, status=status)
    if outcome.results:
        messages.success(
            request,
            _("导入成功：已保存 %(orgs)d 个单位的 %(cells)d 个数值（报表为草稿状态，仍需提交）。")
            % {"orgs": outcome.orgs, "cells": outcome.cells},
        )
    else:
        messages.info(request, _("文件中的数据与系统中现有数据完全相同，没有需要导入的内容。"))
    skipped = (meta.get("plan") or {}).get("skipped") or []
    if skipped:
        messages.warning(
            request,
            _("另有 %(n)d 个单位的报表已不能修改，其所在行未导入：%(orgs)s。")
            % {
                "n": len(skipped),
                "orgs": "、".join(r["name"] for r in skipped[:10]) + (_("等") if len(skipped) > 10 else ""),
            },
        )
    return redirect(_page_url(ctx))


@require_POST
def excel_discard(request: HttpRequest, token: str) -> HttpResponse:
    meta = _upload_meta(request, token)
    storage.delete(token)
    messages.info(request, _("已放弃本次上传，文件已删除。"))
    return redirect("reporting:excel_import", meta["dataset"], meta["period"], meta["org"])


@require_GET
def excel_error_file(request: HttpRequest, token: str) -> HttpResponse:
    """The error workbook of a refused upload, as a download."""
    meta = _upload_meta(request, token)
    path = storage.path_of(token, ".errors.xlsx")
    if not path.exists():
        raise Http404
    ctx = _upload_context(request, meta)
    response = FileResponse(path.open("rb"), as_attachment=True, content_type=XLSX_CONTENT_TYPE)
    name = template_filename(ctx, SINGLE, _("错误报告"))
    response["Content-Disposition"] = attachment_disposition(
        f"{name}.xlsx", fallback=f"{template_fallback(ctx, SINGLE, 'errors')}.xlsx"
    )
    response["Cache-Control"] = "no-store, private"
    return response
