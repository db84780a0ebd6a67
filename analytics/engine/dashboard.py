"""The leaders' dashboard (驾驶舱): key indicators vs targets, trends, weakest enterprises, completeness.

Set-based: every key indicator's five-year trend comes from one read of the root's aggregate rows, every
indicator's ranking from one read of the enterprise (or child) rows for the current year, and the
completeness of the round from one counting query — the same collection and evaluation code as
`answer`, so a tile shows exactly what the pivot table shows for the same figure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.aggregates import ACCEPTED_STATUSES, OrgInfo, TreeHistory, data_version
from analytics.choices import Level
from analytics.engine.answers import (
    Answer,
    Query,
    _answer_from,
    _collect,
    _collect_sources,
    _merge_hidden,
    _Plan,
    _roots_in,
    _scope_root,
)
from analytics.engine.measures import (
    ElementMeta,
    Measure,
    _plan,
    _quantize,
    _refs,
    element_meta,
    format_value,
    indicator_measure,
)
from analytics.engine.scope import Scope
from analytics.models import AcceptedReport, Indicator, IndicatorTarget
from orgs.choices import OrgKind
from reporting import periods
from reporting.choices import PeriodType

DASHBOARD_TTL = 600


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
    # The ten weakest enterprises: for rates only ("weakest" means nothing for a count or a size); [] else.
    weakest: list[tuple[int, str, Decimal | None, str]]  # org id, name, value, display
    # Coverage of the current value and of each year of the trend: (accepted, due), None where unknown.
    coverage: tuple[int, int] | None = None
    trend_coverage: list[tuple[str, tuple[int, int] | None]] = field(default_factory=list)
    # For counts and sizes: the ten largest enterprises, in neutral words (规模最大), instead of weakest.
    largest: list[tuple[int, str, Decimal | None, str]] = field(default_factory=list)
    is_rate: bool = True
    decimals: int = 2  # the indicator's: its trend and exports are written with them


@dataclass(frozen=True)
class Target:
    """An indicator's target for one year, as it applies to one organisation."""

    year: str
    value: Decimal
    display: str
    org_id: int | None  # whose target it is: the organisation's own, or None for the province's
    owner: str  # 全省 or the organisation's name


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
    root_id: int | None  # None: several subtrees (a department viewer's assigned enterprises)
    root_name: str
    period: str
    period_label: str
    as_of: dt.datetime | None
    tiles: list[Tile]
    completeness: Completeness | None
    root_depth: int = 0  # 1 for the province; 0 for several subtrees


# --- Dashboard --------------------------------------------------------------------------------------------


def current_year(scope: Scope | None = None) -> str:
    """The latest year with accepted yearly data, else last calendar year."""
    from reporting.models import Period

    # A semi-join on the accepted reports' (period, region) index over the few yearly periods.
    latest = (
        Period.objects.filter(period_type=PeriodType.YEAR, pk__in=AcceptedReport.objects.values("period_id"))
        .order_by("-start")
        .values_list("start", flat=True)
        .first()
    )
    year = latest.year if latest else timezone.localdate().year - 1
    return str(year)


def data_years(scope: Scope, *, count: int = 5) -> list[str]:
    """The latest `count` years (newest first) with accepted yearly data within the scope: the years a
    dashboard may offer (a year with nothing accepted shows nothing but dashes)."""
    from reporting.models import Period

    accepted = Scope.of(scope).visible(AcceptedReport.objects.all(), "org__path")
    starts = (
        Period.objects.filter(period_type=PeriodType.YEAR, pk__in=accepted.values("period_id"))
        .order_by("-start")
        .values_list("start", flat=True)[:count]
    )
    return [str(start.year) for start in starts]


def dashboard_tiles(scope: Scope, *, org: int | None = None, year: str | None = None) -> Dashboard:
    """The leaders' dashboard for the scope (or `org` within it) and the current year (or `year`); cached per
    scope under the state of the accepted data it is computed from (aggregates.data_version: on a replica, the
    replica's own). OutOfScope for an organisation outside the scope."""
    scope = Scope.of(scope)
    key = f"analytics:dashboard:{scope.key}:{org or 0}:{year or ''}:{data_version()}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    dashboard = _dashboard(scope, org, year)
    cache.set(key, dashboard, DASHBOARD_TTL)
    return dashboard


def targets_for(measure: str, org_id: int | None, years) -> dict[str, Target]:
    """The targets of an indicator (`measure` "indicator:<CODE>") for those of `years` (yearly period codes)
    that have one: the organisation's own target where the office set one, else the province's. A data
    element, a period other than a year, or a scope of several subtrees (org_id None) take the province's."""
    kind, _sep, code = (measure or "").partition(":")
    wanted = [int(year) for year in years if len(year) == 4 and year.isdigit()]
    if kind != "indicator" or not wanted:
        return {}
    applies = Q(org__isnull=True) | (Q(org_id=org_id) if org_id is not None else Q(pk__in=[]))
    found = (
        IndicatorTarget.objects.filter(applies, indicator__code=code, indicator__is_active=True, year__in=wanted)
        .select_related("indicator", "org")
        .order_by("year")
    )
    result: dict[str, Target] = {}
    for target in sorted(found, key=lambda t: t.org_id is not None):  # an organisation's own target wins
        indicator = target.indicator
        result[str(target.year)] = Target(
            year=str(target.year),
            value=target.value,
            display=format_value(target.value, indicator.unit, indicator.decimals),
            org_id=target.org_id,
            owner=target.org.name if target.org_id else _("全省"),
        )
    return result


def _answers(
    root: OrgInfo,
    roots: tuple[OrgInfo, ...],
    history: TreeHistory,
    paths: tuple[str, ...],
    measures: list[Measure],
    meta: dict[str, ElementMeta],
    query: Query,
) -> list[Answer]:
    """The answers of `query` for each measure, from one collection of sums over all their elements."""
    from reporting.models import Period

    specs = [periods.parse_code(code) for code in query.periods]
    subs_of = [
        {(ref.element, spec.code): _plan(meta[ref.element], spec) for ref in _refs(measure) for spec in specs}
        for measure in measures
    ]
    codes = {s.code for subs in subs_of for stored in subs.values() for s in stored}
    period_ids = dict(Period.objects.filter(code__in=codes).values_list("code", "pk"))
    plans = [
        _Plan(
            _for_measure(query, measure),
            measure,
            root,
            history,
            meta,
            specs,
            [("", "")],
            subs,
            period_ids,
            paths,
            roots,
        )  # fmt: skip
        for measure, subs in zip(measures, subs_of, strict=True)
    ]
    if not plans:
        return []
    # One plan over every element and period asks the database once; each measure reads its own cells.
    every = replace(plans[0], subs={key: stored for plan in plans for key, stored in plan.subs.items()})
    sums, as_of, engine = _collect(every)
    _collect_sources(every, sums)
    sums = _merge_hidden(every, sums)
    return [_answer_from(plan, sums, as_of, engine=engine, premerged=True) for plan in plans]


def _for_measure(query: Query, measure: Measure) -> Query:
    return replace(query, measure=measure.ref)


def _dashboard(scope: Scope, org: int | None, year: str | None = None) -> Dashboard:
    history = TreeHistory()
    found, paths = _roots_in(history, scope, org)
    year = year or current_year(scope)
    years = tuple(str(int(year) - k) for k in range(4, -1, -1))
    if len(found) == 1:
        root, roots = found[0], ()
        root_id: int | None = root.id
        level = Level.ENTERPRISE if root.kind != OrgKind.ENTERPRISE else Level.CHILDREN
    else:
        # Several subtrees (a department viewer's assigned enterprises): all of them, each ranked as an
        # enterprise (an assigned enterprise is its own row), against the province's targets.
        roots = tuple(found)
        root, root_id, level = _scope_root(scope, roots), None, Level.ENTERPRISE
    indicators = list(Indicator.objects.filter(is_active=True, is_key=True).order_by("sort_order", "code"))
    measures = {indicator.pk: indicator_measure(indicator) for indicator in indicators}
    meta = element_meta(ref.element for measure in measures.values() for ref in _refs(measure))
    indicators = [i for i in indicators if all(ref.element in meta for ref in _refs(measures[i.pk]))]
    chosen = [measures[i.pk] for i in indicators]
    trends = _answers(root, roots, history, paths, chosen, meta, Query(measure="", org=root_id, periods=years))
    rankings = _answers(
        root, roots, history, paths, chosen, meta, Query(measure="", org=root_id, level=level, periods=(year,))
    )
    targets: dict[int, IndicatorTarget] = {}
    own = Q(org_id=root_id) if root_id is not None else Q(pk__in=[])
    found = IndicatorTarget.objects.filter(indicator__in=indicators, year=int(year)).filter(own | Q(org__isnull=True))
    for target in sorted(found, key=lambda t: t.org_id is not None):  # an organisation's own target wins
        targets[target.indicator_id] = target
    tiles = []
    as_of = None
    for indicator, trend_answer, ranking in zip(indicators, trends, rankings, strict=True):
        by_period = {f.period: f for f in trend_answer.totals}
        current = by_period.get(year)
        ranked = [f for f in ranking.rows if f.value is not None and f.group.startswith("org:")]
        is_rate = measures[indicator.pk].is_rate
        # Rates rank the weakest first; counts and sizes are not "weak" when small: the largest first.
        ranked.sort(key=lambda f: f.value, reverse=not indicator.higher_is_better if is_rate else True)
        listed = [(f.org_id, f.org_name, f.value, f.display) for f in ranked[:10]]
        target = targets.get(indicator.pk)
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
                weakest=listed if is_rate else [],
                coverage=_coverage_of(current),
                trend_coverage=[(y, _coverage_of(by_period.get(y))) for y in years],
                largest=[] if is_rate else listed,
                is_rate=is_rate,
                decimals=indicator.decimals,
            )  # fmt: skip
        )
        for stamp in (trend_answer.as_of, ranking.as_of):
            if stamp is not None and (as_of is None or stamp > as_of):
                as_of = stamp
    spec = periods.parse_code(year)
    return Dashboard(
        root_id=root_id, root_name=root.name, period=year, period_label=spec.label, as_of=as_of, tiles=tiles,
        completeness=_completeness(scope, year), root_depth=root.depth if root_id is not None else 0,
    )  # fmt: skip


def _coverage_of(figure) -> tuple[int, int] | None:
    return (figure.accepted or 0, figure.due) if figure is not None and figure.has_coverage else None


def _completeness(scope: Scope, year: str) -> Completeness | None:
    """Expected, reported (submitted at least once) and accepted yearly reports in the scope: one count over
    the organisations due (the same rule as reporting.queries.reports_due)."""
    from reporting import queries
    from reporting.models import DataSet, Period, Report

    dataset = DataSet.objects.filter(code="WF_Y").first()
    period = Period.objects.filter(code=year).first()
    if dataset is None or period is None:
        return None
    due = scope.visible(queries.orgs_due(dataset, period), "path")
    expected = due.count()
    counts = Report.objects.filter(dataset=dataset, period=period, org__in=due.order_by().values("pk")).aggregate(
        reported=Count("pk", filter=Q(first_submitted_at__isnull=False)),
        accepted=Count("pk", filter=Q(status__in=ACCEPTED_STATUSES)),
    )
    reported, accepted = counts["reported"] or 0, counts["accepted"] or 0
    share = _quantize(Decimal(reported) * 100 / expected, 2) if expected else Decimal("0.00")
    return Completeness(dataset.name, year, period.label, expected, reported, accepted, share)
