"""The daily digest: one e-mail a day to each person whose unread notifications have grown since their last one.

Who gets one: an active account with an e-mail address whose choice under 我的账号 › 通知邮件 includes the daily
digest (accounts.choices.DAILY_DIGEST_MAIL) and who has unread notifications that no earlier digest listed.
Nobody else gets anything; in particular nobody whose inbox holds nothing new and unread.

What it says (in Chinese, plain text with a simple HTML alternative, no images or fonts from anywhere): how many
new unread notifications there are, by kind (the title's lead: 待验收, 催报提醒 …, as on the inbox page), how many
are unread in all, and the most recent ones with their links, each an absolute address under settings.BASE_URL
(CHANGAI_BASE_URL), plus the inbox and the settings page where the digest is turned off.

Once a day, whoever runs it: the worker runs `digests_send` daily after 08:00 Beijing time (core/periodic.py,
declared in reporting/declarations.py) and operators may run `manage.py send_digests`. Before sending, a person's
digest of the day is claimed by inserting its NotificationDigest row, unique per person and day, so a second
process or a second run on the same day finds the claim and sends nothing. The notifications a sent digest
listed point to it and are not listed again.

A mail server that refuses one message fails that person's digest only: it is logged, the row says 发送失败 with
the reason, the notifications stay unlisted, and the next day's digest includes them. The others are still sent.
A process killed between the claim and the send leaves a 发送中 row: that person's notifications wait for the
next day in the same way.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from urllib.parse import quote

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.choices import DAILY_DIGEST_MAIL
from accounts.models import User
from core import audit
from core.actor import Actor
from core.deadlines import today
from core.formatting import day_label
from reporting.choices import DigestStatus
from reporting.models import Notification, NotificationDigest
from reporting.queries.worklists import notification_kind

logger = logging.getLogger(__name__)

# The most recent new notifications a digest lists one by one; the rest are counted and linked through the inbox.
DIGEST_ITEMS = 10


@dataclass(frozen=True)
class DigestKind:
    """One line of the counts: a kind of notification, how many new unread ones, and the inbox filtered to it."""

    kind: str
    count: int
    url: str


@dataclass(frozen=True)
class DigestItem:
    """One of the most recent new notifications, with the absolute address it leads to."""

    title: str
    created_at: dt.datetime
    url: str


@dataclass
class Digest:
    """What one person's digest of the day says; `notification_ids` are the new unread notifications it covers."""

    user: User
    day: dt.date
    new_count: int
    unread_count: int
    kinds: list[DigestKind]
    items: list[DigestItem]
    inbox_url: str
    settings_url: str
    notification_ids: list[int] = field(default_factory=list)

    @property
    def more(self) -> int:
        """New notifications not listed one by one."""
        return self.new_count - len(self.items)


@dataclass
class DigestRun:
    """What a run did (or, dry, would do): digests sent, digests that failed, people already done today."""

    day: dt.date
    dry_run: bool = False
    sent: list[Digest] = field(default_factory=list)
    failed: list[tuple[Digest, str]] = field(default_factory=list)
    taken: int = 0

    def summary(self) -> str:
        names = {"day": day_label(self.day), "sent": len(self.sent), "failed": len(self.failed), "taken": self.taken}
        if self.dry_run:
            return _("%(day)s：将发送未读通知汇总邮件 %(sent)d 封（预演，未发送、未写入任何数据）。") % names
        return (
            _(
                "%(day)s：已发送未读通知汇总邮件 %(sent)d 封，发送失败 %(failed)d 封（明天重试），"
                "今天已处理过的 %(taken)d 人跳过。"
            )
            % names
        )

    def as_dict(self) -> dict[str, int | str]:
        return {"day": self.day.isoformat(), "sent": len(self.sent), "failed": len(self.failed), "taken": self.taken}


def absolute_url(path: str) -> str:
    """`path` on this site as an address that works from an e-mail; anything but a local path leads to the inbox."""
    if not path.startswith("/") or path.startswith("//"):
        path = reverse("reporting:inbox")
    return f"{settings.BASE_URL}{path}"


def _ordered_kinds(titles: list[str]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for title in titles:
        kind = notification_kind(title)
        counts[kind] = counts.get(kind, 0) + 1
    # The most numerous first, as on the inbox page; those without a kind ("其他") last.
    return sorted(counts.items(), key=lambda item: (item[0] == "", -item[1], item[0]))


def digests_due(*, now: dt.datetime | None = None) -> list[Digest]:
    """The digests of the day not yet claimed: one per active person with an address who takes the digest and has
    unread notifications that no digest listed (created up to `now`). Three queries whatever the number of people."""
    now = now or timezone.now()
    day = today(now)
    claimed = NotificationDigest.objects.filter(day=day).values("user_id")
    rows = list(
        Notification.objects.filter(read_at__isnull=True, digest__isnull=True, created_at__lte=now)
        .filter(user__is_active=True, user__notice_delivery__in=DAILY_DIGEST_MAIL)
        .exclude(user__email="")
        .exclude(user_id__in=claimed)
        .order_by("user_id", "-created_at", "-id")
        .values_list("id", "user_id", "title", "url", "created_at")
    )
    if not rows:
        return []
    by_user: dict[int, list[tuple]] = {}
    for row in rows:
        by_user.setdefault(row[1], []).append(row)
    users = User.objects.in_bulk(list(by_user))
    unread = dict(
        Notification.objects.filter(user_id__in=list(by_user), read_at__isnull=True)
        .values("user_id")
        .annotate(n=Count("id"))
        .values_list("user_id", "n")
    )
    inbox = reverse("reporting:inbox")
    inbox_url = absolute_url(f"{inbox}?unread=1")
    settings_url = absolute_url(reverse("accounts:profile") + "#notice-delivery")
    digests = []
    for user_id, found in by_user.items():
        kinds = [
            DigestKind(
                kind=kind or _("其他"),
                count=count,
                url=absolute_url(f"{inbox}?unread=1&kind={quote(kind)}") if kind else inbox_url,
            )
            for kind, count in _ordered_kinds([title for _id, _user, title, _url, _at in found])
        ]
        items = [DigestItem(title=title, created_at=at, url=absolute_url(url)) for _id, _u, title, url, at in found]
        digests.append(
            Digest(
                user=users[user_id],
                day=day,
                new_count=len(found),
                unread_count=unread.get(user_id, len(found)),
                kinds=kinds,
                items=items[:DIGEST_ITEMS],
                inbox_url=inbox_url,
                settings_url=settings_url,
                notification_ids=[row[0] for row in found],
            )
        )
    return digests


def digest_message(digest: Digest) -> EmailMultiAlternatives:
    """The e-mail of one digest, in Chinese: plain text, and the same as simple HTML (no images, no outside fonts)."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "digest": digest,
            "name": digest.user.full_name or digest.user.username,
            "day": day_label(digest.day),
        }
        subject = _("产改通：%(n)d 条新的未读通知（%(day)s）") % {"n": digest.new_count, "day": context["day"]}
        text = render_to_string("reporting/mail/digest.txt", context)
        html = render_to_string("reporting/mail/digest.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[digest.user.email])
    message.attach_alternative(html, "text/html")
    return message


def _claim(digest: Digest) -> NotificationDigest | None:
    """The day's row for this person, inserted now; None when another run or process holds it already."""
    try:
        with transaction.atomic():
            return NotificationDigest.objects.create(
                user=digest.user,
                day=digest.day,
                status=DigestStatus.SENDING,
                notifications=digest.new_count,
                unread=digest.unread_count,
            )
    except IntegrityError:
        return None


@transaction.atomic
def _settle(row: NotificationDigest, digest: Digest, *, by: Actor, error: str = "") -> None:
    """Record how the send went: sent (its notifications now point to it) or failed (they wait for tomorrow)."""
    before = audit.snapshot(row)
    if error:
        row.status, row.error = DigestStatus.FAILED, error[:300]
        row.save(update_fields=["status", "error"])
    else:
        row.status, row.sent_at = DigestStatus.SENT, timezone.now()
        row.save(update_fields=["status", "sent_at"])
        Notification.objects.filter(pk__in=digest.notification_ids, digest__isnull=True).update(digest=row)
    audit.record(
        by,
        "reporting.digest.fail" if error else "reporting.digest.send",
        row,
        before=before,
        success=not error,
        detail={"notifications": digest.new_count, "unread": digest.unread_count},
        object_repr=_("%(user)s 的未读通知汇总（%(day)s）") % {"user": digest.user, "day": day_label(digest.day)},
    )


def digests_send(*, by: Actor, now: dt.datetime | None = None, dry_run: bool = False) -> DigestRun:
    """Send the day's digests that are due (see the module's docstring); with `dry_run`, only say who would get one.

    Never raises for one person's mail: a failure is logged and kept on that person's row, and the run goes on.
    """
    now = now or timezone.now()
    run = DigestRun(day=today(now), dry_run=dry_run)
    due = digests_due(now=now)
    if dry_run:
        run.sent = due
        return run
    for digest in due:
        row = _claim(digest)
        if row is None:  # another process or run got there first
            run.taken += 1
            continue
        try:
            digest_message(digest).send(fail_silently=False)
        except Exception as error:  # noqa: BLE001 - one refused message must not stop the others
            logger.exception("daily digest to user %s failed", digest.user.pk)
            reason = f"{type(error).__name__}: {error}"
            _settle(row, digest, by=by, error=reason)
            run.failed.append((digest, reason))
            continue
        _settle(row, digest, by=by)
        run.sent.append(digest)
    return run
