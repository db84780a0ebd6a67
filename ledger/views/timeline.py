"""工作动态: one organisation's dated events from every app, newest first, filtered by kind, paginated.

The organisation is fetched through the door (404 outside the user's scope), so its events are the
user's to read."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ledger import timeline
from ledger.queries import timeline as q

PER_PAGE = 50
# The tabs of an organisation's ledger pages (ledger/_org_tabs.html) link to these pages.


@require_GET
def org_timeline(request: HttpRequest, code: str) -> HttpResponse:
    org = q.timeline_org_or_404(request.user, code)
    try:
        kinds = q.clean_kinds(request.GET.getlist("kind"))
        error = ""
    except ValueError as problem:
        kinds, error = [], str(problem)
    events = q.org_events(org, kinds=kinds or None)
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    labels = dict(timeline.event_kinds())
    extra = urlencode([("kind", kind) for kind in kinds])
    context = {
        "org": org,
        "tab": "timeline",
        "show_tabs": q.has_ledger(org),
        "page_obj": page,
        "events": [(event, labels.get(event.kind, event.kind)) for event in page.object_list],
        "kinds": timeline.event_kinds(),
        "chosen": kinds,
        "filter_error": error,
        "page_extra": "&" + extra if extra else "",
    }
    return render(request, "ledger/timeline.html", context)
