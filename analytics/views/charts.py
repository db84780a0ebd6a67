"""Bar, line, stacked and ranking charts of the pivot's answer (drawn by static/analytics/charts.js)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from analytics import engine
from analytics.forms import ChartForm
from analytics.views.common import (
    breadcrumbs,
    default_level,
    ensure_viewer,
    org_param,
    page_url,
    run_query,
    save_form_for,
)
from analytics.views.presenters import Pivot, chart_spec, coverage_notes
from analytics.web import outside_scope_is_404
from core.replica import reads_from_replica
from orgs.choices import Action
from orgs.scoping import has_action


@require_GET
@outside_scope_is_404
@reads_from_replica
def charts(request: HttpRequest) -> HttpResponse:
    """Bar, line, stacked and ranking charts built from the same answer as the pivot table."""
    ensure_viewer(request)
    form = ChartForm(
        request.GET,
        current_year=engine.current_year(request.user),
        default_level=default_level(request.user, org_param(request)),
    )
    answer = run_query(form, request.user)
    context = {"form": form, "answer": answer, "title": _("统计图表")}
    if answer is not None:
        params = form.params()
        kind = form.cleaned_data.get("kind") or "bar"
        layout = Pivot(answer, params)
        context.update(
            spec=chart_spec(answer, kind, layout),
            coverage=coverage_notes(answer),
            kind=kind,
            params=params,
            crumbs=breadcrumbs(request.user, answer.root_id, params, "analytics:charts"),
            pivot_url=page_url("analytics:pivot", params),
            export_url=page_url("analytics:pivot_export", params),
            save_form=save_form_for("chart", params),
            may_export=has_action(request.user, Action.EXPORT),
            png_name=f"{answer.label}-{answer.root_name}",
        )
    return render(request, "analytics/charts.html", context)
