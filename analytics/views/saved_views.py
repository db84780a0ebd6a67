"""Saved views: a pivot, chart or map query kept by name, private or shared, opened on its page."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from analytics import services
from analytics.forms import SavedViewForm
from analytics.models import SavedView
from analytics.views.common import ensure_viewer, page_url
from core.actor import Actor
from core.errors import UserError
from orgs.choices import Action
from orgs.models import Organisation

PAGES = {"pivot": "analytics:pivot", "chart": "analytics:charts", "map": "analytics:map"}


def params_to_query(params: dict) -> dict:
    """Page parameters → the saved query (the service's keys)."""
    query = {
        k: params[k]
        for k in ("measure", "level", "by_category", "region", "columns", "compare", "baseline")
        if params.get(k)
    }
    if params.get("org"):
        query["org"] = int(params["org"])
    if params.get("kind"):
        query["chart"] = params["kind"]
    query["periods"] = {
        "type": params.get("period_type", ""),
        "from": params.get("period_from", params.get("period", "")),
        "to": params.get("period_to", params.get("period", "")),
    }
    for key in ("include_submitted", "restate"):
        if params.get(key):
            query[key] = True
    return query


def query_to_params(kind: str, query: dict) -> dict:
    keys = ("measure", "level", "by_category", "region", "columns", "org", "compare", "baseline")
    params = {k: query[k] for k in keys if query.get(k)}
    periods = query.get("periods") or {}
    if isinstance(periods, dict):
        if kind == "map":
            params["period"] = periods.get("to") or periods.get("from") or ""
        else:
            params.update(
                period_type=periods.get("type", ""),
                period_from=periods.get("from", ""),
                period_to=periods.get("to", ""),
            )
    if query.get("chart"):
        params["kind"] = query["chart"]
    for key in ("include_submitted", "restate"):
        if query.get(key):
            params[key] = "1"
    return {k: v for k, v in params.items() if v not in (None, "")}


def _views_for(user):
    from django.db.models import Q

    return SavedView.objects.filter(Q(owner=user) | Q(shared=True)).select_related("owner")


@require_GET
def saved_views(request: HttpRequest) -> HttpResponse:
    """The user's own saved views and those others shared."""
    ensure_viewer(request)
    views = list(_views_for(request.user).order_by("name", "id"))
    own = [v for v in views if v.owner_id == request.user.pk]
    shared = [v for v in views if v.owner_id != request.user.pk]
    kinds = {"pivot": _("透视表"), "chart": _("图表"), "map": _("地图")}
    for view in views:
        view.kind_label = kinds.get(view.kind, view.kind)
    return render(
        request, "analytics/views.html", {"own": own, "shared": shared, "kinds": kinds, "title": _("保存的视图")}
    )


@require_POST
def saved_view_save(request: HttpRequest) -> HttpResponse:
    ensure_viewer(request)
    form = SavedViewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写视图名称。"))
        return redirect("analytics:views")
    data = form.cleaned_data
    try:
        params = json.loads(data["query"])
        if not isinstance(params, dict):
            raise ValueError
        params = {str(k): str(v) for k, v in params.items()}
        view = services.saved_view_create(
            by=Actor.from_request(request),
            name=data["name"],
            description=data["description"],
            shared=data["shared"],
            kind=data["kind"],
            query=params_to_query(params),
        )
    except (ValueError, TypeError):
        messages.error(request, _("视图的查询无效，未保存。"))
        return redirect("analytics:views")
    except UserError as error:
        messages.error(request, error.message)
        return redirect("analytics:views")
    messages.success(request, _("已保存视图“%(name)s”。") % {"name": view.name})
    return redirect(page_url(PAGES.get(view.kind, "analytics:pivot"), query_to_params(view.kind, view.query)))


@require_GET
def saved_view_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a saved view on its page; an organisation outside the opener's scope falls back to their own."""
    ensure_viewer(request)
    view = _views_for(request.user).filter(pk=pk).first()
    if view is None:
        raise Http404
    params = query_to_params(view.kind, view.query)
    if (
        params.get("org")
        and not Organisation.objects.visible_to(request.user, Action.VIEW).filter(pk=params["org"]).exists()
    ):
        params.pop("org")
        messages.info(request, _("该视图所选机构不在您的查看范围内，已改为显示您范围内的数据。"))
    return redirect(page_url(PAGES.get(view.kind, "analytics:pivot"), params))


@require_POST
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    ensure_viewer(request)
    view = _views_for(request.user).filter(pk=pk).first()
    if view is None:
        raise Http404
    services.saved_view_delete(by=Actor.from_request(request), view=view)
    messages.success(request, _("已删除视图“%(name)s”。") % {"name": view.name})
    return redirect("analytics:views")
