"""Writes to reform tasks: the task with its target, its milestones and its progress updates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core import audit, deadlines
from core.actor import Actor
from core.errors import UserError
from core.models import versioned_update
from ledger.choices import KeyTask, TargetKind, TaskStatus
from ledger.models import Document, Ledger, Milestone, Task, TaskUpdate
from ledger.services.ledgers import recheck
from orgs.choices import Action
from orgs.scoping import ensure_allowed

TASK_FIELDS = (
    "key_task",
    "title",
    "description",
    "owner",
    "owner_name",
    "owner_unit",
    "starts_on",
    "deadline",
    "status",
    "done_on",
    "target_kind",
    "indicator",
    "baseline_year",
    "baseline",
    "target_value",
    "target_year",
    "result_text",
    "result_unit",
)

# What each target kind keeps; the others are cleared so a changed kind leaves nothing stale behind.
_TARGET_FIELDS = {
    TargetKind.INDICATOR: {"indicator", "baseline_year", "baseline", "target_value", "target_year"},
    TargetKind.RESULT: {"result_text", "result_unit", "baseline", "target_value"},
    TargetKind.NONE: set(),
}
_ALL_TARGET_FIELDS = {
    "indicator",
    "baseline_year",
    "baseline",
    "target_value",
    "target_year",
    "result_text",
    "result_unit",
}
_BLANK = {"indicator": None, "baseline_year": None, "baseline": None, "target_value": None, "target_year": None}


def _decimal(value: Any, field: str, label: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise UserError(
            _("%(label)s应为数字，收到“%(value)s”。") % {"label": label, "value": value}, field=field
        ) from None
    if not number.is_finite() or abs(number) >= Decimal(10) ** 16:
        raise UserError(_("%(label)s超出范围。") % {"label": label}, field=field)
    return number


def _year(value: Any, field: str, label: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise UserError(_("%(label)s应为四位年份，如 2025。") % {"label": label}, field=field) from None
    if not 2000 <= year <= 2100:
        raise UserError(_("%(label)s应在 2000 年到 2100 年之间。") % {"label": label}, field=field)
    return year


def clean_task(values: dict[str, Any]) -> dict[str, Any]:
    """The task's fields checked together; UserError naming the field on the first problem."""
    data = dict(values)
    if data.get("key_task") not in KeyTask.values:
        raise UserError(_("请选择所属重点任务。"), field="key_task")
    data["title"] = (data.get("title") or "").strip()
    if not data["title"]:
        raise UserError(_("请填写任务名称。"), field="title")
    data["owner_name"] = (data.get("owner_name") or "").strip()
    if not data["owner_name"]:
        raise UserError(_("请填写责任人（定责任）。"), field="owner_name")
    if not data.get("starts_on"):
        raise UserError(_("请填写开始日期。"), field="starts_on")
    if not data.get("deadline"):
        raise UserError(_("请填写完成期限（定期限）。"), field="deadline")
    if data["deadline"] < data["starts_on"]:
        raise UserError(_("完成期限不能早于开始日期。"), field="deadline")
    status = data.get("status") or TaskStatus.PLANNED
    if status not in TaskStatus.values:
        raise UserError(_("任务状态无效。"), field="status")
    data["status"] = status
    if status == TaskStatus.DONE:
        data["done_on"] = data.get("done_on") or deadlines.today()
        if data["done_on"] > deadlines.today():
            raise UserError(_("完成日期不能晚于今天。"), field="done_on")
    else:
        data["done_on"] = None
    kind = data.get("target_kind")
    if kind not in TargetKind.values:
        raise UserError(_("请选择目标类型（定目标）。"), field="target_kind")
    data["baseline"] = _decimal(data.get("baseline"), "baseline", _("基期值"))
    data["target_value"] = _decimal(data.get("target_value"), "target_value", _("目标值"))
    data["baseline_year"] = _year(data.get("baseline_year"), "baseline_year", _("基期年度"))
    data["target_year"] = _year(data.get("target_year"), "target_year", _("目标年度"))
    if kind == TargetKind.INDICATOR:
        indicator = data.get("indicator")
        if indicator is None:
            raise UserError(_("指标目标请选择一个指标。"), field="indicator")
        if not indicator.is_active:
            raise UserError(_("指标“%(name)s”已停用，请改选。") % {"name": indicator.name}, field="indicator")
        if data["target_value"] is None:
            raise UserError(_("请填写目标值。"), field="target_value")
        if data["target_year"] is None:
            raise UserError(_("请填写目标年度。"), field="target_year")
        if data["baseline_year"] is not None and data["baseline_year"] >= data["target_year"]:
            raise UserError(_("基期年度应早于目标年度。"), field="baseline_year")
    elif kind == TargetKind.RESULT:
        data["result_text"] = (data.get("result_text") or "").strip()
        if not data["result_text"]:
            raise UserError(_("请写明成果目标，如“新建职工创新工作室”。"), field="result_text")
        if data["target_value"] is None:
            raise UserError(_("量化成果请填写目标数量。"), field="target_value")
        data["result_unit"] = (data.get("result_unit") or "").strip()[:20]
    keep = _TARGET_FIELDS[kind]
    for name in _ALL_TARGET_FIELDS - keep:
        data[name] = _BLANK.get(name, "")
    return {k: v for k, v in data.items() if k in TASK_FIELDS}


@transaction.atomic
def task_create(*, by: Actor, ledger: Ledger, **values: Any) -> Task:
    ensure_allowed(by, Action.EDIT, ledger.org)
    _check_owner(values.get("owner"), ledger)
    task = Task.objects.create(ledger=ledger, **clean_task(values))
    audit.record(by, "ledger.task.create", task)
    recheck(ledger.org_id)
    return task


@transaction.atomic
def task_update(*, by: Actor, task: Task, version: int, **values: Any) -> Task:
    ensure_allowed(by, Action.EDIT, task.ledger.org)
    merged = {name: getattr(task, name) for name in TASK_FIELDS}
    merged.update(values)
    _check_owner(merged.get("owner"), task.ledger)
    cleaned = clean_task(merged)
    before = audit.snapshot(task)
    versioned_update(task, version, conflict_message=_("该任务已被他人修改，请刷新后重试。"), **cleaned)
    audit.record(by, "ledger.task.update", task, before=before)
    recheck(task.ledger.org_id)
    return task


@transaction.atomic
def task_delete(*, by: Actor, task: Task) -> None:
    """Delete a task that has no progress recorded (one with updates is cancelled instead, to keep them)."""
    ensure_allowed(by, Action.EDIT, task.ledger.org)
    if task.updates.exists():
        raise UserError(_("该任务已有进展记录，不能删除；如不再推进，请把状态改为“已取消”。"))
    before = audit.snapshot(task)
    audit.record(by, "ledger.task.delete", task, before=before, after=None)
    recheck(task.ledger.org_id)
    task.delete()


def _check_owner(owner, ledger: Ledger) -> None:
    from ledger.services.ledgers import _check_user

    try:
        _check_user(owner, ledger)
    except UserError as error:
        raise UserError(error.message, field="owner") from None


@transaction.atomic
def milestone_save(
    *, by: Actor, task: Task, title: str, due_on: dt.date, done_on: dt.date | None = None, milestone=None
) -> Milestone:
    ensure_allowed(by, Action.EDIT, task.ledger.org)
    title = (title or "").strip()
    if not title:
        raise UserError(_("请填写节点名称。"), field="title")
    if due_on is None:
        raise UserError(_("请填写节点计划日期。"), field="due_on")
    if done_on is not None and done_on > deadlines.today():
        raise UserError(_("完成日期不能晚于今天。"), field="done_on")
    if milestone is None:
        milestone = Milestone(task=task)
        before = None
    else:
        if milestone.task_id != task.pk:
            raise UserError(_("该节点不属于此任务。"))
        before = audit.snapshot(milestone)
    milestone.title, milestone.due_on, milestone.done_on = title[:200], due_on, done_on
    milestone.save()
    audit.record(by, "ledger.milestone.save", milestone, before=before)
    return milestone


@transaction.atomic
def milestone_delete(*, by: Actor, milestone: Milestone) -> None:
    ensure_allowed(by, Action.EDIT, milestone.task.ledger.org)
    audit.record(by, "ledger.milestone.delete", milestone, before=audit.snapshot(milestone), after=None)
    milestone.delete()


@transaction.atomic
def update_add(
    *,
    by: Actor,
    task: Task,
    on: dt.date,
    note: str,
    value: Any = None,
    document: Document | None = None,
) -> TaskUpdate:
    """Record progress: what was done by `on`, the cumulative value reached (counted results), evidence.

    A planned task becomes active with its first update.
    """
    ensure_allowed(by, Action.EDIT, task.ledger.org)
    note = (note or "").strip()
    if not note:
        raise UserError(_("请填写进展情况。"), field="note")
    if on is None:
        raise UserError(_("请填写进展日期。"), field="on")
    if on > deadlines.today():
        raise UserError(_("进展日期不能晚于今天。"), field="on")
    number = _decimal(value, "value", _("累计完成值"))
    if task.target_kind == TargetKind.RESULT and number is None:
        raise UserError(_("这项任务的目标是量化成果，请填写截至 %(day)s 累计完成的数量。") % {"day": on}, field="value")
    if document is not None and document.org_id != task.ledger.org_id:
        raise UserError(_("只能引用本单位上传的文件。"), field="document")
    update = TaskUpdate.objects.create(task=task, on=on, note=note, value=number, document=document, by=by.user)
    if task.status == TaskStatus.PLANNED:
        before = audit.snapshot(task)
        versioned_update(task, task.version, status=TaskStatus.ACTIVE)
        audit.record(by, "ledger.task.update", task, before=before, detail={"by_update": update.pk})
    audit.record(by, "ledger.update.add", update)
    recheck(task.ledger.org_id)
    return update
