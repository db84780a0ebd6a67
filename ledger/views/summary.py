"""推进情况统计: the province's summaries of the reform work, as charts (the vendored ECharts, drawn by
static/ledger/summary.js from specs the page embeds with json_script) and as tables."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.formatting import percent
from ledger.queries import summary as q


def _adoption_spec(adoption: q.Adoption) -> dict:
    return {
        "unit": _("家"),
        "categories": [row.label for row in adoption.rows],
        "series": [
            {"name": _("当年出台实施方案"), "type": "bar", "values": [r.plans for r in adoption.rows]},
            {"name": _("当年成立领导小组"), "type": "bar", "values": [r.groups for r in adoption.rows]},
            {"name": _("累计出台实施方案"), "type": "line", "values": [r.plans_total for r in adoption.rows]},
            {"name": _("累计成立领导小组"), "type": "line", "values": [r.groups_total for r in adoption.rows]},
        ],
    }


def _share_spec(rows: list[q.ShareRow]) -> dict:
    shown = [r for r in rows if r.key]
    return {
        "unit": "%",
        "categories": [r.label for r in shown],
        "series": [
            {
                "name": _("量化目标占比"),
                "type": "bar",
                "values": [None if r.share is None else float(r.share) for r in shown],
                "labels": [percent(r.share) for r in shown],
            }
        ],
    }


def _alerts_spec(series: q.AlertSeries) -> dict:
    return {
        "unit": _("条"),
        "categories": series.labels,
        "series": [{"name": label, "type": "line", "values": counts} for _kind, label, counts in series.kinds],
    }


@require_GET
def summary_page(request: HttpRequest) -> HttpResponse:
    """The summaries over the user's scope: the office sees the province, a union its subtree."""
    data = q.summary(request.user)
    specs = {
        "chart-unions-spec": _adoption_spec(data.unions),
        "chart-enterprises-spec": _adoption_spec(data.enterprises),
        "chart-key-tasks-spec": _share_spec(data.by_key_task),
        "chart-alerts-spec": _alerts_spec(data.alerts),
    }
    adoptions = [(data.unions, "chart-unions"), (data.enterprises, "chart-enterprises")]
    return render(request, "ledger/summary.html", {"summary": data, "specs": specs, "adoptions": adoptions})
