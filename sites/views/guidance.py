"""Guidance pages: groups (the office), recording a visit on a phone, a visit and its photos, follow-ups, ratings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import attachments, audit, deadlines
from core.actor import Actor
from core.errors import UserError
from orgs.scoping import get_visible_or_404, is_office
from sites import forms as f
from sites import queries, services
from sites.choices import RUBRIC, SiteStatus
from sites.models import FollowUp, GuidanceGroup, Site, SiteRating, Visit, VisitFile
from sites.views.common import put_error


@require_GET
def group_list(request: HttpRequest) -> HttpResponse:
    """指导组: the office sees every group; a member sees their own."""
    groups = list(queries.groups_visible(request.user))
    counts = {g.pk: g.sites.exclude(status=SiteStatus.WITHDRAWN).count() for g in groups}
    return render(
        request,
        "sites/group_list.html",
        {"rows": [(g, counts[g.pk]) for g in groups], "may_manage": queries.may_manage(request.user)},
    )


def _group_form(request: HttpRequest, group: GuidanceGroup | None) -> f.GroupForm:
    people = services.eligible_members()
    initial = {"version": 0}
    if group is not None:
        initial = {
            "version": group.version, "name": group.name, "leader": group.leader_id, "notes": group.notes,
            "members": list(group.members.values_list("pk", flat=True)),
        }  # fmt: skip
    return f.GroupForm(request.POST or None, initial=initial, people=people)


@require_http_methods(["GET", "POST"])
def group_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The office forms or changes a guidance group (members picked by name)."""
    if not is_office(request.user):
        raise Http404
    group = queries.groups_visible(request.user).filter(pk=pk).first() if pk else None
    if pk and group is None:
        raise Http404
    if not queries.may_manage(request.user):
        raise PermissionDenied(_("只有产改办管理员可以维护指导组。"))
    form = _group_form(request, group)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by = Actor.from_request(request)
        try:
            if group is None:
                group = services.group_create(
                    by=by, name=data["name"], leader=data["leader"], members=data["members"], notes=data["notes"]
                )
            else:
                services.group_update(
                    by=by, group=group, version=data["version"], name=data["name"], leader=data["leader"],
                    members=data["members"], notes=data["notes"],
                )  # fmt: skip
        except UserError as error:
            put_error(form, error)
        else:
            messages.success(request, _("指导组已保存。"))
            return redirect(group)
    return render(request, "sites/group_form.html", {"form": form, "group": group})


@require_GET
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = queries.groups_visible(request.user).filter(pk=pk).first()
    if group is None:
        raise Http404
    sites = queries.site_rows(
        Site.objects.visible_to(request.user).filter(group=group).select_related("org", "batch", "group")
    )
    return render(
        request, "sites/group_detail.html",
        {"group": group, "rows": sites, "may_manage": queries.may_manage(request.user)},
    )  # fmt: skip


def _site(request: HttpRequest, pk: int) -> Site:
    return get_visible_or_404(Site.objects.select_related("org", "batch", "group"), request.user, pk=pk)


@require_http_methods(["GET", "POST"])
def visit_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a visit on site, on a phone: date, who went, findings, recommendations, photos and files."""
    site = _site(request, pk)
    if not services.is_group_member(request.user, site):
        raise PermissionDenied(_("只有派驻该示范点的指导组成员可以记录走访。"))
    people = site.group.members.order_by("full_name", "username")
    form = f.VisitForm(
        request.POST or None, request.FILES or None, people=people,
        initial={"visited_on": deadlines.today(), "members": [request.user.pk]},
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit = services.visit_record(
                by=Actor.from_request(request), site=site, visited_on=data["visited_on"], findings=data["findings"],
                recommendations=data["recommendations"], members=data["members"], others=data["others"],
                photos=data["photos"], files=data["files"],
            )  # fmt: skip
        except UserError as error:
            put_error(form, error)
        else:
            messages.success(request, _("走访已记录。可以继续提出跟进事项。"))
            return redirect(visit)
    return render(
        request, "sites/visit_form.html", {"form": form, "site": site},
        status=400 if request.method == "POST" else 200,
    )  # fmt: skip


def _visit(request: HttpRequest, pk: int) -> Visit:
    return get_visible_or_404(
        Visit.objects.select_related("site__org", "site__group", "recorded_by"), request.user, pk=pk
    )


@require_GET
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    member = services.is_group_member(request.user, visit.site)
    return render(
        request,
        "sites/visit_detail.html",
        {
            "visit": visit,
            "site": visit.site,
            "photos": [v for v in visit.files.all() if v.is_photo],
            "files": [v for v in visit.files.all() if not v.is_photo],
            "followups": visit.followups.select_related("owner"),
            "member": member,
            "followup_form": f.FollowUpForm(initial={"owner": "site"}) if member else None,
            "today": deadlines.today(),
        },
    )


@require_GET
def visit_file(request: HttpRequest, pk: int, file: int) -> HttpResponse:
    """A visit's photo inline (?preview=1, for thumbnails) or any file as a download (audited)."""
    visit = _visit(request, pk)
    row = get_visible_or_404(VisitFile.objects.filter(visit=visit), request.user, pk=file)
    if request.GET.get("preview") and row.is_image:
        return attachments.preview(row)
    audit.record(Actor.from_request(request), "sites.file.download", row, after=None, detail={"visit": visit.pk})
    return attachments.download(row)


@require_POST
def followup_create(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    form = f.FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.followup_create(by=Actor.from_request(request), visit=visit, **form.cleaned_data)
        except UserError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("跟进事项已提出，责任单位会在首页看到。"))
    else:
        messages.error(request, _("请填写跟进事项、责任单位和有效的完成期限。"))
    return redirect(visit)


@require_POST
def followup_close(request: HttpRequest, pk: int) -> HttpResponse:
    followup = get_visible_or_404(FollowUp.objects.select_related("owner", "site", "visit"), request.user, pk=pk)
    form = f.CloseForm(request.POST)
    if form.is_valid():
        try:
            services.followup_close(
                by=Actor.from_request(request), followup=followup, version=form.cleaned_data["version"],
                note=form.cleaned_data["note"], done_on=form.cleaned_data["done_on"],
            )  # fmt: skip
        except UserError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("跟进事项已办结。"))
    else:
        messages.error(request, _("请填写完成情况。"))
    return redirect(f"{followup.site.get_absolute_url()}#followups")


@require_http_methods(["GET", "POST"])
def rating_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The guidance group's rating of an assigned site for a year (only the group's members)."""
    site = _site(request, pk)
    if not services.is_group_member(request.user, site):
        raise Http404  # a site not assigned to the user's group is not theirs to rate
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or deadlines.today().year)
    except ValueError:
        year = deadlines.today().year
    existing = SiteRating.objects.visible_to(request.user).filter(site=site, group_id=site.group_id, year=year).first()
    initial = {
        "year": year,
        "version": existing.version if existing else 0,
        "comment": existing.comment if existing else "",
    }
    if existing:
        initial.update({f"score_{c.key}": existing.scores.get(c.key) for c in RUBRIC})
    form = f.RatingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.rating_save(
                by=Actor.from_request(request), site=site, year=form.cleaned_data["year"], scores=form.scores(),
                comment=form.cleaned_data["comment"], version=form.cleaned_data["version"] or None,
            )  # fmt: skip
        except UserError as error:
            put_error(form, error)
        else:
            messages.success(request, _("评价已保存。"))
            return redirect(f"{site.get_absolute_url()}#ratings")
    return render(
        request, "sites/rating_form.html",
        {"form": form, "site": site, "year": year, "locked": services.ratings_locked(year), "rating": existing},
        status=400 if request.method == "POST" else 200,
    )  # fmt: skip


@require_POST
def ratings_lock(request: HttpRequest) -> HttpResponse:
    """The office locks a year's ratings."""
    if not is_office(request.user):
        raise Http404
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        messages.error(request, _("请填写年度。"))
        return redirect("sites:groups")
    try:
        services.ratings_lock(by=Actor.from_request(request), year=year)
    except UserError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(year)d 年度的指导组评价已锁定。") % {"year": year})
    return redirect("sites:groups")
