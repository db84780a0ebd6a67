"""Drill-through: the accepted reports behind one figure, with the values it is computed from."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from analytics import engine
from analytics.views.common import (
    PREFECTURE_NAMES,
    describe_refs,
    ensure_viewer,
    org_param,
    page_url,
    period_type_of,
)
from analytics.web import outside_scope_is_404, scope_of
from core.errors import UserError
from core.replica import reads_from_replica
from orgs.choices import Action
from orgs.models import Organisation


@require_GET
@outside_scope_is_404
@reads_from_replica
def drill_through(request: HttpRequest) -> HttpResponse:
    """The accepted reports behind one figure, with the values the measure is computed from."""
    ensure_viewer(request)
    org = org_param(request)
    region = request.GET.get("region") or None
    if region == "-":
        region = ""
    if region and not (region.isdigit() and len(region) == 6):
        raise Http404
    measure = request.GET.get("measure", "")
    period = request.GET.get("period", "")
    try:
        result = engine.drill_through(
            scope_of(request),
            measure,
            org,
            period,
            own=request.GET.get("own") == "1",
            region=region,
            option=request.GET.get("option", ""),
        )
    except UserError as error:
        messages.error(request, error.message)
        return redirect("analytics:pivot")
    root = Organisation.objects.visible_to(request.user, Action.VIEW).filter(pk=org).first() if org else None
    back = page_url(
        "analytics:pivot",
        {
            "measure": measure,
            "org": org,
            "period_type": period_type_of(period),
            "period_from": period,
            "period_to": period,
            "region": region or "",
        },
    )
    rows = [{"row": r, "values": [_exact(r.values.get(ref)) for ref in result.references]} for r in result.rows]
    headers = []
    for ref in result.references:
        described = describe_refs(ref)
        item = described[0] if described else {"name": ref, "options": ""}
        # The data item's name for people; its code (without the expression's #{…}) only as a tooltip.
        code = ref.removeprefix("#{").removesuffix("}")
        headers.append(
            {"ref": ref, "code": code, "label": item["name"] + (f"（{item['options']}）" if item["options"] else "")}
        )
    return render(
        request,
        "analytics/drill_through.html",
        {
            "result": result,
            "rows": rows,
            "headers": headers,
            "root": root,
            "scope_name": "" if root else scope_of(request).label(len(engine.scope_tops(scope_of(request)))),
            "region_name": PREFECTURE_NAMES.get(region or "", ""),
            "back_url": back,
            "own": request.GET.get("own") == "1",
            "title": _("数据来源"),
        },
    )


def _exact(value: Decimal | None) -> str:
    """A reported value as entered (drill-through shows the numbers that add up, not rounded 万)."""
    if value is None:
        return "—"
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"
