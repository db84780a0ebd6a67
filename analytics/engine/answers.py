"""Answering a query: resolve it, collect sums (aggregate tables or raw values), evaluate each figure."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from analytics import sources
from analytics.aggregates import ACCEPTED_STATUSES, OrgInfo, TreeHistory, prefecture_of
from analytics.choices import Level
from analytics.engine.coverage import coverage
from analytics.engine.measures import (
    MAX_PERIODS,
    ElementMeta,
    Measure,
    Metadata,
    _plan,
    _quantize,
    _refs,
    format_value,
)  # fmt: skip
from analytics.engine.scope import OutOfScope, Scope
from analytics.models import AcceptedReport, NodeAggregate, RegionAggregate, RollupEdge
from core.errors import UserError
from orgs.choices import OrgKind
from orgs.scoping import in_subtree
from reporting import expressions, periods
from reporting.choices import Aggregation, ReportStatus
from reporting.expressions import Ref

SUBMITTED_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.APPROVED, *ACCEPTED_STATUSES)

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
    # No accepted report of this group collected the measure's inputs for the period (the form does not
    # ask them, or nobody gave them): value None and display 无数据, unlike a collected 0.
    no_data: bool = False
    # Coverage (engine/coverage.py): the group's organisations with an accepted report for the period, of
    # those due; None when the period is not collected at its own length (rolled up from shorter ones).
    accepted: int | None = None
    due: int | None = None

    @property
    def has_coverage(self) -> bool:
        return self.due is not None

    @property
    def partial(self) -> bool:
        """Fewer reports accepted than due: the figure covers part of the group only."""
        return self.due is not None and (self.accepted or 0) < self.due

    @property
    def coverage_label(self) -> str:
        if self.due is None:
            return ""
        return _("已验收 %(accepted)d/%(due)d 家") % {"accepted": self.accepted or 0, "due": self.due}


NO_DATA = _lazy("无数据")


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
    root_id: int | None  # None: several disjoint subtrees (a department viewer's assigned enterprises)
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
    # Several disjoint subtrees answered together (the default view of a user whose scope has several
    # tops, e.g. a department viewer's assigned enterprises); `root` is then a stand-in naming them all.
    roots: tuple[OrgInfo, ...] = ()
    metadata: Metadata | None = None
    _cells: dict[tuple[Ref, str], list[int]] = field(default_factory=dict, repr=False)

    @property
    def stored_codes(self) -> set[str]:
        return {s.code for subs in self.subs.values() for s in subs}

    def cells(self, ref: Ref, option: str) -> list[int]:
        found = self._cells.get((ref, option))
        if found is None:
            wanted = set(ref.options) | ({option} if option else set())
            found = [pk for pk, key in self.meta[ref.element].combos if wanted.issubset(key.split(".") if key else ())]
            self._cells[(ref, option)] = found
        return found

    def visible(self, org_id: int) -> bool:
        path = self.history.info(org_id).path
        return any(in_subtree(path, p) for p in self.scope_paths)


def _roots_in(history: TreeHistory, scope: Scope, org_id: int | None) -> tuple[list[OrgInfo], tuple[str, ...]]:
    """The root (or, with no organisation chosen, every top of the scope) and the scope's paths;
    OutOfScope for an organisation outside the scope (or a scope with nothing in it)."""
    paths = scope.paths
    if not paths:
        raise OutOfScope("empty scope")
    if org_id is None:
        ids = history.load_paths(paths)
        if not ids:
            raise OutOfScope("empty scope")
        return [history.info(pk) for pk in ids], paths
    info = history.find(org_id)
    if info is None or not scope.covers(info.path):
        raise OutOfScope(org_id)
    return [info], paths


def scope_label(scope: Scope, count: int) -> str:
    """The name of a scope made of several subtrees."""
    return Scope.of(scope).label(count)


def scope_tops(scope: Scope) -> list[tuple[int, str]]:
    """(id, name) of each top of the scope, in tree order; more than one lets them pick."""
    paths = Scope.of(scope).paths
    if len(paths) < 2:
        return []
    from orgs.models import Organisation

    rows = Organisation.objects.filter(path__in=paths).order_by("path").values_list("pk", "short_name", "name")
    return [(pk, short or name) for pk, short, name in rows]


def _scope_root(scope: Scope, roots: tuple[OrgInfo, ...]) -> OrgInfo:
    return OrgInfo(0, "", scope.label(len(roots)), "", "", "", None, "", 0, len(roots))


def _resolve(scope: Scope, query: Query) -> _Plan:
    if query.level not in Level.values:
        raise UserError(_("不支持的汇总层级“%(level)s”。") % {"level": query.level}, field="level")
    if not query.periods:
        raise UserError(_("请至少选择一个报告期。"), field="periods")
    if len(query.periods) > MAX_PERIODS:
        raise UserError(_("一次最多查询 %(n)d 个报告期。") % {"n": MAX_PERIODS}, field="periods")
    history = TreeHistory(preload=query.include_submitted or query.restate or query.level == Level.REPORTING
                          or query.region is not None)  # fmt: skip
    found, paths = _roots_in(history, scope, query.org)
    metadata = Metadata()
    measure = metadata.measure(query.measure)
    refs = _refs(measure)
    meta = metadata.elements(r.element for r in refs)
    for ref in refs:
        if ref.element not in meta and sources.is_source_ref(ref):
            sources.from_ref(ref)  # raises, naming the reference
        if ref.element not in meta:
            raise UserError(_("指标引用的数据元“%(code)s”不存在。") % {"code": ref.element}, field="measure")
    specs = []
    for code in query.periods:
        spec = periods.parse_code(code)
        if spec not in specs:
            specs.append(spec)
    options: list[tuple[str, str]] = [("", "")]
    if query.by_category:
        for ref in refs:
            if query.by_category not in meta[ref.element].categories:
                raise UserError(
                    _("“%(name)s”没有按该分类填报，不能按此分列。") % {"name": meta[ref.element].name},
                    field="by_category",
                )
        options = metadata.options(query.by_category)
    if query.region is not None and (len(query.region) != 6 or not query.region.isdigit()):
        raise UserError(_("州市代码应为 6 位数字。"), field="region")
    subs = {(ref.element, spec.code): _plan(meta[ref.element], spec) for ref in refs for spec in specs}
    from reporting.models import Period

    codes = {s.code for v in subs.values() for s in v}
    period_ids = dict(Period.objects.filter(code__in=codes).values_list("code", "pk"))
    if len(found) == 1:
        root, roots = found[0], ()
    else:
        roots = tuple(found)
        root = _scope_root(scope, roots)
    return _Plan(query, measure, root, history, meta, specs, options, subs, period_ids, paths, roots, metadata)


# --- Collecting sums: two sources, one shape -------------------------------------------------------------
# sums[group][period code][(element id, option combo id)] = (total, count)

Sums = dict[str, dict[str, dict[tuple[int, int], tuple[Decimal, int]]]]


def _add(target: dict, key, total: Decimal, count: int) -> None:
    old = target.get(key)
    target[key] = (total, count) if old is None else (old[0] + total, old[1] + count)


_MAX_IDS = 5000  # longest id list written into a query; beyond it, a join


def _uses_aggregates(plan: _Plan) -> bool:
    q = plan.query
    if q.include_submitted or q.restate or q.region is not None:
        return False
    if q.level in (Level.SELF, Level.CHILDREN):
        return True
    if q.level == Level.PREFECTURE:
        return plan.root.depth == 1
    if q.level in (Level.UNION, Level.ENTERPRISE):
        return plan.root.depth == 1 or _groups_below(plan)
    return False


def _grouping_kind(level: str) -> str:
    return OrgKind.UNION if level == Level.UNION else OrgKind.ENTERPRISE


def _groups_below(plan: _Plan) -> bool:
    """Whether union / enterprise groups below a non-top root can be read from the aggregate tables: only
    when neither the root nor any organisation above it is of the grouping kind (then each group is the
    first such organisation below the root, as for the province)."""
    kind = _grouping_kind(plan.query.level)
    return all(plan.history.info(node).kind != kind for node in plan.history.today_lineage(plan.root.id))


def _raw_group(plan: _Plan, lineage: list[int], reporting: OrgInfo) -> str | None:
    level = plan.query.level
    if plan.roots:
        root = next((r.id for r in plan.roots if r.id in lineage), None)
        if root is None:
            return None
        if level in (Level.SELF, Level.CHILDREN):
            return f"org:{root}"  # each top of the scope is one row
    else:
        root = plan.root.id
        if root not in lineage:
            return None
    below = lineage[lineage.index(root) :]
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
        # Written in the same statements as the root's rows (each acceptance and reopening updates the
        # province's row and the prefecture's row of every cell together): no timestamps to read here.
        regions = RegionAggregate.objects.filter(filters).order_by().values_list("region", *fields[:-1])
        for region, period_id, element_id, combo_id, total, count in regions:
            _add(sums[f"region:{region}"][code_of[period_id]], (element_id, combo_id), total, count)
        return sums, as_of
    from orgs.models import Organisation

    if q.level == Level.CHILDREN:
        groups = NodeAggregate.objects.filter(filters, parent_id=root)
        rest = f"own:{root}"
    elif q.level == Level.UNION:
        # By id (a few dozen unions): the (org, period, element) index, not a scan of every node's rows.
        unions = list(Organisation.objects.filter(kind=OrgKind.UNION).values_list("pk", flat=True))
        groups = NodeAggregate.objects.filter(filters, org_id__in=unions)
        rest = "none"
    else:
        # The first enterprise down each branch: an enterprise whose parent in the period's tree is not one.
        # Asked by parent id (the few organisations of other kinds) so the (parent, period, element) index
        # serves it, instead of scanning every node's rows.
        others = Organisation.objects.exclude(kind=OrgKind.ENTERPRISE).values_list("pk", flat=True)
        parents = list(others[: _MAX_IDS + 1])
        above = Q(parent_id__in=parents) if len(parents) <= _MAX_IDS else ~Q(parent__kind=OrgKind.ENTERPRISE)
        groups = NodeAggregate.objects.filter(filters, above | Q(parent__isnull=True), org__kind=OrgKind.ENTERPRISE)
        rest = "none"
    # Every row below the root was written together with the root's own row (same acceptance, same
    # timestamp), so the root's rows already carry the latest change: no timestamps to read here.
    rows = groups.order_by().values_list("org_id", *fields[:-1])
    if q.level != Level.CHILDREN and plan.root.depth > 1:
        # Only the groups that lay under the root in each period's tree: the nodes below it in the stored
        # lineages of the reports that rolled up to it (one indexed lookup on the roll-up edges).
        period_ids = list(plan.period_ids.values())
        lineages = AcceptedReport.objects.filter(
            pk__in=RollupEdge.objects.filter(node_id=root, period_id__in=period_ids).values("accepted_id")
        ).values_list("lineage", "period_id")
        below: set[tuple[int, int]] = set()
        for lineage, period_id in lineages.order_by().iterator(chunk_size=5000):
            ids = [int(x) for x in lineage.strip("/").split("/")]
            below.update((node, period_id) for node in ids[ids.index(root) :])
        rows = [row for row in rows.filter(org_id__in={node for node, _period in below}) if (row[0], row[1]) in below]
    for org_id, period_id, element_id, combo_id, total, count in rows:
        _add(sums[f"org:{org_id}"][code_of[period_id]], (element_id, combo_id), total, count)
    # What the groups do not cover: the root's own report, or organisations under no union / enterprise.
    covered: dict[str, dict[tuple[int, int], tuple[Decimal, int]]] = defaultdict(dict)
    for group, by_period in sums.items():
        if group.startswith("org:"):
            for period_code, cells in by_period.items():
                for cell, (total, count) in cells.items():
                    _add(covered[period_code], cell, total, count)
    for period_code, cells in sums["total"].items():
        for cell, (total, count) in cells.items():
            covered_total, covered_count = covered[period_code].get(cell, (Decimal(0), 0))
            if count - covered_count > 0:
                sums[rest][period_code][cell] = (total - covered_total, count - covered_count)
    return sums, as_of


def _sub_level(level: str, root: OrgInfo) -> str:
    """The level one top of a several-subtree scope is asked at: itself when it is its own row."""
    if level in (Level.SELF, Level.CHILDREN):
        return Level.SELF
    if level in (Level.UNION, Level.ENTERPRISE) and root.kind == _grouping_kind(level):
        return Level.SELF
    return level


def _collect(plan: _Plan) -> tuple[Sums, dt.datetime | None, str]:
    """The sums of `plan` from the aggregate tables where they can answer it, else from raw values; and
    which source answered. Several subtrees are asked one by one from the aggregates (disjoint, so their
    sums add up) or together in one pass over the raw values."""
    if not plan.roots:
        if _uses_aggregates(plan):
            return *_collect_aggregates(plan), "aggregate"
        return *_collect_raw(plan), "raw"
    parts = [
        replace(
            plan, root=root, roots=(), query=replace(plan.query, org=root.id, level=_sub_level(plan.query.level, root))
        )
        for root in plan.roots
    ]
    if not all(_uses_aggregates(part) for part in parts):
        return *_collect_raw(plan), "raw"
    sums: Sums = defaultdict(lambda: defaultdict(dict))
    as_of = None
    for part in parts:
        found, stamp = _collect_aggregates(part)
        if part.query.level == Level.SELF:
            found = {"total": found["total"], f"org:{part.root.id}": found["total"]}
        for group, by_period in found.items():
            for code, cells in by_period.items():
                for cell, (total, count) in cells.items():
                    _add(sums[group][code], cell, total, count)
        if stamp is not None and (as_of is None or stamp > as_of):
            as_of = stamp
    return sums, as_of, "aggregate"


def _collect_sources(plan: _Plan, sums: Sums) -> None:
    """Add the figures of the registered sources the measure references (analytics.sources) to `sums`:
    each organisation's figure for a period goes to the group its lineage at the period's end gives (today's
    lineage when restated), exactly as a report of that period would roll up."""
    metas = [meta for meta in plan.meta.values() if meta.id < 0]
    if not metas:
        return
    q = plan.query
    plan.history.load_all()
    for meta in metas:
        source = sources.get(meta.code.partition(".")[2])
        if source is None:
            continue
        cell = (meta.id, 0)
        specs = {s for (code, _c), subs in plan.subs.items() if code == meta.code for s in subs}
        for spec in sorted(specs, key=lambda s: (s.start, s.end)):
            for org_id, value in sources.values(source, spec).items():
                info = plan.history.find(org_id)
                if info is None or (q.region is not None and prefecture_of(info.region_id) != q.region):
                    continue
                lineage = plan.history.today_lineage(org_id) if q.restate else plan.history.lineage(org_id, spec.end)
                group = _raw_group(plan, lineage, info)
                if group is None:
                    continue
                _add(sums[group][spec.code], cell, value, 1)
                if sums[group] is not sums["total"]:  # a one-row answer may file its row as the total itself
                    _add(sums["total"][spec.code], cell, value, 1)


# --- Evaluating -----------------------------------------------------------------------------------------


def _value_of(plan: _Plan, by_period: dict[str, dict], spec: periods.PeriodSpec, option: str):
    """(numerator, denominator, value) of the measure over one group's sums; None when no data at all.

    A side (numerator or denominator) none of whose references holds a single accepted value was not
    collected (the period's form does not ask it, or no report gave it): that side is None and so is the
    value, never a 0 computed from nothing. A reference reported as 0 is collected and counts as 0."""
    seen = False
    side_seen = False

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
        nonlocal seen, side_seen
        subs = plan.subs[(ref.element, spec.code)]
        values = [stored(ref, s.code) for s in subs]
        present = [v for v in values if v is not None]
        if not present:
            # A registered source (#{SRC.…}) counts records: having none is a collected 0, not missing data.
            side_seen = side_seen or plan.meta[ref.element].id < 0
            return None
        seen = side_seen = True
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
    if not side_seen:
        numerator = None
    denominator = None
    if measure.denominator is not None:
        side_seen = False
        denominator = expressions.evaluate(measure.denominator, resolve)
        if not side_seen:
            denominator = None
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
    if plan.roots:
        return None, "", plan.root.name, False
    return plan.root.id, plan.root.code, plan.root.name, plan.root.numchild > 0


def answer(scope: Scope, query: Query) -> Answer:
    """The figures of `query` within `scope` (see the module docstring); OutOfScope for an organisation
    outside it, UserError for a bad query."""
    plan = _resolve(Scope.of(scope), query)
    sums, as_of, source = _collect(plan)
    _collect_sources(plan, sums)
    return _answer_from(plan, sums, as_of, engine=source)


def _merge_hidden(plan: _Plan, sums: Sums) -> Sums:
    """The sums with organisations outside the user's scope today (moved away since) merged into one
    "other" group, so their names never appear."""
    if plan.query.level == Level.SELF and not plan.roots:
        sums[f"org:{plan.root.id}"] = sums["total"]
    plan.history.preload(int(g.partition(":")[2]) for g in sums if g.startswith(("org:", "own:")))
    hidden = [g for g in sums if g.startswith("org:") and not plan.visible(int(g[4:]))]
    if not hidden:
        return sums
    merged: Sums = defaultdict(lambda: defaultdict(dict))
    for group, by_period in sums.items():
        if group not in hidden:
            merged[group] = by_period
    for group in hidden:
        for code, cells in sums[group].items():
            for cell, (total, count) in cells.items():
                _add(merged["other"][code], cell, total, count)
    return merged


def _answer_from(plan: _Plan, sums: Sums, as_of: dt.datetime | None, *, engine: str, premerged: bool = False) -> Answer:
    """Evaluate the measure of `plan` over collected sums (which may hold cells of other measures too);
    `premerged` when they went through _merge_hidden already."""
    query = plan.query
    merged = sums if premerged else _merge_hidden(plan, sums)

    region_names: dict[str, str] = {}
    if any(g.startswith("region:") for g in merged):
        region_names = (plan.metadata or Metadata()).region_names()
    rows: list[Figure] = []
    totals: list[Figure] = []
    covered = coverage(plan)
    groups = sorted((g for g in merged if g != "total"), key=lambda g: _sort_key(plan, g))
    for spec in plan.specs:
        for option, option_label in plan.options:
            for group in ["total", *groups]:
                result = _value_of(plan, merged[group], spec, option)
                if result is None:
                    continue
                numerator, denominator, value = result
                no_data = numerator is None or (plan.measure.is_rate and denominator is None)
                org_id, code, name, has_children = _group_label(plan, group, region_names)
                display = str(NO_DATA) if no_data else format_value(value, plan.measure.unit, plan.measure.decimals)
                accepted, due = covered.get((group, spec.code), (None, None))
                figure = Figure(
                    group=group, org_id=org_id, org_code=code, org_name=name, period=spec.code,
                    period_label=spec.label, option=option, option_label=option_label,
                    numerator=numerator, denominator=denominator, value=value,
                    display=display, has_children=has_children, no_data=no_data, accepted=accepted, due=due,
                )  # fmt: skip
                (totals if group == "total" else rows).append(figure)
    notes = []
    if any(not subs for subs in plan.subs.values()):
        notes.append(_("部分报告期没有按该周期填报的数据，无法计算。"))
    if any(f.no_data for f in (*rows, *totals)):
        notes.append(
            _("“无数据”：该报告期的报表没有采集这项数据（如季报简表不含持证、学历），或没有单位填报，不是 0。")
        )
    if query.include_submitted:
        notes.append(_("含已提交、尚未验收的数据。"))
    if query.restate:
        notes.append(_("按当前隶属关系重新汇总。"))
    return Answer(
        query=query, measure=query.measure, label=plan.measure.label, unit=plan.measure.unit,
        decimals=plan.measure.decimals, is_rate=plan.measure.is_rate, scope=plan.measure.scope,
        source=plan.measure.source, root_id=None if plan.roots else plan.root.id, root_name=plan.root.name,
        periods=[(s.code, s.label) for s in plan.specs], options=[o for o in plan.options if o[0]],
        rows=rows, totals=totals, as_of=as_of, engine=engine, notes=notes,
    )  # fmt: skip


def _sort_key(plan: _Plan, group: str) -> tuple:
    kind, _sep, key = group.partition(":")
    if kind in ("org", "own"):
        return (0 if kind == "org" else 1, plan.history.info(int(key)).path)
    if kind == "region":
        return (0, key or "~")
    return (2, kind)
