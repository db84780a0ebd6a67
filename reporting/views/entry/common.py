"""What the report pages share: the report fetched through the scope, its header facts, deadline
and timeliness, why the grid is read-only, its stored values and warning explanations."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from core.files import ALLOWED_EXTENSIONS, MAX_ATTACHMENT_SIZE
from orgs.choices import Action
from orgs.scoping import can, get_visible_or_404
from reporting import queries
from reporting.choices import ReportStatus
from reporting.models import DataValue, Report

STATUS_STYLE = {
    ReportStatus.DRAFT: "secondary",
    ReportStatus.SUBMITTED: "primary",
    ReportStatus.APPROVED: "info",
    ReportStatus.RETURNED: "danger",
    ReportStatus.ACCEPTED: "success",
    ReportStatus.LOCKED: "dark",
}


def _visible_report(request: HttpRequest, pk: int) -> Report:
    """The report if the user may see it; 404 otherwise (missing or not theirs)."""
    return get_visible_or_404(
        Report.objects.select_related("org", "dataset", "dataset_version", "period", "submitted_by"),
        request.user,
        Action.VIEW,
        pk=pk,
    )


def _deadline_info(deadline, now=None) -> dict:
    left = queries.days_left(deadline, now)
    return {"deadline": deadline, "days_left": left, "late_days": -left}


def _read_only_reason(report: Report, user, now) -> str:
    """Why the grid is shown without inputs ("" when the user may edit now)."""
    if not can(user, Action.EDIT, report.org):
        return _("您可以查看本报表，但没有填报权限。")
    lock = queries.period_lock_of(report.dataset, report.period)
    if lock is not None:
        return _("%(period)s已由产改办锁定，不能再修改。") % {"period": report.period.label}
    if not report.is_editable:
        return _("报表当前状态为“%(status)s”，不能修改；如需修改，请联系审核人退回。") % {
            "status": report.get_status_display()
        }
    if report.status == ReportStatus.DRAFT:
        window = queries.entry_window(report.dataset, report.period, report.org)
        if now < window.opens_at:
            return _("本期尚未开放填报，将于 %(day)s 开放。") % {"day": window.opens_at.date().isoformat()}
        if now >= window.closes_at:
            return _("已过截止日（%(deadline)s）和宽限期，填报已关闭；如需补报，请联系产改办延期。") % {
                "deadline": window.deadline.isoformat()
            }
    return ""


def _cell_values(report: Report) -> dict:
    """Every stored cell of the report, empty ones included: an empty cell may still carry a comment."""
    rows = DataValue.objects.filter(report=report).select_related("element", "option_combo")
    return {(v.element.code, v.option_combo.key): v for v in rows}


def _explanations(report: Report) -> dict[str, str]:
    return dict(report.explanations.values_list("rule__code", "text"))


def _report_context(request: HttpRequest, report: Report, layout=None) -> dict:
    """What both report pages show: header facts, deadline and timeliness, validation, files, returns."""
    now = timezone.now()
    layout = layout or queries.version_layout(report.dataset_version)
    window = queries.entry_window(report.dataset, report.period, report.org)
    return {
        "report": report,
        "layout": layout,
        "status_style": STATUS_STYLE.get(report.status, "secondary"),
        "window": window,
        "deadline": _deadline_info(window.deadline, now),
        "timeliness": queries.timeliness_of(report, window, now),
        "attachments": list(report.attachments.select_related("uploaded_by")),
        "returns": queries.report_open_returns(report),
        "allowed_extensions": ", ".join(ALLOWED_EXTENSIONS),
        "max_attachment_mb": MAX_ATTACHMENT_SIZE // (1024 * 1024),
    }
