"""填报与记录对照: what enterprises reported beside what the platform's records count (analytics/reconcile.py)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from analytics import engine, reconcile
from analytics.views.common import breadcrumbs, ensure_viewer, page_url
from analytics.web import outside_scope_is_404, scope_of
from core.replica import reads_from_replica


def _years(request) -> list[str]:
    """The years with accepted yearly data in the user's scope, and the last five calendar years."""
    this_year = timezone.localdate().year
    years = set(engine.data_years(request.user)) | {str(this_year - n) for n in range(5)}
    return sorted(years, reverse=True)


@require_GET
@outside_scope_is_404
@reads_from_replica
def reconcile_page(request: HttpRequest) -> HttpResponse:
    """One pair (what is reported and what is recorded for the same thing), for a year, by organisation."""
    ensure_viewer(request)
    pairs = reconcile.pairs()
    years = _years(request)
    year = request.GET.get("year") or engine.current_year(request.user)
    if year not in years:
        year = years[0]
    chosen = reconcile.pair_for(request.GET.get("pair", "")) or (pairs[0] if pairs else None)
    org = request.GET.get("org") or None
    if org is not None and not org.isdigit():
        raise Http404  # as for an id outside the scope
    context = {"title": _("填报与记录对照"), "rule": reconcile.RULE, "pairs": pairs, "years": years, "year": year}
    if chosen is not None:
        scope = scope_of(request)
        comparison = reconcile.compare(scope, chosen, year=year, org=int(org) if org else None)
        params = {"pair": chosen.key, "year": year}
        context.update(
            pair=chosen,
            comparison=comparison,
            overview=reconcile.overview(scope, year=year, org=comparison.root_id),
            params=params,
            crumbs=breadcrumbs(request.user, comparison.root_id, params, "analytics:reconcile"),
            lines=[
                (line, page_url("analytics:reconcile", {**params, "org": line.org_id}) if line.has_children else "")
                for line in comparison.lines
            ],
        )
    return render(request, "analytics/reconcile.html", context)
