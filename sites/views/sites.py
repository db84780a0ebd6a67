"""The site pages: the list with its filters and export, one site's profile and the office's steps on it,
and 我的指导 (a guidance member's assigned sites)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.queries import published_of
from core import audit, deadlines, pii
from core.actor import Actor
from core.errors import UserError
from core.exports import export_response
from core.rendering import temporary_xlsx
from orgs.choices import Action
from orgs.scoping import can, ensure_action, get_visible_or_404, has_action
from sites import exports, queries, services
from sites import forms as f
from sites.choices import RUBRIC, SiteStatus
from sites.models import Batch, Site
from sites.views.common import history_rows, put_error

PER_PAGE = 50


def _filters(request: HttpRequest) -> f.FilterForm:
    return f.FilterForm(
        request.GET or None,
        batches=Batch.objects.order_by("-year", "name"),
        prefectures=queries.prefecture_choices(),
        unions=queries.union_choices(request.user),
    )


def _filtered(request: HttpRequest):
    form = _filters(request)
    data = form.cleaned_data if form.is_valid() else {}
    chosen = {k: v for k, v in data.items() if v}
    sites = queries.filter_sites(
        Site.objects.visible_to(request.user).select_related("org", "batch", "group"),
        batch=data.get("batch", ""), level=data.get("level", ""), status=data.get("status", ""),
        prefecture=data.get("prefecture", ""), union=data.get("union", ""), text=data.get("q", ""),
    )  # fmt: skip
    return form, chosen, sites.order_by("batch__year", "batch__name", "org__path")


@require_GET
def site_list(request: HttpRequest) -> HttpResponse:
    """示范点: every site the user sees, with filters by batch, level, status, prefecture and union."""
    form, chosen, sites = _filtered(request)
    page = Paginator(sites, PER_PAGE).get_page(request.GET.get("page"))
    extra = "".join(f"&{k}={v}" for k, v in chosen.items())
    return render(
        request,
        "sites/site_list.html",
        {
            "form": form,
            "rows": queries.site_rows(page.object_list),
            "page_obj": page,
            "page_extra": extra,
            "export_query": extra.lstrip("&"),
            "total": page.paginator.count,
            "may_export": has_action(request.user, Action.EXPORT),
            "may_manage": queries.may_manage(request.user),
        },
    )


@require_GET
def site_xlsx(request: HttpRequest) -> HttpResponse:
    """The filtered sites as .xlsx; contacts in full only for a viewer allowed personal data; audited."""
    ensure_action(request.user, Action.EXPORT)
    _form, chosen, sites = _filtered(request)
    rows = queries.site_rows(sites[:5000])
    full = has_action(request.user, Action.PII_VIEW) and all(
        can(request.user, Action.PII_VIEW, r.site.org) for r in rows
    )
    note = _("范围：本人可查看的示范点；筛选：%(filters)s") % {
        "filters": "，".join(f"{k}={v}" for k, v in chosen.items()) or _("无")
    }
    fileobj, count = temporary_xlsx(lambda out: exports.sites_xlsx(rows, full_contacts=full, note=note, fileobj=out))
    audit.record(
        Actor.from_request(request), "sites.batch.export", after=None,
        detail={"format": "xlsx", "list": "sites", "filters": chosen, "rows": count,
                "contacts": "full" if full else "masked"},
    )  # fmt: skip
    return export_response(
        fileobj, fmt="xlsx", filename_stem=_("示范点名单-%(day)s") % {"day": f"{timezone.localdate():%Y%m%d}"}
    )


def _site_context(request: HttpRequest, site: Site, **given) -> dict:
    user = request.user
    today = deadlines.today()
    visits = list(site.visits.select_related("recorded_by").prefetch_related("members", "files"))
    followups = list(site.followups.select_related("owner", "visit"))
    ratings = list(site.ratings.select_related("group", "rated_by"))
    member = services.is_group_member(user, site)
    manage = queries.may_manage(user)
    context = {
        "site": site,
        "union": queries.union_names([site.org]).get(site.org.path, ""),
        "goals": exports.goals_label(site.goals),
        "phone": pii.shown(site, "contact_phone"),
        "may_reveal": queries.may_reveal(user, site) and bool(site.contact_phone),
        "visits": visits,
        "followups": [(fu, fu.is_overdue(today), can(user, Action.EDIT, fu.owner)) for fu in followups],
        "ratings": [(r, [(c.label, c.max_points, r.scores.get(c.key, "—")) for c in RUBRIC]) for r in ratings],
        "history": history_rows(site),
        "cases": published_of(user, site.org),  # the site's experience in the case library
        "member": member,
        "may_visit": member and site.status in (SiteStatus.GUIDING, SiteStatus.ACCEPTED),
        "may_rate": member and site.status in (SiteStatus.GUIDING, SiteStatus.ACCEPTED),
        "may_manage": manage,
        "may_summary": member or can(user, Action.EDIT, site.org),
        "close_form": f.CloseForm(initial={"done_on": today}),
        "summary_form": given.get("summary_form")
        or f.SummaryForm(initial={"version": site.version, "summary": site.summary}),
        "today": today,
    }
    if manage:
        from sites.models import GuidanceGroup

        context["assign_form"] = given.get("assign_form") or f.AssignForm(
            initial={"version": site.version, "group": site.group_id}, groups=GuidanceGroup.objects.all()
        )
        context["reason_form"] = given.get("reason_form") or f.ReasonForm(initial={"version": site.version})
    return context


def _site(request: HttpRequest, pk: int, action: str = Action.VIEW) -> Site:
    return get_visible_or_404(Site.objects.select_related("org", "batch", "group"), request.user, action, pk=pk)


@require_GET
def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """示范点档案: the organisation, batch, goals, contacts (masked), status history, visits, follow-ups, ratings."""
    site = _site(request, pk)
    return render(request, "sites/site_detail.html", _site_context(request, site))


@require_POST
def site_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """The office's steps on a site: assign a group (指导中), accept (验收), withdraw (撤销, with a reason)."""
    from sites.models import GuidanceGroup

    site = _site(request, pk)
    if step not in ("assign", "accept", "withdraw"):
        return redirect(site)
    if not queries.may_manage(request.user):
        raise PermissionDenied(_("只有产改办管理员可以派驻指导组、验收或撤销示范点。"))
    by = Actor.from_request(request)
    given = {}
    try:
        if step == "assign":
            form = f.AssignForm(request.POST, groups=GuidanceGroup.objects.all())
            given["assign_form"] = form
            if not form.is_valid():
                raise UserError(_("请选择指导组。"), field="group")
            services.site_assign(
                by=by, site=site, group=form.cleaned_data["group"], version=form.cleaned_data["version"]
            )
            messages.success(request, _("已派驻指导组“%(group)s”。") % {"group": form.cleaned_data["group"].name})
        else:
            form = f.ReasonForm(request.POST)
            given["reason_form"] = form
            if not form.is_valid():
                raise UserError(_("请刷新页面后重试。"))
            if step == "accept":
                services.site_accept(by=by, site=site, version=form.cleaned_data["version"])
                messages.success(request, _("示范点已验收。"))
            else:
                services.site_withdraw(
                    by=by, site=site, version=form.cleaned_data["version"], reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("示范点已撤销。"))
    except UserError as error:
        put_error(form, error)
        site.refresh_from_db()
        return render(request, "sites/site_detail.html", _site_context(request, site, **given), status=400)
    return redirect(site)


@require_POST
def site_summary(request: HttpRequest, pk: int) -> HttpResponse:
    site = _site(request, pk)
    form = f.SummaryForm(request.POST)
    if form.is_valid():
        try:
            services.site_summary(
                by=Actor.from_request(request), site=site, version=form.cleaned_data["version"],
                summary=form.cleaned_data["summary"],
            )  # fmt: skip
        except UserError as error:
            put_error(form, error)
        else:
            messages.success(request, _("进展概要已保存。"))
            return redirect(site)
    site.refresh_from_db()
    return render(request, "sites/site_detail.html", _site_context(request, site, summary_form=form), status=400)


@require_POST
def site_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The site contact's full phone, for a role that may see personal data; audited."""
    site = get_visible_or_404(Site.objects.select_related("org"), request.user, Action.PII_VIEW, pk=pk)
    return pii.reveal_response(request, site, "contact_phone")


@require_GET
def my_guidance(request: HttpRequest) -> HttpResponse:
    """我的指导: the sites assigned to the user's guidance groups, with their recent visits."""
    sites = (
        Site.objects.visible_to(request.user).filter(group__members=request.user).exclude(status=SiteStatus.WITHDRAWN)
    )
    rows = queries.site_rows(sites.select_related("org", "batch", "group").distinct().order_by("org__path"))
    groups = queries.groups_visible(request.user).filter(members=request.user)
    return render(request, "sites/my_guidance.html", {"rows": rows, "groups": groups, "today": deadlines.today()})
