"""Attendance and completion of a class (the organiser's), and its attendance sheet as .xlsx."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import audit, deadlines
from core.actor import Actor
from core.errors import UserError
from core.exports import attachment_disposition, export_response, rate_limited
from core.rendering import PDF_CONTENT_TYPE, temporary_xlsx
from orgs.scoping import get_visible_or_404
from training import attendance_export, forms, queries, services
from training.choices import ClassStatus, Mark
from training.models import DayAttendance, TrainingClass


def _managed(request: HttpRequest, pk: int) -> TrainingClass:
    klass = get_visible_or_404(TrainingClass.objects.select_related("organiser"), request.user, pk=pk)
    if not queries.manages(request.user, klass):
        raise PermissionDenied(_("只有主办单位可以记录考勤和结业。"))
    return klass


def _marks(enrolments) -> dict[tuple[int, dt.date], str]:
    rows = DayAttendance.objects.filter(enrolment__in=enrolments).values_list("enrolment_id", "day", "mark")
    return {(pk, day): mark for pk, day, mark in rows}


def _chosen_day(klass: TrainingClass, raw: str) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None
    return day if day in klass.days else None


@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """考勤: marks for one day (?day=) or the whole class, then completion (结业)."""
    klass = _managed(request, pk)
    enrolments = list(queries.enrolments_for(request.user, klass))
    day = _chosen_day(klass, request.POST.get("day") or request.GET.get("day", ""))
    form = forms.AttendanceForm(request.POST or None, enrolments=enrolments)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.attendance_record(
                by=Actor.from_request(request), klass=klass, marks=form.marks(), day=day
            )
        except UserError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("考勤已保存（%(n)d 处变动）。") % {"n": changed})
            suffix = f"?day={day:%Y-%m-%d}" if day else ""
            return redirect(f"{request.path}{suffix}")
    marks = _marks(enrolments)
    today = deadlines.today()
    rows = [
        {
            "enrolment": e,
            "days": [marks.get((e.pk, d), "") for d in klass.days],
            "current": marks.get((e.pk, day), "") if day else e.attendance,
        }
        for e in enrolments
    ]
    return render(
        request,
        "training/attendance.html",
        {
            "klass": klass,
            "rows": rows,
            "day": day,
            "days": [(d, d <= today) for d in klass.days],
            "mark_choices": forms.MARK_CHOICES,
            "recordable": klass.status in (ClassStatus.RUNNING, ClassStatus.FINISHED),
            "marks": dict(Mark.choices),
        },
    )


@require_POST
def completion(request: HttpRequest, pk: int) -> HttpResponse:
    klass = _managed(request, pk)
    enrolments = list(queries.enrolments_for(request.user, klass))
    chosen = set(request.POST.getlist("completed"))
    try:
        changed = services.completion_record(
            by=Actor.from_request(request), klass=klass, completed={e.pk: str(e.pk) in chosen for e in enrolments}
        )
    except UserError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("结业情况已保存（%(n)d 处变动）。") % {"n": changed})
    return redirect("training:attendance", pk=klass.pk)


@require_GET
def attendance_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The attendance sheet as a PDF to print and sign; audited like the .xlsx."""
    klass = _managed(request, pk)
    wait = rate_limited(request, "training-attendance")
    if wait:
        response = HttpResponse(_("导出过于频繁，请%(s)d秒后再试。") % {"s": wait}, status=429)
        response["Retry-After"] = str(wait)
        return response
    enrolments = list(queries.enrolments_for(request.user, klass))
    data = attendance_export.attendance_pdf(klass, enrolments, _marks(enrolments))
    audit.record(
        Actor.from_request(request), "training.attendance.export", klass, after=None,
        detail={"rows": len(enrolments), "format": "pdf"},
    )  # fmt: skip
    response = HttpResponse(data, content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_disposition(
        _("考勤表-%(title)s.pdf") % {"title": klass.title}, fallback=f"attendance-{klass.pk}.pdf"
    )
    response["Cache-Control"] = "no-store, private"
    return response


@require_GET
def attendance_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The attendance sheet (签到表) as .xlsx; audited with the row count."""
    klass = _managed(request, pk)
    wait = rate_limited(request, "training-attendance")
    if wait:
        response = HttpResponse(_("导出过于频繁，请%(s)d秒后再试。") % {"s": wait}, status=429)
        response["Retry-After"] = str(wait)
        return response
    enrolments = list(queries.enrolments_for(request.user, klass))
    marks = _marks(enrolments)
    fileobj, count = temporary_xlsx(lambda f: attendance_export.attendance_xlsx(klass, enrolments, marks, fileobj=f))
    audit.record(Actor.from_request(request), "training.attendance.export", klass, after=None, detail={"rows": count})
    return export_response(
        fileobj,
        fmt="xlsx",
        filename_stem=_("考勤表-%(title)s") % {"title": klass.title},
        fallback_stem=f"attendance-{klass.pk}",
    )
