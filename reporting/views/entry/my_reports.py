"""我的填报: the rounds open for the user's organisations, the reports waiting for them and every
visible report, and opening the draft of a round."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.actor import Actor
from core.errors import UserError
from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import get_visible_or_404, granted_paths, is_office
from reporting import queries, services
from reporting.choices import ReportStatus, Timeliness
from reporting.filters import ReportFilter
from reporting.models import DataSet, DeadlineExtension, Report
from reporting.periods import parse_code, period_from_code
from reporting.pickers import period_choices
from reporting.views.entry.common import STATUS_STYLE, _deadline_info

REPORTS_PER_PAGE = 30
ROUNDS_SHOWN = 200


class OpenForm(forms.Form):
    dataset = forms.CharField(max_length=64)
    period = forms.CharField(max_length=10)
    org = forms.CharField(max_length=64)


def _report_windows(reports: list[Report]) -> dict[int, queries.EntryWindow]:
    """The entry window (effective deadline) per report, with every extension read in one query."""
    if not reports:
        return {}
    extensions = list(
        DeadlineExtension.objects.filter(
            dataset_id__in={r.dataset_id for r in reports}, period_id__in={r.period_id for r in reports}
        ).select_related("org")
    )
    return {
        report.pk: queries.window_for(
            report.dataset,
            report.period,
            report.org,
            [e for e in extensions if e.dataset_id == report.dataset_id and e.period_id == report.period_id],
        )
        for report in reports
    }


def _with_deadlines(reports: list[Report], now) -> list[dict]:
    windows = _report_windows(reports)
    rows = []
    for report in reports:
        window = windows[report.pk]
        rows.append(
            {
                "report": report,
                "style": STATUS_STYLE.get(report.status, "secondary"),
                "timeliness": Timeliness(window.timeliness(report.first_submitted_at, now)),
                **_deadline_info(window.deadline, now),
            }
        )
    return rows


@require_GET
def my_reports(request: HttpRequest) -> HttpResponse:
    """我的填报: rounds open for the user's organisations, reports waiting for the user, and every visible report."""
    user = request.user
    if not granted_paths(user, Action.VIEW):
        return render(request, "reporting/entry_list.html", {"no_scope": True})
    now = timezone.now()
    office = is_office(user)
    rounds = [] if office else queries.entry_rounds(user=user, now=now, limit=ROUNDS_SHOWN + 1)
    round_rows = [
        {
            "round": r,
            "style": STATUS_STYLE.get(r.report.status, "secondary") if r.report else "light",
            **_deadline_info(r.deadline, now),
        }
        for r in rounds[:ROUNDS_SHOWN]
    ]
    in_rounds = {r.report.pk for r in rounds if r.report is not None}
    returned = []
    if not office:
        returned = list(
            Report.objects.visible_to(user, Action.EDIT)
            .filter(status=ReportStatus.RETURNED)
            .exclude(pk__in=in_rounds)
            .select_related("org", "dataset", "period")[:ROUNDS_SHOWN]
        )
    queue_kind, queue = queries.review_queue(user=user)

    base = Report.objects.visible_to(user, Action.VIEW).select_related("org", "dataset", "period")
    filterset = ReportFilter(request.GET, queryset=base, request=request)
    reports = filterset.qs if filterset.is_valid() else base.none()
    text = (request.GET.get("q") or "").strip()
    if text:
        found = Q(org__name__icontains=text) | Q(org__short_name__icontains=text) | Q(org__code__iexact=text)
        if text.isascii() and text.isalnum():
            found |= Q(org__pinyin_initials__startswith=text.lower())
        reports = reports.filter(found)
    page = Paginator(reports.order_by("-period__start", "dataset__code", "org__path"), REPORTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    extra = "".join(
        f"&{name}={request.GET.get(name)}" for name in ("dataset", "period", "status", "q") if request.GET.get(name)
    )
    context = {
        "rounds": round_rows,
        "rounds_truncated": len(rounds) > ROUNDS_SHOWN,
        "returned": _with_deadlines(returned, now),
        "queue_kind": queue_kind,
        "queue": _with_deadlines(queue, now),
        "page_obj": page,
        "rows": _with_deadlines(list(page.object_list), now),
        "page_extra": extra,
        "datasets": DataSet.objects.filter(is_active=True).order_by("code"),
        "statuses": ReportStatus.choices,
        "filters": {name: request.GET.get(name, "") for name in ("dataset", "period", "status", "q")},
        "period_choices": period_choices(include=[request.GET.get("period", "")]),
        "office": office,
    }
    return render(request, "reporting/entry_list.html", context)


@require_POST
def report_open_view(request: HttpRequest) -> HttpResponse:
    """Open (create or find) the draft of one organisation, data set and period, then go to its grid."""
    form = OpenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请求不完整，请从“我的填报”页面重新打开。"))
        return redirect("reporting:my_reports")
    org = get_visible_or_404(Organisation.objects, request.user, Action.VIEW, code=form.cleaned_data["org"])
    dataset = get_object_or_404(DataSet, code=form.cleaned_data["dataset"])
    try:
        parse_code(form.cleaned_data["period"])
        period = period_from_code(form.cleaned_data["period"])
        report = services.report_open(by=Actor.from_request(request), org=org, dataset=dataset, period=period)
    except UserError as error:
        messages.error(request, error.message)
        return redirect("reporting:my_reports")
    return redirect("reporting:report_entry", pk=report.pk)
