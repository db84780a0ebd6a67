"""Report writes: opening, all-or-nothing saves with version checks, comments and explanations, the
workflow steps, period locks and deadline extensions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.actor import Actor
from core.db import atomic_retrying, lock_row, lock_rows
from core.errors import ConflictError, UserError
from core.jobs import current_job_progress
from core.workflow import IllegalTransition, transition
from orgs.choices import Action, Role
from orgs.models import Organisation
from orgs.scoping import _active_memberships, ensure_allowed
from reporting import queries
from reporting.choices import Importance, ReportStatus
from reporting.models import (
    DataSet,
    DataValue,
    DeadlineExtension,
    Notification,
    Period,
    PeriodLock,
    Report,
    ReportSnapshot,
    ValueReturn,
    WarningExplanation,
)
from reporting.services.common import _ensure_office
from reporting.services.notifications import _names, _notify, _office_users, _reporters, _users_with_roles
from reporting.signals import accepted_data_changed
from reporting.values import clean_value
from reporting.workflow import EDITABLE, REPORT_WORKFLOW

CellKey = tuple[str, str]

# --- Errors that carry details ----------------------------------------------------------------------


@dataclass(frozen=True)
class ValueProblem:
    """Why one submitted value was refused: which cell, what was given, what is wrong and how to fix it."""

    element_code: str
    option_key: str
    label: str
    value: Any
    message: str


class ValuesInvalid(UserError):
    """Some values were refused; none of the values in the request was written."""

    def __init__(self, problems: list[ValueProblem]):
        self.problems = problems
        first = "；".join(f"{p.label}：{p.message}" for p in problems[:3])
        more = _("等 %(n)d 处") % {"n": len(problems)} if len(problems) > 3 else ""
        super().__init__(
            _("有 %(n)d 个数值不正确，本次填写均未保存：%(first)s%(more)s")
            % {"n": len(problems), "first": first, "more": more}
        )


class ReportConflict(ConflictError):
    """The report changed since the client loaded it; `changes` lists the cells changed meanwhile."""

    def __init__(self, message: str, changes: list[queries.ValueChange] | None = None, current_version: int = 0):
        super().__init__(message)
        self.changes = changes or []
        self.current_version = current_version


class SubmissionBlocked(UserError):
    """The report is not complete: required values missing, errors, or warnings without explanation."""

    def __init__(self, completeness: queries.Completeness):
        self.completeness = completeness
        super().__init__(_("报表尚不能提交：%(summary)s") % {"summary": completeness.summary()})


@dataclass
class SaveResult:
    """What values_save did: the report as now stored, the cells changed and the conversions noted."""

    report: Report
    changed: list[CellKey] = field(default_factory=list)
    notes: dict[CellKey, tuple[str, ...]] = field(default_factory=dict)


# --- Reports: opening and filling --------------------------------------------------------------------


def _lock(report: Report) -> Report:
    """The report row, locked for this transaction and fresh from the database.

    Only the report's own row is locked (core.db.lock_row), never the data set, period and
    organisation it joins to, which every report of a round shares: locking those made
    concurrent saves of different reports queue on one row and, with the audit chain, deadlock.
    """
    return lock_row(Report.objects.select_related("dataset", "dataset_version", "period", "org"), pk=report.pk)


def _ensure_period_open(report: Report) -> None:
    lock = queries.period_lock_of(report.dataset, report.period)
    if lock is not None:
        reason = _("（原因：%(reason)s）") % {"reason": lock.reason} if lock.reason else ""
        raise UserError(
            _("%(dataset)s%(period)s已由产改办锁定%(reason)s，不能再修改、提交或审核。")
            % {"dataset": report.dataset.name, "period": report.period.label, "reason": reason}
        )


def _ensure_window(dataset: DataSet, period: Period, org: Organisation, now: dt.datetime) -> None:
    window = queries.entry_window(dataset, period, org)
    if now < window.opens_at:
        raise UserError(
            _("%(period)s的“%(dataset)s”尚未开放填报，将于 %(day)s 开放。")
            % {"period": period.label, "dataset": dataset.name, "day": window.opens_at.date().isoformat()}
        )
    if now >= window.closes_at:
        raise UserError(
            _("%(period)s的“%(dataset)s”已过截止日（%(deadline)s）和宽限期，填报已关闭；如需补报，请联系产改办延期。")
            % {"period": period.label, "dataset": dataset.name, "deadline": window.deadline.isoformat()}
        )


def _ensure_editable(report: Report, now: dt.datetime) -> None:
    _ensure_period_open(report)
    if report.status not in EDITABLE:
        raise UserError(
            _("报表当前状态为“%(status)s”，不能修改；如需修改，请联系审核人退回。")
            % {"status": report.get_status_display()}
        )
    if report.status == ReportStatus.DRAFT:
        # Returned reports stay editable after the deadline: the reviewer asked for the fix.
        _ensure_window(report.dataset, report.period, report.org, now)


@atomic_retrying
def report_open(*, by: Actor, org: Organisation, dataset: DataSet, period: Period) -> Report:
    """The report of `org` for `dataset` and `period`: the existing one, or a new draft on the current version.

    A new draft is only created when the organisation must report that data set and entry is open.
    """
    ensure_allowed(by, Action.EDIT, org)
    existing = Report.objects.filter(org=org, dataset=dataset, period=period).first()
    if existing is not None:
        return existing
    if period.period_type != dataset.period_type:
        raise UserError(
            _("“%(dataset)s”是%(type)s，不能按%(period)s填报。")
            % {"dataset": dataset.name, "type": dataset.get_period_type_display(), "period": period.label}
        )
    if not dataset.is_active:
        raise UserError(_("报表“%(dataset)s”已停用。") % {"dataset": dataset.name})
    if not queries.must_report(dataset, org, period):
        raise UserError(_("“%(org)s”不需要填报“%(dataset)s”。") % {"org": org.name, "dataset": dataset.name})
    version = dataset.current_version()
    if version is None:
        raise UserError(_("报表“%(dataset)s”还没有发布的版本。") % {"dataset": dataset.name})
    lock = queries.period_lock_of(dataset, period)
    if lock is not None:
        raise UserError(_("%(dataset)s%(period)s已由产改办锁定。") % {"dataset": dataset.name, "period": period.label})
    _ensure_window(dataset, period, org, timezone.now())
    try:
        with transaction.atomic():
            report = Report.objects.create(
                org=org, dataset=dataset, dataset_version=version, period=period, created_by=by.user
            )
    except IntegrityError:  # opened by someone else at the same moment
        return Report.objects.get(org=org, dataset=dataset, period=period)
    audit.record(by, "reporting.report.open", report)
    return report


def _conflict(report: Report, version: int) -> ReportConflict:
    changed = (
        DataValue.objects.filter(report=report, changed_in__gt=version)
        .select_related("element", "option_combo")
        .order_by("element__code", "option_combo__sort_order")
    )
    layout = queries.version_layout(report.dataset_version)
    changes = []
    for v in changed:
        cell = layout.cells.get((v.element.code, v.option_combo.key))
        changes.append(
            queries.ValueChange(v.element.code, v.option_combo.key, cell.label if cell else v.element.name, "", v.value)
        )
    listed = "、".join(f"{c.label}（{c.new or _('已清空')}）" for c in changes[:10]) + (
        _("等 %(n)d 项") % {"n": len(changes)} if len(changes) > 10 else ""
    )
    detail = _("其间变更的数值：%(list)s。") % {"list": listed} if changes else ""
    return ReportConflict(
        _(
            "该报表已被他人修改（您打开的是第 %(yours)d 版，当前为第 %(current)d 版），"
            "您的修改未保存。%(detail)s请刷新后核对再保存。"
        )
        % {"yours": version, "current": report.version, "detail": detail},
        changes,
        report.version,
    )


@atomic_retrying
def values_save(*, by: Actor, report: Report, version: int, values: Mapping[CellKey, Any]) -> SaveResult:
    """Save cells of a draft or returned report, all or nothing.

    `values` maps (element code, option key) to what was typed or read ("" or None clears the
    cell). Every value is cleaned (reporting/values.py); if any is refused, ValuesInvalid lists them
    all and nothing is written. Saving what is already stored is a no-op. Otherwise `version` must
    be the report's current version, or ReportConflict says which cells changed meanwhile.
    """
    ensure_allowed(by, Action.EDIT, report.org)
    report = _lock(report)
    _ensure_editable(report, timezone.now())
    layout = queries.version_layout(report.dataset_version)
    problems: list[ValueProblem] = []
    cleaned = {}
    for key, raw in values.items():
        code, option_key = key
        cell = layout.cells.get((code, option_key))
        if cell is None:
            problems.append(ValueProblem(code, option_key, f"{code}[{option_key}]", raw, _("本报表中没有这一项。")))
            continue
        result = clean_value(
            raw,
            cell.element.value_type,
            min_value=cell.section_element.min_value,
            max_value=cell.section_element.max_value,
        )
        if not result.ok:
            problems.append(ValueProblem(code, option_key, cell.label, raw, result.error))
        else:
            cleaned[(code, option_key)] = (cell, result)
    if problems:
        raise ValuesInvalid(problems)
    existing = {
        (v.element.code, v.option_combo.key): v
        for v in DataValue.objects.filter(report=report).select_related("element", "option_combo")
    }
    changed = {
        key: (cell, result)
        for key, (cell, result) in cleaned.items()
        if (existing[key].value if key in existing else "") != result.text
    }
    notes = {key: result.notes for key, (_cell, result) in cleaned.items() if result.notes}
    if not changed:
        return SaveResult(report, [], notes)
    if report.version != version:
        raise _conflict(report, version)
    new_version = report.version + 1
    now = timezone.now()
    diff, created, updated = {}, [], []
    for key, (cell, result) in changed.items():
        old = existing.get(key)
        diff[f"{key[0]}[{key[1]}]"] = [old.value if old else "", result.text]
        if old is None:
            created.append(
                DataValue(
                    report=report,
                    element=cell.element,
                    option_combo=cell.option_combo,
                    value=result.text,
                    number=result.number,
                    changed_in=new_version,
                    updated_by=by.user,
                    updated_at=now,
                )
            )
        else:
            old.value, old.number, old.changed_in, old.updated_by = result.text, result.number, new_version, by.user
            old.updated_at = now
            updated.append(old)
    # Bulk writes: an Excel import saves thousands of cells in one call.
    DataValue.objects.bulk_create(created, batch_size=500)
    DataValue.objects.bulk_update(
        updated, ["value", "number", "changed_in", "updated_by", "updated_at"], batch_size=500
    )
    Report.objects.filter(pk=report.pk).update(version=new_version, updated_at=now)
    report.refresh_from_db()
    audit.record(
        by, "reporting.values.save", report, before=None, after=None, detail={"version": new_version, "changes": diff}
    )
    return SaveResult(report, sorted(changed), notes)


@atomic_retrying
def value_comment(*, by: Actor, report: Report, element_code: str, option_key: str = "", comment: str) -> DataValue:
    """Attach (or, with an empty text, remove) a comment on one cell, filled or not."""
    ensure_allowed(by, Action.EDIT, report.org)
    report = _lock(report)
    _ensure_editable(report, timezone.now())
    cell = queries.version_layout(report.dataset_version).cells.get((element_code, option_key))
    if cell is None:
        raise UserError(_("本报表中没有这一项。"))
    comment = comment.strip()
    if len(comment) > 1000:
        raise UserError(_("备注最多 1000 个字符。"), field="comment")
    value, _created = DataValue.objects.get_or_create(
        report=report,
        element=cell.element,
        option_combo=cell.option_combo,
        defaults={"changed_in": report.version, "updated_by": by.user},
    )
    before = {"comment": value.comment}
    value.comment = comment
    value.save(update_fields=["comment", "updated_at"])
    audit.record(
        by,
        "reporting.value.comment",
        report,
        before=before,
        after={"comment": comment},
        detail={"cell": f"{element_code}[{option_key}]"},
    )
    return value


def _save_explanations(by: Actor, report: Report, explanations: Mapping[str, str]) -> None:
    if not explanations:
        return
    rules = {r.code: r for r in report.dataset_version.rules.filter(code__in=list(explanations))}
    for code, text in explanations.items():
        rule = rules.get(code)
        if rule is None or rule.importance != Importance.WARNING:
            raise UserError(_("“%(code)s”不是本报表的警告规则。") % {"code": code})
        text = (text or "").strip()
        if not text:
            raise UserError(_("请填写对警告“%(name)s”的说明。") % {"name": rule.name})
        WarningExplanation.objects.update_or_create(
            report=report, rule=rule, defaults={"text": text[:1000], "explained_by": by.user}
        )


@atomic_retrying
def warning_explain(*, by: Actor, report: Report, rule_code: str, text: str) -> WarningExplanation:
    """Record why a failing warning is nevertheless right for this report."""
    ensure_allowed(by, Action.EDIT, report.org)
    report = _lock(report)
    _ensure_editable(report, timezone.now())
    _save_explanations(by, report, {rule_code: text})
    explanation = report.explanations.get(rule__code=rule_code)
    audit.record(
        by,
        "reporting.warning.explain",
        report,
        before=None,
        after=None,
        detail={"rule": rule_code, "text": explanation.text},
    )
    return explanation


# --- Reports: the workflow --------------------------------------------------------------------------------


def _ensure_step(report: Report, step_name: str) -> None:
    REPORT_WORKFLOW.ensure_step(status=report.status, step=step_name, status_label=report.get_status_display())


def _ensure_version(report: Report, version: int) -> None:
    if report.version != version:
        raise _conflict(report, version)


def _transition(by: Actor, report: Report, step_name: str, *, detail: dict | None = None, **fields: Any) -> Report:
    return transition(
        workflow=REPORT_WORKFLOW,
        item=report,
        step=step_name,
        by=by,
        event=f"reporting.report.{step_name}",
        detail=detail,
        **fields,
    )


def _is_same_person(by: Actor, user) -> bool:
    return by.user is not None and user is not None and by.user.pk == getattr(user, "pk", user)


def _acts_on_behalf(by: Actor, org: Organisation) -> bool:
    """Whether the actor's right to edit `org` comes only from a role held above it (a group union)."""
    if by.user is None:
        return False
    from orgs.roles import actions_for

    return not any(m.org_id == org.pk and Action.EDIT in actions_for(m.role) for m in _active_memberships(by.user))


@atomic_retrying
def report_submit(
    *,
    by: Actor,
    report: Report,
    version: int,
    explanations: Mapping[str, str] | None = None,
    idempotency_key: str = "",
) -> Report:
    """Submit a complete draft or returned report: snapshot taken, open returns resolved, reviewer notified.

    A retry with the same `idempotency_key` returns the report as the first call left it; a stale
    `version` (e.g. a double click without a key) is refused with 409, never a second transition.
    Raises SubmissionBlocked when required values are missing, an error rule fails, or a warning
    is not explained.
    """
    ensure_allowed(by, Action.EDIT, report.org)
    report = _lock(report)
    if idempotency_key and report.snapshots.filter(idempotency_key=idempotency_key).exists():
        return report
    if report.version != version and report.status == ReportStatus.SUBMITTED:
        raise ReportConflict(_("该报表已经提交，请勿重复提交。"), [], report.version)
    _ensure_version(report, version)
    _ensure_period_open(report)
    _ensure_step(report, "submit")
    now = timezone.now()
    if report.status == ReportStatus.DRAFT:
        _ensure_window(report.dataset, report.period, report.org, now)
    _save_explanations(by, report, explanations or {})
    completeness = queries.report_completeness(report)
    if not completeness.complete:
        raise SubmissionBlocked(completeness)
    number = (report.snapshots.aggregate(m=Max("number"))["m"] or 0) + 1
    ReportSnapshot.objects.create(
        report=report,
        number=number,
        values=queries.snapshot_values(report),
        submitted_by=by.user,
        submitted_at=now,
        idempotency_key=idempotency_key[:100],
    )
    report.returns.filter(resolved_at__isnull=True).update(resolved_at=now)
    report = _transition(
        by,
        report,
        "submit",
        detail={"snapshot": number, "warnings_explained": [o.code for o in completeness.warnings]},
        submitted_at=now,
        submitted_by=by.user,
        first_submitted_at=report.first_submitted_at or now,
        on_behalf_of=_acts_on_behalf(by, report.org),
        approved_at=None,
        approved_by=None,
    )
    union = queries.reviewing_union(report.org)
    recipients = _users_with_roles([union], {Role.UNION_ADMIN}) if union else _office_users(report.org)
    _notify(
        recipients,
        report=report,
        title=_("待审核：%(org)s %(period)s%(dataset)s") % _names(report),
        body=_("%(org)s 已提交%(period)s的“%(dataset)s”，请审核。") % _names(report),
    )
    return report


@atomic_retrying
def report_approve(*, by: Actor, report: Report, version: int) -> Report:
    """The union above the organisation approves a submitted report; the office is notified."""
    ensure_allowed(by, Action.REVIEW, report.org)
    report = _lock(report)
    union = queries.reviewing_union(report.org)
    if union is not None:
        ensure_allowed(by, Action.REVIEW, union)
    if _is_same_person(by, report.submitted_by):
        raise PermissionDenied(_("不能审核本人提交的报表。"))
    _ensure_version(report, version)
    _ensure_period_open(report)
    _ensure_step(report, "approve")
    if union is None:
        raise IllegalTransition(
            _("“%(org)s”上级没有产业（系统）工会，报表由产改办直接验收。") % {"org": report.org.name}
        )
    report = _transition(by, report, "approve", approved_at=timezone.now(), approved_by=by.user)
    _notify(
        _office_users(report.org),
        report=report,
        title=_("待验收：%(org)s %(period)s%(dataset)s") % _names(report),
        body=_("%(union)s 已审核通过 %(org)s 的%(period)s“%(dataset)s”，请验收。")
        % {**_names(report), "union": union.name},
    )
    return report


@atomic_retrying
def report_return(
    *,
    by: Actor,
    report: Report,
    version: int,
    reason: str,
    section_code: str | None = None,
    cells: Sequence[CellKey] = (),
) -> Report:
    """Send a submitted or approved report back, as a whole, for one section or for some cells, with a reason."""
    ensure_allowed(by, Action.REVIEW, report.org)
    report = _lock(report)
    _ensure_version(report, version)
    _ensure_period_open(report)
    _ensure_step(report, "return")
    reason = REPORT_WORKFLOW.clean_reason("return", reason)
    layout = queries.version_layout(report.dataset_version)
    section = None
    if section_code:
        section = next((s for s in layout.sections if s.code == section_code), None)
        if section is None:
            raise UserError(_("本报表中没有代码为“%(code)s”的分区。") % {"code": section_code})
    targets = []
    for key in cells:
        cell = layout.cells.get(tuple(key))
        if cell is None:
            raise UserError(_("本报表中没有这一项：%(cell)s。") % {"cell": f"{key[0]}[{key[1]}]"})
        targets.append(cell)
    if targets:
        for cell in targets:
            ValueReturn.objects.create(
                report=report,
                section=cell.section,
                element=cell.element,
                option_combo=cell.option_combo,
                reason=reason[:1000],
                returned_by=by.user,
            )
    else:
        ValueReturn.objects.create(report=report, section=section, reason=reason[:1000], returned_by=by.user)
    report = _transition(
        by,
        report,
        "return",
        detail={"reason": reason, "section": section_code, "cells": [list(c.key) for c in targets]},
        approved_at=None,
        approved_by=None,
    )
    _notify(
        _reporters(report),
        report=report,
        title=_("已退回：%(period)s%(dataset)s") % _names(report),
        body=_("您单位的%(period)s“%(dataset)s”被退回，原因：%(reason)s") % {**_names(report), "reason": reason},
    )
    return report


@atomic_retrying
def report_accept(*, by: Actor, report: Report, version: int) -> Report:
    """The office accepts an approved report (or a submitted one when no union is above the organisation)."""
    ensure_allowed(by, Action.ACCEPT, report.org)
    report = _lock(report)
    if _is_same_person(by, report.submitted_by):
        raise PermissionDenied(_("不能验收本人提交的报表。"))
    _ensure_version(report, version)
    _ensure_period_open(report)
    _ensure_step(report, "accept")
    if report.status == ReportStatus.SUBMITTED:
        union = queries.reviewing_union(report.org)
        if union is not None:
            raise IllegalTransition(_("该报表须先由“%(union)s”审核通过，才能验收。") % {"union": union.name})
    report = _transition(by, report, "accept", accepted_at=timezone.now(), accepted_by=by.user)
    accepted_data_changed.send(sender=Report, report=report, accepted=True)
    _notify(
        _reporters(report),
        report=report,
        title=_("已验收：%(period)s%(dataset)s") % _names(report),
        body=_("您单位的%(period)s“%(dataset)s”已由产改办验收。") % _names(report),
    )
    return report


@atomic_retrying
def report_lock(*, by: Actor, report: Report, version: int) -> Report:
    """Lock an accepted report: it can only be changed after the office reopens it."""
    ensure_allowed(by, Action.ACCEPT, report.org)
    report = _lock(report)
    _ensure_version(report, version)
    _ensure_step(report, "lock")
    return _transition(by, report, "lock", locked_at=timezone.now())


@atomic_retrying
def report_reopen(*, by: Actor, report: Report, version: int, reason: str) -> Report:
    """The office reopens an accepted or locked report for correction (it becomes 已退回 with the reason)."""
    ensure_allowed(by, Action.ACCEPT, report.org)
    report = _lock(report)
    _ensure_version(report, version)
    _ensure_period_open(report)
    _ensure_step(report, "reopen")
    reason = REPORT_WORKFLOW.clean_reason("reopen", reason)
    ValueReturn.objects.create(report=report, reason=reason[:1000], returned_by=by.user)
    report = _transition(
        by,
        report,
        "reopen",
        detail={"reason": reason},
        accepted_at=None,
        accepted_by=None,
        approved_at=None,
        approved_by=None,
        locked_at=None,
    )
    accepted_data_changed.send(sender=Report, report=report, accepted=False)
    _notify(
        _reporters(report),
        report=report,
        title=_("已重新打开：%(period)s%(dataset)s") % _names(report),
        body=_("产改办重新打开了您单位的%(period)s“%(dataset)s”，原因：%(reason)s")
        % {**_names(report), "reason": reason},
    )
    return report


# --- Periods and deadlines ----------------------------------------------------------------------------------


@atomic_retrying
def period_lock(*, by: Actor, dataset: DataSet, period: Period, reason: str = "") -> PeriodLock:
    """Close a data set's period: nothing in it can be edited, submitted or reviewed; accepted reports are locked."""
    _ensure_office(by)
    if PeriodLock.objects.filter(dataset=dataset, period=period).exists():
        raise UserError(_("%(dataset)s%(period)s已经锁定。") % {"dataset": dataset.name, "period": period.label})
    lock = PeriodLock.objects.create(dataset=dataset, period=period, reason=reason.strip()[:500], locked_by=by.user)
    now = timezone.now()
    accepted = Report.objects.filter(dataset=dataset, period=period, status=ReportStatus.ACCEPTED)
    ids = list(accepted.values_list("pk", flat=True))
    accepted.update(status=ReportStatus.LOCKED, locked_at=now, version=F("version") + 1, updated_at=now)
    audit.record(by, "reporting.period.lock", lock, detail={"reports_locked": ids})
    return lock


@atomic_retrying
def period_unlock(*, by: Actor, dataset: DataSet, period: Period, reason: str) -> None:
    """Open a locked period again (reports stay locked until reopened one by one)."""
    _ensure_office(by)
    if not (reason or "").strip():
        raise UserError(_("请填写解除锁定的原因。"), field="reason")
    lock = PeriodLock.objects.filter(dataset=dataset, period=period).first()
    if lock is None:
        raise UserError(_("%(dataset)s%(period)s没有锁定。") % {"dataset": dataset.name, "period": period.label})
    before = audit.snapshot(lock)
    lock.delete()
    audit.record(
        by,
        "reporting.period.unlock",
        None,
        before=before,
        after=None,
        detail={"reason": reason},
        object_type="reporting.periodlock",
        object_id=str(before["id"]),
        object_repr=f"{dataset} {period}",
    )


@atomic_retrying
def deadline_extend(
    *, by: Actor, dataset: DataSet, period: Period, new_deadline: dt.date, reason: str, org: Organisation | None = None
) -> DeadlineExtension:
    """Move the deadline for one subtree (or everyone): late-or-not and entry closing follow the new day."""
    if org is None:
        _ensure_office(by)
    else:
        ensure_allowed(by, Action.ACCEPT, org)
    reason = (reason or "").strip()
    if not reason:
        raise UserError(_("请填写延期原因。"), field="reason")
    if new_deadline <= queries.regular_deadline(dataset, period):
        raise UserError(
            _("新截止日期须晚于原截止日期 %(day)s。") % {"day": queries.regular_deadline(dataset, period).isoformat()},
            field="new_deadline",
        )
    extension = DeadlineExtension.objects.create(
        dataset=dataset, period=period, org=org, new_deadline=new_deadline, reason=reason[:500], granted_by=by.user
    )
    audit.record(by, "reporting.deadline.extend", extension)
    return extension


# --- The inbox ---------------------------------------------------------------------------------------------


@atomic_retrying
def notifications_mark_all_read(*, by: Actor) -> int:
    """Mark every unread notification of the actor as read; returns how many were unread."""
    if by.user is None:
        return 0
    return Notification.objects.filter(user=by.user, read_at__isnull=True).update(read_at=timezone.now())


# --- Imports: many reports at once (Excel, CSV, JSON) ------------------------------------------------------


@dataclass(frozen=True)
class ImportItem:
    """One organisation's part of an import: the cells to save, and the report version the preview saw.

    `version` is None when there was no report yet at preview time: the import then expects either
    no report or one nobody has saved values in since it was opened.
    """

    org: Organisation
    values: Mapping[CellKey, Any]
    version: int | None = None


@dataclass(frozen=True)
class ImportFailure:
    """Why one organisation's part of an import was refused."""

    org: Organisation
    message: str
    problems: tuple[ValueProblem, ...] = ()
    conflict: bool = False


class ImportFailed(UserError):
    """At least one organisation's part was refused; nothing of the whole import was written."""

    def __init__(self, failures: list[ImportFailure]):
        self.failures = failures
        conflict = any(f.conflict for f in failures)
        self.status_code = 409 if conflict else 400
        first = "；".join(f"{f.org.name}：{f.message}" for f in failures[:3])
        super().__init__(
            _("有 %(n)d 个单位的数据未能导入，整个文件均未导入：%(first)s") % {"n": len(failures), "first": first}
        )


@atomic_retrying
def values_import(
    *,
    by: Actor,
    dataset: DataSet,
    period: Period,
    items: Sequence[ImportItem],
    dataset_version_number: int | None = None,
    source: Mapping[str, Any] | None = None,
) -> list[SaveResult]:
    """Save the values of several organisations' reports in one transaction: all of them or none.

    Each organisation's report is opened (report_open) and saved (values_save), so permissions,
    entry windows, locks, value cleaning, version checks and the per-report audit rows are exactly
    those of web entry. `dataset_version_number` is the version the file was made for: a report on
    another version is refused. Every failure is collected before ImportFailed is raised (and
    everything rolled back); on success one more audit row records the import as a whole.
    """
    with queries.shared_layouts():
        return _values_import(
            by=by,
            dataset=dataset,
            period=period,
            items=items,
            dataset_version_number=dataset_version_number,
            source=source,
        )


def _values_import(*, by, dataset, period, items, dataset_version_number, source) -> list[SaveResult]:
    failures: list[ImportFailure] = []
    results: list[SaveResult] = []
    # The lock order of core/db.py: the existing reports first, before opening a new one writes an audit row.
    lock_rows(Report.objects.filter(dataset=dataset, period=period, org__in=[item.org.pk for item in items]))
    for done, item in enumerate(items):
        # Run as a background job, the person sees how far it is (outside this transaction: see core.jobs).
        current_job_progress(done=done, total=len(items))
        try:
            with transaction.atomic():
                report = report_open(by=by, org=item.org, dataset=dataset, period=period)
                if dataset_version_number is not None and report.dataset_version.number != dataset_version_number:
                    raise UserError(
                        _("模板版本已过期：模板是第 %(file)d 版，该单位的报表是第 %(report)d 版。")
                        % {"file": dataset_version_number, "report": report.dataset_version.number}
                    )
                version = item.version if item.version is not None else 1
                results.append(values_save(by=by, report=report, version=version, values=item.values))
        except ValuesInvalid as error:
            failures.append(ImportFailure(item.org, error.message, tuple(error.problems)))
        except ReportConflict as error:
            failures.append(ImportFailure(item.org, error.message, conflict=True))
        except UserError as error:
            failures.append(ImportFailure(item.org, error.message))
        except PermissionDenied as error:
            failures.append(ImportFailure(item.org, str(error.args[0]) if error.args else _("没有权限。")))
    current_job_progress(done=len(items), total=len(items))
    if failures:
        raise ImportFailed(failures)
    changed = [r for r in results if r.changed]
    audit.record(
        by,
        "reporting.import.apply",
        dataset,
        after=None,
        detail={
            **dict(source or {}),
            "period": period.code,
            "version": dataset_version_number,
            "reports": len(results),
            "reports_changed": len(changed),
            "cells_changed": sum(len(r.changed) for r in changed),
            "report_ids": [r.report.pk for r in changed][:1000],
        },
    )
    return results
