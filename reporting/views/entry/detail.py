"""The report page and its workflow: header, completeness, checks, changes and outliers for
reviewers, history, and the steps (submit, approve, return, accept, lock, reopen)."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.actor import Actor
from core.errors import UserError
from orgs.choices import Action
from orgs.scoping import can
from reporting import queries, services
from reporting.choices import Importance
from reporting.models import Report, TotalRelation
from reporting.views.entry.common import (
    _cell_values,
    _explanations,
    _read_only_reason,
    _report_context,
    _visible_report,
)
from reporting.views.entry.history import _history
from reporting.views.entry_grid import build_grid, parse_cell_token, rule_views
from reporting.workflow import STEPS


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


def _detail_context(request: HttpRequest, report: Report) -> dict:
    user = request.user
    now = timezone.now()
    layout = queries.version_layout(report.dataset_version)
    reviewer = can(user, Action.REVIEW, report.org) or can(user, Action.ACCEPT, report.org)
    changes = queries.report_changes_since_last_submission(report) if reviewer else []
    # Reporters see them before submitting, reviewers when judging: the same outlier warnings.
    outliers = queries.report_outliers(report)
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
        warning_count=len(completeness.warnings) + len(outliers),
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
@queries.shared_layouts()  # a published form is read once per request, however many parts use it
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
@queries.shared_layouts()  # a published form is read once per request, however many parts use it
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
