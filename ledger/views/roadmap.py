"""One organisation's roadmap (路线图): its tasks on a timeline and where each quantified target stands."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ledger import queries, roadmap_svg
from ledger.queries import roadmap as roadmap_queries


@require_GET
def roadmap_page(request: HttpRequest, code: str) -> HttpResponse:
    """路线图: anyone who may see the organisation's ledger (its own people, its union, the office)."""
    ledger = queries.ledger_or_404(request.user, code)
    roadmap = roadmap_queries.roadmap(ledger)
    charts = [(line, roadmap_svg.path_chart(line)) for line in roadmap.quantified]
    return render(
        request,
        "ledger/roadmap.html",
        {
            "ledger": ledger,
            "org": ledger.org,
            "tab": "roadmap",
            "roadmap": roadmap,
            "gantt": roadmap_svg.gantt(roadmap) if roadmap.groups else None,
            "charts": charts,
            "legend": roadmap_svg.legend(),
        },
    )
