"""The organisation tree's import and export pages.

    orgs/transfer/                     downloads (export .xlsx/CSV, the empty template) and the upload form
    orgs/transfer/export.<fmt>         the tree the user may see (ORG_VIEW), as .xlsx or CSV; audited
    orgs/transfer/template.xlsx        the empty template with its instructions sheet
    orgs/transfer/<token>/             the preview (created, changed, moved, closed, unchanged) or every problem
    orgs/transfer/<token>/confirm/     POST: import, all or nothing (a job past ORG_IMPORT_INLINE_ROWS rows)
    orgs/transfer/<token>/discard/     POST: drop the upload

The import is for those who may maintain organisations (ORG_MANAGE somewhere; 403 otherwise), within their
scope (orgs/transfer/plan.py); an upload belongs to whoever made it (404 for anyone else's token). The upload
view limits the request size before Django reads the body (a 413 without parsing anything), which is why it
installs its CSRF check itself after that check.
"""

from __future__ import annotations

import tempfile
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import audit, deadlines
from core.actor import Actor
from core.exports import export_response, rate_limited
from core.jobs import job_create, job_for_key
from orgs.choices import Action
from orgs.forms import OrgImportForm
from orgs.scoping import ensure_action, has_action
from orgs.transfer import services, storage
from orgs.transfer.exporting import write_export
from orgs.transfer.problems import Problem
from orgs.transfer.reading import kind_of, max_bytes, max_rows

JOB_KIND = "orgs.import"


def may_export(user) -> bool:
    """Whether `user` may download the tree they see: who maintains organisations or may export anything."""
    return has_action(user, Action.ORG_MANAGE) or has_action(user, Action.EXPORT)


def inline_rows() -> int:
    return int(getattr(settings, "ORG_IMPORT_INLINE_ROWS", 500))


def _page(
    request: HttpRequest, form: OrgImportForm | None = None, *, error: Problem | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "form": form or OrgImportForm(),
        "error": error,
        "max_mb": max_bytes() // (1024 * 1024),
        "max_rows": max_rows(),
        "inline_rows": inline_rows(),
        "may_export": may_export(request.user),
    }
    return render(request, "orgs/transfer.html", context, status=status)


@csrf_exempt  # checked by csrf_protect below, after the size check (Django docs: "Modifying upload handlers")
@require_http_methods(["GET", "POST"])
def transfer(request: HttpRequest) -> HttpResponse:
    """GET: the downloads and the upload form. POST: an upload, refused with 413 before it is read if too big."""
    ensure_action(request.user, Action.ORG_MANAGE)
    if request.method == "POST":
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > max_bytes() + 64 * 1024:
            problem = Problem(
                "too_large",
                _("文件过大（%(size).1f MB），上限为 %(limit)d MB")
                % {"size": length / 1048576, "limit": max_bytes() // 1048576},
                _("请删除多余的工作表和图片，或分批导入。"),
            )
            services.audit_upload(
                Actor.from_request(request),
                token="",
                filename="",
                facts={"size": length},
                problems=[problem],
                plan=None,
            )
            return _page(request, error=problem, status=413)
    return _transfer(request)


@csrf_protect
def _transfer(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request)
    form = OrgImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    upload = form.cleaned_data["file"]
    filename = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1][:200]
    token = storage.new_token()
    path = storage.save_upload(token, upload.chunks())
    try:
        services.preview(
            actor=Actor.from_request(request),
            path=path,
            token=token,
            filename=filename,
            kind=kind_of(filename),
            on=form.cleaned_data["on"],
        )
    except Exception:
        storage.delete(token)
        raise
    return redirect("orgs:transfer_preview", token)


@require_GET
def transfer_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The tree the user may see as .xlsx or CSV (audited, rate-limited per address)."""
    if fmt not in ("xlsx", "csv"):
        raise Http404
    if not may_export(request.user):
        raise PermissionDenied(_("您没有导出组织机构的权限。"))
    wait = rate_limited(request, "orgs-tree")
    if wait:
        response = render(request, "429.html", status=429)
        response["Retry-After"] = str(wait)
        return response
    fileobj = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response that sends it
    count = write_export(fileobj, fmt, request.user)
    fileobj.seek(0)
    audit.record(
        Actor.from_request(request),
        "orgs.tree.export",
        None,
        after=None,
        detail={"format": fmt, "rows": count},
        object_type="orgs.organisation",
        object_repr=_("组织机构导出"),
    )
    stamp = deadlines.today().strftime("%Y%m%d")
    return export_response(
        fileobj, fmt=fmt, filename_stem=_("组织机构-%(date)s") % {"date": stamp}, fallback_stem=f"organisations-{stamp}"
    )


@require_GET
def transfer_template(request: HttpRequest) -> HttpResponse:
    """The empty template with its instructions sheet."""
    ensure_action(request.user, Action.ORG_MANAGE)
    fileobj = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response that sends it
    write_export(fileobj, "xlsx")
    fileobj.seek(0)
    return export_response(
        fileobj, fmt="xlsx", filename_stem=_("组织机构导入模板"), fallback_stem="organisations-template"
    )


def _meta(request: HttpRequest, token: str) -> dict[str, Any]:
    """The upload's metadata if it exists and belongs to this user (404 otherwise: another person's upload does
    not exist for anyone else); 403 when its owner may no longer maintain organisations."""
    meta = storage.read_meta(token)
    if meta is None or meta.get("user_id") != request.user.pk:
        raise Http404
    ensure_action(request.user, Action.ORG_MANAGE)
    return meta


def _preview_page(
    request: HttpRequest,
    token: str,
    meta: dict[str, Any],
    *,
    problems: list[Problem] | None = None,
    confirm_failed: bool = False,
    status: int = 200,
) -> HttpResponse:
    if problems is None:
        problems = [Problem.from_dict(p) for p in meta.get("problems", [])]
    context = {
        "token": token,
        "meta": meta,
        "plan": None if problems else meta.get("plan"),
        "problems": problems,
        "total_problems": meta.get("total_problems") or len(problems),
        "confirm_failed": confirm_failed,
        "as_job": (meta.get("plan") or {}).get("counts", {}).get("rows", 0) > inline_rows(),
    }
    return render(request, "orgs/transfer_preview.html", context, status=status)


@require_GET
def transfer_preview(request: HttpRequest, token: str) -> HttpResponse:
    """What the upload would do, or every problem found."""
    meta = _meta(request, token)
    return _preview_page(request, token, meta)


@require_POST
def transfer_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Import the previewed upload, all or nothing; a large one in the worker, with progress on the job page."""
    if (job := job_for_key(request.user, kind=JOB_KIND, dedupe_key=token)) is not None:
        return redirect("core:job_detail", job.pk)  # confirmed before: that job's page
    meta = _meta(request, token)
    actor = Actor.from_request(request)
    rows = (meta.get("plan") or {}).get("counts", {}).get("rows", 0)
    if meta.get("state") == "preview" and rows > inline_rows():
        from orgs.tasks import org_import_confirm_task

        job = job_create(
            kind=JOB_KIND,
            by=actor,
            object_type="orgs.import",
            object_id=token,
            object_repr=_("组织机构导入：%(file)s") % {"file": meta.get("file", "")},
            params={"file": meta.get("file", ""), "back_url": reverse("orgs:transfer")},
            task=org_import_confirm_task,
            task_kwargs={"token": token},
            dedupe_key=token,
        )
        return redirect("core:job_detail", job.pk)
    outcome = services.confirm(actor=actor, token=token, meta=meta)
    if outcome.problems:
        return _preview_page(
            request,
            token,
            meta,
            problems=outcome.problems,
            confirm_failed=True,
            status=409 if outcome.conflict else 400,
        )
    messages.success(request, result_message(outcome.counts))
    return redirect("orgs:transfer")


def result_message(counts: dict[str, int]) -> str:
    """What an applied import did, in one sentence ("无变化" when it wrote nothing)."""
    if not any(counts.get(k) for k in ("create", "change", "move", "close")):
        return _("导入完成：无变化，文件中的 %(n)d 个机构与系统中完全相同，没有写入任何数据。") % {
            "n": counts.get("rows", 0)
        }
    return (
        _(
            "导入完成：新增 %(create)d 个、修改 %(change)d 个、迁移 %(move)d 个、撤销 %(close)d 个机构，"
            "%(unchanged)d 个无变化。"
        )
        % counts
    )


@require_POST
def transfer_discard(request: HttpRequest, token: str) -> HttpResponse:
    _meta(request, token)
    storage.delete(token)
    messages.info(request, _("已放弃本次上传，文件已删除。"))
    return redirect("orgs:transfer")
