"""预警: the alerts in the user's scope (the office: the province; a union: its subtree; an organisation:
itself), filtered by union, prefecture, kind, age and state, with counts by kind; the .xlsx of the same
list; and the office's "立即重新计算" button, which queues the refresh as a background job."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import audit, deadlines
from core.actor import Actor
from core.exports import export_response, rate_limited
from core.jobs import job_create
from ledger import alert_export
from ledger.choices import AlertKind
from ledger.queries import alerts as q
from ledger.tasks import alerts_refresh_task
from orgs.choices import Action
from orgs.scoping import has_action, is_office, office_or_404

PER_PAGE = 50


def may_refresh(user) -> bool:
    """The reform office's managers (ledger.services.ensure_manager), who may recompute at once."""
    return is_office(user) and has_action(user, Action.ASSESS_MANAGE)


def _filtered(request: HttpRequest):
    """(filter, error message, the scoped queryset filtered); a bad filter shows everything unfiltered."""
    try:
        flt = q.clean_filter(request.GET)
        error = ""
    except q.FilterError as problem:
        flt, error = q.AlertFilter(), problem.message
    return flt, error, q.filter_alerts(q.alerts_visible(request.user), flt)


@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    """预警 list with counts by kind at the top."""
    flt, error, alerts = _filtered(request)
    today = deadlines.today()
    counts = q.counts_by_kind(q.filter_alerts(q.alerts_visible(request.user), flt, with_kind=False))
    for item in counts:
        item.query = flt.query(kind=item.kind)
    page = Paginator(q.ordered(alerts), PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "filter": flt,
        "filter_error": error,
        "counts": counts,
        "total": sum(c.count for c in counts),
        "rows": q.alert_rows(page.object_list, today=today),
        "page_obj": page,
        "page_extra": "&" + flt.query() if flt.query() else "",
        "all_kinds_query": flt.query(kind=""),
        "unions": q.union_choices(request.user),
        "prefectures": q.prefecture_choices(),
        "kinds": [(kind, str(label)) for kind, label in AlertKind.choices],
        "ages": q.AGES,
        "may_refresh": may_refresh(request.user),
        "running": q.refresh_job_pending() if may_refresh(request.user) else None,
        "last_refresh": q.last_refresh(),
    }
    return render(request, "ledger/alert_list.html", context)


@require_GET
def alerts_xlsx(request: HttpRequest) -> HttpResponse:
    """The filtered list as .xlsx (every row, not one page); rate-limited and audited."""
    flt, error, alerts = _filtered(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    wait = rate_limited(request, "ledger")
    if wait:
        response = HttpResponse(_("导出过于频繁，请%(s)d秒后再试。") % {"s": wait}, status=429)
        response["Retry-After"] = str(wait)
        return response
    rows = q.alert_rows(q.ordered(alerts))
    notes = [_("筛选条件：%(f)s") % {"f": _describe(flt)}]
    fileobj, count = alert_export.alerts_xlsx(rows, notes=notes)
    audit.record(
        Actor.from_request(request), "ledger.alerts.export", object_type="ledger.alert", object_repr=_("产改预警"),
        after=None, detail={"format": "xlsx", "rows": count, "filter": flt.query()},
    )  # fmt: skip
    stem = _("产改预警-%(day)s") % {"day": f"{deadlines.today():%Y%m%d}"}
    return export_response(fileobj, fmt="xlsx", filename_stem=stem)


def _describe(flt: q.AlertFilter) -> str:
    parts = {"open": _("未解除"), "cleared": _("已解除"), "all": _("全部")}
    words = [parts[flt.state]]
    if flt.kind:
        words.append(str(AlertKind(flt.kind).label))
    if flt.union:
        words.append(_("产业工会 %(code)s") % {"code": flt.union})
    if flt.prefecture:
        words.append(_("州市 %(code)s") % {"code": flt.prefecture})
    if flt.age:
        words.append(_("持续超过 %(n)d 天") % {"n": flt.age})
    return "，".join(words)


@require_POST
def alerts_refresh(request: HttpRequest) -> HttpResponse:
    """立即重新计算: queue the refresh as a job (a double click finds the same job) and follow it on /jobs/."""
    office_or_404(request.user)
    if not may_refresh(request.user):
        messages.error(request, _("只有产改办管理员可以重新计算预警。"))
        return redirect("ledger:alerts")
    job = job_create(
        kind="ledger.alerts_refresh", by=Actor.from_request(request), object_type="ledger.alert",
        object_repr=_("产改预警"), params={"back_url": reverse("ledger:alerts")}, task=alerts_refresh_task,
        dedupe_key=q.refresh_dedupe_key(),
    )  # fmt: skip
    return redirect("core:job_detail", job.pk)
