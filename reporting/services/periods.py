"""Periods: the office's period locks and deadline extensions."""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.actor import Actor
from core.db import atomic_retrying
from core.errors import UserError
from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import ensure_allowed
from reporting import queries
from reporting.choices import ReportStatus
from reporting.models import DataSet, DeadlineExtension, Period, PeriodLock, Report
from reporting.services.common import _ensure_office

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
