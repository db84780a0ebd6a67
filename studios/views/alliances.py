"""The alliance pages: the list (alliances with a studio the user sees), one alliance, found or edit, activities."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.actor import Actor
from core.errors import UserError
from orgs.choices import Action
from orgs.scoping import get_visible_or_404, has_action, is_office
from studios import forms as f
from studios import queries, services
from studios.models import Alliance, Studio
from studios.views.common import history_rows, put_error


def _leads(user):
    """The studios the user may lead an alliance with: every active one for the office, else those he may edit."""
    if is_office(user):
        return queries.alliance_candidates()
    return Studio.objects.visible_to(user, Action.EDIT).active().select_related("org").order_by("name", "pk")


@require_GET
def alliance_list(request: HttpRequest) -> HttpResponse:
    """工作室联盟: alliances with at least one studio in the user's scope."""
    alliances = Alliance.objects.visible_to(request.user).select_related("lead__org").prefetch_related("studios")
    return render(
        request,
        "studios/alliance_list.html",
        {"alliances": alliances, "may_create": is_office(request.user) or has_action(request.user, Action.EDIT)},
    )


@require_GET
def alliance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An alliance: lead, member studios (linked where the user sees them), activities."""
    alliance = get_visible_or_404(Alliance.objects.select_related("lead__org"), request.user, pk=pk)
    return render(
        request,
        "studios/alliance_detail.html",
        {
            "alliance": alliance,
            "studios": alliance.studios.select_related("org").order_by("org__path", "name"),
            "seen": queries.alliance_studios_seen(request.user, alliance),
            "activities": alliance.activities.all(),
            "may_manage": services.may_manage_alliance(request.user, alliance.lead),
            "activity_form": f.ActivityForm(),
            "history": history_rows(alliance),
        },
    )


@require_http_methods(["GET", "POST"])
def alliance_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """成立或修改联盟: the office, or the union of the lead studio."""
    alliance = None
    initial = {}
    if pk is not None:
        alliance = get_visible_or_404(Alliance.objects.select_related("lead__org"), request.user, pk=pk)
        if not services.may_manage_alliance(request.user, alliance.lead):
            raise PermissionDenied(_("只有产改办或牵头工作室所在单位可以管理联盟。"))
        initial = {
            "version": alliance.version, "name": alliance.name, "founded_on": alliance.founded_on,
            "lead": alliance.lead_id, "studios": list(alliance.studios.values_list("pk", flat=True)),
            "description": alliance.description,
        }  # fmt: skip
    form = f.AllianceForm(
        request.POST or None,
        initial=initial,
        leads=_leads(request.user),
        candidates=queries.alliance_candidates(),
        editing=alliance is not None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by = Actor.from_request(request)
        try:
            if alliance is None:
                data.pop("version", None)
                alliance = services.alliance_create(by=by, **data)
            else:
                services.alliance_update(by=by, alliance=alliance, **data)
        except UserError as error:
            put_error(form, error)
        else:
            messages.success(request, _("已保存联盟“%(name)s”。") % {"name": data["name"]})
            return redirect(alliance)
    return render(request, "studios/alliance_form.html", {"alliance": alliance, "form": form})


@require_POST
def activity_add(request: HttpRequest, pk: int) -> HttpResponse:
    """记录联盟活动."""
    alliance = get_visible_or_404(Alliance.objects.select_related("lead__org"), request.user, pk=pk)
    form = f.ActivityForm(request.POST)
    if form.is_valid():
        try:
            services.activity_add(by=Actor.from_request(request), alliance=alliance, **form.cleaned_data)
        except UserError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _("请填写活动日期和名称。"))
    return redirect(alliance)
