"""Targeted notices (政策推送): the office tells the eligible organisations that have not used a measure about it;
the first time someone of a recipient organisation opens it is recorded (who, when)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, deadlines
from core.actor import Actor
from core.db import atomic_retrying, lock_row
from core.errors import UserError
from orgs.choices import Action
from orgs.scoping import ensure_allowed, ensure_office
from policies import eligibility
from policies.choices import MeasureStatus
from policies.models import Measure, Notice, NoticeRecipient

MAX_MESSAGE = 5_000


def default_message(measure: Measure) -> str:
    """The measure's summary and how to apply, as the notice's text."""
    parts = [_("您单位符合《%(title)s》的适用条件，尚未享受该政策。") % {"title": measure.title}]
    if measure.benefits:
        parts.append(_("支持内容：%(text)s") % {"text": measure.benefits})
    if measure.apply_steps:
        parts.append(_("申请流程：%(text)s") % {"text": measure.apply_steps})
    if measure.apply_where:
        parts.append(_("受理地点：%(text)s") % {"text": measure.apply_where})
    if measure.apply_contact:
        parts.append(_("联系方式：%(text)s") % {"text": measure.apply_contact})
    if measure.apply_deadline:
        parts.append(_("申请截止日期：%(day)s") % {"day": f"{measure.apply_deadline:%Y-%m-%d}"})
    return "\n".join(parts)


@atomic_retrying
def notice_send(*, by: Actor, measure: Measure, title: str = "", message: str = "") -> Notice:
    """Send a notice about `measure` to every eligible organisation that has not reported using it.

    Raises UserError when the measure is not published and in force, or nobody is left to tell.
    """
    ensure_office(by)
    from policies.services.measures import ensure_librarian

    ensure_librarian(by)
    measure = lock_row(Measure.objects.all(), pk=measure.pk)
    today = deadlines.today()
    if measure.status != MeasureStatus.PUBLISHED or not measure.is_valid_on(today):
        raise UserError(_("只能推送已发布且在有效期内的政策。"), field="measure")
    title = (title or "").strip() or _("政策推送：%(title)s") % {"title": measure.title}
    message = (message or "").strip() or default_message(measure)
    if len(title) > 200:
        raise UserError(_("标题不能超过 200 个字。"), field="title")
    if len(message) > MAX_MESSAGE:
        raise UserError(_("内容不能超过 %(n)d 个字。") % {"n": MAX_MESSAGE}, field="message")
    targets = [row.org for row in eligibility.measure_orgs(measure).eligible_unused]
    if not targets:
        raise UserError(_("没有符合条件且尚未享受该政策的单位，无需推送。"), field="measure")
    notice = Notice.objects.create(
        measure=measure, title=title, message=message, sent_by=by.user, sent_at=timezone.now()
    )
    NoticeRecipient.objects.bulk_create([NoticeRecipient(notice=notice, org=org) for org in targets])
    audit.record(by, "policies.notice.send", notice, detail={"measure": measure.pk, "recipients": len(targets)})
    return notice


def may_open_for(user, org) -> bool:
    """Whether `user` answers for `org` on the enterprise pages (so opening counts as the organisation's)."""
    return any(o.pk == org.pk for o in eligibility.policy_orgs(user))


@atomic_retrying
def notice_open(*, by: Actor, recipient: NoticeRecipient) -> NoticeRecipient:
    """Record that someone of the recipient organisation opened the notice (the first time only; later opens and
    readers from above — the office, a union looking on — change nothing)."""
    ensure_allowed(by, Action.VIEW, recipient.org)
    if by.user is None or not may_open_for(by.user, recipient.org):
        raise PermissionDenied(_("只有本单位人员打开推送才记为已读。"))
    recipient = lock_row(NoticeRecipient.objects.select_related("notice", "org"), pk=recipient.pk)
    if recipient.opened_at is not None:
        return recipient
    before = audit.snapshot(recipient, ["opened_at", "opened_by"])
    recipient.opened_at = timezone.now()
    recipient.opened_by = by.user
    recipient.save(update_fields=["opened_at", "opened_by"])
    audit.record(
        by,
        "policies.notice.open",
        recipient,
        before=before,
        after=audit.snapshot(recipient, ["opened_at", "opened_by"]),
    )
    return recipient
