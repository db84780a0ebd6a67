"""建议统计: per-organisation figures for a year, rolled up the tree, with drill-down; and as .xlsx."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core import audit, deadlines
from core.actor import Actor
from core.exports import export_response, rate_limited
from orgs.choices import Action
from orgs.scoping import ensure_action
from suggestions import exports
from suggestions.forms import StatsForm
from suggestions.stats import statistics, years


def _table(request: HttpRequest):
    known = sorted({*years(request.user), deadlines.today().year}, reverse=True)
    data = request.GET.copy()
    if not data.get("year"):
        data["year"] = str(known[0])
    form = StatsForm(data, user=request.user, years=known)
    if form.is_valid():
        year, root = form.cleaned_data["year"] or known[0], form.cleaned_data.get("org")
    else:
        year, root = known[0], None
    return form, statistics(request.user, year=year, root=root)


@require_GET
def stats_page(request: HttpRequest) -> HttpResponse:
    ensure_action(request.user, Action.VIEW)
    form, table = _table(request)
    return render(request, "suggestions/stats.html", {"form": form, "table": table, "query": request.GET.urlencode()})


@require_GET
def stats_xlsx(request: HttpRequest) -> HttpResponse:
    """The statistics as .xlsx; audited with the row count."""
    ensure_action(request.user, Action.EXPORT)
    wait = rate_limited(request, "suggestion-stats")
    if wait:
        response = HttpResponse(_("导出过于频繁，请%(s)d秒后再试。") % {"s": wait}, status=429)
        response["Retry-After"] = str(wait)
        return response
    _form, table = _table(request)
    fileobj, count = exports.stats_file(table)
    audit.record(
        Actor.from_request(request), "suggestions.stats.export", after=None,
        detail={"year": table.year, "org": table.root.code if table.root else "", "rows": count},
    )  # fmt: skip
    stem = _("合理化建议统计-%(year)d") % {"year": table.year}
    return export_response(fileobj, fmt="xlsx", filename_stem=stem, fallback_stem=f"suggestion-stats-{table.year}")
