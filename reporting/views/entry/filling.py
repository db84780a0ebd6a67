"""The entry grid and its actions: save as draft (version-checked, with the conflict table; the valid
cells are saved and the refused ones stay on the page, as typed, with their messages), the background
save, a cell's comment and a warning's explanation."""

from __future__ import annotations

import json
from collections.abc import Mapping

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.actor import Actor
from core.errors import UserError
from reporting import queries, services
from reporting.models import Report, TotalRelation
from reporting.views.entry.common import (
    _cell_values,
    _explanations,
    _read_only_reason,
    _report_context,
    _visible_report,
)
from reporting.views.entry_grid import build_grid, cell_numbers, cell_token, field_name, parse_cell_token, rule_views

AUTOSAVE_MS = 3000  # background save this long after the user stops typing


class CommentForm(forms.Form):
    cell = forms.CharField(max_length=400)
    comment = forms.CharField(max_length=1000, required=False, widget=forms.Textarea)


class ExplainForm(forms.Form):
    rule = forms.CharField(max_length=100)
    text = forms.CharField(max_length=1000, required=False, widget=forms.Textarea)


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
    """Save the page's edits in the background (JSON): the same version-checked save as the button,
    answered with the new version, the stored text of each cell saved and the message of each
    refused cell (left unsaved). A conflict is not resolved here: the page asks the user to save
    with the button, which shows what the other person changed."""
    posted = _posted_cells(request, layout)
    edits = _user_edits(posted, _posted_original(request))
    loaded = _version_from(request, "version")
    if loaded is None:
        return JsonResponse({"ok": False, "message": _("页面已过期（缺少版本号），请刷新后重试。")}, status=400)
    try:
        result = services.values_save(
            by=Actor.from_request(request), report=report, version=loaded, values=edits, keep_valid=True
        )
    except services.ReportConflict as error:
        return JsonResponse({"ok": False, "conflict": True, "message": error.message}, status=409)
    except UserError as error:
        return JsonResponse({"ok": False, "message": error.message}, status=error.status_code)
    saved = result.report
    stored_values = {key: v.value for key, v in _cell_values(saved).items()}
    refused = {(p.element_code, p.option_key): p.message for p in result.problems}
    outliers: dict[str, str] = {}
    for outlier in queries.report_outliers(saved):
        name = field_name(outlier.key)
        outliers[name] = f"{outliers[name]}；{outlier.message}" if name in outliers else outlier.message
    message = _("已自动保存到服务器（第 %(version)d 版，%(time)s）") % {
        "version": saved.version,
        "time": timezone.localtime().strftime("%H:%M:%S"),
    }
    if refused:
        message = _refused_message(len(result.changed), len(refused), saved.version)
    # Refused cells are an ordinary answer of a form (200): the valid edits are saved, the refused
    # ones come back with their messages and stay as typed on the page.
    return JsonResponse(
        {
            "ok": True,
            "version": saved.version,
            "changed": len(result.changed),
            "values": {field_name(key): stored_values.get(key, "") for key in edits if key not in refused},
            "problems": {field_name(key): text for key, text in refused.items() if key in layout.cells},
            # Every outlier warning of the saved values (validation.find_outliers), shown next to its cell.
            "outliers": outliers,
            "message": message,
        }
    )


def _refused_message(saved: int, refused: int, version: int) -> str:
    """What a save that kept its valid cells tells the user."""
    if saved:
        return _(
            "已保存 %(saved)d 项修改（第 %(version)d 版）；"
            "另有 %(n)d 个数值不正确，未保存，请按格旁的提示改正后再保存。"
        ) % {"saved": saved, "version": version, "n": refused}
    return _("有 %(n)d 个数值不正确，未保存，请按格旁的提示改正后再保存；其余内容没有需要保存的修改。") % {"n": refused}


@require_http_methods(["GET", "POST"])
@queries.shared_layouts()  # a published form is read once per request, however many parts use it
def report_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """The entry grid: save as draft (valid cells saved, refused ones shown to correct), or read-only."""
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
    saved_from = request.GET.get("saved", "")

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
                    by=Actor.from_request(request),
                    report=report,
                    version=override or loaded,
                    values=edits,
                    keep_valid=True,
                )
            except services.ReportConflict as error:
                status = 409
                save_error = error.message
                conflict = error
            except UserError as error:
                status = error.status_code
                save_error = error.message
            else:
                saved = result.report
                if result.problems:
                    # The valid edits are saved; the refused cells stay on the page as typed, with
                    # their messages, on top of the new version (a form with field errors: 200).
                    save_error = _refused_message(len(result.changed), len(result.problems), saved.version)
                    for problem in result.problems:
                        key = (problem.element_code, problem.option_key)
                        if key in layout.cells:
                            problems[key] = problem.message
                        else:
                            general_problems.append(f"{problem.label}：{problem.message}")
                    posted = {key: text for key, text in posted.items() if key in problems}
                    original = None
                    version = saved.version
                    saved_from = str(loaded)  # the page's local copy of that version is now stored
                elif result.changed:
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
                # With refused cells the page comes back with them to correct; otherwise redirect.
                if not result.problems and request.POST.get("next") == "detail":
                    # "检查并提交" with unsaved edits: saved first, then on to the report page.
                    target = reverse("reporting:report_detail", kwargs={"pk": report.pk})
                    return HttpResponseRedirect(f"{target}#actions")
                if not result.problems:
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
    outliers = queries.report_outliers(report)
    grid = build_grid(
        report,
        layout,
        values=values,
        posted=posted,
        outliers=outliers,
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
        outliers=[{"outlier": o, "cell": grid.cell(o.key)} for o in outliers],
        actions=queries.report_actions(report, user, now=now),
        saved_version=saved_from,
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
