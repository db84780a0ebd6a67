"""The leaders' dashboard (驾驶舱) and its .xlsx export."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from analytics import engine
from analytics.choices import Level
from analytics.exports import Column, Table, table_file
from analytics.views.common import as_float, ensure_viewer, org_param, page_url, scope_picker, too_many_exports
from analytics.web import outside_scope_is_404, scope_of
from core import audit, exports
from core.actor import Actor
from core.formatting import percent
from core.replica import reads_from_replica
from orgs.choices import Action
from orgs.scoping import ensure_action, has_action


def dashboard_tile(tile: engine.Tile, board: engine.Dashboard) -> dict:
    """One key indicator as the dashboard shows it: its trend as a line chart spec, the progress
    towards its target, and the links into the pivot and the map, for itself and its weakest."""
    measure = f"indicator:{tile.indicator}"
    base = {"measure": measure, "period_type": "year"}
    trend = list(tile.trend)
    while len(trend) > 1 and trend[0][1] is None:
        trend.pop(0)  # years before the first report are not zeros: leave them off the axis
    trend_years = [year for year, _v in trend]
    covered = dict(tile.trend_coverage)
    changes = coverage_changes(tile)
    spec = {
        "kind": "line",
        "title": tile.label,
        "unit": tile.unit,
        "axis_format": "percent" if tile.unit == "%" else "wan",
        "categories": [f"{y}年" for y in trend_years],
        "series": [
            {
                "name": tile.label,
                "values": [as_float(v) for _y, v in trend],
                "labels": [engine.format_value(v, tile.unit, tile.decimals) for _y, v in trend],
                "notes": [coverage_text(covered.get(y)) for y, _v in trend],
                "marks": [changes.get(y, "") for y, _v in trend],
            }
        ],
    }
    progress = None
    if tile.target and tile.value is not None and tile.target > 0:
        progress = min(int(tile.value / tile.target * 100), 100)
    return {
        "tile": tile,
        "spec": spec,
        "coverage": coverage_text(tile.coverage),
        "partial": tile.coverage is not None and tile.coverage[0] < tile.coverage[1],
        "coverage_changes": [changes[y] for y in trend_years if y in changes],
        "chart_id": f"trend-{tile.indicator.lower()}",
        "spec_id": f"trend-{tile.indicator.lower()}-spec",
        "progress": progress,
        "has_trend": any(v is not None for _y, v in trend),
        "pivot_url": page_url(
            "analytics:pivot",
            {
                **base,
                "org": board.root_id,
                "period_from": trend_years[0] if trend_years else "",
                "period_to": board.period,
                # The first step down: the province by prefecture, anything below by its children.
                "level": Level.PREFECTURE if board.root_depth == 1 else Level.CHILDREN,
            },
        ),
        "map_url": page_url("analytics:map", {"measure": measure, "period": board.period}),
        "ranked_title": ranked_title(tile),
        "weakest": [
            {
                "org_id": org_id,
                "name": name,
                "display": display,
                "url": page_url(
                    "analytics:pivot",
                    {
                        **base,
                        "org": org_id,
                        "level": Level.CHILDREN,
                        "period_from": board.period,
                        "period_to": board.period,
                    },
                ),
            }
            for org_id, name, _value, display in tile.weakest or tile.largest
        ],
    }


def coverage_text(coverage: tuple[int, int] | None) -> str:
    if coverage is None:
        return ""
    return _("已验收 %(accepted)d/%(due)d 家") % {"accepted": coverage[0], "due": coverage[1]}


MARKED_CHANGE = 0.2  # coverage that moves by more than a fifth from one point of a trend to the next


def coverage_changes(tile: engine.Tile) -> dict[str, str]:
    """{year: why its point is marked} for each year of the trend whose coverage (reports accepted) differs
    markedly from the year before that had data: 123 enterprises next to 5 are not the same population."""
    values = dict(tile.trend)
    marks: dict[str, str] = {}
    previous: tuple[str, tuple[int, int]] | None = None
    for year, coverage in tile.trend_coverage:
        if coverage is None or values.get(year) is None:
            continue
        if previous is not None:
            before = previous[1][0]
            now = coverage[0]
            if abs(now - before) > MARKED_CHANGE * max(now, before, 1):
                marks[year] = _(
                    "%(year)s年已验收 %(now)d 家，%(before_year)s年 %(before)d 家：覆盖范围变化，趋势不可直接比较。"
                ) % {"year": year, "now": now, "before_year": previous[0], "before": before}
        previous = (year, coverage)
    return marks


def ranked_title(tile: engine.Tile) -> str:
    """The heading of a tile's list of enterprises: the weakest for a rate, the largest (neutral) for a count."""
    if tile.weakest:
        return _("最弱的 %(n)d 家企业") % {"n": len(tile.weakest)}
    if tile.largest:
        return _("规模最大的 %(n)d 家企业") % {"n": len(tile.largest)}
    return ""


def dashboard_table(board: engine.Dashboard) -> Table:
    """The dashboard's figures as the .xlsx table: each indicator with its target, trend and weakest
    enterprises, and under it the scope, the source, the data time and the round's completeness."""
    years = [year for year, _v in board.tiles[0].trend] if board.tiles else []
    columns = [
        Column(_("指标")),
        Column(_("口径")),
        Column(board.period_label),
        Column(_("目标")),
        Column(_("是否达标")),
    ]
    columns.insert(3, Column(_("已验收/应报（家）")))
    columns += [Column(f"{y}年") for y in years] + [Column(_("企业排名（比率列最弱的十家，总量列规模最大的十家）"))]
    rows = []
    for tile in board.tiles:
        met = {True: _("已达标"), False: _("未达标"), None: "—"}[tile.target_met]
        covered = dict(tile.trend_coverage)
        trend = [
            engine.format_value(v, tile.unit, tile.decimals)
            + (f"（{coverage_text(covered[y])}）" if covered.get(y) and v is not None else "")
            for y, v in tile.trend
        ]
        ranked = "；".join(f"{name} {display}" for _id, name, _v, display in tile.weakest or tile.largest)
        if ranked:
            ranked = f"{ranked_title(tile)}：{ranked}"
        coverage = f"{tile.coverage[0]}/{tile.coverage[1]}" if tile.coverage else "—"
        rows.append([tile.label, tile.scope, tile.display, coverage, tile.target_display, met, *trend, ranked])
    as_of = (
        _("数据截至 %(time)s") % {"time": f"{timezone.localtime(board.as_of):%Y-%m-%d %H:%M}"}
        if board.as_of
        else _("暂无已验收数据")
    )
    notes = [_("范围：%(org)s") % {"org": board.root_name}, _("来源：企业填报（已验收）"), as_of]
    if board.completeness:
        c = board.completeness
        notes.append(
            _("%(period)s%(dataset)s：应报 %(expected)d 家，已报 %(reported)d 家，已验收 %(accepted)d 家。")
            % {
                "period": c.period_label,
                "dataset": c.dataset,
                "expected": c.expected,
                "reported": c.reported,
                "accepted": c.accepted,
            }
        )
    return Table(
        title=_("领导驾驶舱 — %(org)s — %(period)s") % {"org": board.root_name, "period": board.period_label},
        columns=columns,
        rows=rows,
        notes=notes,
        sheet_title=_("驾驶舱"),
    )


def _years(request: HttpRequest) -> tuple[list[str], str | None]:
    """The years a leader may look back on (the latest five with accepted data in their scope, newest first)
    and the one asked for (None: the latest); a year outside them is a 404."""
    years = engine.data_years(scope_of(request))
    year = request.GET.get("year") or None
    if year is not None and year not in years:
        raise Http404
    return years, year or (years[0] if years else None)


@require_GET
@outside_scope_is_404
@reads_from_replica
def dashboard(request: HttpRequest) -> HttpResponse:
    """Key indicators against their targets, five-year trends, the ten weakest enterprises on each, and the
    completeness of the current round, for the user's own subtree (precomputed and cached by the engine)."""
    ensure_viewer(request)
    years, year = _years(request)
    board = engine.dashboard_tiles(scope_of(request), org=org_param(request), year=year)
    as_of = None
    if board.as_of is not None:
        as_of = _("数据截至 %(time)s") % {"time": f"{timezone.localtime(board.as_of):%Y-%m-%d %H:%M}"}
    tiles = [dashboard_tile(tile, board) for tile in board.tiles]
    return render(
        request,
        "analytics/dashboard.html",
        {
            "board": board,
            "tiles": tiles,
            "completeness_share": percent(board.completeness.share) if board.completeness else "",
            "as_of": as_of,
            "title": _("领导驾驶舱"),
            "may_export": has_action(request.user, Action.EXPORT),
            "export_url": page_url(
                "analytics:dashboard_export", {"org": request.GET.get("org", ""), "year": year or ""}
            ),
            "tops": scope_picker(request.user, board.root_id, lambda pk: page_url("analytics:dashboard", {"org": pk})),
            "years": [
                (y, y == board.period, page_url("analytics:dashboard", {"org": request.GET.get("org", ""), "year": y}))
                for y in years
            ],
        },
    )


@require_GET
@outside_scope_is_404
@reads_from_replica
def dashboard_export(request: HttpRequest) -> HttpResponse:
    """The dashboard's figures (key indicators, targets, trend, the weakest enterprises) as .xlsx."""
    ensure_viewer(request)
    ensure_action(request.user, Action.EXPORT)
    refused = too_many_exports(request)
    if refused:
        return refused
    year = _years(request)[1]
    board = engine.dashboard_tiles(scope_of(request), org=org_param(request), year=year)
    fileobj, count = table_file(dashboard_table(board))
    audit.record(
        Actor.from_request(request),
        "analytics.dashboard.export",
        after=None,
        object_type="analytics.dashboard",
        object_id=str(board.root_id or ""),
        object_repr=board.root_name,
        detail={"format": "xlsx", "rows": count},
    )
    return exports.export_response(fileobj, fmt="xlsx", filename_stem=_("驾驶舱-%(period)s") % {"period": board.period})
