"""The analysis pages: the leaders' dashboard (驾驶舱), the pivot table with drill-down and
drill-through, charts, the prefecture map, saved views, and the .xlsx export of every table.

Every figure comes from `analytics.engine` (the same answer the API and the exports give), which
limits it to the user's own subtree: an organisation outside it is a 404. Numbers are formatted by
the engine and core.formatting (730.75万, 13.71%, 2021年度); the browser never formats a figure.
Charts are drawn by static/analytics/charts.js from a JSON spec embedded with json_script (the
content security policy allows no inline script).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from analytics import engine, services, sources
from analytics.choices import Level
from analytics.exports import Column, Table, table_file
from analytics.forms import ChartForm, MapForm, QueryForm, SavedViewForm
from analytics.models import SavedView
from analytics.web import outside_scope_is_404, scope_of
from core import audit, exports
from core.actor import Actor
from core.errors import UserError
from orgs.choices import Action
from orgs.models import Organisation
from orgs.regions import PREFECTURES
from orgs.scoping import ensure_action, has_action
from reporting import expressions

PREFECTURE_NAMES = dict(PREFECTURES)
CHART_TOP = 20
LINE_SERIES = 8


def short_prefecture(name: str) -> str:
    """楚雄彝族自治州 → 楚雄州, 西双版纳傣族自治州 → 西双版纳州; cities stay as they are."""
    if name.endswith("自治州"):
        stem = name[: -len("自治州")]
        for people in ("哈尼族彝族", "壮族苗族", "傣族景颇族", "傈僳族", "彝族", "傣族", "白族", "藏族"):
            if stem.endswith(people):
                return stem[: -len(people)] + "州"
    return name


# --- Access ---------------------------------------------------------------------------------------------------


def ensure_viewer(request: HttpRequest) -> None:
    """Anyone who may see business data somewhere; every figure is then limited to their scope."""
    if not has_action(request.user, Action.VIEW):
        raise PermissionDenied(_("您没有查看统计分析的权限。"))


def _url(name: str, params: dict) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "", False)})
    return reverse(name) + (f"?{query}" if query else "")


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _column_kind(answer) -> str:
    if answer.unit == "%":
        return "percent"
    return "count" if answer.decimals == 0 else f"decimal:{answer.decimals}"


def breadcrumbs(user, root_id: int | None, params: dict, page: str = "analytics:pivot") -> list[dict]:
    """The chain from the top of the user's scope down to `root_id`, each a link to drill back up; for a
    scope of several subtrees (a department viewer's enterprises) it starts at all of them together."""
    if root_id is None:
        return []  # all the tops together: the scope picker above the table says so
    tops = engine.scope_tops(user)
    first = []
    if tops:
        first = [
            {
                "name": engine.scope_label(user, len(tops)),
                "url": _url(page, {**params, "org": "", "level": Level.CHILDREN, "region": ""}),
                "current": False,
            }
        ]
    org = Organisation.objects.visible_to(user, Action.VIEW).filter(pk=root_id).first()
    if org is None:
        return first
    above = [org.path[: org.steplen * depth] for depth in range(1, org.depth)]
    chain = list(Organisation.objects.visible_to(user, Action.VIEW).filter(path__in=above).order_by("path")) + [org]
    return first + [
        {
            "name": o.display_name,
            "url": _url(page, {**params, "org": o.pk, "level": Level.CHILDREN, "region": ""}),
            "current": o.pk == root_id,
        }
        for o in chain
    ]


def scope_picker(user, current: int | None, url_for) -> list[dict]:
    """For a user whose scope has several tops: 'all of them' and each one, as links (empty otherwise)."""
    tops = engine.scope_tops(user)
    if not tops:
        return []
    items = [{"name": engine.scope_label(user, len(tops)), "url": url_for(None), "current": current is None}]
    items += [{"name": name, "url": url_for(pk), "current": current == pk} for pk, name in tops]
    return items


def describe_refs(text: str) -> list[dict]:
    """The references of an expression with the data elements' names, for the definition page."""
    from reporting.models import CategoryOption, DataElement

    if not text.strip():
        return []
    try:
        refs = expressions.references(expressions.parse(text))
    except expressions.ExpressionError:
        return []
    refs = [sources.normalise(r) for r in refs]
    names = dict(DataElement.objects.filter(code__in={r.element for r in refs}).values_list("code", "name"))
    names |= {s.code: str(s.label) for s in sources.all_sources()}  # #{SRC.<KEY>}: a registered source
    options = dict(
        CategoryOption.objects.filter(code__in={o for r in refs for o in r.options}).values_list("code", "name")
    )
    return [
        {"ref": str(r), "name": names.get(r.element, "?"), "options": "·".join(options.get(o, o) for o in r.options)}
        for r in refs
    ]


# --- The pivot table --------------------------------------------------------------------------------------------


@dataclass
class PivotColumn:
    period: str
    period_label: str
    option: str
    option_label: str

    @property
    def label(self) -> str:
        return f"{self.period_label} {self.option_label}".strip()


@dataclass
class PivotCell:
    figure: engine.Figure | None
    drill_url: str = ""
    change: engine.Change | None = None


@dataclass
class PivotRow:
    group: str
    name: str
    org_id: int | None
    down_url: str = ""
    cells: list[PivotCell] = field(default_factory=list)


class Pivot:
    """An answer laid out as rows (groups) × columns (periods × options), with the links behind it."""

    def __init__(
        self,
        answer: engine.Answer,
        params: dict,
        layout: str = "period",
        *,
        comparison: engine.Comparison | None = None,
        targets: dict[str, engine.Target] | None = None,
    ):
        self.answer = answer
        self.params = params
        self.comparison = comparison
        changes = comparison.by_figure() if comparison else {}
        options = answer.options or [("", "")]
        if layout == "option" and answer.options:
            pairs = [(p, o) for o in options for p in answer.periods]
        else:
            pairs = [(p, o) for p in answer.periods for o in options]
        self.columns = [PivotColumn(p[0], p[1], o[0], o[1]) for p, o in pairs]
        self.has_options = bool(answer.options)
        index = {(c.period, c.option): i for i, c in enumerate(self.columns)}

        rows: dict[str, PivotRow] = {}
        for figure in answer.rows:
            row = rows.get(figure.group)
            if row is None:
                row = rows[figure.group] = PivotRow(
                    figure.group, figure.org_name, figure.org_id, self._down_url(figure)
                )
                row.cells = [PivotCell(None) for _c in self.columns]
            position = index.get((figure.period, figure.option))
            if position is not None:
                change = changes.get((figure.group, figure.option, figure.period))
                row.cells[position] = PivotCell(figure, self._drill_url(figure), change)
        self.rows = list(rows.values())
        self.total = PivotRow("total", _("合计"), answer.root_id)
        self.total.cells = [PivotCell(None) for _c in self.columns]
        for figure in answer.totals:
            position = index.get((figure.period, figure.option))
            if position is not None:
                change = changes.get((figure.group, figure.option, figure.period))
                self.total.cells[position] = PivotCell(figure, self._drill_url(figure), change)
        # The year's target of the organisation (its own, else the province's), under the total of each
        # year's column; a disaggregated column has none.
        targets = targets or {}
        self.targets = [targets.get(c.period) if not c.option else None for c in self.columns]
        self.has_targets = any(self.targets)

    def _down_url(self, figure: engine.Figure) -> str:
        kind, _sep, key = figure.group.partition(":")
        if kind == "org" and figure.has_children:
            # Within a prefecture (from the map) the level below stays in that prefecture, so it adds up
            # to the row clicked.
            region = self.answer.query.region or ""
            return _url(
                "analytics:pivot", {**self.params, "org": figure.org_id, "level": Level.CHILDREN, "region": region}
            )
        if kind == "region" and key:
            return _url("analytics:pivot", {**self.params, "region": key, "level": Level.ENTERPRISE})
        return ""

    def _drill_url(self, figure: engine.Figure) -> str:
        kind, _sep, key = figure.group.partition(":")
        params = {"measure": self.answer.measure, "period": figure.period, "option": figure.option}
        if kind in ("org", "own"):
            params["org"] = figure.org_id
            params["own"] = "1" if kind == "own" else ""
            # In a prefecture's view (from the map) only the reports located in that prefecture make up the
            # figure, not the organisation's whole subtree.
            params["region"] = self.answer.query.region or ""
        elif kind == "region":
            params.update(org=self.answer.root_id, region=key or "-")
        elif kind == "total":
            params.update(org=self.answer.root_id, region=self.answer.query.region or "")
        else:
            return ""
        if self.answer.query.include_submitted:
            return ""  # drill-through lists accepted reports only; submitted ones would not add up
        return _url("analytics:drill_through", params)

    def table(self, *, title: str, notes: list[str]) -> Table:
        """The same layout for the .xlsx export: values, each one's change beside it when comparing, for
        rates each cell's numerator and denominator, and the year's target under the total."""
        kind = _column_kind(self.answer)
        unit = f"（{self.answer.unit}）" if self.answer.unit else ""
        comparison = self.comparison
        columns = [Column(_("单位 / 分组"))]
        for column in self.columns:
            columns.append(Column(f"{column.label}{unit}", kind))
            if comparison:
                change_kind = "points" if self.answer.is_rate else "growth"
                columns.append(Column(f"{column.label} {comparison.label}（{comparison.unit}）", change_kind))
            if self.answer.is_rate:
                columns += [
                    Column(f"{column.label} {_('分子')}", "decimal:0"),
                    Column(f"{column.label} {_('分母')}", "decimal:0"),
                ]

        def values(row: PivotRow) -> list:
            line: list = [row.name]
            for cell in row.cells:
                figure = cell.figure
                line.append(figure.value if figure else None)
                if comparison:
                    line.append(cell.change.change if cell.change else None)
                if self.answer.is_rate:
                    line += [figure.numerator if figure else None, figure.denominator if figure else None]
            return line

        rows = [values(r) for r in self.rows] + [values(self.total)]
        if self.has_targets:
            line: list = [_("年度目标")]
            for target in self.targets:
                line.append(target.value if target else None)
                line += [None] * ((1 if comparison else 0) + (2 if self.answer.is_rate else 0))
            rows.append(line)
            described = [
                _("%(year)s年 %(value)s（%(owner)s）") % {"year": t.year, "value": t.display, "owner": t.owner}
                for t in dict.fromkeys(t for t in self.targets if t)
            ]
            notes = [*notes, _("目标：%(list)s") % {"list": "；".join(described)}]
        if comparison:
            notes = [*notes, *comparison.notes]
        return Table(title=title, columns=columns, rows=rows, notes=notes, sheet_title=self.answer.label)


def _answer_notes(request, answer: engine.Answer) -> list[str]:
    """What is written under a table: scope, source, coverage, data time, and any caveat."""
    coverage = answer.root_name
    if answer.query.region:
        coverage += " · " + PREFECTURE_NAMES.get(answer.query.region, answer.query.region)
    notes = [
        _("指标：%(label)s") % {"label": answer.label},
        _("口径：%(scope)s") % {"scope": answer.scope or "—"},
        _("来源：%(source)s") % {"source": answer.source or "—"},
        _("范围：%(org)s") % {"org": coverage},
        answer.as_of_label,
    ]
    notes += list(answer.notes)
    local = timezone.localtime()
    notes.append(
        _("导出：%(user)s，%(time)s") % {"user": request.user.get_username(), "time": f"{local:%Y-%m-%d %H:%M}"}
    )
    return notes


def _run(form: QueryForm, user) -> engine.Answer | None:
    """The engine's answer to a valid form; a UserError becomes a form error (nothing raised)."""
    if not form.is_valid():
        return None
    try:
        return engine.answer(engine.Scope.for_user(user), form.query())
    except UserError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return None


def _compare(form: QueryForm, user, answer: engine.Answer) -> engine.Comparison | None:
    """The comparison the form asks for (None for none); a UserError becomes a form error."""
    asked = form.comparison()
    if asked is None:
        return None
    kind, baseline = asked
    try:
        return engine.comparison(engine.Scope.for_user(user), answer, kind=kind, baseline=baseline or None)
    except UserError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return None


def _pivot_for(form: QueryForm, user, answer: engine.Answer) -> Pivot:
    """The answer laid out as the form asks: columns, the comparison, and the organisation's targets."""
    targets = engine.targets_for(answer.measure, answer.root_id, [code for code, _label in answer.periods])
    return Pivot(
        answer,
        form.params(),
        form.cleaned_data.get("columns") or "period",
        comparison=_compare(form, user, answer),
        targets=targets,
    )


def _save_form(kind: str, params: dict) -> SavedViewForm:
    return SavedViewForm(initial={"kind": kind, "query": json.dumps(params, ensure_ascii=False)})


@require_GET
@outside_scope_is_404
def pivot(request: HttpRequest) -> HttpResponse:
    """Rows × periods of one measure; click a row to go down a level, a figure to see the reports behind it."""
    ensure_viewer(request)
    form = QueryForm(request.GET, current_year=engine.current_year(request.user))
    answer = _run(form, request.user)
    context = {"form": form, "answer": answer, "title": _("数据透视")}
    if answer is not None:
        layout = _pivot_for(form, request.user, answer)
        params = form.params()
        context.update(
            pivot=layout,
            params=params,
            crumbs=breadcrumbs(request.user, answer.root_id, params),
            tops=scope_picker(
                request.user,
                answer.root_id,
                lambda pk: _url("analytics:pivot", {**params, "org": pk, "level": Level.CHILDREN, "region": ""}),
            ),
            region_name=PREFECTURE_NAMES.get(answer.query.region or "", ""),
            export_url=_url("analytics:pivot_export", params),
            chart_url=_url("analytics:charts", params),
            save_form=_save_form("pivot", params),
            may_export=has_action(request.user, Action.EXPORT),
        )
    return render(request, "analytics/pivot.html", context)


def _too_many(request: HttpRequest) -> HttpResponse | None:
    wait = exports.rate_limited(request, "analytics")
    if not wait:
        return None
    response = HttpResponse(_("导出过于频繁，请%(s)d秒后再试。") % {"s": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


@require_GET
@outside_scope_is_404
def pivot_export(request: HttpRequest) -> HttpResponse:
    """The pivot table (same query as the page) as formatted .xlsx; audited with its row count, rate-limited."""
    ensure_viewer(request)
    ensure_action(request.user, Action.EXPORT)
    refused = _too_many(request)
    if refused:
        return refused
    form = QueryForm(request.GET, current_year=engine.current_year(request.user))
    answer = _run(form, request.user)
    if answer is None:
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors) or _("查询无效。"))
        return redirect(_url("analytics:pivot", dict(request.GET.items())))
    layout = _pivot_for(form, request.user, answer)
    level = dict(Level.choices).get(answer.query.level, "")
    title = f"{answer.label} — {answer.root_name}（{level}）"
    fileobj, count = table_file(layout.table(title=title, notes=_answer_notes(request, answer)))
    audit.record(
        Actor.from_request(request),
        "analytics.pivot.export",
        after=None,
        object_type="analytics.query",
        object_id=answer.measure,
        object_repr=answer.label,
        detail={
            "format": "xlsx",
            "rows": count,
            "org": answer.root_id,
            "level": answer.query.level,
            "periods": list(answer.query.periods),
            "region": answer.query.region or "",
            "compare": layout.comparison.kind if layout.comparison else "",
            "baseline": layout.comparison.baseline if layout.comparison else "",
        },
    )
    stem = _("统计分析-%(label)s-%(period)s") % {
        "label": answer.label,
        "period": answer.periods[-1][0] if answer.periods else "",
    }
    return exports.export_response(fileobj, fmt="xlsx", filename_stem=stem)


# --- Drill-through --------------------------------------------------------------------------------------------


@require_GET
@outside_scope_is_404
def drill_through(request: HttpRequest) -> HttpResponse:
    """The accepted reports behind one figure, with the values the measure is computed from."""
    ensure_viewer(request)
    org = _org_param(request)
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
    back = _url(
        "analytics:pivot",
        {
            "measure": measure,
            "org": org,
            "period_type": _period_type(period),
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
        headers.append({"ref": ref, "label": item["name"] + (f"（{item['options']}）" if item["options"] else "")})
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


def _org_param(request: HttpRequest) -> int | None:
    """The `org` parameter: an id, or None for the top of the user's scope; anything else is a 404."""
    raw = request.GET.get("org", "")
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as error:
        raise Http404 from error


def _exact(value: Decimal | None) -> str:
    """A reported value as entered (drill-through shows the numbers that add up, not rounded 万)."""
    if value is None:
        return "—"
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


def _period_type(code: str) -> str:
    from reporting import periods

    try:
        return periods.parse_code(code).period_type
    except UserError:
        return "year"


# --- Charts ---------------------------------------------------------------------------------------------------


def _chart_url(fig: engine.Figure, pivot: Pivot) -> str:
    kind = fig.group.partition(":")[0]
    if kind in ("org", "region"):
        return pivot._down_url(fig) or pivot._drill_url(fig)
    return pivot._drill_url(fig)


def chart_spec(answer: engine.Answer, kind: str, pivot: Pivot, *, title: str = "") -> dict:
    """What charts.js draws: categories, series of values with their Chinese labels, and click targets."""
    spec: dict = {
        "kind": kind,
        "title": title or answer.label,
        "unit": answer.unit,
        "as_of": answer.as_of_label,
        "axis_format": "percent" if answer.unit == "%" else "wan",
        "series": [],
        "categories": [],
    }
    last_period = answer.periods[-1][0] if answer.periods else ""
    if kind == "line":
        spec["categories"] = [label for _code, label in answer.periods]
        totals = {f.period: f for f in answer.totals if not f.option}
        series = [
            {
                "name": answer.root_name,
                "values": [_number(totals[p].value) if p in totals else None for p, _l in answer.periods],
                "labels": [totals[p].display if p in totals else "—" for p, _l in answer.periods],
            }
        ]
        for row in pivot.rows[:LINE_SERIES]:
            cells = {c.figure.period: c.figure for c in row.cells if c.figure and not c.figure.option}
            series.append(
                {
                    "name": row.name,
                    "values": [_number(cells[p].value) if p in cells else None for p, _l in answer.periods],
                    "labels": [cells[p].display if p in cells else "—" for p, _l in answer.periods],
                }
            )
        spec["series"] = series
        return spec
    figures = [f for f in answer.rows if f.period == last_period]
    if kind != "stacked" or answer.options:
        spec["title"] = f"{spec['title']}（{dict(answer.periods).get(last_period, '')}）"
    if kind == "stacked" and answer.options:
        groups: dict[str, str] = {}
        for f in figures:
            groups.setdefault(f.group, f.org_name)
        spec["categories"] = list(groups.values())
        for option, option_label in answer.options:
            by_group = {f.group: f for f in figures if f.option == option}
            spec["series"].append(
                {
                    "name": option_label,
                    "values": [_number(by_group[g].value) if g in by_group else None for g in groups],
                    "labels": [by_group[g].display if g in by_group else "—" for g in groups],
                    "urls": [_chart_url(by_group[g], pivot) if g in by_group else "" for g in groups],
                }
            )
        return spec
    if kind == "stacked":
        # Without a disaggregation there is nothing to stack: the periods side by side instead.
        spec["kind"] = "bar"
        groups = {}
        for f in answer.rows:
            if not f.option:
                groups.setdefault(f.group, f.org_name)
        spec["categories"] = list(groups.values())
        for code, label in answer.periods:
            by_group = {f.group: f for f in answer.rows if f.period == code and not f.option}
            spec["series"].append(
                {
                    "name": label,
                    "values": [_number(by_group[g].value) if g in by_group else None for g in groups],
                    "labels": [by_group[g].display if g in by_group else "—" for g in groups],
                    "urls": [_chart_url(by_group[g], pivot) if g in by_group else "" for g in groups],
                }
            )
        return spec
    figures = [f for f in figures if not f.option]
    if kind == "ranking":
        figures = sorted((f for f in figures if f.value is not None), key=lambda f: f.value, reverse=True)[:CHART_TOP]
    spec["categories"] = [f.org_name for f in figures]
    period_label = dict(answer.periods).get(last_period, "")
    spec["series"] = [
        {
            "name": f"{answer.label}（{period_label}）",
            "values": [_number(f.value) for f in figures],
            "labels": [f.display for f in figures],
            "urls": [_chart_url(f, pivot) for f in figures],
        }
    ]
    return spec


@require_GET
@outside_scope_is_404
def charts(request: HttpRequest) -> HttpResponse:
    """Bar, line, stacked and ranking charts built from the same answer as the pivot table."""
    ensure_viewer(request)
    form = ChartForm(request.GET, current_year=engine.current_year(request.user))
    answer = _run(form, request.user)
    context = {"form": form, "answer": answer, "title": _("统计图表")}
    if answer is not None:
        params = form.params()
        kind = form.cleaned_data.get("kind") or "bar"
        layout = Pivot(answer, params)
        context.update(
            spec=chart_spec(answer, kind, layout),
            kind=kind,
            params=params,
            crumbs=breadcrumbs(request.user, answer.root_id, params, "analytics:charts"),
            pivot_url=_url("analytics:pivot", params),
            export_url=_url("analytics:pivot_export", params),
            save_form=_save_form("chart", params),
            may_export=has_action(request.user, Action.EXPORT),
            png_name=f"{answer.label}-{answer.root_name}",
        )
    return render(request, "analytics/charts.html", context)


# --- The map ----------------------------------------------------------------------------------------------------


@require_GET
@outside_scope_is_404
def prefecture_map(request: HttpRequest) -> HttpResponse:
    """Yunnan's 16 prefectures coloured by one measure for one period; click one to list its enterprises."""
    ensure_viewer(request)
    current = engine.current_year(request.user)
    form = MapForm(request.GET, current_year=current)
    answer = None
    if form.is_valid():
        data = form.cleaned_data
        query = engine.Query(
            measure=data["measure"],
            level=Level.PREFECTURE,
            periods=(data["period"],),
            include_submitted=bool(data.get("include_submitted")),
        )
        try:
            answer = engine.answer(scope_of(request), query)
        except UserError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
    context = {"form": form, "answer": answer, "title": _("州市地图")}
    if answer is not None:
        period = answer.periods[0][0]
        base = {
            "measure": answer.measure,
            "period_type": _period_type(period),
            "period_from": period,
            "period_to": period,
            "include_submitted": "1" if answer.query.include_submitted else "",
        }
        by_region = {
            f.group.partition(":")[2]: f for f in answer.rows if f.group.startswith("region:") and not f.option
        }
        codes = [code for code, _name in PREFECTURES]
        spec = {
            "kind": "map",
            "title": answer.label,
            "unit": answer.unit,
            "as_of": answer.as_of_label,
            "categories": codes,
            "short_names": [short_prefecture(PREFECTURE_NAMES[c]) for c in codes],
            "map": {"url": static("vendor/yunnan-map/yunnan.json")},
            "series": [
                {
                    "name": f"{answer.label}（{answer.periods[0][1]}）",
                    "values": [_number(by_region[c].value) if c in by_region else None for c in codes],
                    "labels": [by_region[c].display if c in by_region else _("无数据") for c in codes],
                    "urls": [_url("analytics:pivot", {**base, "region": c, "level": Level.ENTERPRISE}) for c in codes],
                }
            ],
        }
        rows = [
            {
                "code": c,
                "name": PREFECTURE_NAMES[c],
                "figure": by_region.get(c),
                "url": _url("analytics:pivot", {**base, "region": c, "level": Level.ENTERPRISE}),
            }
            for c in codes
        ]
        others = [f for f in answer.rows if not f.option and f.group.partition(":")[2] not in PREFECTURE_NAMES]
        params = {**base, "level": Level.PREFECTURE}
        context.update(
            spec=spec,
            rows=rows,
            others=others,
            total=next((f for f in answer.totals if not f.option), None),
            export_url=_url("analytics:pivot_export", params),
            pivot_url=_url("analytics:pivot", params),
            save_form=_save_form("map", {**params, "kind": "map"}),
            may_export=has_action(request.user, Action.EXPORT),
            png_name=f"{answer.label}-{answer.periods[0][1]}-州市",
        )
    return render(request, "analytics/map.html", context)


# --- The leaders' dashboard --------------------------------------------------------------------------------------


@require_GET
@outside_scope_is_404
def dashboard(request: HttpRequest) -> HttpResponse:
    """Key indicators against their targets, five-year trends, the ten weakest enterprises on each, and the
    completeness of the current round, for the user's own subtree (precomputed and cached by the engine)."""
    ensure_viewer(request)
    latest = int(engine.current_year(request.user))
    years = [str(y) for y in range(latest, latest - 5, -1)]  # the years a leader may look back on
    year = request.GET.get("year") or None
    if year is not None and year not in years:
        raise Http404
    board = engine.dashboard_tiles(scope_of(request), org=_org_param(request), year=year)
    as_of = None
    if board.as_of is not None:
        as_of = _("数据截至 %(time)s") % {"time": f"{timezone.localtime(board.as_of):%Y-%m-%d %H:%M}"}
    tiles = []
    for tile in board.tiles:
        measure = f"indicator:{tile.indicator}"
        base = {"measure": measure, "period_type": "year"}
        trend = list(tile.trend)
        while len(trend) > 1 and trend[0][1] is None:
            trend.pop(0)  # years before the first report are not zeros: leave them off the axis
        trend_years = [year for year, _v in trend]
        spec = {
            "kind": "line",
            "title": tile.label,
            "unit": tile.unit,
            "axis_format": "percent" if tile.unit == "%" else "wan",
            "categories": [f"{y}年" for y in trend_years],
            "series": [
                {
                    "name": tile.label,
                    "values": [_number(v) for _y, v in trend],
                    "labels": [engine.format_value(v, tile.unit, 2 if tile.unit == "%" else 0) for _y, v in trend],
                }
            ],
        }
        progress = None
        if tile.target and tile.value is not None and tile.target > 0:
            progress = min(int(tile.value / tile.target * 100), 100)
        tiles.append(
            {
                "tile": tile,
                "spec": spec,
                "chart_id": f"trend-{tile.indicator.lower()}",
                "spec_id": f"trend-{tile.indicator.lower()}-spec",
                "progress": progress,
                "has_trend": any(v is not None for _y, v in trend),
                "pivot_url": _url(
                    "analytics:pivot",
                    {
                        **base,
                        "org": board.root_id,
                        "period_from": trend_years[0] if trend_years else "",
                        "period_to": board.period,
                        "level": Level.CHILDREN,
                    },
                ),
                "map_url": _url("analytics:map", {"measure": measure, "period": board.period}),
                "weakest": [
                    {
                        "org_id": org_id,
                        "name": name,
                        "display": display,
                        "url": _url(
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
                    for org_id, name, _value, display in tile.weakest
                ],
            }
        )
    return render(
        request,
        "analytics/dashboard.html",
        {
            "board": board,
            "tiles": tiles,
            "as_of": as_of,
            "title": _("领导驾驶舱"),
            "may_export": has_action(request.user, Action.EXPORT),
            "export_url": _url("analytics:dashboard_export", {"org": request.GET.get("org", ""), "year": year or ""}),
            "tops": scope_picker(request.user, board.root_id, lambda pk: _url("analytics:dashboard", {"org": pk})),
            "years": [
                (y, y == board.period, _url("analytics:dashboard", {"org": request.GET.get("org", ""), "year": y}))
                for y in years
            ],
        },
    )


@require_GET
@outside_scope_is_404
def dashboard_export(request: HttpRequest) -> HttpResponse:
    """The dashboard's figures (key indicators, targets, trend, the weakest enterprises) as .xlsx."""
    ensure_viewer(request)
    ensure_action(request.user, Action.EXPORT)
    refused = _too_many(request)
    if refused:
        return refused
    latest = int(engine.current_year(request.user))
    year = request.GET.get("year") or None
    if year is not None and year not in {str(y) for y in range(latest, latest - 5, -1)}:
        raise Http404
    board = engine.dashboard_tiles(scope_of(request), org=_org_param(request), year=year)
    years = [year for year, _v in board.tiles[0].trend] if board.tiles else []
    columns = [
        Column(_("指标")),
        Column(_("口径")),
        Column(board.period_label),
        Column(_("目标")),
        Column(_("是否达标")),
    ]
    columns += [Column(f"{y}年") for y in years] + [Column(_("最弱的十家企业"))]
    rows = []
    for tile in board.tiles:
        met = {True: _("已达标"), False: _("未达标"), None: "—"}[tile.target_met]
        trend = [engine.format_value(v, tile.unit, 2 if tile.unit == "%" else 0) for _y, v in tile.trend]
        weakest = "；".join(f"{name} {display}" for _id, name, _v, display in tile.weakest)
        rows.append([tile.label, tile.scope, tile.display, tile.target_display, met, *trend, weakest])
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
    fileobj, count = table_file(
        Table(
            title=_("领导驾驶舱 — %(org)s — %(period)s") % {"org": board.root_name, "period": board.period_label},
            columns=columns,
            rows=rows,
            notes=notes,
            sheet_title=_("驾驶舱"),
        )
    )
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


# --- Saved views --------------------------------------------------------------------------------------------------

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
    return redirect(_url(PAGES.get(view.kind, "analytics:pivot"), query_to_params(view.kind, view.query)))


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
    return redirect(_url(PAGES.get(view.kind, "analytics:pivot"), params))


@require_POST
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    ensure_viewer(request)
    view = _views_for(request.user).filter(pk=pk).first()
    if view is None:
        raise Http404
    services.saved_view_delete(by=Actor.from_request(request), view=view)
    messages.success(request, _("已删除视图“%(name)s”。") % {"name": view.name})
    return redirect("analytics:views")


urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("dashboard/export.xlsx", dashboard_export, name="dashboard_export"),
    path("pivot/", pivot, name="pivot"),
    path("pivot/export.xlsx", pivot_export, name="pivot_export"),
    path("drill/", drill_through, name="drill_through"),
    path("charts/", charts, name="charts"),
    path("map/", prefecture_map, name="map"),
    path("views/", saved_views, name="views"),
    path("views/save/", saved_view_save, name="view_save"),
    path("views/<int:pk>/", saved_view_open, name="view_open"),
    path("views/<int:pk>/delete/", saved_view_delete, name="view_delete"),
]
