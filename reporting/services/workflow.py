"""The report workflow's steps: submit, approve, return, accept, lock and reopen (reporting/workflow.py
says which step leads where and who may take it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actor import Actor
from core.db import atomic_retrying
from core.errors import UserError
from core.workflow import IllegalTransition, transition
from orgs.choices import Action, Role
from orgs.models import Organisation
from orgs.scoping import _active_memberships, ensure_allowed
from reporting import integrity, queries
from reporting.choices import ReportStatus
from reporting.models import Report, ReportSnapshot, ValueReturn
from reporting.services.filling import (
    CellKey,
    ReportConflict,
    _conflict,
    _ensure_period_open,
    _ensure_window,
    _lock,
    _save_explanations,
)
from reporting.services.notifications import _names, _notify, _office_users, _reporters, _users_with_roles
from reporting.signals import accepted_data_changed
from reporting.workflow import REPORT_WORKFLOW


class SubmissionBlocked(UserError):
    """The report is not complete: required values missing, errors, or warnings without explanation."""

    def __init__(self, completeness: queries.Completeness):
        self.completeness = completeness
        super().__init__(_("报表尚不能提交：%(summary)s") % {"summary": completeness.summary()})


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
    """The office accepts an approved report (or a submitted one when no union is above the organisation) and
    seals its values (docs/integrity.md)."""
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
    # Sealed in the same step, so the seal is in the acceptance's audit row (reporting/integrity.py).
    sealed = integrity.seal_fields(report)
    report = _transition(by, report, "accept", accepted_at=timezone.now(), accepted_by=by.user, **sealed)
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
    """The office reopens an accepted or locked report for correction (it becomes 已退回 with the reason); its
    seal is cleared, and made again when it is accepted again."""
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
        **integrity.UNSEAL_FIELDS,
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
