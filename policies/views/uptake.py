"""政策落实: the enterprises' yearly uptake form, and for the office the rounds, who has submitted and the uptake
analytics (use rates, under-used measures by group union, organisations using none, reasons) with its .xlsx."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import audit, deadlines
from core.actor import Actor
from core.errors import UserError
from core.exports import export_response, rate_limited
from orgs.choices import Action
from orgs.scoping import can, is_office, office_or_404
from policies import exports, queries, services
from policies.choices import NotUsedReason, UptakeStatus
from policies.forms import RoundForm
from policies.models import UptakeRound
from policies.views.common import manager_or_403, reader_or_404


@require_GET
def uptake(request: HttpRequest) -> HttpResponse:
    reader_or_404(request.user)
    office = is_office(request.user)
    context = {"office": office, "today": deadlines.today()}
    if office:
        rounds = list(UptakeRound.objects.order_by("-year"))
        context["rounds"] = [(r, queries.round_progress(r)) for r in rounds]
        context["form"] = RoundForm() if queries.may_manage(request.user) else None
    reports = queries.reports_visible(request.user).order_by("-round__year", "org__path")
    context["reports"] = [] if office else list(reports[:200])
    return render(request, "policies/uptake.html", context)


@require_POST
def round_open(request: HttpRequest) -> HttpResponse:
    manager_or_403(request.user)
    form = RoundForm(request.POST)
    if form.is_valid():
        try:
            round_ = services.round_open(by=Actor.from_request(request), **form.cleaned_data)
        except UserError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已发起，%(n)d 家单位需要填报。") % {"n": round_.reports.count()})
            return redirect("policies:round", round_.pk)
    else:
        messages.error(request, _("请填写年度、开始填报日期和截止日期。"))
    return redirect("policies:uptake")


@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    office_or_404(request.user)
    round_ = get_object_or_404(UptakeRound, pk=pk)
    data = queries.analytics(round_)
    reports = queries.reports_visible(request.user).filter(round=round_).order_by("org__path")
    now = timezone.now()
    rows = [(r, queries.timeliness(r, now)) for r in reports]
    return render(
        request, "policies/round.html", {"round": round_, "data": data, "rows": rows, "today": deadlines.today()}
    )


@require_GET
def round_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    office_or_404(request.user)
    round_ = get_object_or_404(UptakeRound, pk=pk)
    wait = rate_limited(request, "policies")
    if wait:
        response = HttpResponse(_("导出过于频繁，请%(s)d秒后再试。") % {"s": wait}, status=429)
        response["Retry-After"] = str(wait)
        return response
    fileobj, count = exports.uptake_xlsx(queries.analytics(round_))
    audit.record(
        Actor.from_request(request),
        "policies.uptake.export",
        round_,
        after=None,
        detail={"format": "xlsx", "rows": count},
    )
    return export_response(fileobj, fmt="xlsx", filename_stem=_("政策落实分析-%(y)d") % {"y": round_.year},
                           fallback_stem=f"policy-uptake-{round_.year}")  # fmt: skip


def _answers(post, lines) -> dict[int, dict]:
    answers = {}
    for line in lines:
        key = str(line.measure_id)
        answers[line.measure_id] = {
            "used": post.get(f"used_{key}", ""),
            "beneficiaries": post.get(f"beneficiaries_{key}", ""),
            "amount": post.get(f"amount_{key}", ""),
            "reason": post.get(f"reason_{key}", ""),
            "reason_text": post.get(f"reason_text_{key}", ""),
        }
    return answers


@require_http_methods(["GET", "POST"])
def uptake_form(request: HttpRequest, pk: int) -> HttpResponse:
    report = queries.report_or_404(request.user, pk)
    may_edit = can(request.user, Action.EDIT, report.org)
    lines = list(report.lines.select_related("measure").order_by("measure__category", "measure__title"))
    error = ""
    posted = None
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        posted = _answers(request.POST, lines)
        submit = request.POST.get("action") == "submit"
        version = request.POST.get("version", "")
        try:
            services.uptake_save(
                by=Actor.from_request(request), report=report, version=int(version) if version.isdigit() else 0,
                answers=posted, submit=submit,
            )  # fmt: skip
        except UserError as problem:
            error = problem.message
        else:
            messages.success(request, _("已提交，谢谢。") if submit else _("已保存。"))
            return redirect(report)
    for line in lines:
        answer = posted.get(line.measure_id) if posted else None
        line.form = answer or {
            "used": "" if line.used is None else ("1" if line.used else "0"),
            "beneficiaries": "" if line.beneficiaries is None else line.beneficiaries,
            "amount": "" if line.amount is None else line.amount,
            "reason": line.reason, "reason_text": line.reason_text,
        }  # fmt: skip
    return render(request, "policies/uptake_form.html", {
        "report": report, "lines": lines, "may_edit": may_edit, "error": error, "reasons": NotUsedReason.choices,
        "submitted": report.status == UptakeStatus.SUBMITTED, "timeliness": queries.timeliness(report),
        "today": deadlines.today(),
    })  # fmt: skip
