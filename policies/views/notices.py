"""政策推送 (the office's): every notice sent with how many organisations it reached, opened it and later reported
using the measure; sending one from a measure's page; who opened a notice."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.actor import Actor
from core.errors import UserError
from policies import queries, services
from policies.forms import NoticeForm
from policies.models import Notice
from policies.views.common import manager_or_403


@require_GET
def notices(request: HttpRequest) -> HttpResponse:
    manager_or_403(request.user)
    reach = queries.notice_reach(Notice.objects.select_related("measure", "sent_by").order_by("-sent_at"))
    return render(request, "policies/notices.html", {"reach": reach})


@require_GET
def notice_sent(request: HttpRequest, pk: int) -> HttpResponse:
    manager_or_403(request.user)
    notice = get_object_or_404(Notice.objects.select_related("measure"), pk=pk)
    recipients = (
        queries.recipients_visible(request.user).filter(notice=notice).select_related("opened_by").order_by("org__path")
    )
    return render(request, "policies/notice_sent.html", {"notice": notice, "recipients": recipients})


@require_POST
def notice_send(request: HttpRequest, pk: int) -> HttpResponse:
    manager_or_403(request.user)
    measure = queries.measure_or_404(request.user, pk)
    form = NoticeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("标题或内容过长。"))
        return redirect(measure)
    try:
        notice = services.notice_send(by=Actor.from_request(request), measure=measure, **form.cleaned_data)
    except UserError as error:
        messages.error(request, error.message)
        return redirect(measure)
    messages.success(request, _("已推送给 %(n)d 家符合条件且尚未享受的单位。") % {"n": notice.recipients.count()})
    return redirect("policies:notice_sent", notice.pk)
