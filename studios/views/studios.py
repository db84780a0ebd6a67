"""The studio pages: the list with its filters and export, a studio's profile, create and edit, naming,
revoking, members and funds, and the searchable list of people to pick."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import audit
from core.actor import Actor
from core.errors import UserError
from core.exports import export_response
from core.rendering import temporary_xlsx
from orgs.choices import Action
from orgs.scoping import ensure_action, get_visible_or_404, has_action
from studios import exports, queries, services
from studios import forms as f
from studios.models import Alliance, Studio, StudioMember
from studios.views.common import history_rows, put_error, query_string

PER_PAGE = 50


def _filtered(request: HttpRequest):
    form = f.FilterForm(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_valid() else {}
    chosen = {k: v for k, v in data.items() if v}
    studios = queries.filter_studios(
        Studio.objects.visible_to(request.user),
        kind=data.get("kind", ""), level=data.get("level", ""), status=data.get("status", ""),
        org=data.get("org"), year=data.get("year"), text=data.get("q", ""),
    )  # fmt: skip
    return form, chosen, queries.studio_rows(studios).order_by("org__path", "name", "pk")


@require_GET
def studio_list(request: HttpRequest) -> HttpResponse:
    """创新工作室: every studio the user sees, with filters by kind, level, status, organisation and year."""
    form, chosen, studios = _filtered(request)
    page = Paginator(studios, PER_PAGE).get_page(request.GET.get("page"))
    extra = query_string(chosen)
    return render(
        request,
        "studios/studio_list.html",
        {
            "form": form,
            "page_obj": page,
            "page_extra": f"&{extra}" if extra else "",
            "export_query": extra,
            "total": page.paginator.count,
            "may_export": has_action(request.user, Action.EXPORT),
            "may_create": has_action(request.user, Action.EDIT),
        },
    )


@require_GET
def studio_xlsx(request: HttpRequest) -> HttpResponse:
    """The filtered studios as .xlsx; audited."""
    ensure_action(request.user, Action.EXPORT)
    _form, chosen, studios = _filtered(request)
    note = _("范围：本人可查看的创新工作室；筛选：%(filters)s") % {
        "filters": "，".join(f"{k}={getattr(v, 'name', v)}" for k, v in chosen.items()) or _("无")
    }
    rows = list(studios[:5000])
    fileobj, count = temporary_xlsx(lambda out: exports.studios_xlsx(rows, note=note, fileobj=out))
    audit.record(
        Actor.from_request(request), "studios.studio.export", after=None,
        detail={"format": "xlsx", "filters": {k: str(getattr(v, "code", v)) for k, v in chosen.items()},
                "rows": count},
    )  # fmt: skip
    return export_response(
        fileobj, fmt="xlsx", filename_stem=_("创新工作室名单-%(day)s") % {"day": f"{timezone.localdate():%Y%m%d}"}
    )


@require_GET
def studio_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A studio's profile: namings, members, funds, results, alliances and reviews."""
    studio = get_visible_or_404(Studio.objects.select_related("org", "leader"), request.user, pk=pk)
    results = studio.results.prefetch_related("credited")
    editable = queries.may_edit(request.user, studio)
    return render(
        request,
        "studios/studio_detail.html",
        {
            "studio": studio,
            "namings": studio.namings.all(),
            "members": studio.members.select_related("person"),
            "funds": studio.funds.all(),
            "results": results,
            "totals": queries.results_totals(studio.results.all()),
            "alliances": Alliance.objects.visible_to(request.user)
            .filter(Q(lead=studio) | Q(studios=studio))
            .distinct(),
            "reviews": studio.reviews.all(),
            "may_edit": editable,
            "active": studio.status == "active",
            "naming_form": f.NamingForm(initial={"version": studio.version}),
            "revoke_form": f.RevokeForm(initial={"version": studio.version}),
            "history": history_rows(studio),
        },
    )


def _studio_form(request, *, org, studio=None):
    people = queries.people_for(request.user, org)
    initial = {}
    if studio is not None:
        initial = {
            "version": studio.version, "name": studio.name, "kind": studio.kind, "leader": studio.leader_id,
            "location": studio.location, "topics": studio.topics,
        }  # fmt: skip
    return f.StudioForm(request.POST or None, initial=initial, people=people, editing=studio is not None)


@require_http_methods(["GET", "POST"])
def studio_create(request: HttpRequest) -> HttpResponse:
    """新建工作室: first the organisation (a picker), then the studio with its leader from that organisation."""
    ensure_action(request.user, Action.EDIT)
    chooser = f.OrgChoiceForm(request.GET or None, user=request.user)
    org = chooser.cleaned_data["org"] if chooser.is_bound and chooser.is_valid() else None
    form = _studio_form(request, org=org) if org is not None else None
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            studio = services.studio_create(
                by=Actor.from_request(request), org=org, name=data["name"], kind=data["kind"], level=data["level"],
                named_on=data["named_on"], leader=data["leader"], location=data["location"], topics=data["topics"],
                named_by=data["named_by"], document=data["document"],
            )  # fmt: skip
        except UserError as error:
            put_error(form, error)
        else:
            messages.success(request, _("已新建工作室“%(name)s”。") % {"name": studio.name})
            return redirect(studio)
    return render(request, "studios/studio_form.html", {"chooser": chooser, "org": org, "form": form})


@require_http_methods(["GET", "POST"])
def studio_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """修改工作室: name, kind, leader, location, topics (the level changes by a naming)."""
    studio = get_visible_or_404(Studio.objects.select_related("org", "leader"), request.user, Action.EDIT, pk=pk)
    form = _studio_form(request, org=studio.org, studio=studio)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.studio_update(
                by=Actor.from_request(request), studio=studio, version=data["version"], name=data["name"],
                kind=data["kind"], leader=data["leader"], location=data["location"], topics=data["topics"],
            )  # fmt: skip
        except UserError as error:
            put_error(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect(studio)
    return render(request, "studios/studio_form.html", {"studio": studio, "org": studio.org, "form": form})


@require_POST
def studio_name(request: HttpRequest, pk: int) -> HttpResponse:
    """命名晋级: a new naming at a higher level."""
    studio = get_visible_or_404(Studio.objects.select_related("org"), request.user, Action.EDIT, pk=pk)
    form = f.NamingForm(request.POST)
    if form.is_valid():
        try:
            services.studio_name(by=Actor.from_request(request), studio=studio, **form.cleaned_data)
        except UserError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已记录新的命名。"))
    else:
        messages.error(request, _("请填写新级别和命名日期。"))
    return redirect(studio)


@require_POST
def studio_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """撤销工作室, with a date and a reason."""
    studio = get_visible_or_404(Studio.objects.select_related("org"), request.user, Action.EDIT, pk=pk)
    form = f.RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.studio_revoke(
                by=Actor.from_request(request), studio=studio, version=form.cleaned_data["version"],
                on=form.cleaned_data["revoked_on"], reason=form.cleaned_data["revoke_reason"],
            )  # fmt: skip
        except UserError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已撤销该工作室。"))
    else:
        messages.error(request, _("请填写撤销日期和撤销原因。"))
    return redirect(studio)


@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    """增加成员: a person of the organisation's talent pool, with a role and a date."""
    studio = get_visible_or_404(Studio.objects.select_related("org"), request.user, Action.EDIT, pk=pk)
    form = f.MemberForm(request.POST or None, people=queries.people_for(request.user, studio.org))
    if request.method == "POST" and form.is_valid():
        try:
            services.member_add(by=Actor.from_request(request), studio=studio, **form.cleaned_data)
        except UserError as error:
            put_error(form, error)
        else:
            return redirect(studio)
    return render(request, "studios/member_form.html", {"studio": studio, "form": form})


@require_POST
def member_leave(request: HttpRequest, pk: int, member: int) -> HttpResponse:
    """成员退出 (today unless a date is given)."""
    studio = get_visible_or_404(Studio.objects.select_related("org"), request.user, Action.EDIT, pk=pk)
    row = get_visible_or_404(StudioMember.objects.filter(studio=studio), request.user, Action.EDIT, pk=member)
    try:
        services.member_leave(
            by=Actor.from_request(request), member=row, left_on=request.POST.get("left_on") or timezone.localdate()
        )
    except UserError as error:
        messages.error(request, error.message)
    return redirect(studio)


@require_http_methods(["GET", "POST"])
def fund_add(request: HttpRequest, pk: int) -> HttpResponse:
    """登记经费: a year's amount and its source."""
    studio = get_visible_or_404(Studio.objects.select_related("org"), request.user, Action.EDIT, pk=pk)
    form = f.FundForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        try:
            services.fund_add(by=Actor.from_request(request), studio=studio, **form.cleaned_data)
        except UserError as error:
            put_error(form, error)
        else:
            return redirect(studio)
    return render(request, "studios/fund_form.html", {"studio": studio, "form": form})


@require_GET
def people_options(request: HttpRequest) -> HttpResponse:
    """The searchable select's options (htmx): people of an organisation's subtree matching the text typed."""
    chooser = f.OrgChoiceForm({"org": request.GET.get("org", "")}, user=request.user)
    people = []
    if chooser.is_valid():
        people = list(
            queries.people_for(request.user, chooser.cleaned_data["org"], request.GET.get("q", "").strip()[:50])[:200]
        )
    return render(
        request, "studios/_people_options.html", {"people": people, "selected": request.GET.get("selected", "")}
    )
