"""Writes to a class: creating and editing it, its course (open, start, finish, cancel), its files.

Every write is the organiser's (EDIT on the organising organisation, `ensure_allowed`), validates with a
message naming the field, and leaves one audit row with the values before and after.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from core import attachments, audit, deadlines
from core.actor import Actor
from core.db import atomic_retrying, lock_row
from core.errors import UserError
from core.models import versioned_update
from core.workflow import transition
from orgs.choices import Action, OrgKind
from orgs.models import Organisation
from orgs.scoping import ensure_allowed
from training.choices import ClassKind, ClassStatus
from training.models import ClassFile, Enrolment, TrainingClass
from training.workflow import CLASS_WORKFLOW

ORGANISER_KINDS = (OrgKind.OFFICE, OrgKind.PROVINCE, OrgKind.UNION, OrgKind.PREFECTURE)
AUDIENCE_KINDS = (OrgKind.PREFECTURE, OrgKind.UNION, OrgKind.DEPARTMENT, OrgKind.ENTERPRISE, OrgKind.UNIT)
CLASS_FIELDS = {
    "kind", "title", "starts_on", "ends_on", "place", "audience_kinds", "audience_note", "capacity",
    "enrol_deadline", "programme",
}  # fmt: skip
MAX_DAYS = 60


def _check_organiser(organiser: Organisation) -> None:
    if organiser.kind not in ORGANISER_KINDS:
        raise UserError(
            _("主办单位应为产改办、省级产业系统公司工会或州市总工会，“%(org)s”是%(kind)s。")
            % {"org": organiser.name, "kind": organiser.get_kind_display()},
            field="organiser",
        )
    if organiser.closed_on is not None:
        raise UserError(_("“%(org)s”已撤销，不能主办培训班。") % {"org": organiser.name}, field="organiser")


def _clean(fields: dict[str, Any], *, current: TrainingClass | None = None) -> dict[str, Any]:
    """The class's fields checked and normalised; UserError naming the first field that is wrong."""
    value = {name: getattr(current, name) for name in CLASS_FIELDS} if current else {}
    value.update(fields)
    title = " ".join(str(value.get("title") or "").split())
    if not title:
        raise UserError(_("请填写培训班名称。"), field="title")
    if len(title) > 200:
        raise UserError(_("培训班名称不能超过 200 个字。"), field="title")
    if value.get("kind") not in ClassKind.values:
        raise UserError(_("请选择培训班类别。"), field="kind")
    starts_on, ends_on, deadline = value.get("starts_on"), value.get("ends_on"), value.get("enrol_deadline")
    if not isinstance(starts_on, dt.date):
        raise UserError(_("请填写开班日期。"), field="starts_on")
    if not isinstance(ends_on, dt.date):
        raise UserError(_("请填写结束日期。"), field="ends_on")
    if ends_on < starts_on:
        raise UserError(_("结束日期不能早于开班日期。"), field="ends_on")
    if (ends_on - starts_on).days >= MAX_DAYS:
        raise UserError(_("一期培训不能超过 %(n)d 天。") % {"n": MAX_DAYS}, field="ends_on")
    if not isinstance(deadline, dt.date):
        raise UserError(_("请填写报名截止日期。"), field="enrol_deadline")
    if deadline > starts_on:
        raise UserError(_("报名截止日期不能晚于开班日期。"), field="enrol_deadline")
    place = " ".join(str(value.get("place") or "").split())
    if not place:
        raise UserError(_("请填写培训地点。"), field="place")
    kinds = list(dict.fromkeys(value.get("audience_kinds") or []))
    unknown = [k for k in kinds if k not in AUDIENCE_KINDS]
    if unknown:
        raise UserError(
            _("培训对象的机构类型不正确：%(kinds)s。") % {"kinds": "、".join(unknown)}, field="audience_kinds"
        )
    capacity = value.get("capacity")
    if capacity is not None and (not isinstance(capacity, int) or capacity < 1 or capacity > 10000):
        raise UserError(_("名额应为 1 到 10000 之间的整数，不限名额请留空。"), field="capacity")
    return {
        "kind": value["kind"],
        "title": title,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "year": starts_on.year,
        "place": place[:200],
        "audience_kinds": kinds,
        "audience_note": " ".join(str(value.get("audience_note") or "").split())[:300],
        "capacity": capacity,
        "enrol_deadline": deadline,
        "programme": str(value.get("programme") or "").strip(),
    }


def _named_audience(by: Actor, orgs) -> list[Organisation]:
    found = list(dict.fromkeys(orgs or []))
    for org in found:
        ensure_allowed(by, Action.VIEW, org)
    return found


@atomic_retrying
def class_create(
    *, by: Actor, organiser: Organisation, audience_orgs: list[Organisation] | None = None, **fields: Any
) -> TrainingClass:
    """A new class in preparation (筹备), organised by `organiser`."""
    ensure_allowed(by, Action.EDIT, organiser)
    _check_organiser(organiser)
    unknown = set(fields) - CLASS_FIELDS
    if unknown:
        raise UserError(_("不能填写：%(fields)s。") % {"fields": "、".join(sorted(unknown))})
    data = _clean(fields)
    named = _named_audience(by, audience_orgs)
    if not data["audience_kinds"] and not named:
        raise UserError(_("请选择培训对象（机构类型或指定单位）。"), field="audience_kinds")
    klass = TrainingClass.objects.create(organiser=organiser, created_by=by.user, **data)
    klass.audience_orgs.set(named)
    audit.record(by, "training.class.create", klass, after=_snapshot(klass))
    return klass


def _snapshot(klass: TrainingClass) -> dict[str, Any]:
    data = audit.snapshot(klass)
    data["audience_orgs"] = sorted(klass.audience_orgs.values_list("code", flat=True))
    return data


@atomic_retrying
def class_update(
    *, by: Actor, klass: TrainingClass, version: int, audience_orgs: list[Organisation] | None = None, **fields: Any
) -> TrainingClass:
    """Change a class that has not finished; ConflictError when someone saved it since `version`."""
    ensure_allowed(by, Action.EDIT, klass.organiser)
    klass = lock_row(TrainingClass.objects.select_related("organiser"), pk=klass.pk)
    if klass.status not in CLASS_WORKFLOW.editable:
        raise UserError(_("“%(status)s”的培训班不能再修改。") % {"status": klass.get_status_display()}, field="status")
    unknown = set(fields) - CLASS_FIELDS
    if unknown:
        raise UserError(_("不能修改：%(fields)s。") % {"fields": "、".join(sorted(unknown))})
    data = _clean(fields, current=klass)
    named = _named_audience(by, audience_orgs) if audience_orgs is not None else list(klass.audience_orgs.all())
    if not data["audience_kinds"] and not named:
        raise UserError(_("请选择培训对象（机构类型或指定单位）。"), field="audience_kinds")
    taken = Enrolment.objects.filter(klass=klass).active().count()
    if data["capacity"] is not None and data["capacity"] < taken:
        raise UserError(_("已有 %(n)d 人报名，名额不能少于报名人数。") % {"n": taken}, field="capacity")
    before = _snapshot(klass)
    versioned_update(klass, version, conflict_message=_("该培训班已被他人修改，请刷新后重试。"), **data)
    klass.audience_orgs.set(named)
    audit.record(by, "training.class.update", klass, before=before, after=_snapshot(klass))
    return klass


@atomic_retrying
def class_step(*, by: Actor, klass: TrainingClass, step: str, reason: str = "") -> TrainingClass:
    """Take a step of the class's course (open enrolment, start, finish, cancel); refused with the reason."""
    ensure_allowed(by, Action.EDIT, klass.organiser)
    if step not in {s.name for s in CLASS_WORKFLOW.steps}:
        raise UserError(_("未知的操作。"), field="step")
    klass = lock_row(TrainingClass.objects.select_related("organiser"), pk=klass.pk)
    CLASS_WORKFLOW.ensure_step(status=klass.status, step=step, status_label=klass.get_status_display())
    text = CLASS_WORKFLOW.clean_reason(step, reason)
    today = deadlines.today()
    if step == "open" and klass.enrol_deadline < today:
        raise UserError(
            _("报名截止日期（%(day)s）已过，请先修改截止日期再开始报名。")
            % {"day": f"{klass.enrol_deadline:%Y-%m-%d}"},
            field="enrol_deadline",
        )
    if step == "start" and klass.starts_on > today:
        raise UserError(
            _("培训班将于 %(day)s 开班，开班当天或之后才能标记为进行中。") % {"day": f"{klass.starts_on:%Y-%m-%d}"},
            field="step",
        )
    if step == "finish" and klass.ends_on > today:
        raise UserError(
            _("培训班于 %(day)s 结束，结束当天或之后才能标记为已结束。") % {"day": f"{klass.ends_on:%Y-%m-%d}"},
            field="step",
        )
    return transition(
        workflow=CLASS_WORKFLOW,
        item=klass,
        step=step,
        by=by,
        event=f"training.class.{step}",
        detail={"reason": text} if text else None,
    )


@atomic_retrying
def material_add(*, by: Actor, klass: TrainingClass, upload, title: str = "") -> ClassFile:
    """Keep a programme or material file of the class (checked by content)."""
    ensure_allowed(by, Action.EDIT, klass.organiser)
    if klass.status == ClassStatus.CANCELLED:
        raise UserError(_("已取消的培训班不能再上传资料。"), field="file")
    if upload is None:
        raise UserError(_("请选择要上传的文件。"), field="file")
    row = ClassFile(klass=klass, title=" ".join((title or "").split())[:200])
    attachments.keep(row, upload, by_user=by.user)
    audit.record(by, "training.material.add", row, detail={"class": klass.pk})
    return row
