"""The reporter's and reviewer's pages: my reports, the entry grid, the report page with its workflow,
attachments and the inbox.

Reports are read through the scope (`get_visible_or_404` with VIEW): outside it a report does not
exist for the user (404). Every write goes through reporting.services, which check the right again
(403 without it) and the state (409 from a wrong one), so an action hidden on the page is refused
just the same when posted directly.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from core import audit
from core.actor import Actor
from core.errors import UserError
from core.files import ALLOWED_EXTENSIONS, MAX_ATTACHMENT_SIZE
from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import can, get_visible_or_404, granted_paths, is_office
from reporting import queries, services
from reporting.choices import Importance, ReportStatus, Timeliness
from reporting.filters import ReportFilter
from reporting.models import (
    DataSet,
    DataValue,
    DeadlineExtension,
    Notification,
    Report,
    ReportAttachment,
    TotalRelation,
)
from reporting.periods import parse_code, period_from_code
from reporting.views.entry_grid import (
    build_grid,
    cell_numbers,
    cell_token,
    field_name,
    parse_cell_token,
    rule_views,
)
from reporting.workflow import STEPS

REPORTS_PER_PAGE = 30
NOTIFICATIONS_PER_PAGE = 30
ROUNDS_SHOWN = 200
AUTOSAVE_MS = 3000  # background save this long after the user stops typing

STATUS_STYLE = {
    ReportStatus.DRAFT: "secondary",
    ReportStatus.SUBMITTED: "primary",
    ReportStatus.APPROVED: "info",
    ReportStatus.RETURNED: "danger",
    ReportStatus.ACCEPTED: "success",
    ReportStatus.LOCKED: "dark",
}

EVENT_LABELS = {
    "reporting.report.open": gettext_lazy("创建草稿"),
    "reporting.values.save": gettext_lazy("保存数据"),
    "reporting.value.comment": gettext_lazy("填写备注"),
    "reporting.warning.explain": gettext_lazy("说明警告"),
    "reporting.report.submit": gettext_lazy("提交"),
    "reporting.report.approve": gettext_lazy("审核通过"),
    "reporting.report.return": gettext_lazy("退回"),
    "reporting.report.accept": gettext_lazy("验收"),
    "reporting.report.lock": gettext_lazy("锁定"),
    "reporting.report.reopen": gettext_lazy("重新打开"),
    "reporting.attachment.add": gettext_lazy("上传附件"),
    "reporting.attachment.delete": gettext_lazy("删除附件"),
}
HIDDEN_EVENTS = {"reporting.attachment.download"}

# --- Forms ------------------------------------------------------------------------------------------------


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if self.errors.get("version"):
            raise forms.ValidationError(_("页面已过期（缺少版本号），请刷新后重试。"))
        return cleaned


class SubmitForm(VersionForm):
    idempotency_key = forms.CharField(max_length=100, required=False, widget=forms.HiddenInput)


class ReturnForm(VersionForm):
    reason = forms.CharField(
        label=gettext_lazy("退回原因"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    section = forms.CharField(max_length=64, required=False)


class ReopenForm(VersionForm):
    reason = forms.CharField(
        label=gettext_lazy("重新打开的原因"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class CommentForm(forms.Form):
    cell = forms.CharField(max_length=400)
    comment = forms.CharField(max_length=1000, required=False, widget=forms.Textarea)


class ExplainForm(forms.Form):
    rule = forms.CharField(max_length=100)
    text = forms.CharField(max_length=1000, required=False, widget=forms.Textarea)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("文件"), allow_empty_file=True)


class OpenForm(forms.Form):
    dataset = forms.CharField(max_length=64)
    period = forms.CharField(max_length=10)
    org = forms.CharField(max_length=64)


# --- Shared helpers ----------------------------------------------------------------------------------------


def _visible_report(request: HttpRequest, pk: int) -> Report:
    """The report if the user may see it; 404 otherwise (missing or not theirs)."""
    return get_visible_or_404(
        Report.objects.select_related("org", "dataset", "dataset_version", "period", "submitted_by"),
        request.user,
        Action.VIEW,
        pk=pk,
    )


def _deadline_info(deadline, now=None) -> dict:
    left = queries.days_left(deadline, now)
    return {"deadline": deadline, "days_left": left, "late_days": -left}


def _read_only_reason(report: Report, user, now) -> str:
    """Why the grid is shown without inputs ("" when the user may edit now)."""
    if not can(user, Action.EDIT, report.org):
        return _("您可以查看本报表，但没有填报权限。")
    lock = queries.period_lock_of(report.dataset, report.period)
    if lock is not None:
        return _("%(period)s已由产改办锁定，不能再修改。") % {"period": report.period.label}
    if not report.is_editable:
        return _("报表当前状态为“%(status)s”，不能修改；如需修改，请联系审核人退回。") % {
            "status": report.get_status_display()
        }
    if report.status == ReportStatus.DRAFT:
        window = queries.entry_window(report.dataset, report.period, report.org)
        if now < window.opens_at:
            return _("本期尚未开放填报，将于 %(day)s 开放。") % {"day": window.opens_at.date().isoformat()}
        if now >= window.closes_at:
            return _("已过截止日（%(deadline)s）和宽限期，填报已关闭；如需补报，请联系产改办延期。") % {
                "deadline": window.deadline.isoformat()
            }
    return ""


def _history(report: Report) -> list[dict]:
    entries = [e for e in queries.report_history(report) if e.event not in HIDDEN_EVENTS and e.success]
    names = {
        u.pk: (u.full_name or u.username) for u in User.objects.filter(pk__in={e.user_id for e in entries if e.user_id})
    }
    rows = []
    for entry in entries:
        detail = entry.detail or {}
        note = ""
        if entry.event in ("reporting.report.return", "reporting.report.reopen"):
            note = detail.get("reason", "")
        elif entry.event == "reporting.values.save":
            note = _("修改 %(n)d 项") % {"n": len(detail.get("changes", {}))}
        elif entry.event.startswith("reporting.attachment."):
            note = detail.get("name", "")
        elif entry.event == "reporting.warning.explain":
            note = detail.get("text", "")
        rows.append(
            {
                "at": entry.at,
                "who": names.get(entry.user_id, entry.username or _("系统")),
                "label": EVENT_LABELS.get(entry.event, entry.event),
                "event": entry.event,
                "note": note,
            }
        )
    return rows


def _cell_values(report: Report) -> dict:
    """Every stored cell of the report, empty ones included: an empty cell may still carry a comment."""
    rows = DataValue.objects.filter(report=report).select_related("element", "option_combo")
    return {(v.element.code, v.option_combo.key): v for v in rows}


def _explanations(report: Report) -> dict[str, str]:
    return dict(report.explanations.values_list("rule__code", "text"))


def _report_context(request: HttpRequest, report: Report, layout=None) -> dict:
    """What both report pages show: header facts, deadline and timeliness, validation, files, returns."""
    now = timezone.now()
    layout = layout or queries.version_layout(report.dataset_version)
    window = queries.entry_window(report.dataset, report.period, report.org)
    return {
        "report": report,
        "layout": layout,
        "status_style": STATUS_STYLE.get(report.status, "secondary"),
        "window": window,
        "deadline": _deadline_info(window.deadline, now),
        "timeliness": queries.timeliness_of(report, window, now),
        "attachments": list(report.attachments.select_related("uploaded_by")),
        "returns": queries.report_open_returns(report),
        "allowed_extensions": ", ".join(ALLOWED_EXTENSIONS),
        "max_attachment_mb": MAX_ATTACHMENT_SIZE // (1024 * 1024),
    }


# --- 我的填报 -------------------------------------------------------------------------------------------


def _report_windows(reports: list[Report]) -> dict[int, queries.EntryWindow]:
    """The entry window (effective deadline) per report, with every extension read in one query."""
    if not reports:
        return {}
    extensions = list(
        DeadlineExtension.objects.filter(
            dataset_id__in={r.dataset_id for r in reports}, period_id__in={r.period_id for r in reports}
        ).select_related("org")
    )
    return {
        report.pk: queries.window_for(
            report.dataset,
            report.period,
            report.org,
            [e for e in extensions if e.dataset_id == report.dataset_id and e.period_id == report.period_id],
        )
        for report in reports
    }


def _with_deadlines(reports: list[Report], now) -> list[dict]:
    windows = _report_windows(reports)
    rows = []
    for report in reports:
        window = windows[report.pk]
        rows.append(
            {
                "report": report,
                "style": STATUS_STYLE.get(report.status, "secondary"),
                "timeliness": Timeliness(window.timeliness(report.first_submitted_at, now)),
                **_deadline_info(window.deadline, now),
            }
        )
    return rows


@require_GET
def my_reports(request: HttpRequest) -> HttpResponse:
    """我的填报: rounds open for the user's organisations, reports waiting for the user, and every visible report."""
    user = request.user
    if not granted_paths(user, Action.VIEW):
        return render(request, "reporting/entry_list.html", {"no_scope": True})
    now = timezone.now()
    office = is_office(user)
    rounds = [] if office else queries.entry_rounds(user=user, now=now, limit=ROUNDS_SHOWN + 1)
    round_rows = [
        {
            "round": r,
            "style": STATUS_STYLE.get(r.report.status, "secondary") if r.report else "light",
            **_deadline_info(r.deadline, now),
        }
        for r in rounds[:ROUNDS_SHOWN]
    ]
    in_rounds = {r.report.pk for r in rounds if r.report is not None}
    returned = []
    if not office:
        returned = list(
            Report.objects.visible_to(user, Action.EDIT)
            .filter(status=ReportStatus.RETURNED)
            .exclude(pk__in=in_rounds)
            .select_related("org", "dataset", "period")[:ROUNDS_SHOWN]
        )
    queue_kind, queue = queries.review_queue(user=user)

    base = Report.objects.visible_to(user, Action.VIEW).select_related("org", "dataset", "period")
    filterset = ReportFilter(request.GET, queryset=base, request=request)
    reports = filterset.qs if filterset.is_valid() else base.none()
    text = (request.GET.get("q") or "").strip()
    if text:
        reports = reports.filter(Q(org__name__icontains=text) | Q(org__code__iexact=text))
    page = Paginator(reports.order_by("-period__start", "dataset__code", "org__path"), REPORTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    extra = "".join(
        f"&{name}={request.GET.get(name)}" for name in ("dataset", "period", "status", "q") if request.GET.get(name)
    )
    context = {
        "rounds": round_rows,
        "rounds_truncated": len(rounds) > ROUNDS_SHOWN,
        "returned": _with_deadlines(returned, now),
        "queue_kind": queue_kind,
        "queue": _with_deadlines(queue, now),
        "page_obj": page,
        "rows": _with_deadlines(list(page.object_list), now),
        "page_extra": extra,
        "datasets": DataSet.objects.filter(is_active=True).order_by("code"),
        "statuses": ReportStatus.choices,
        "filters": {name: request.GET.get(name, "") for name in ("dataset", "period", "status", "q")},
        "office": office,
    }
    return render(request, "reporting/entry_list.html", context)


@require_POST
def report_open_view(request: HttpRequest) -> HttpResponse:
    """Open (create or find) the draft of one organisation, data set and period, then go to its grid."""
    form = OpenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请求不完整，请从“我的填报”页面重新打开。"))
        return redirect("reporting:my_reports")
    org = get_visible_or_404(Organisation.objects, request.user, Action.VIEW, code=form.cleaned_data["org"])
    dataset = get_object_or_404(DataSet, code=form.cleaned_data["dataset"])
    try:
        parse_code(form.cleaned_data["period"])
        period = period_from_code(form.cleaned_data["period"])
        report = services.report_open(by=Actor.from_request(request), org=org, dataset=dataset, period=period)
    except UserError as error:
        messages.error(request, error.message)
        return redirect("reporting:my_reports")
    return redirect("reporting:report_entry", pk=report.pk)


# --- The entry grid -----------------------------------------------------------------------------------------


def _posted_cells(request: HttpRequest, layout: queries.Layout) -> dict[tuple[str, str], str]:
    """The cells present in the form, with browsers' CRLF line ends made LF again."""
    posted = {}
    for key in layout.cells:
        name = field_name(key)
        if name in request.POST:
            posted[key] = request.POST[name].replace("\r\n", "\n")
    return posted


def _posted_original(request: HttpRequest) -> dict[str, str] | None:
    """The values the page was loaded with (hidden JSON), or None when missing or unreadable."""
    text = request.POST.get("original", "")
    if not text or len(text) > 2_000_000:
        return None
    try:
        original = json.loads(text)
    except ValueError:
        return None
    if not isinstance(original, dict):
        return None
    return {str(k): str(v) for k, v in original.items()}


def _user_edits(posted: Mapping, original: Mapping[str, str] | None) -> dict:
    """The cells the user changed on the page: only these are saved, so a save never reverts
    cells that someone else changed after the page was loaded."""
    if original is None:
        return dict(posted)
    return {key: value for key, value in posted.items() if original.get(field_name(key)) != value}


def _version_from(request: HttpRequest, name: str) -> int | None:
    try:
        value = int(request.POST.get(name, ""))
    except ValueError:
        return None
    return value if value > 0 else None


def _autosave(request: HttpRequest, report: Report, layout: queries.Layout) -> JsonResponse:
    """Save the page's edits in the background (JSON): the same all-or-nothing, version-checked save
    as the button, answered with the new version and the stored text of each cell sent, or with the
    message of each refused cell. A conflict is not resolved here: the page asks the user to save
    with the button, which shows what the other person changed."""
    posted = _posted_cells(request, layout)
    edits = _user_edits(posted, _posted_original(request))
    loaded = _version_from(request, "version")
    if loaded is None:
        return JsonResponse({"ok": False, "message": _("页面已过期（缺少版本号），请刷新后重试。")}, status=400)
    try:
        result = services.values_save(by=Actor.from_request(request), report=report, version=loaded, values=edits)
    except services.ValuesInvalid as error:
        problems = {
            field_name((p.element_code, p.option_key)): p.message
            for p in error.problems
            if (p.element_code, p.option_key) in layout.cells
        }
        # Refused values are an ordinary answer of a form (200), as on the page itself.
        return JsonResponse({"ok": False, "message": error.message, "problems": problems})
    except services.ReportConflict as error:
        return JsonResponse({"ok": False, "conflict": True, "message": error.message}, status=409)
    except UserError as error:
        return JsonResponse({"ok": False, "message": error.message}, status=error.status_code)
    saved = result.report
    stored_values = {key: v.value for key, v in _cell_values(saved).items()}
    return JsonResponse(
        {
            "ok": True,
            "version": saved.version,
            "changed": len(result.changed),
            "values": {field_name(key): stored_values.get(key, "") for key in edits},
            "message": _("已自动保存到服务器（第 %(version)d 版，%(time)s）")
            % {"version": saved.version, "time": timezone.localtime().strftime("%H:%M:%S")},
        }
    )


@require_http_methods(["GET", "POST"])
def report_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """The entry grid: save as draft (all or nothing, version-checked), or read-only when not editable."""
    report = _visible_report(request, pk)
    user = request.user
    now = timezone.now()
    layout = queries.version_layout(report.dataset_version)
    posted: dict = {}
    edits: dict = {}
    original: dict[str, str] | None = None
    problems: dict = {}
    general_problems: list[str] = []
    conflict = None
    save_error = ""
    status = 200
    version = report.version

    if request.method == "POST" and request.POST.get("autosave") == "1":
        return _autosave(request, report, layout)
    if request.method == "POST":
        posted = _posted_cells(request, layout)
        original = _posted_original(request)
        loaded = _version_from(request, "version")
        override = _version_from(request, "base_version")
        edits = _user_edits(posted, original)
        if loaded is None:
            save_error = _("页面已过期（缺少版本号），请刷新后重试。")
            status = 400
        else:
            version = loaded
            try:
                result = services.values_save(
                    by=Actor.from_request(request), report=report, version=override or loaded, values=edits
                )
            except services.ValuesInvalid as error:
                # A form with field errors is an ordinary answer (200), like any invalid form.
                save_error = error.message
                for problem in error.problems:
                    key = (problem.element_code, problem.option_key)
                    if key in layout.cells:
                        problems[key] = problem.message
                    else:
                        general_problems.append(f"{problem.label}：{problem.message}")
            except services.ReportConflict as error:
                status = 409
                save_error = error.message
                conflict = error
            except UserError as error:
                status = error.status_code
                save_error = error.message
            else:
                saved = result.report
                if result.changed:
                    messages.success(
                        request,
                        _("已保存 %(n)d 项修改（第 %(version)d 版）。")
                        % {"n": len(result.changed), "version": saved.version},
                    )
                else:
                    messages.info(request, _("没有需要保存的修改。"))
                notes = sorted({note for cell_notes in result.notes.values() for note in cell_notes})
                if notes:
                    messages.info(request, _("已自动规范填写格式：%(notes)s。") % {"notes": "、".join(notes)})
                if request.POST.get("next") == "detail":
                    # "检查并提交" with unsaved edits: saved first, then on to the report page.
                    target = reverse("reporting:report_detail", kwargs={"pk": report.pk})
                    return HttpResponseRedirect(f"{target}#actions")
                target = reverse("reporting:report_entry", kwargs={"pk": report.pk})
                return HttpResponseRedirect(f"{target}?saved={loaded}")
        report.refresh_from_db()

    values = _cell_values(report)
    theirs = {}
    conflict_rows = []
    if conflict is not None:
        theirs = {(c.element_code, c.option_key): c.new for c in conflict.changes}
        original = dict(original or {})
        for change in conflict.changes:
            key = (change.element_code, change.option_key)
            cell = layout.cells.get(key)
            edited = key in edits
            if not edited:
                # A cell the user did not touch takes the other person's value: only real edits compete.
                posted[key] = change.new
                original[field_name(key)] = change.new
            conflict_rows.append(
                {
                    "label": change.label,
                    "theirs": change.new,
                    "mine": posted.get(key, "") if edited else "",
                    "both": edited,
                    "dom": field_name(key),
                    "unit": cell.element.unit if cell else "",
                }
            )
        save_error = _(
            "本报表在您打开后已被他人修改（您打开的是第 %(yours)d 版，当前为第 %(current)d 版），"
            "您的修改尚未保存。下表列出其间他人改动的数据项："
        ) % {"yours": version, "current": conflict.current_version}
    grid = build_grid(
        report,
        layout,
        values=values,
        posted=posted,
        previous=queries.previous_values(report),
        problems=problems,
        returns=queries.report_open_returns(report),
        theirs=theirs,
        total_relations=TotalRelation.objects.filter(dataset_version=report.dataset_version).select_related(
            "total_element", "parts_element"
        ),
    )
    context = _report_context(request, report, layout)
    read_only_reason = _read_only_reason(report, user, now)
    if original is None:
        original = {field_name(key): (values[key].value if key in values else "") for key in layout.cells}
    outcomes = queries.report_validation(report, layout=layout)
    explanations = _explanations(report)
    context.update(
        grid=grid,
        editable=not read_only_reason,
        read_only_reason=read_only_reason,
        version=version,
        current_version=report.version,
        original_json=json.dumps(original, ensure_ascii=False),
        save_error=save_error,
        general_problems=general_problems,
        problem_cells=[grid.cell(k) for k in problems],
        conflict=conflict,
        conflict_rows=conflict_rows,
        rules=rule_views(outcomes, grid, explanations),
        actions=queries.report_actions(report, user, now=now),
        saved_version=request.GET.get("saved", ""),
        draft_key=f"changai.report.{report.pk}",
        # After a conflict the user decides first: no background save until then.
        autosave_ms=0 if conflict is not None else AUTOSAVE_MS,
    )
    return render(request, "reporting/entry_report.html", context, status=status)


@require_POST
def value_comment_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the comment on one cell (htmx: the comment panel's result and the cell's button, out of band)."""
    report = _visible_report(request, pk)
    form = CommentForm(request.POST)
    key = parse_cell_token(request.POST.get("cell", "")) if form.is_valid() else None
    layout = queries.version_layout(report.dataset_version)
    context: dict = {"report": report}
    status = 200
    if key is None or key not in layout.cells:
        context["error"] = _("没有找到要备注的数据项，请刷新页面后重试。")
        status = 400
    else:
        try:
            value = services.value_comment(
                by=Actor.from_request(request),
                report=report,
                element_code=key[0],
                option_key=key[1],
                comment=form.cleaned_data["comment"],
            )
        except UserError as error:
            context["error"] = error.message
            status = error.status_code
        else:
            cell = layout.cells[key]
            index = cell_numbers(layout)[key]
            context.update(
                saved=True,
                comment=value.comment,
                comment_cell={"index": index, "token": cell_token(key), "label": cell.label, "comment": value.comment},
            )
    if not request.htmx:
        if "error" in context:
            messages.error(request, context["error"])
        else:
            messages.success(request, _("已保存备注。"))
        return redirect("reporting:report_entry", pk=report.pk)
    return render(request, "reporting/entry_report.html#comment_result", context, status=status)


@require_POST
def warning_explain_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the explanation of a failing warning (htmx: the warning's item)."""
    report = _visible_report(request, pk)
    form = ExplainForm(request.POST)
    code = form.cleaned_data["rule"] if form.is_valid() else ""
    text = form.cleaned_data.get("text", "") if form.is_valid() else ""
    error = ""
    status = 200
    try:
        services.warning_explain(by=Actor.from_request(request), report=report, rule_code=code, text=text)
    except UserError as exc:
        error = exc.message
        status = exc.status_code
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("已保存警告说明。"))
        return redirect("reporting:report_entry", pk=report.pk)
    rule = report.dataset_version.rules.filter(code=code).first()
    context = {"report": report, "rule_code": code, "rule": rule, "text": text, "error": error, "saved": not error}
    return render(request, "reporting/entry_report.html#explain_result", context, status=status)


# --- Attachments ----------------------------------------------------------------------------------------------


def _attachments_response(request: HttpRequest, report: Report, *, error: str = "", status: int = 200) -> HttpResponse:
    if not request.htmx:
        if error:
            messages.error(request, error)
        target = "reporting:report_detail" if request.POST.get("next_page") == "detail" else "reporting:report_entry"
        return redirect(target, pk=report.pk)
    context = _report_context(request, report)
    context.update(editable=not _read_only_reason(report, request.user, timezone.now()), attachment_error=error)
    return render(request, "reporting/entry_report.html#attachments", context, status=status)


@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach a file to the report (checked by its content; 413 over 20 MB)."""
    report = _visible_report(request, pk)
    length = request.META.get("CONTENT_LENGTH") or "0"
    if length.isdigit() and int(length) > MAX_ATTACHMENT_SIZE + 1024 * 1024:
        return _attachments_response(
            request,
            report,
            error=_("上传的文件超过了 20 MB 的上限；请压缩或拆分后再上传。"),
            status=413,
        )
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _attachments_response(request, report, error=_("请选择要上传的文件。"), status=400)
    actor = Actor.from_request(request)
    upload = form.cleaned_data["file"]
    try:
        attachment = services.attachment_add(by=actor, report=report, upload=upload)
    except UserError as error:
        # A refused file is audited too (who tried what), then the temporary upload is dropped.
        audit.record(
            actor,
            "reporting.attachment.add",
            report,
            success=False,
            after=None,
            detail={"name": (upload.name or "")[:200], "size": upload.size, "message": error.message},
        )
        upload.close()
        return _attachments_response(request, report, error=error.message, status=error.status_code)
    if not request.htmx:
        messages.success(request, _("已上传附件“%(name)s”。") % {"name": attachment.original_name})
    return _attachments_response(request, report)


def _visible_attachment(request: HttpRequest, pk: int, attachment_id: int) -> ReportAttachment:
    return get_visible_or_404(
        ReportAttachment.objects.select_related("report__org", "report__dataset", "report__period"),
        request.user,
        Action.VIEW,
        pk=attachment_id,
        report_id=pk,
    )


@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    """The file, always as a download under its original name (never shown inline)."""
    attachment = _visible_attachment(request, pk, attachment_id)
    try:
        handle = services.attachment_open(by=Actor.from_request(request), attachment=attachment)
    except UserError as error:
        messages.error(request, error.message)
        return redirect("reporting:report_detail", pk=pk)
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def attachment_delete(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    """Remove a file while the report can still be edited."""
    attachment = _visible_attachment(request, pk, attachment_id)
    report = attachment.report
    try:
        services.attachment_delete(by=Actor.from_request(request), attachment=attachment)
    except UserError as error:
        return _attachments_response(request, report, error=error.message, status=error.status_code)
    if not request.htmx:
        messages.success(request, _("已删除附件“%(name)s”。") % {"name": attachment.original_name})
    return _attachments_response(request, report)


# --- The report page and its workflow --------------------------------------------------------------------------


def _detail_context(request: HttpRequest, report: Report) -> dict:
    user = request.user
    now = timezone.now()
    layout = queries.version_layout(report.dataset_version)
    reviewer = can(user, Action.REVIEW, report.org) or can(user, Action.ACCEPT, report.org)
    changes = queries.report_changes_since_last_submission(report) if reviewer else []
    outliers = queries.report_outliers(report) if reviewer else []
    actions = queries.report_actions(report, user, now=now)
    grid = build_grid(
        report,
        layout,
        values=_cell_values(report),
        previous=queries.previous_values(report),
        returns=queries.report_open_returns(report),
        changes=changes,
        outliers=outliers,
        total_relations=TotalRelation.objects.filter(dataset_version=report.dataset_version).select_related(
            "total_element", "parts_element"
        ),
    )
    completeness = queries.report_completeness(report)
    explanations = _explanations(report)
    outcomes = completeness.errors + completeness.warnings
    context = _report_context(request, report, layout)
    context.update(
        grid=grid,
        editable=False,
        reviewer=reviewer,
        may_edit=not _read_only_reason(report, user, now),
        completeness=completeness,
        rules=rule_views(outcomes, grid, explanations),
        warnings=[{"outcome": o, "text": explanations.get(o.code, "")} for o in completeness.warnings],
        changes=changes,
        outliers=outliers,
        actions=actions,
        steps={name: STEPS[name].label for name in actions},
        may_return_cells="return" in actions,
        history=_history(report),
        idempotency_key=uuid.uuid4().hex,
        snapshots=report.snapshots.count(),
        importance=Importance,
    )
    return context


@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The report page: header, completeness, checks, changes and outliers for reviewers, history, actions."""
    report = _visible_report(request, pk)
    return render(request, "reporting/entry_detail.html", _detail_context(request, report))


def _step_kwargs(step: str, request: HttpRequest, report: Report) -> tuple[dict | None, str]:
    """The service arguments for `step` from the posted form, or (None, message) when the form is wrong."""
    form_class = {"submit": SubmitForm, "return": ReturnForm, "reopen": ReopenForm}.get(step, VersionForm)
    form = form_class(request.POST)
    if not form.is_valid():
        return None, _("页面已过期（缺少版本号），请刷新后重试。")
    kwargs = {"version": form.cleaned_data["version"]}
    if step == "submit":
        kwargs["idempotency_key"] = form.cleaned_data["idempotency_key"]
        explanations = {}
        for name, text in request.POST.items():
            if name.startswith("explain:") and text.strip():
                explanations[name.removeprefix("explain:")] = text
        kwargs["explanations"] = explanations
    elif step == "return":
        kwargs["reason"] = form.cleaned_data["reason"]
        cells = [parse_cell_token(t) for t in request.POST.getlist("cells")]
        if any(c is None for c in cells):
            return None, _("勾选的数据项无法识别，请刷新页面后重试。")
        if cells:
            kwargs["cells"] = cells
        elif form.cleaned_data["section"]:
            kwargs["section_code"] = form.cleaned_data["section"]
    elif step == "reopen":
        kwargs["reason"] = form.cleaned_data["reason"]
    return kwargs, ""


STEP_SERVICES = {
    "submit": services.report_submit,
    "approve": services.report_approve,
    "return": services.report_return,
    "accept": services.report_accept,
    "lock": services.report_lock,
    "reopen": services.report_reopen,
}
STEP_DONE = {
    "submit": gettext_lazy("已提交，等待审核。"),
    "approve": gettext_lazy("已审核通过，已通知产改办验收。"),
    "return": gettext_lazy("已退回，填报单位会看到退回原因。"),
    "accept": gettext_lazy("已验收。"),
    "lock": gettext_lazy("已锁定。"),
    "reopen": gettext_lazy("已重新打开，报表退回填报单位修改。"),
}


@require_POST
def report_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """One workflow step, posted with the version the page showed (submit also with an idempotency key)."""
    report = _visible_report(request, pk)
    kwargs, problem = _step_kwargs(step, request, report)
    error = problem
    status = 400
    blocked = None
    if kwargs is not None:
        try:
            STEP_SERVICES[step](by=Actor.from_request(request), report=report, **kwargs)
        except services.SubmissionBlocked as exc:
            error, blocked = exc.message, exc.completeness
        except UserError as exc:
            error, status = exc.message, exc.status_code
        else:
            messages.success(request, str(STEP_DONE[step]))
            return redirect("reporting:report_detail", pk=report.pk)
    report.refresh_from_db()
    context = _detail_context(request, report)
    posted = {name.removeprefix("explain:"): text for name, text in request.POST.items() if name.startswith("explain:")}
    for item in context["warnings"]:
        item["text"] = posted.get(item["outcome"].code, item["text"])
    context.update(action_error=error, action_step=step, blocked=blocked, posted_reason=request.POST.get("reason", ""))
    return render(request, "reporting/entry_detail.html", context, status=status)


# --- The inbox ---------------------------------------------------------------------------------------------------


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first, unread ones marked."""
    notifications = Notification.objects.filter(user=request.user).select_related("report")
    only_unread = request.GET.get("unread") == "1"
    if only_unread:
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(notifications, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "only_unread": only_unread,
        "unread_count": queries.notifications_unread(request.user).count(),
        "page_extra": "&unread=1" if only_unread else "",
    }
    return render(request, "reporting/entry_inbox.html", context)


def _own_notification(request: HttpRequest, pk: int) -> Notification:
    # A notification belongs to one user; anyone else's is "not found".
    return get_object_or_404(Notification, pk=pk, user=request.user)


@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = services.notification_mark_read(
        by=Actor.from_request(request), notification=_own_notification(request, pk)
    )
    if request.htmx:
        return render(request, "reporting/entry_inbox.html#notification", {"notification": notification})
    return redirect("reporting:inbox")


@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and follow its link (only to this site)."""
    notification = services.notification_mark_read(
        by=Actor.from_request(request), notification=_own_notification(request, pk)
    )
    url = notification.url
    local = url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    if url and local:
        return redirect(url)
    return redirect("reporting:inbox")


@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(by=Actor.from_request(request))
    messages.success(request, _("已将 %(n)d 条通知标为已读。") % {"n": count})
    return redirect("reporting:inbox")
