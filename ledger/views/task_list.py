"""改革任务: every task in the user's scope, filtered and counted, each linking to its organisation's roadmap;
and the same list as .xlsx."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from core import audit, deadlines
from core.actor import Actor
from core.errors import UserError
from core.exports import export_response, rate_limited
from core.rendering import temporary_xlsx
from ledger import queries, tasks_export
from ledger.choices import KeyTask, TargetKind, TaskStatus
from ledger.queries import roadmap as q
from orgs.choices import Action
from orgs.scoping import ensure_action, has_action

PER_PAGE = 50
FILTERS = ("status", "key_task", "union", "prefecture", "target_kind")


class TaskFilterForm(forms.Form):
    """The list's filters; every one optional."""

    status = forms.ChoiceField(label=gettext_lazy("状态"), required=False)
    key_task = forms.ChoiceField(label=gettext_lazy("重点任务"), required=False)
    union = forms.ChoiceField(label=gettext_lazy("所属工会"), required=False)
    prefecture = forms.ChoiceField(label=gettext_lazy("州市"), required=False)
    target_kind = forms.ChoiceField(label=gettext_lazy("目标类型"), required=False)

    def __init__(self, data, *, user):
        super().__init__(data)
        everything = [("", _("全部"))]
        self.fields["status"].choices = everything + q.STATUS_CHOICES
        self.fields["key_task"].choices = everything + list(KeyTask.choices)
        self.fields["union"].choices = everything + queries.union_choices(user)
        self.fields["prefecture"].choices = everything + queries.prefecture_choices()
        self.fields["target_kind"].choices = everything + list(TargetKind.choices)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"

    def chosen(self) -> dict[str, str]:
        """The valid filters (an invalid one is dropped, and the form says which)."""
        if self.is_valid():
            return {name: self.cleaned_data[name] for name in FILTERS if self.cleaned_data.get(name)}
        return {name: self.data.get(name, "") for name in FILTERS if name not in self.errors and self.data.get(name)}


def _filtered(request: HttpRequest):
    form = TaskFilterForm(request.GET, user=request.user)
    chosen = form.chosen()
    today = deadlines.today()
    base = q.tasks_visible(request.user)
    try:
        tasks = q.filter_tasks(base, today=today, **chosen)
        # The counts are by key task × status: those two filters pick a cell, the others narrow the table.
        for_counts = {k: v for k, v in chosen.items() if k not in ("status", "key_task")}
        unfiltered_status = q.filter_tasks(base, today=today, **for_counts)
    except UserError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        tasks = unfiltered_status = base.none()
    return form, chosen, tasks, unfiltered_status, today


def _query(chosen: dict[str, str], **changes: str) -> str:
    merged = {**chosen, **changes}
    return urlencode({k: v for k, v in merged.items() if v})


@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    """The tasks in scope: counts by key task × status at the top (over the filters other than those two), then
    one page of the tasks."""
    form, chosen, tasks, for_counts, today = _filtered(request)
    counts = q.task_counts(for_counts, today=today)
    columns = [*TaskStatus.choices, (q.OVERDUE, _("逾期"))]
    count_rows = [
        {
            "label": row.label,
            "cells": [
                (row.cells.get(status, 0), "?" + _query(chosen, status=status, key_task=row.key))
                for status, _label in columns
            ],
            "total": (row.total, "?" + _query(chosen, status="", key_task=row.key)),
        }
        for row in counts
    ]
    ordered = tasks.order_by("ledger__org__path", "key_task", "deadline", "id")
    page = Paginator(ordered, PER_PAGE).get_page(request.GET.get("page"))
    lines = q.task_lines(list(page.object_list), today=today)
    extra = _query(chosen)
    return render(
        request,
        "ledger/task_list.html",
        {
            "form": form,
            "lines": lines,
            "page_obj": page,
            "page_extra": f"&{extra}" if extra else "",
            "columns": columns,
            "count_rows": count_rows,
            "export_query": extra,
            "today": today,
            "may_export": has_action(request.user, Action.EXPORT),
        },
    )


EXPORT_LIMIT = 20000


@require_GET
def tasks_xlsx(request: HttpRequest) -> HttpResponse:
    """The filtered tasks as .xlsx (at most EXPORT_LIMIT rows); audited with the filters and row count."""
    ensure_action(request.user, Action.EXPORT)
    wait = rate_limited(request, "ledger-tasks")
    if wait:
        response = HttpResponse(_("导出过于频繁，请%(s)d秒后再试。") % {"s": wait}, status=429)
        response["Retry-After"] = str(wait)
        return response
    form, chosen, tasks, _unused, today = _filtered(request)
    ordered = list(tasks.order_by("ledger__org__path", "key_task", "deadline", "id")[:EXPORT_LIMIT])
    lines = q.task_lines(ordered, today=today)
    labels = []
    for name, value in chosen.items():
        field = form.fields[name]
        labels.append(f"{field.label}：{dict(field.choices).get(value, value)}")
    note = _("范围：%(scope)s；筛选：%(filters)s；截至 %(day)s") % {
        "scope": _("本人可查看的台账单位"),
        "filters": "，".join(str(x) for x in labels) or _("无"),
        "day": today.isoformat(),
    }
    fileobj, count = temporary_xlsx(lambda f: tasks_export.tasks_xlsx(lines, scope_note=note, fileobj=f))
    audit.record(
        Actor.from_request(request), "ledger.tasks.export", after=None,
        detail={"format": "xlsx", "filters": chosen, "rows": count},
    )  # fmt: skip
    stem = _("改革任务-%(day)s") % {"day": f"{timezone.localdate():%Y%m%d}"}
    return export_response(fileobj, fmt="xlsx", filename_stem=stem)
