"""A reform task's pages: create and edit (定目标、定责任、定期限), its progress, updates and milestones."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import deadlines
from core.actor import Actor
from core.errors import UserError
from ledger import forms as f
from ledger import queries, services
from ledger.choices import DocumentKind, TargetKind
from ledger.models import Milestone, Task
from ledger.queries.roadmap import task_lines
from ledger.views.ledgers import _editable, ensure_may, put_error
from orgs.choices import Action
from orgs.scoping import can, get_visible_or_404


def _task(request: HttpRequest, pk: int, action: str = Action.VIEW) -> Task:
    """The task if its organisation is in the user's scope (404 otherwise); 403 without `action` there."""
    task = get_visible_or_404(Task.objects.select_related("ledger__org", "indicator"), request.user, pk=pk)
    ensure_may(request, action, task.ledger.org)
    return task


def _milestone(request: HttpRequest, pk: int) -> Milestone:
    milestone = get_visible_or_404(Milestone.objects.select_related("task__ledger__org"), request.user, pk=pk)
    ensure_may(request, Action.EDIT, milestone.task.ledger.org)
    return milestone


@require_http_methods(["GET", "POST"])
def task_create(request: HttpRequest, code: str) -> HttpResponse:
    ledger = _editable(request, code)
    users = queries.people_of(ledger)
    today = deadlines.today()
    form = f.TaskForm(request.POST or None, users=users, initial={"starts_on": today, "target_kind": TargetKind.RESULT})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            task = services.task_create(by=Actor.from_request(request), ledger=ledger, **data)
        except UserError as error:
            put_error(form, error)
        else:
            messages.success(request, _("已新建任务“%(title)s”。") % {"title": task.title})
            return redirect(task.get_absolute_url())
    return render(
        request,
        "ledger/task_form.html",
        {"form": form, "ledger": ledger, "org": ledger.org, "task": None},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk, Action.EDIT)
    users = queries.people_of(task.ledger)
    initial = {name: getattr(task, name) for name in services.tasks.TASK_FIELDS}
    form = f.TaskForm(request.POST or None, users=users, initial={**initial, "version": task.version})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.task_update(
                by=Actor.from_request(request), task=task, version=form.cleaned_data["version"] or 0, **data
            )
        except UserError as error:
            put_error(form, error)
        else:
            messages.success(request, _("任务已保存。"))
            return redirect(task.get_absolute_url())
    return render(
        request,
        "ledger/task_form.html",
        {"form": form, "ledger": task.ledger, "org": task.ledger.org, "task": task},
        status=400 if request.method == "POST" else 200,
    )


def _task_context(request: HttpRequest, task: Task, **given) -> dict:
    today = deadlines.today()
    may_edit = can(request.user, Action.EDIT, task.ledger.org)
    line = task_lines([task], today=today, unions=False)[0]
    context = {
        "task": task,
        "org": task.ledger.org,
        "ledger": task.ledger,
        "line": line,
        "updates": task.updates.select_related("by", "document").order_by("-on", "-pk"),
        "milestones": task.milestones.order_by("due_on", "pk"),
        "may_edit": may_edit,
        "today": today,
    }
    if may_edit:
        context["update_form"] = given.get("update_form") or f.UpdateForm(initial={"on": today})
        context["milestone_form"] = given.get("milestone_form") or f.MilestoneForm(prefix="milestone")
    return context


@require_GET
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    return render(request, "ledger/task_detail.html", _task_context(request, task))


@require_POST
def update_add(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk, Action.EDIT)
    form = f.UpdateForm(request.POST, request.FILES)
    if form.is_valid():
        by = Actor.from_request(request)
        data = dict(form.cleaned_data)
        upload = data.pop("evidence")
        try:
            with transaction.atomic():
                document = None
                if upload is not None:
                    document = services.document_add(
                        by=by, org=task.ledger.org, kind=DocumentKind.EVIDENCE, upload=upload
                    )
                services.update_add(by=by, task=task, document=document, **data)
        except UserError as error:
            put_error(form, error)
        else:
            messages.success(request, _("进展已记录。"))
            return redirect(task.get_absolute_url())
    return render(request, "ledger/task_detail.html", _task_context(request, task, update_form=form), status=400)


@require_POST
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk, Action.EDIT)
    form = f.MilestoneForm(request.POST, prefix="milestone")
    if form.is_valid():
        try:
            services.milestone_save(by=Actor.from_request(request), task=task, **form.cleaned_data)
        except UserError as error:
            put_error(form, error)
        else:
            messages.success(request, _("节点已保存。"))
            return redirect(task.get_absolute_url())
    return render(request, "ledger/task_detail.html", _task_context(request, task, milestone_form=form), status=400)


@require_POST
def milestone_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a milestone done today (or undo it)."""
    milestone = _milestone(request, pk)
    done_on = None if milestone.done_on else deadlines.today()
    try:
        services.milestone_save(
            by=Actor.from_request(request), task=milestone.task, milestone=milestone, title=milestone.title,
            due_on=milestone.due_on, done_on=done_on,
        )  # fmt: skip
    except UserError as error:
        messages.error(request, error.message)
    return redirect(milestone.task.get_absolute_url())


@require_POST
def milestone_delete(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = _milestone(request, pk)
    task = milestone.task
    services.milestone_delete(by=Actor.from_request(request), milestone=milestone)
    messages.success(request, _("节点已删除。"))
    return redirect(task.get_absolute_url())


@require_POST
def task_delete(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk, Action.EDIT)
    try:
        services.task_delete(by=Actor.from_request(request), task=task)
    except UserError as error:
        messages.error(request, error.message)
        return redirect(task.get_absolute_url())
    messages.success(request, _("任务已删除。"))
    return redirect(f"{task.ledger.get_absolute_url()}#tasks")
