"""The campaign pages: 五小 activities and suggestion drives, each with its suggestions and counts."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.actor import Actor
from core.errors import UserError
from orgs.choices import Action
from orgs.scoping import can, ensure_action, get_visible_or_404
from suggestions import queries, services
from suggestions.choices import SuggestionStatus
from suggestions.forms import CampaignForm
from suggestions.models import Campaign
from suggestions.views.suggestions import put_error


@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    ensure_action(request.user, Action.VIEW)
    page = Paginator(queries.campaigns_visible(request.user), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "suggestions/campaign_list.html",
        {"page_obj": page, "page_extra": "", "may_create": queries.may_run_campaigns(request.user)},
    )


@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    if not queries.may_run_campaigns(request.user):
        raise PermissionDenied(_("只有工会的管理员可以发起活动。"))
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(
                by=Actor.from_request(request), organiser=form.cleaned_data["organiser"], **form.service_fields()
            )
        except UserError as error:
            put_error(form, error)
        else:
            messages.success(request, _("活动已创建。"))
            return redirect(campaign)
    return render(request, "suggestions/campaign_form.html", {"form": form, "campaign": None})


def _fetch(request: HttpRequest, pk: int) -> Campaign:
    return get_visible_or_404(Campaign.objects.select_related("organiser"), request.user, pk=pk)


@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _fetch(request, pk)
    if not can(request.user, Action.REVIEW, campaign.organiser):
        raise PermissionDenied(_("只有主办单位的管理员可以修改活动。"))
    initial = {
        "name": campaign.name, "starts_on": campaign.starts_on, "ends_on": campaign.ends_on, "kinds": campaign.kinds,
        "description": campaign.description, "version": campaign.version,
    }  # fmt: skip
    form = CampaignForm(request.POST or None, initial=initial, user=request.user, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(
                by=Actor.from_request(request),
                campaign=campaign,
                version=form.cleaned_data.get("version") or campaign.version,
                **form.service_fields(),
            )
        except UserError as error:
            put_error(form, error)
        else:
            messages.success(request, _("活动已保存。"))
            return redirect(campaign)
    return render(request, "suggestions/campaign_form.html", {"form": form, "campaign": campaign})


@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A campaign: its period and kinds, its suggestions (in the viewer's scope) and their counts by status."""
    campaign = _fetch(request, pk)
    counts = queries.campaign_counts(request.user, campaign)
    rows = queries.suggestions_visible(request.user, campaign=campaign)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    statuses = [(s.label, counts["by_status"].get(s.value, 0)) for s in SuggestionStatus]
    rate = counts["adopted"] / counts["decided"] if counts["decided"] else None
    return render(
        request,
        "suggestions/campaign_detail.html",
        {
            "campaign": campaign,
            "counts": counts,
            "statuses": statuses,
            "rate": rate,
            "page_obj": page,
            "page_extra": "",
            "may_edit": can(request.user, Action.REVIEW, campaign.organiser),
            "may_enter": queries.may_enter(request.user),
        },
    )
