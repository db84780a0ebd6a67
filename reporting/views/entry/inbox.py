"""The inbox: the user's notifications, marking them read and following their links."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.actor import Actor
from reporting import queries, services
from reporting.models import Notification

NOTIFICATIONS_PER_PAGE = 30
# From this many unread notifications the inbox opens with their digest by kind.
DIGEST_FROM = 10


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first, unread ones marked."""
    notifications = Notification.objects.filter(user=request.user).select_related("report")
    only_unread = request.GET.get("unread") == "1"
    if only_unread:
        notifications = notifications.filter(read_at__isnull=True)
    kind = (request.GET.get("kind") or "").strip()[: queries.NOTIFICATION_KIND_MAX]
    if kind:
        notifications = notifications.filter(title__startswith=f"{kind}：")
    page = Paginator(notifications, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    unread_count = queries.notifications_unread(request.user).count()
    extra = ("&unread=1" if only_unread else "") + (f"&kind={quote(kind)}" if kind else "")
    context = {
        "page_obj": page,
        "only_unread": only_unread,
        "kind": kind,
        "unread_count": unread_count,
        # A long inbox starts with what it is about: the unread ones by kind.
        "digest": queries.notifications_digest(request.user) if unread_count >= DIGEST_FROM and not kind else [],
        "page_extra": extra,
    }
    return render(request, "reporting/entry_inbox.html", context)


def _own_notification(request: HttpRequest, pk: int) -> Notification:
    # A notification belongs to one user; anyone else's is "not found".
    return get_object_or_404(Notification, pk=pk, user=request.user)


@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = services.notification_mark_read(
        by=Actor.from_request(request), notification=_own_notification(request, pk)
    )
    if request.htmx:
        return render(request, "reporting/entry_inbox.html#notification", {"notification": notification})
    return redirect("reporting:inbox")


@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and follow its link (only to this site)."""
    notification = services.notification_mark_read(
        by=Actor.from_request(request), notification=_own_notification(request, pk)
    )
    url = notification.url
    local = url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    if url and local:
        return redirect(url)
    return redirect("reporting:inbox")


@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    kind = (request.POST.get("kind") or "").strip()[: queries.NOTIFICATION_KIND_MAX]
    count = services.notifications_mark_all_read(by=Actor.from_request(request), kind=kind)
    messages.success(request, _("已将 %(n)d 条通知标为已读。") % {"n": count})
    return redirect("reporting:inbox")
