"""The pool's pages: the filtered list and its export, a person's profile with honours, adding and editing
a person, removing and restoring him, and the audited "查看完整" of the ID number and phone."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import audit, deadlines, pii
from core.actor import Actor
from core.errors import UserError
from core.exports import export_response, rate_limited
from core.rendering import temporary_xlsx
from orgs.choices import Action
from orgs.scoping import ensure_action, get_visible_or_404, has_action
from talent import exports, queries, services
from talent import forms as f
from talent.models import Honour, Person

PER_PAGE = 30


def put_error(form, error: UserError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _filtered(request: HttpRequest):
    form = f.PersonFilterForm(request.GET or None, user=request.user)
    flt = form.to_filter()
    people = queries.filter_people(queries.people_visible(request.user), flt)
    return form, flt, people


@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    """人才库: the people the user sees, searched by name and filtered."""
    form, flt, people = _filtered(request)
    page = Paginator(queries.with_honours(people), PER_PAGE).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in request.GET.items() if k != "page" and v)
    return render(
        request,
        "talent/person_list.html",
        {
            "form": form,
            "page_obj": page,
            "rows": [(p, pii.shown(p, "id_number") if p.id_number else "") for p in page.object_list],
            "page_extra": f"&{query}" if query else "",
            "export_query": query,
            "total": page.paginator.count,
            "may_add": queries.may_add(request.user),
            "may_export": has_action(request.user, Action.EXPORT),
            "may_export_full": queries.may_export_full(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def person_xlsx(request: HttpRequest) -> HttpResponse:
    """The filtered list as .xlsx. GET: masked. POST with full=1 and a reason: ID numbers and phones in full,
    for PII_VIEW holders only and only of the people in their PII_VIEW scope; audited with the row count."""
    ensure_action(request.user, Action.EXPORT)
    full = request.method == "POST" and request.POST.get("full") == "1"
    reason = " ".join(request.POST.get("reason", "").split())[:200] if full else ""
    if full:
        ensure_action(request.user, Action.PII_VIEW)
        if not reason:
            messages.error(request, _("导出完整身份证号和电话，请填写用途。"))
            return redirect(f"{reverse('talent:home')}?{request.GET.urlencode()}")
    wait = rate_limited(request, "talent")
    if wait:
        response = HttpResponse(_("导出过于频繁，请%(s)d秒后再试。") % {"s": wait}, status=429)
        response["Retry-After"] = str(wait)
        return response
    _form, flt, people = _filtered(request)
    if full:
        people = queries.filter_people(queries.people_visible(request.user, Action.PII_VIEW), flt)
    people = queries.with_honours(people)[: exports.MAX_ROWS]
    note = _("人才库名单（%(how)s）；筛选：%(filters)s；导出时间：%(at)s") % {
        "how": _("含完整身份证号和电话，注意保密") if full else _("身份证号和电话已脱敏"),
        "filters": "，".join(f"{k}={v}" for k, v in flt.chosen.items()) or _("无"),
        "at": f"{timezone.localtime():%Y-%m-%d %H:%M}",
    }
    fileobj, count = temporary_xlsx(lambda out: exports.people_xlsx(people, full=full, note=note, fileobj=out))
    audit.record(
        Actor.from_request(request), "talent.person.export", after=None,
        detail={"format": "xlsx", "rows": count, "personal_data": "full" if full else "masked",
                "reason": reason, "filters": flt.chosen},
    )  # fmt: skip
    stem = _("人才库名单-%(day)s") % {"day": f"{timezone.localdate():%Y%m%d}"}
    return export_response(fileobj, fmt="xlsx", filename_stem=stem, fallback_stem="talent")


def _fetch(request: HttpRequest, pk: int, action: str = Action.VIEW) -> Person:
    return get_visible_or_404(Person.objects.select_related("org"), request.user, action, pk=pk)


def _profile(request: HttpRequest, person: Person, **extra) -> dict:
    user = request.user
    edit = queries.may_edit(user, person) and person.removed_on is None
    context = {
        "person": person,
        "id_number": pii.shown(person, "id_number") if person.id_number else "",
        "phone": pii.shown(person, "phone") if person.phone else "",
        "may_edit": edit,
        "may_remove": queries.may_edit(user, person),
        "may_reveal": queries.may_reveal(user, person) and bool(person.id_number or person.phone),
        "honours": list(person.honours.select_related("nomination").order_by("-awarded_on", "pk")),
        "nominations": list(queries.nominations_visible(user).filter(person=person)),
        "honour_form": f.HonourForm() if edit else None,
        "remove_form": f.RemoveForm(initial={"version": person.version, "removed_on": deadlines.today()}),
    }
    context.update(extra)
    return context


@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _fetch(request, pk)
    return render(request, "talent/person_detail.html", _profile(request, person))


def _reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """查看完整: the full ID number or phone, for PII_VIEW holders on the person's organisation (404 for anyone
    else, so nothing about the person leaks); audited (core.pii.reveal); 405 for a GET."""
    person = _fetch(request, pk, Action.PII_VIEW)
    return pii.reveal_response(request, person, field)


@require_POST
def person_reveal_id(request: HttpRequest, pk: int) -> HttpResponse:
    return _reveal(request, pk, "id_number")


@require_POST
def person_reveal_phone(request: HttpRequest, pk: int) -> HttpResponse:
    return _reveal(request, pk, "phone")


@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    if not queries.may_add(request.user):
        raise PermissionDenied(_("您没有登记人员的权限。"))
    form = f.PersonForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(
                by=Actor.from_request(request), org=form.cleaned_data["org"], **form.service_fields()
            )
        except UserError as error:
            put_error(form, error)
        else:
            messages.success(request, _("“%(name)s”已加入人才库。") % {"name": person.name})
            return redirect(person)
    return render(request, "talent/person_form.html", {"form": form, "person": None})


@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _fetch(request, pk)
    if not queries.may_edit(request.user, person):
        raise PermissionDenied(_("您没有修改此人档案的权限。"))
    initial = {name: getattr(person, name) for name in services.PERSON_FIELDS if name not in ("id_number", "phone")}
    initial.update(org=person.org.code, version=person.version)
    form = f.PersonForm(request.POST or None, user=request.user, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(
                by=Actor.from_request(request), person=person, org=form.cleaned_data["org"],
                version=form.cleaned_data.get("version") or person.version, **form.service_fields(),
            )  # fmt: skip
        except UserError as error:
            put_error(form, error)
        else:
            messages.success(request, _("档案已保存。"))
            return redirect(person)
    context = {
        "form": form,
        "person": person,
        "id_number": pii.shown(person, "id_number") if person.id_number else "",
        "phone": pii.shown(person, "phone") if person.phone else "",
    }
    return render(request, "talent/person_form.html", context)


@require_POST
def person_remove(request: HttpRequest, pk: int) -> HttpResponse:
    person = _fetch(request, pk)
    if not queries.may_edit(request.user, person):
        raise PermissionDenied(_("您没有修改此人档案的权限。"))
    form = f.RemoveForm(request.POST)
    if form.is_valid():
        try:
            services.person_remove(
                by=Actor.from_request(request), person=person, version=form.cleaned_data["version"],
                on=form.cleaned_data.get("removed_on"), reason=form.cleaned_data["reason"],
            )  # fmt: skip
        except UserError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("“%(name)s”已移出人才库，历史记录保留。") % {"name": person.name})
    else:
        messages.error(request, _("请填写移出原因。"))
    return redirect(person)


@require_POST
def person_restore(request: HttpRequest, pk: int) -> HttpResponse:
    person = _fetch(request, pk)
    if not queries.may_edit(request.user, person):
        raise PermissionDenied(_("您没有修改此人档案的权限。"))
    try:
        services.person_restore(by=Actor.from_request(request), person=person, version=person.version)
    except UserError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("“%(name)s”已恢复到人才库。") % {"name": person.name})
    return redirect(person)


@require_POST
def honour_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = _fetch(request, pk)
    if not queries.may_edit(request.user, person):
        raise PermissionDenied(_("您没有修改此人档案的权限。"))
    form = f.HonourForm(request.POST)
    if form.is_valid():
        try:
            services.honour_add(by=Actor.from_request(request), person=person, **form.cleaned_data)
        except UserError as error:
            put_error(form, error)
        else:
            messages.success(request, _("荣誉已登记。"))
            return redirect(f"{person.get_absolute_url()}#honours")
    return render(request, "talent/person_detail.html", _profile(request, person, honour_form=form), status=400)


@require_POST
def honour_remove(request: HttpRequest, pk: int, honour_pk: int) -> HttpResponse:
    person = _fetch(request, pk)
    if not queries.may_edit(request.user, person):
        raise PermissionDenied(_("您没有修改此人档案的权限。"))
    honour = get_visible_or_404(Honour.objects.filter(person=person), request.user, Action.EDIT, pk=honour_pk)
    try:
        services.honour_remove(by=Actor.from_request(request), honour=honour)
    except UserError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("荣誉已删除。"))
    return redirect(f"{person.get_absolute_url()}#honours")
