"""The class pages: the list of classes a person sees, a class with its enrolments, creating and editing one,
its course (open, start, finish, cancel) and its files."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import attachments, audit, deadlines, pii
from core.actor import Actor
from core.errors import UserError
from orgs.choices import Action
from orgs.scoping import can, get_visible_or_404
from training import forms as f
from training import queries, services
from training.choices import ClassStatus
from training.models import TrainingClass
from training.workflow import CLASS_WORKFLOW, permission_for

PER_PAGE = 30


def put_error(form, error: UserError) -> None:
    """Show a service's refusal next to the field it names (or above the form)."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


@require_GET
def class_list(request: HttpRequest) -> HttpResponse:
    """能力建设: the classes the person sees (organised in their scope, or for their organisations)."""
    form = f.ClassFilterForm(request.GET or None, years=queries.class_years(request.user))
    data = form.cleaned_data if form.is_valid() else {}
    rows = queries.classes_visible(
        request.user, year=data.get("year"), kind=data.get("kind", ""), status=data.get("status", "")
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    extra = "".join(f"&{k}={v}" for k, v in request.GET.items() if k != "page" and v)
    return render(
        request,
        "training/class_list.html",
        {
            "page_obj": page,
            "page_extra": extra,
            "form": form,
            "may_create": queries.may_organise(request.user),
            "today": deadlines.today(),
        },
    )


def _fetch(request: HttpRequest, pk: int) -> TrainingClass:
    return get_visible_or_404(TrainingClass.objects.select_related("organiser"), request.user, pk=pk)


def _ensure_manager(request: HttpRequest, klass: TrainingClass) -> None:
    if not queries.manages(request.user, klass):
        raise PermissionDenied(_("只有主办单位可以管理该培训班。"))


@require_http_methods(["GET", "POST"])
def class_create(request: HttpRequest) -> HttpResponse:
    """新建培训班 (an office, union or prefecture that the person edits)."""
    if not queries.may_organise(request.user):
        raise PermissionDenied(_("只有产改办、省级产业系统公司工会和州市总工会可以举办培训班。"))
    own = queries.own_organisers(request.user)
    form = f.ClassForm(request.POST or None, user=request.user, initial={"organiser": own[0].name} if own else {})
    if request.method == "POST" and form.is_valid():
        try:
            klass = services.class_create(
                by=Actor.from_request(request), organiser=form.cleaned_data["organiser"], **form.service_fields()
            )
        except UserError as error:
            put_error(form, error)
        else:
            messages.success(request, _("培训班已创建（筹备中）。上传日程和资料后，点击“开始报名”。"))
            return redirect(klass)
    return render(request, "training/class_form.html", {"form": form, "klass": None})


@require_http_methods(["GET", "POST"])
def class_edit(request: HttpRequest, pk: int) -> HttpResponse:
    klass = _fetch(request, pk)
    _ensure_manager(request, klass)
    initial = {name: getattr(klass, name) for name in services.classes.CLASS_FIELDS}
    initial["version"] = klass.version
    initial["audience_names"] = "、".join(o.name for o in queries.audience_orgs_for(request.user, klass))
    form = f.ClassForm(request.POST or None, initial=initial, user=request.user, editing=True)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.get("version") or klass.version
        try:
            services.class_update(by=Actor.from_request(request), klass=klass, version=version, **form.service_fields())
        except UserError as error:
            put_error(form, error)
        else:
            messages.success(request, _("培训班已保存。"))
            return redirect(klass)
    return render(request, "training/class_form.html", {"form": form, "klass": klass})


@require_GET
def class_detail(request: HttpRequest, pk: int) -> HttpResponse:
    klass = _fetch(request, pk)
    return render(request, "training/class_detail.html", _detail_context(request, klass))


def _detail_context(request: HttpRequest, klass: TrainingClass, *, enrol_form=None) -> dict:
    user = request.user
    manages = queries.manages(user, klass)
    enrolments = list(queries.enrolments_for(user, klass))
    today = deadlines.today()
    taken = queries.seats_taken(klass)
    open_now = klass.status == ClassStatus.OPEN and today <= klass.enrol_deadline
    may_enrol = open_now and queries.may_enrol_somewhere(user, klass)
    if may_enrol and enrol_form is None:
        own = queries.enrolling_orgs(user, klass)
        enrol_form = f.EnrolForm(user=user, initial={"org": own[0].name} if own else {})
    return {
        "klass": klass,
        "manages": manages,
        "rows": [
            {
                "enrolment": e,
                "phone": pii.shown(e, "phone") if e.phone else "",
                "may_withdraw": can(user, Action.EDIT, e.org) and today < klass.starts_on,
                "may_reveal": bool(e.phone) and can(user, Action.PII_VIEW, e.org),
            }
            for e in enrolments
        ],
        "taken": taken,
        "left": None if klass.capacity is None else max(klass.capacity - taken, 0),
        "open_now": open_now,
        "may_enrol": may_enrol,
        "enrol_form": enrol_form,
        "files": queries.files_of(klass),
        "audience_orgs": queries.audience_orgs_for(user, klass),
        "steps": [CLASS_WORKFLOW.step(s) for s in CLASS_WORKFLOW.available(klass.status, permission_for(user, klass))],
        "material_form": f.MaterialForm() if manages and klass.status != ClassStatus.CANCELLED else None,
        "editable": manages and klass.status in CLASS_WORKFLOW.editable,
        "today": today,
        "days_left": deadlines.days_left(klass.enrol_deadline),
    }


@require_POST
def class_step(request: HttpRequest, pk: int) -> HttpResponse:
    klass = _fetch(request, pk)
    _ensure_manager(request, klass)
    form = f.StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请求无效，请刷新后重试。"))
        return redirect(klass)
    try:
        services.class_step(
            by=Actor.from_request(request),
            klass=klass,
            step=form.cleaned_data["step"],
            reason=form.cleaned_data["reason"],
        )
    except UserError as error:
        messages.error(request, error.message)
    else:
        klass.refresh_from_db()
        messages.success(request, _("培训班状态已改为“%(status)s”。") % {"status": klass.get_status_display()})
    return redirect(klass)


@require_POST
def material_add(request: HttpRequest, pk: int) -> HttpResponse:
    klass = _fetch(request, pk)
    _ensure_manager(request, klass)
    form = f.MaterialForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择要上传的文件。"))
        return redirect(klass)
    try:
        services.material_add(
            by=Actor.from_request(request),
            klass=klass,
            upload=form.cleaned_data["file"],
            title=form.cleaned_data["title"],
        )
    except UserError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("资料已上传。"))
    return redirect(f"{klass.get_absolute_url()}#files")


@require_GET
def material_download(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    """A file of the class, always as a download; audited."""
    klass = _fetch(request, pk)
    row = get_object_or_404(queries.files_of(klass), pk=file_pk)
    audit.record(Actor.from_request(request), "training.material.download", row, after=None)
    return attachments.download(row)
