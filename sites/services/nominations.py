"""Nominations (推荐申报): a group union drafts and submits, the office returns, selects or rejects."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from core import attachments, audit, pii
from core.actor import Actor
from core.db import atomic_retrying, lock_row
from core.errors import ConflictError, UserError
from core.models import versioned_update
from core.workflow import transition
from orgs.choices import Action, OrgKind
from orgs.models import Organisation
from orgs.scoping import ensure_allowed, ensure_office
from sites.choices import Goal, NominationStatus
from sites.models import Batch, Nomination, NominationFile
from sites.services.common import MAX_REASON, clean_text
from sites.workflow import NOMINATION_WORKFLOW, may_nominate

CONTENT_FIELDS = (
    "goals", "goals_text", "achievements", "plans", "contact_name", "contact_position", "contact_phone",
)  # fmt: skip
NOMINABLE_KINDS = (OrgKind.ENTERPRISE, OrgKind.UNIT)


def ensure_nominator(by: Actor, org: Organisation) -> None:
    """PermissionDenied unless the actor is a group union's administrator over `org`."""
    if by.system_name:
        return
    if not may_nominate(by.user, org):
        raise PermissionDenied(_("只有“%(org)s”所属产业系统公司工会的管理员可以推荐示范点。") % {"org": org.name})


def clean_content(fields: dict[str, Any], current: Nomination | None = None) -> dict[str, Any]:
    """The application's fields checked, each problem naming its field."""
    merged = {f: fields.get(f, getattr(current, f, "" if f != "goals" else [])) for f in CONTENT_FIELDS}
    goals = merged["goals"] or []
    if isinstance(goals, str):
        goals = [goals]
    unknown = [g for g in goals if g not in Goal.values]
    if unknown:
        raise UserError(_("改革任务“%(goal)s”不存在。") % {"goal": unknown[0]}, field="goals")
    return {
        "goals": [g for g in Goal.values if g in goals],
        "goals_text": clean_text(merged["goals_text"], field="goals_text", label=_("示范内容")),
        "achievements": clean_text(merged["achievements"], field="achievements", label=_("已开展的工作")),
        "plans": clean_text(merged["plans"], field="plans", label=_("下一步计划")),
        "contact_name": clean_text(merged["contact_name"], field="contact_name", label=_("联系人"), limit=100),
        "contact_position": clean_text(
            merged["contact_position"], field="contact_position", label=_("联系人职务"), limit=200
        ),
        "contact_phone": pii.clean_phone(merged["contact_phone"] or "", field="contact_phone"),
    }


def _complete(nomination: Nomination) -> None:
    """UserError naming the first missing part of an application being submitted."""
    if not nomination.goals:
        raise UserError(_("请至少选择一项示范的改革任务。"), field="goals")
    for field, label in (
        ("achievements", _("已开展的工作")), ("plans", _("下一步计划")), ("contact_name", _("联系人")),
        ("contact_phone", _("联系电话")),
    ):  # fmt: skip
        if not getattr(nomination, field):
            raise UserError(_("推荐前请填写%(label)s。") % {"label": label}, field=field)


@atomic_retrying
def nomination_create(*, by: Actor, batch: Batch, org: Organisation, **fields: Any) -> Nomination:
    """A union drafts the nomination of one of its enterprises for an open batch (one per organisation)."""
    ensure_nominator(by, org)
    if org.kind not in NOMINABLE_KINDS:
        raise UserError(_("只能推荐企业或基层单位，“%(org)s”不是。") % {"org": org.name}, field="org")
    if org.closed_on is not None:
        raise UserError(_("“%(org)s”已撤销，不能推荐。") % {"org": org.name}, field="org")
    batch = lock_row(Batch.objects, pk=batch.pk)
    if not batch.is_open():
        raise UserError(
            _("“%(batch)s”不在推荐期内（%(opens)s 至 %(closes)s），不能推荐。")
            % {"batch": batch.name, "opens": f"{batch.opens_on:%Y-%m-%d}", "closes": f"{batch.closes_on:%Y-%m-%d}"},
            field="batch",
        )
    if Nomination.objects.filter(batch=batch, org=org).exists():
        raise UserError(_("“%(org)s”已有本批次的推荐，每个单位每批只能推荐一次。") % {"org": org.name}, field="org")
    nomination = Nomination.objects.create(batch=batch, org=org, created_by=by.user, **clean_content(fields))
    audit.record(by, "sites.nomination.create", nomination)
    return nomination


def _lock(nomination: Nomination, version: int | None) -> Nomination:
    locked = lock_row(Nomination.objects.select_related("org", "batch"), pk=nomination.pk)
    if version is not None and locked.version != version:
        raise ConflictError(_("该推荐已被他人修改，请刷新后重试。"))
    return locked


def _ensure_editable(nomination: Nomination) -> None:
    if nomination.status not in NOMINATION_WORKFLOW.editable:
        raise UserError(
            _("推荐当前状态为“%(status)s”，不能修改。") % {"status": nomination.get_status_display()}, field="status"
        )


@atomic_retrying
def nomination_update(*, by: Actor, nomination: Nomination, version: int, **fields: Any) -> Nomination:
    """Change the application while it is a draft or returned; 409 if someone saved it meanwhile."""
    ensure_nominator(by, nomination.org)
    unknown = set(fields) - set(CONTENT_FIELDS)
    if unknown:
        raise UserError(_("不能修改：%(fields)s。") % {"fields": "、".join(sorted(unknown))})
    nomination = _lock(nomination, version)
    _ensure_editable(nomination)
    cleaned = clean_content(fields, nomination)
    before = audit.snapshot(nomination)
    versioned_update(nomination, version, conflict_message=_("该推荐已被他人修改，请刷新后重试。"), **cleaned)
    audit.record(by, "sites.nomination.update", nomination, before=before)
    return nomination


@atomic_retrying
def nomination_attach(*, by: Actor, nomination: Nomination, upload) -> NominationFile:
    """Attach a file (checked by content) to an application that can still be edited."""
    ensure_nominator(by, nomination.org)
    nomination = _lock(nomination, None)
    _ensure_editable(nomination)
    row = attachments.keep(NominationFile(nomination=nomination), upload, by_user=by.user)
    audit.record(by, "sites.nomination.attach", nomination, after={"file": row.original_name}, detail={"file": row.pk})
    return row


@atomic_retrying
def nomination_step(*, by: Actor, nomination: Nomination, step: str, version: int, reason: str = "") -> Nomination:
    """Take `step` (submit, return, select, reject) along sites.workflow.NOMINATION_WORKFLOW.

    Submitting needs a complete application in a batch still open; selecting stays within the batch's quota.
    Raises PermissionDenied (403), IllegalTransition / ConflictError (409), UserError (400).
    """
    try:
        definition = NOMINATION_WORKFLOW.step(step)
    except KeyError:
        raise UserError(_("操作“%(step)s”不存在。") % {"step": step}, field="step") from None
    org = nomination.org
    if definition.action == Action.REVIEW:
        ensure_nominator(by, org)
    else:
        ensure_office(by)
        ensure_allowed(by, definition.action, org)
    batch = lock_row(Batch.objects, pk=nomination.batch_id)
    nomination = _lock(nomination, version)
    NOMINATION_WORKFLOW.ensure_step(status=nomination.status, step=step, status_label=nomination.get_status_display())
    reason = clean_text(reason, field="reason", label=_("原因"), limit=MAX_REASON)
    reason = NOMINATION_WORKFLOW.clean_reason(step, reason)
    now = timezone.now()
    fields: dict[str, Any] = {}
    if step == "submit":
        if not batch.is_open():
            raise UserError(
                _("“%(batch)s”的推荐已于 %(closes)s 截止，不能再推荐。")
                % {"batch": batch.name, "closes": f"{batch.closes_on:%Y-%m-%d}"},
                field="batch",
            )
        _complete(nomination)
        fields = {"submitted_at": now, "reason": ""}
    elif step == "select":
        taken = Nomination.objects.filter(batch=batch, status=NominationStatus.SELECTED).count()
        if taken >= batch.quota:
            raise UserError(
                _("“%(batch)s”名额为 %(quota)d 个，已入选 %(taken)d 个，名额已满，不能再选入。")
                % {"batch": batch.name, "quota": batch.quota, "taken": taken},
                field="quota",
            )
        fields = {"decided_at": now, "reason": ""}
    elif step in ("return", "reject"):
        fields = {"reason": reason, "decided_at": now if step == "reject" else None}
    return transition(
        workflow=NOMINATION_WORKFLOW, item=nomination, step=step, by=by, event=f"sites.nomination.{step}",
        detail={"reason": reason} if reason else None, **fields,
    )  # fmt: skip
