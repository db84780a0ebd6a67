"""The ledger pages: the list of ledgers in scope, one organisation's ledger, the office's settings."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ledger import queries

PER_PAGE = 50


@require_GET
def ledger_home(request: HttpRequest) -> HttpResponse:
    """改革台账: the ledgers in the user's scope with what each has set up."""
    ledgers = queries.filter_ledgers(
        queries.ledgers_visible(request.user),
        union=request.GET.get("union", ""),
        prefecture=request.GET.get("prefecture", ""),
        text=request.GET.get("q", ""),
    )
    page = Paginator(ledgers.order_by("org__path"), PER_PAGE).get_page(request.GET.get("page"))
    rows = queries.ledger_rows(page.object_list)
    return render(request, "ledger/ledger_list.html", {"rows": rows, "page_obj": page})


@require_GET
def ledger_detail(request: HttpRequest, code: str) -> HttpResponse:
    ledger = queries.ledger_or_404(request.user, code)
    return render(request, "ledger/ledger_detail.html", {"ledger": ledger, "org": ledger.org, "tab": "ledger"})


@require_GET
def settings_page(request: HttpRequest) -> HttpResponse:
    from ledger.models import ReformSettings
    from orgs.scoping import office_or_404

    office_or_404(request.user)
    return render(request, "ledger/settings.html", {"settings": ReformSettings.current()})
