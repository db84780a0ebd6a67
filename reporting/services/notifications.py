"""The in-app inbox and e-mail copies, sent to the next person in the workflow after the commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actor import Actor
from core.db import atomic_retrying
from core.workflow import mail_after_commit
from orgs.choices import Role
from orgs.models import Membership, Organisation
from orgs.roles import OFFICE_ROLES
from orgs.scoping import in_subtree
from reporting.models import Notification, Report

logger = logging.getLogger(__name__)

# --- Notifications ---------------------------------------------------------------------------------------------


def _names(report: Report) -> dict[str, str]:
    return {"org": report.org.name, "period": report.period.label, "dataset": report.dataset.name}


def _users_with_roles(orgs: Iterable[Organisation | None], roles: set[str]) -> list:
    org_ids = [o.pk for o in orgs if o is not None]
    memberships = Membership.objects.filter(
        org_id__in=org_ids, role__in=roles, is_active=True, user__is_active=True
    ).select_related("user")
    return list({m.user_id: m.user for m in memberships}.values())


def _office_users(org: Organisation) -> list:
    """Office staff whose role covers `org`; if none does, every office holder (the province has one office)."""
    memberships = list(
        Membership.objects.filter(role__in=OFFICE_ROLES, is_active=True, user__is_active=True).select_related(
            "user", "org"
        )
    )
    covering = [m for m in memberships if in_subtree(org, m.org)] or memberships
    return list({m.user_id: m.user for m in covering}.values())


def _reporters(report: Report) -> list:
    users = {u.pk: u for u in _users_with_roles([report.org], {Role.REPORTER})}
    if report.submitted_by is not None and report.submitted_by.is_active:
        users.setdefault(report.submitted_by.pk, report.submitted_by)
    return list(users.values())


def _report_url(report: Report) -> str:
    try:
        return reverse("reporting:report_detail", kwargs={"pk": report.pk})
    except NoReverseMatch:
        return ""


def deliver(users: Iterable, *, title: str, body: str, url: str, report: Report | None = None) -> list[Notification]:
    """Inbox rows now (in the transaction), one per distinct user; e-mail copies after the commit
    (core.workflow.mail_after_commit) to those who take each notification by mail (我的账号 › 通知邮件;
    the others get the daily digest, reporting/services/digest.py, or no mail). Workflow steps and
    reminders both send through here."""
    users = list({u.pk: u for u in users}.values())
    notifications = Notification.objects.bulk_create(
        Notification(user=u, title=title[:200], body=body, url=url[:500], report=report) for u in users
    )
    mail_after_commit((u.email for u in users if u.mails_each_notice), subject=title, body=body, url=url)
    return notifications


def _notify(users: Sequence, *, report: Report, title: str, body: str) -> None:
    """Tell the next people in the workflow about a step on `report`."""
    if users:
        deliver(users, title=title, body=body, url=_report_url(report), report=report)


@transaction.atomic
def notification_mark_read(*, by: Actor, notification: Notification) -> Notification:
    """Mark one of the actor's own notifications as read."""
    if by.user is None or notification.user_id != by.user.pk:
        raise PermissionDenied(_("只能处理自己的通知。"))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@atomic_retrying
def notifications_mark_all_read(*, by: Actor, kind: str = "") -> int:
    """Mark every unread notification of the actor (of one kind, see queries.notification_kind) as read;
    returns how many were unread."""
    if by.user is None:
        return 0
    unread = Notification.objects.filter(user=by.user, read_at__isnull=True)
    if kind:
        unread = unread.filter(title__startswith=f"{kind}：")
    return unread.update(read_at=timezone.now())
