"""The analytics engine: one answer for pages, API and exports, over accepted data, within the user's scope.

Public interface (stable; pages and the API build on it)
---------------------------------------------------------

Measures are strings:
    "indicator:<CODE>"                    an Indicator (numerator ÷ denominator × factor)
    "element:<CODE>" / "element:<CODE>.<OPT>[.<OPT>…]"
                                          a data element, all of its cells or those holding every option

    Query(measure, org=None, level="self", periods=("2021",), by_category=None, region=None,
          include_submitted=False, restate=False)
        org          root organisation id; None = the top of the user's own scope
        level        "self" (one row: the root's subtree), "children" (its direct children in the
                     period's tree, plus a 本级 row for the root's own report), "prefecture" (by the
                     reporting organisation's 州市), "union" (by industry/system union above),
                     "enterprise" (by the top enterprise of each reporting organisation),
                     "reporting" (one row per reporting organisation, its own values)
        periods      period codes ("2021", "2021Q2"); period_codes() builds a range. A longer period
                     is rolled up from shorter ones only when the element is not reported for it
                     directly: flows (sum) add up, stocks (last) take the last sub-period with data.
        by_category  a category code (GENDER, SKILL_LEVEL, …): one row per option
        region       a prefecture code: only organisations of that 州市 (drill-down from the map)
        include_submitted  count submitted and approved reports too (raw values; slower)
        restate      roll up along today's tree instead of the tree as it stood in each period

    answer(user, query) -> Answer
        Answer.rows: list[Figure] (org / group, period, option, numerator, denominator, value,
        display, has_children); Answer.totals: one Figure per period (and option) for the whole
        root; label, unit, decimals, scope (口径), source, as_of (last change of the data it
        includes), engine ("aggregate" or "raw"), notes.
        Raises UserError (Chinese message naming the field) for a bad query, Http404 for an
        organisation outside the user's scope.

    drill_through(user, measure, org, period, own=False, region=None, option=None) -> DrillThrough
        the accepted reports behind one figure and their values for the measure's references.

    dashboard_tiles(user) -> Dashboard
        key indicators vs targets, five-year trend, ten weakest enterprises each, and the
        completeness of the current yearly round, for the user's own subtree; cached per user and
        invalidated whenever accepted data changes.

Aggregation is always the ratio of sums: numerator and denominator expressions are evaluated on
the summed cells of each row, never averaged over organisations or periods.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db.models import Max, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.aggregates import ACCEPTED_STATUSES, OrgInfo, TreeHistory, generation, prefecture_of
from analytics.choices import Level
from analytics.models import AcceptedReport, Indicator, IndicatorTarget, NodeAggregate, RegionAggregate, RollupEdge
from core.errors import UserError
from core.formatting import percent, wan
from orgs.choices import Action, OrgKind
from orgs.scoping import granted_paths
from reporting import expressions, periods
from reporting.choices import COUNTABLE_TYPES, Aggregation, MigrantScope, PeriodType, ReportStatus
from reporting.expressions import Node, Ref

PERIOD_ORDER = [PeriodType.MONTH, PeriodType.QUARTER, PeriodType.HALF_YEAR, PeriodType.YEAR]
SUBMITTED_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.APPROVED, *ACCEPTED_STATUSES)
MAX_PERIODS = 40
DASHBOARD_TTL = 600

# --- Public data shapes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """What to compute; see the module docstring."""

    measure: str
    org: int | None = None
    level: str = Level.SELF
    periods: tuple[str, ...] = ()
    by_category: str | None = None
    region: str | None = None
    include_submitted: bool = False
    restate: bool = False


@dataclass(frozen=True)
class Figure:
    """One cell of an answer: a group (organisation, prefecture, …) × period × option."""

    group: str  # "org:<id>", "own:<id>" (the root's own report), "region:<code>", "none", "other", "total"
    org_id: int | None
    org_code: str
    org_name: str
    period: str
    period_label: str
    option: str
    option_label: str
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None
    display: str
    has_children: bool = False


@dataclass
class Answer:
    """The figures of a query, with everything a table, chart or export must print under them."""

    query: Query
    measure: str
    label: str
    unit: str
    decimals: int
    is_rate: bool
    scope: str
    source: str
    root_id: int
    root_name: str
    periods: list[tuple[str, str]]
    options: list[tuple[str, str]]
    rows: list[Figure]
    totals: list[Figure]
    as_of: dt.datetime | None
    engine: str
    notes: list[str] = field(default_factory=list)

    @property
    def as_of_label(self) -> str:
        if self.as_of is None:
            return _("暂无已验收数据")
        local = timezone.localtime(self.as_of)
        return _("数据截至 %(time)s") % {"time": f"{local:%Y-%m-%d %H:%M}"}


@dataclass(frozen=True)
class DrillRow:
    report_id: int
    org_id: int
    org_code: str
    org_name: str
    period: str
    period_label: str
    status: str
    accepted_at: dt.datetime | None
    values: dict[str, Decimal | None]
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None
    display: str


@dataclass
class DrillThrough:
    measure: str
    label: str
    unit: str
    scope: str
    period: str
    period_label: str
    references: list[str]
    rows: list[DrillRow]


@dataclass(frozen=True)
class Tile:
    indicator: str
    label: str
    task: str
    unit: str
    scope: str
    value: Decimal | None
    display: str
    target: Decimal | None
    target_display: str
    target_met: bool | None
    trend: list[tuple[str, Decimal | None]]
    weakest: list[tuple[int, str, Decimal | None, str]]  # org id, name, value, display


@dataclass(frozen=True)
class Completeness:
    dataset: str
    period: str
    period_label: str
    expected: int
    reported: int
    accepted: int
    share: Decimal


@dataclass
class Dashboard:
    root_id: int
    root_name: str
    period: str
    period_label: str
    as_of: dt.datetime | None
    tiles: list[Tile]
    completeness: Completeness | None


# --- Measures ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ElementMeta:
    id: int
    code: str
    name: str
    aggregation: str
    unit: str
    combos: tuple[tuple[int, str], ...]  # (option combo id, key)
    categories: frozenset[str]
    native: frozenset[str]  # period types of the published data sets asking it


@dataclass(frozen=True)
class Measure:
    ref: str
    label: str
    numerator: Node
    denominator: Node | None
    factor: Decimal
    decimals: int
    unit: str
    scope: str
    source: str
    higher_is_better: bool = True

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None


def _parse(text: str, field_name: str) -> Node:
    try:
        return expressions.parse(text)
    except expressions.ExpressionError as error:
        raise UserError(error.message, field=field_name) from error


def measure_for(ref: str) -> Measure:
    """The measure a reference string names; UserError (field "measure") for anything else."""
    kind, _sep, code = (ref or "").partition(":")
    if kind == "indicator":
        indicator = Indicator.objects.filter(code=code, is_active=True).first()
        if indicator is None:
            raise UserError(_("指标“%(code)s”不存在或已停用。") % {"code": code}, field="measure")
        return Measure(
            ref=ref,
            label=indicator.name,
            numerator=_parse(indicator.numerator, "measure"),
            denominator=_parse(indicator.denominator, "measure") if indicator.denominator.strip() else None,
            factor=indicator.factor,
            decimals=indicator.decimals,
            unit=indicator.unit,
            scope=indicator.scope,
            source=_("企业填报（已验收）"),
            higher_is_better=indicator.higher_is_better,
        )
    if kind == "element":
        from reporting.models import DataElement

        element_code, *options = code.split(".")
        element = DataElement.objects.filter(code=element_code).select_related("category_combo").first()
        if element is None or element.value_type not in COUNTABLE_TYPES or element.aggregation == Aggregation.NONE:
            raise UserError(_("数据元“%(code)s”不存在或不能汇总。") % {"code": element_code}, field="measure")
        label = element.name
        if options:
            names = dict(_option_names(options))
            label = f"{element.name}（{'·'.join(names.get(o, o) for o in options)}）"
        scope_parts = [MigrantScope(element.migrant_scope).label, element.population, element.source]
        return Measure(
            ref=ref,
            label=label,
            numerator=Ref(element.code, tuple(options)),
            denominator=None,
            factor=Decimal(1),
            decimals=0 if element.value_type in ("integer", "boolean") else 2,
            unit=element.unit,
            scope="；".join(str(p) for p in scope_parts if p),
            source=element.source or _("企业填报"),
        )
    raise UserError(
        _("“%(ref)s”不是有效的指标或数据元引用，应为 indicator:代码 或 element:代码。") % {"ref": ref}, field="measure"
    )


def _option_names(codes: Iterable[str]) -> list[tuple[str, str]]:
    from reporting.models import CategoryOption

    return list(CategoryOption.objects.filter(code__in=list(codes)).values_list("code", "name"))


def _refs(measure: Measure) -> list[Ref]:
    refs = expressions.references(measure.numerator)
    if measure.denominator is not None:
        refs += expressions.references(measure.denominator)
    return refs


def element_meta(codes: Iterable[str]) -> dict[str, ElementMeta]:
    """Metadata of the referenced elements: aggregation, cells, categories, native period types."""
    from reporting.models import CategoryComboCategory, CategoryOptionCombo, DataElement, SectionElement

    elements = list(DataElement.objects.filter(code__in=set(codes)))
    combo_ids = {e.category_combo_id for e in elements}
    cells: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for pk, combo_id, key in CategoryOptionCombo.objects.filter(combo_id__in=combo_ids).values_list(
        "pk", "combo_id", "key"
    ):
        cells[combo_id].append((pk, key))
    categories: dict[int, set[str]] = defaultdict(set)
    for combo_id, code in CategoryComboCategory.objects.filter(combo_id__in=combo_ids).values_list(
        "combo_id", "category__code"
    ):
        categories[combo_id].add(code)
    native: dict[int, set[str]] = defaultdict(set)
    for element_id, period_type in (
        SectionElement.objects.filter(element__in=elements, dataset_version__published_at__isnull=False)
        .values_list("element_id", "dataset_version__dataset__period_type")
        .distinct()
    ):
        native[element_id].add(period_type)
    return {
        e.code: ElementMeta(
            e.pk,
            e.code,
            e.name,
            e.aggregation,
            e.unit,
            tuple(cells[e.category_combo_id]),
            frozenset(categories[e.category_combo_id]),
            frozenset(native[e.pk]),
        )  # fmt: skip
        for e in elements
    }


# --- Periods ---------------------------------------------------------------------------------------------


def period_codes(period_type: str, first: str, last: str) -> tuple[str, ...]:
    """The codes of every period of `period_type` from the one containing `first` to the one containing `last`."""
    start, end = periods.parse_code(first), periods.parse_code(last)
    if start.start > end.start:
        start, end = end, start
    result = []
    spec = periods.spec_containing(period_type, start.start)
    while spec.start <= end.end and len(result) <= MAX_PERIODS:
        result.append(spec.code)
        spec = periods.spec_containing(period_type, spec.end + dt.timedelta(days=1))
    return tuple(result)


def _plan(meta: ElementMeta, spec: periods.PeriodSpec) -> list[periods.PeriodSpec]:
    """The stored periods that make up `spec` for one element: itself when reported at that length,
    else the periods of the longest shorter type it is reported at; [] when it cannot be computed."""
    if spec.period_type in meta.native:
        return [spec]
    finer = [t for t in PERIOD_ORDER[: PERIOD_ORDER.index(spec.period_type)] if t in meta.native]
    if not finer or meta.aggregation == Aggregation.NONE:
        return []
    return periods.children_specs(spec, finer[-1])


# --- Resolving a query ---------------------------------------------------------------------------------


@dataclass
class _Plan:
    query: Query
    measure: Measure
    root: OrgInfo
    history: TreeHistory
    meta: dict[str, ElementMeta]
    specs: list[periods.PeriodSpec]
    options: list[tuple[str, str]]  # ("", "") when not disaggregated
    subs: dict[tuple[str, str], list[periods.PeriodSpec]]  # (element code, period code) -> stored periods
    period_ids: dict[str, int]
    scope_paths: tuple[str, ...]

    @property
    def stored_codes(self) -> set[str]:
        return {s.code for subs in self.subs.values() for s in subs}

    def cells(self, ref: Ref, option: str) -> list[int]:
        wanted = set(ref.options) | ({option} if option else set())
        return [pk for pk, key in self.meta[ref.element].combos if wanted.issubset(key.split(".") if key else ())]

    def visible(self, org_id: int) -> bool:
        path = self.history.info(org_id).path
        return any(path.startswith(p) for p in self.scope_paths)


def _root_for(user, org_id: int | None) -> tuple[int, tuple[str, ...]]:
    paths = granted_paths(user, Action.VIEW)
    if not paths:
        raise Http404
    from orgs.models import Organisation

    if org_id is None:
        found = Organisation.objects.filter(path=paths[0]).values_list("pk", flat=True).first()
        if found is None:
            raise Http404
        return found, paths
    path = Organisation.objects.filter(pk=org_id).values_list("path", flat=True).first()
    if path is None or not any(path.startswith(p) for p in paths):
        raise Http404
    return org_id, paths


def _resolve(user, query: Query) -> _Plan:
    if query.level not in Level.values:
        raise UserError(_("不支持的汇总层级“%(level)s”。") % {"level": query.level}, field="level")
    if not query.periods:
        raise UserError(_("请至少选择一个报告期。"), field="periods")
    if len(query.periods) > MAX_PERIODS:
        raise UserError(_("一次最多查询 %(n)d 个报告期。") % {"n": MAX_PERIODS}, field="periods")
    root_id, paths = _root_for(user, query.org)
    measure = measure_for(query.measure)
    refs = _refs(measure)
    meta = element_meta(r.element for r in refs)
    for ref in refs:
        if ref.element not in meta:
            raise UserError(_("指标引用的数据元“%(code)s”不存在。") % {"code": ref.element}, field="measure")
    specs = []
    for code in query.periods:
        spec = periods.parse_code(code)
        if spec not in specs:
            specs.append(spec)
    options: list[tuple[str, str]] = [("", "")]
    if query.by_category:
        from reporting.models import CategoryOption

        for ref in refs:
            if query.by_category not in meta[ref.element].categories:
                raise UserError(
                    _("“%(name)s”没有按该分类填报，不能按此分列。") % {"name": meta[ref.element].name},
                    field="by_category",
                )
        options = list(
            CategoryOption.objects.filter(category__code=query.by_category)
            .order_by("sort_order", "id")
            .values_list("code", "name")
        )
    if query.region is not None and (len(query.region) != 6 or not query.region.isdigit()):
        raise UserError(_("州市代码应为 6 位数字。"), field="region")
    subs = {(ref.element, spec.code): _plan(meta[ref.element], spec) for ref in refs for spec in specs}
    from reporting.models import Period

    codes = {s.code for v in subs.values() for s in v}
    period_ids = dict(Period.objects.filter(code__in=codes).values_list("code", "pk"))
    history = TreeHistory(preload=query.include_submitted or query.restate or query.level == Level.REPORTING
                          or query.region is not None)  # fmt: skip
    return _Plan(query, measure, history.info(root_id), history, meta, specs, options, subs, period_ids, paths)


# --- Collecting sums: two sources, one shape -------------------------------------------------------------
# sums[group][period code][(element id, option combo id)] = (total, count)

Sums = dict[str, dict[str, dict[tuple[int, int], tuple[Decimal, int]]]]


def _add(target: dict, key, total: Decimal, count: int) -> None:
    old = target.get(key)
    target[key] = (total, count) if old is None else (old[0] + total, old[1] + count)


def _uses_aggregates(plan: _Plan) -> bool:
    q = plan.query
    if q.include_submitted or q.restate or q.region is not None:
        return False
    if q.level in (Level.SELF, Level.CHILDREN):
        return True
    return q.level in (Level.UNION, Level.ENTERPRISE, Level.PREFECTURE) and plan.root.depth == 1


def _raw_group(plan: _Plan, lineage: list[int], reporting: OrgInfo) -> str | None:
    root = plan.root.id
    if root not in lineage:
        return None
    below = lineage[lineage.index(root) :]
    level = plan.query.level
    if level == Level.SELF:
        return f"org:{root}"
    if level == Level.CHILDREN:
        return f"org:{below[1]}" if len(below) > 1 else f"own:{root}"
    if level == Level.PREFECTURE:
        return f"region:{prefecture_of(reporting.region_id)}"
    if level == Level.REPORTING:
        return f"org:{reporting.id}"
    kind = OrgKind.UNION if level == Level.UNION else OrgKind.ENTERPRISE
    for node in below:
        if plan.history.info(node).kind == kind:
            return f"org:{node}"
    return "none"


def _collect_raw(plan: _Plan) -> tuple[Sums, dt.datetime | None]:
    """Straight from the reports' values: any level, submitted data, today's tree."""
    from reporting.models import DataValue

    q = plan.query
    element_ids = [m.id for m in plan.meta.values()]
    statuses = SUBMITTED_STATUSES if q.include_submitted else ACCEPTED_STATUSES
    rows = (
        DataValue.objects.filter(
            report__period_id__in=list(plan.period_ids.values()),
            report__status__in=statuses,
            element_id__in=element_ids,
            number__isnull=False,
        )
        .order_by()
        .values_list(
            "report__org_id",
            "report__period__code",
            "report__period__end",
            "element_id",
            "option_combo_id",
            "number",
            "report__accepted_at",
            "report__updated_at",
        )  # fmt: skip
    )
    sums: Sums = defaultdict(lambda: defaultdict(dict))
    as_of = None
    groups: dict[tuple[int, str], str | None] = {}
    for org_id, period_code, period_end, element_id, combo_id, number, accepted_at, updated_at in rows.iterator(
        chunk_size=5000
    ):
        key = (org_id, period_code)
        if key not in groups:
            info = plan.history.info(org_id)
            if q.region is not None and prefecture_of(info.region_id) != q.region:
                groups[key] = None
            else:
                lineage = plan.history.today_lineage(org_id) if q.restate else plan.history.lineage(org_id, period_end)
                groups[key] = _raw_group(plan, lineage, info)
        group = groups[key]
        if group is None:
            continue
        _add(sums[group][period_code], (element_id, combo_id), number, 1)
        _add(sums["total"][period_code], (element_id, combo_id), number, 1)
        stamp = accepted_at or updated_at
        if stamp is not None and (as_of is None or stamp > as_of):
            as_of = stamp
    return sums, as_of


def _collect_aggregates(plan: _Plan) -> tuple[Sums, dt.datetime | None]:
    """From the aggregate tables (accepted data, the tree as it stood in each period)."""
    q = plan.query
    root = plan.root.id
    filters = Q(period_id__in=list(plan.period_ids.values()), element_id__in=[m.id for m in plan.meta.values()])
    code_of = {pk: code for code, pk in plan.period_ids.items()}
    sums: Sums = defaultdict(lambda: defaultdict(dict))
    as_of = None

    def take(rows, group_of) -> None:
        nonlocal as_of
        for key, period_id, element_id, combo_id, total, count, updated_at in rows:
            _add(sums[group_of(key)][code_of[period_id]], (element_id, combo_id), total, count)
            if as_of is None or updated_at > as_of:
                as_of = updated_at

    fields = ("period_id", "element_id", "option_combo_id", "total", "count", "updated_at")
    take(
        NodeAggregate.objects.filter(filters, org_id=root).order_by().values_list("org_id", *fields), lambda k: "total"
    )
    if q.level == Level.SELF:
        sums[f"org:{root}"] = sums["total"]
        return sums, as_of
    if q.level == Level.PREFECTURE:
        take(RegionAggregate.objects.filter(filters).order_by().values_list("region", *fields), lambda k: f"region:{k}")
        return sums, as_of
    if q.level == Level.CHILDREN:
        groups = NodeAggregate.objects.filter(filters, parent_id=root)
        rest = f"own:{root}"
    elif q.level == Level.UNION:
        groups = NodeAggregate.objects.filter(filters, org__kind=OrgKind.UNION)
        rest = "none"
    else:
        groups = NodeAggregate.objects.filter(filters, org__kind=OrgKind.ENTERPRISE).exclude(
            parent__kind=OrgKind.ENTERPRISE
        )
        rest = "none"
    take(groups.order_by().values_list("org_id", *fields), lambda k: f"org:{k}")
    # What the groups do not cover: the root's own report, or organisations under no union / enterprise.
    for period_code, cells in sums["total"].items():
        for cell, (total, count) in cells.items():
            covered_total, covered_count = Decimal(0), 0
            for group, by_period in sums.items():
                if group.startswith("org:") and cell in by_period.get(period_code, {}):
                    covered_total += by_period[period_code][cell][0]
                    covered_count += by_period[period_code][cell][1]
            if count - covered_count > 0:
                sums[rest][period_code][cell] = (total - covered_total, count - covered_count)
    return sums, as_of


# --- Evaluating -----------------------------------------------------------------------------------------


def _quantize(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_value(value: Decimal | None, unit: str, decimals: int) -> str:
    """A figure as users read it: 13.71%, 730.75万人, 1,234 个."""
    if value is None:
        return "—"
    if unit == "%":
        return percent(value, decimals)
    text = wan(value, 2 if abs(value) >= 10000 else decimals)
    return f"{text}{unit}" if unit and unit not in ("是/否",) else text


def _value_of(plan: _Plan, by_period: dict[str, dict], spec: periods.PeriodSpec, option: str):
    """(numerator, denominator, value) of the measure over one group's sums; None when no data at all."""
    seen = False

    def stored(ref: Ref, code: str) -> Decimal | None:
        cells = by_period.get(code)
        if not cells:
            return None
        found = [
            cells[(plan.meta[ref.element].id, c)]
            for c in plan.cells(ref, option)
            if (plan.meta[ref.element].id, c) in cells
        ]
        return sum((f[0] for f in found), Decimal(0)) if found else None

    def resolve(ref: Ref) -> Decimal | None:
        nonlocal seen
        subs = plan.subs[(ref.element, spec.code)]
        values = [stored(ref, s.code) for s in subs]
        present = [v for v in values if v is not None]
        if not present:
            return None
        seen = True
        if len(subs) == 1:
            return present[0]
        aggregation = plan.meta[ref.element].aggregation
        if aggregation == Aggregation.LAST:
            return present[-1]
        if aggregation == Aggregation.AVERAGE:
            return sum(present, Decimal(0)) / len(present)
        return sum(present, Decimal(0))

    measure = plan.measure
    numerator = expressions.evaluate(measure.numerator, resolve)
    denominator = expressions.evaluate(measure.denominator, resolve) if measure.denominator is not None else None
    if not seen:
        return None
    if measure.denominator is None:
        value = None if numerator is None else numerator * measure.factor
    elif numerator is None or not denominator:
        value = None
    else:
        value = numerator / denominator * measure.factor
    if value is not None:
        value = _quantize(value, measure.decimals)
    return numerator, denominator, value


def _group_label(plan: _Plan, group: str, region_names: dict[str, str]) -> tuple[int | None, str, str, bool]:
    kind, _sep, key = group.partition(":")
    if kind in ("org", "own"):
        info = plan.history.info(int(key))
        name = info.name if kind == "org" else _("%(name)s（本级）") % {"name": info.name}
        return info.id, info.code, name, kind == "org" and info.numchild > 0
    if kind == "region":
        return None, key, region_names.get(key, key) if key else _("未设置州市"), False
    if kind == "other":
        return None, "", _("已调出本范围的机构"), False
    if kind == "none":
        label = _("无上级产业工会（直报产改办）") if plan.query.level == Level.UNION else _("其他（不属于企业）")
        return None, "", label, False
    return plan.root.id, plan.root.code, plan.root.name, plan.root.numchild > 0


def answer(user, query: Query) -> Answer:
    """The figures of `query` for `user`, within their scope (see the module docstring)."""
    plan = _resolve(user, query)
    use_aggregates = _uses_aggregates(plan)
    sums, as_of = _collect_aggregates(plan) if use_aggregates else _collect_raw(plan)
    if query.level == Level.SELF and not use_aggregates:
        sums[f"org:{plan.root.id}"] = sums["total"]

    plan.history.preload(int(g.partition(":")[2]) for g in sums if g.startswith(("org:", "own:")))
    # Organisations outside the user's scope today (moved away since) are shown only as one merged row.
    merged: Sums = defaultdict(lambda: defaultdict(dict))
    for group, by_period in sums.items():
        target = group
        if group.startswith("org:") and group != "total" and not plan.visible(int(group[4:])):
            target = "other"
        for code, cells in by_period.items():
            for cell, (total, count) in cells.items():
                _add(merged[target][code], cell, total, count)

    from orgs.models import Region

    region_names = dict(Region.objects.filter(code__endswith="00").values_list("code", "name"))
    rows: list[Figure] = []
    totals: list[Figure] = []
    groups = sorted((g for g in merged if g != "total"), key=lambda g: _sort_key(plan, g))
    for spec in plan.specs:
        for option, option_label in plan.options:
            for group in ["total", *groups]:
                result = _value_of(plan, merged[group], spec, option)
                if result is None:
                    continue
                numerator, denominator, value = result
                org_id, code, name, has_children = _group_label(plan, group, region_names)
                figure = Figure(
                    group=group, org_id=org_id, org_code=code, org_name=name, period=spec.code,
                    period_label=spec.label, option=option, option_label=option_label,
                    numerator=numerator, denominator=denominator, value=value,
                    display=format_value(value, plan.measure.unit, plan.measure.decimals), has_children=has_children,
                )  # fmt: skip
                (totals if group == "total" else rows).append(figure)
    notes = []
    if any(not subs for subs in plan.subs.values()):
        notes.append(_("部分报告期没有按该周期填报的数据，无法计算。"))
    if query.include_submitted:
        notes.append(_("含已提交、尚未验收的数据。"))
    if query.restate:
        notes.append(_("按当前隶属关系重新汇总。"))
    return Answer(
        query=query, measure=query.measure, label=plan.measure.label, unit=plan.measure.unit,
        decimals=plan.measure.decimals, is_rate=plan.measure.is_rate, scope=plan.measure.scope,
        source=plan.measure.source, root_id=plan.root.id, root_name=plan.root.name,
        periods=[(s.code, s.label) for s in plan.specs], options=[o for o in plan.options if o[0]],
        rows=rows, totals=totals, as_of=as_of, engine="aggregate" if use_aggregates else "raw", notes=notes,
    )  # fmt: skip


def _sort_key(plan: _Plan, group: str) -> tuple:
    kind, _sep, key = group.partition(":")
    if kind in ("org", "own"):
        return (0 if kind == "org" else 1, plan.history.info(int(key)).path)
    if kind == "region":
        return (0, key or "~")
    return (2, kind)


# --- Growth and year-on-year ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One figure against its base: the same group and option in the baseline period (or a year earlier).

    Rates change in percentage points (百分点); amounts grow in percent of the base.
    """

    group: str
    org_name: str
    option: str
    period: str
    base_period: str
    value: Decimal | None
    base_value: Decimal | None
    change: Decimal | None
    display: str


def compare(user, query: Query, *, baseline: str | None = None) -> list[Change]:
    """Each figure of `query` (rows and totals) against `baseline` (a period code, e.g. "2015" for the end
    of the 12th five-year plan) or, without one, against the same period a year earlier."""
    current = answer(user, query)
    base_of = {
        code: periods.parse_code(baseline).code
        if baseline
        else periods.same_period_last_year(periods.parse_code(code)).code
        for code, _label in current.periods
    }
    base = answer(user, replace(query, periods=tuple(dict.fromkeys(base_of.values()))))
    base_values = {(f.group, f.option, f.period): f.value for f in base.rows + base.totals}
    changes = []
    for figure in current.totals + current.rows:
        base_period = base_of[figure.period]
        base_value = base_values.get((figure.group, figure.option, base_period))
        change, display = None, "—"
        if figure.value is not None and base_value is not None:
            if current.is_rate:
                change = figure.value - base_value
                display = _("%(sign)s%(n)s个百分点") % {"sign": "+" if change >= 0 else "", "n": _quantize(change, 2)}
            elif base_value:
                change = _quantize((figure.value - base_value) / base_value * 100, 2)
                display = ("+" if change >= 0 else "") + percent(change)
        changes.append(
            Change(
                figure.group,
                figure.org_name,
                figure.option,
                figure.period,
                base_period,
                figure.value,
                base_value,
                change,
                display,
            )  # fmt: skip
        )
    return changes


# --- Drill-through ---------------------------------------------------------------------------------------


def drill_through(
    user, measure: str, org: int, period: str, *, own: bool = False, region: str | None = None, option: str = ""
) -> DrillThrough:
    """The accepted reports behind one figure (an organisation's subtree, or its own report with
    `own`, or a prefecture with `region`) and each one's values for the measure's references.
    Only reports the user may see are listed."""
    from reporting.models import DataValue, Report

    plan = _resolve(user, Query(measure=measure, org=org, periods=(period,), by_category=None))
    spec = plan.specs[0]
    stored_ids = [
        plan.period_ids[s.code] for s in {s for v in plan.subs.values() for s in v} if s.code in plan.period_ids
    ]
    accepted = AcceptedReport.objects.filter(period_id__in=stored_ids)
    if region is not None:
        accepted = accepted.filter(region=region)
    if own:
        accepted = accepted.filter(org_id=plan.root.id)
    elif region is None:
        accepted = accepted.filter(
            pk__in=RollupEdge.objects.filter(node_id=plan.root.id, period_id__in=stored_ids).values("accepted_id")
        )
    reports = list(
        Report.objects.visible_to(user)
        .filter(pk__in=accepted.values("report_id"))
        .select_related("org", "period")
        .order_by("org__path", "period__start")[:2000]
    )
    refs = sorted({str(r): r for r in _refs(plan.measure)}.items())
    values: dict[int, dict[tuple[int, int], Decimal]] = defaultdict(dict)
    for report_id, element_id, combo_id, number in DataValue.objects.filter(
        report__in=reports, element_id__in=[m.id for m in plan.meta.values()], number__isnull=False
    ).values_list("report_id", "element_id", "option_combo_id", "number"):
        values[report_id][(element_id, combo_id)] = number
    rows = []
    for report in reports:
        cells = {k: (v, 1) for k, v in values[report.pk].items()}
        own_plan = replace(
            plan,
            subs={key: [s for s in subs if s.code == report.period.code] or subs for key, subs in plan.subs.items()},
        )
        result = _value_of(own_plan, {report.period.code: cells}, spec, option)
        numerator, denominator, value = result if result else (None, None, None)
        ref_values = {}
        for text, ref in refs:
            found = [
                cells[(plan.meta[ref.element].id, c)][0]
                for c in plan.cells(ref, option)
                if (plan.meta[ref.element].id, c) in cells
            ]
            ref_values[text] = sum(found, Decimal(0)) if found else None
        rows.append(
            DrillRow(
                report_id=report.pk,
                org_id=report.org_id,
                org_code=report.org.code,
                org_name=report.org.name,
                period=report.period.code,
                period_label=report.period.label,
                status=report.status,
                accepted_at=report.accepted_at,
                values=ref_values,
                numerator=numerator,
                denominator=denominator,
                value=value,
                display=format_value(value, plan.measure.unit, plan.measure.decimals),
            )  # fmt: skip
        )
    return DrillThrough(
        measure=measure, label=plan.measure.label, unit=plan.measure.unit, scope=plan.measure.scope,
        period=spec.code, period_label=spec.label, references=[t for t, _r in refs], rows=rows,
    )  # fmt: skip


# --- Dashboard --------------------------------------------------------------------------------------------


def current_year(user=None) -> str:
    """The latest year with accepted yearly data, else last calendar year."""
    latest = AcceptedReport.objects.filter(period__period_type=PeriodType.YEAR).aggregate(latest=Max("period__start"))[
        "latest"
    ]
    year = latest.year if latest else timezone.localdate().year - 1
    return str(year)


def dashboard_tiles(user, *, org: int | None = None) -> Dashboard:
    """The leaders' dashboard for the user's own subtree and the current year; cached per user."""
    key = f"analytics:dashboard:{getattr(user, 'pk', 0)}:{org or 0}:{generation()}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    dashboard = _dashboard(user, org)
    cache.set(key, dashboard, DASHBOARD_TTL)
    return dashboard


def _dashboard(user, org: int | None) -> Dashboard:
    root_id, _paths = _root_for(user, org)
    year = current_year(user)
    years = tuple(str(int(year) - k) for k in range(4, -1, -1))
    tiles = []
    as_of = None
    from orgs.models import Organisation

    root = Organisation.objects.get(pk=root_id)  # already checked by _root_for
    level = Level.ENTERPRISE if root.kind != OrgKind.ENTERPRISE else Level.CHILDREN
    for indicator in Indicator.objects.filter(is_active=True, is_key=True).order_by("sort_order", "code"):
        measure = f"indicator:{indicator.code}"
        trend_answer = answer(user, Query(measure=measure, org=root_id, periods=years))
        by_period = {f.period: f for f in trend_answer.totals}
        current = by_period.get(year)
        ranking = answer(user, Query(measure=measure, org=root_id, level=level, periods=(year,)))
        ranked = [f for f in ranking.rows if f.value is not None and f.group.startswith("org:")]
        ranked.sort(key=lambda f: f.value, reverse=not indicator.higher_is_better)
        target = (
            IndicatorTarget.objects.filter(indicator=indicator, year=int(year))
            .filter(Q(org_id=root_id) | Q(org__isnull=True))
            .order_by("org_id")
            .first()
        )
        value = current.value if current else None
        met = None
        if target is not None and value is not None:
            met = value >= target.value if indicator.higher_is_better else value <= target.value
        tiles.append(
            Tile(
                indicator=indicator.code,
                label=indicator.name,
                task=indicator.get_task_display(),
                unit=indicator.unit,
                scope=indicator.scope,
                value=value,
                display=current.display if current else "—",
                target=target.value if target else None,
                target_display=format_value(target.value, indicator.unit, indicator.decimals) if target else "—",
                target_met=met,
                trend=[(y, by_period[y].value if y in by_period else None) for y in years],
                weakest=[(f.org_id, f.org_name, f.value, f.display) for f in ranked[:10]],
            )  # fmt: skip
        )
        for stamp in (trend_answer.as_of, ranking.as_of):
            if stamp is not None and (as_of is None or stamp > as_of):
                as_of = stamp
    spec = periods.parse_code(year)
    return Dashboard(
        root_id=root_id, root_name=root.name, period=year, period_label=spec.label, as_of=as_of, tiles=tiles,
        completeness=_completeness(user, year),
    )  # fmt: skip


def _completeness(user, year: str) -> Completeness | None:
    from reporting import queries
    from reporting.models import DataSet, Period

    dataset = DataSet.objects.filter(code="WF_Y").first()
    period = Period.objects.filter(code=year).first()
    if dataset is None or period is None:
        return None
    rows = queries.reports_due(dataset=dataset, period=period, user=user)
    expected = len(rows)
    reported = sum(1 for r in rows if r.reported)
    accepted = sum(1 for r in rows if r.report is not None and r.report.status in ACCEPTED_STATUSES)
    share = _quantize(Decimal(reported) * 100 / expected, 2) if expected else Decimal("0.00")
    return Completeness(dataset.name, year, period.label, expected, reported, accepted, share)


# Exported for the pages: the evaluation helpers users of Answer may need.
__all__ = [
    "Answer", "Change", "Completeness", "Dashboard", "DrillRow", "DrillThrough", "Figure", "Level", "Query", "Tile",
    "compare", "answer", "dashboard_tiles", "drill_through", "format_value", "measure_for", "period_codes",
    "current_year",
]  # fmt: skip
