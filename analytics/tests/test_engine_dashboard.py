"""The leaders' dashboard is set-based (a fixed number of queries whatever the number of enterprises) and
shows exactly what the per-indicator answers show; union / enterprise groupings below the province come
from the aggregate tables and equal the raw values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from analytics import engine, sources
from analytics.choices import Level
from analytics.engine import Query
from analytics.models import Indicator, IndicatorTarget
from analytics.tests.helpers import accepted_report, office
from orgs import services as org_services
from orgs.choices import OrgKind, Role
from orgs.scoping import clear_scope_cache
from orgs.tests.factories import SYSTEM, make_org
from reporting import queries
from reporting.models import DataSet, Period, Report

pytestmark = pytest.mark.django_db


def _province(tree, wf, extra: int = 3) -> list:
    """Reports for 2020 and 2021 across both unions, a unit below an enterprise, a subsidiary below an
    enterprise, `extra` more enterprises, one left in submission, and one enterprise moved in 2021."""
    wf_y, _wf_q = wf
    subsidiary = make_org(tree.ent_a1, "昆明供电局检修分公司", OrgKind.ENTERPRISE, region_id="530100")
    more = [make_org(tree.union_b if i % 2 else tree.union_a, f"新增企业{i}", OrgKind.ENTERPRISE,
                     region_id=["530100", "530300"][i % 2]) for i in range(extra)]  # fmt: skip
    figures = [
        (tree.ent_a1, 900, 100, 300, 200), (tree.unit_a1, 80, 5, 10, 30), (subsidiary, 120, 30, 5, 40),
        (tree.ent_a2, 500, 300, 60, 90), (tree.ent_b1, 400, 50, 120, 160),
    ]  # fmt: skip
    figures += [(org, 100 + 37 * i, 10 * i, 7 + 13 * i, 20 + 5 * i) for i, org in enumerate(more)]
    for year, bump in (("2020", 0), ("2021", 11)):
        for org, nonmigrant, migrant, certified, college in figures:
            accepted_report(tree, wf_y, year, org, nonmigrant=nonmigrant + bump, migrant=migrant,
                            certified=certified + bump, college=college, training_person_times=50)  # fmt: skip
    accepted_report(tree, wf_y, "2021", make_org(tree.union_b, "待验收企业", OrgKind.ENTERPRISE), nonmigrant=10,
                    migrant=0, status="submitted")  # fmt: skip
    tree.ent_a2.refresh_from_db()
    org_services.org_move(by=SYSTEM, org=tree.ent_a2, new_parent=tree.union_b, on=dt.date(2021, 3, 1),
                          version=tree.ent_a2.version)  # fmt: skip
    indicator = Indicator.objects.get(code="CERT_RATE")
    IndicatorTarget.objects.create(indicator=indicator, year=2021, value=Decimal("20"))
    IndicatorTarget.objects.create(indicator=indicator, year=2021, org=tree.union_a, value=Decimal("40"))
    return more


def _expected(user, root, year: str = "2021") -> list[engine.Tile]:
    """The tiles as the dashboard defines them, one answer per indicator and question."""
    years = tuple(str(int(year) - k) for k in range(4, -1, -1))
    level = Level.ENTERPRISE if root.kind != OrgKind.ENTERPRISE else Level.CHILDREN
    tiles = []
    for indicator in Indicator.objects.filter(is_active=True, is_key=True).order_by("sort_order", "code"):
        measure = f"indicator:{indicator.code}"
        by_period = {f.period: f for f in engine.answer(user, Query(measure, org=root.pk, periods=years)).totals}
        ranking = engine.answer(user, Query(measure, org=root.pk, level=level, periods=(year,)))
        is_rate = bool(indicator.denominator.strip())
        ranked = sorted((f for f in ranking.rows if f.value is not None and f.group.startswith("org:")),
                        key=lambda f: f.value, reverse=not indicator.higher_is_better if is_rate else True)  # fmt: skip
        listed = [(f.org_id, f.org_name, f.value, f.display) for f in ranked[:10]]

        def coverage(figure):
            return (figure.accepted, figure.due) if figure is not None and figure.due is not None else None

        targets = IndicatorTarget.objects.filter(indicator=indicator, year=int(year))
        target = targets.filter(org=root).first() or targets.filter(Q(org__isnull=True)).first()
        current = by_period.get(year)
        value = current.value if current else None
        met = None
        if target is not None and value is not None:
            met = value >= target.value if indicator.higher_is_better else value <= target.value
        tiles.append(engine.Tile(
            indicator.code, indicator.name, indicator.get_task_display(), indicator.unit, indicator.scope, value,
            current.display if current else "—", target.value if target else None,
            engine.format_value(target.value, indicator.unit, indicator.decimals) if target else "—", met,
            [(y, by_period[y].value if y in by_period else None) for y in years],
            listed if is_rate else [],  # "weakest" only for rates; a count lists its largest instead
            coverage=coverage(current), trend_coverage=[(y, coverage(by_period.get(y))) for y in years],
            largest=[] if is_rate else listed, is_rate=is_rate, decimals=indicator.decimals,
        ))  # fmt: skip
    return tiles


@pytest.mark.parametrize("who", ["office", "union", "enterprise"])
def test_the_dashboard_equals_one_answer_per_indicator_from_the_raw_values(tree, wf, who, monkeypatch):
    _province(tree, wf)
    user, root = {
        "office": (office(tree), tree.province),
        "union": (tree.user(Role.UNION_ADMIN, tree.union_a), tree.union_a),
        "enterprise": (tree.user(Role.REPORTER, tree.ent_a1), tree.ent_a1),
    }[who]
    cache.clear()
    dashboard = engine.dashboard_tiles(user)
    assert dashboard.root_id == root.pk and dashboard.period == "2021"
    cert = next(t for t in dashboard.tiles if t.indicator == "CERT_RATE")
    assert cert.value is not None and cert.weakest
    assert cert.target == (Decimal("40") if who == "union" else Decimal("20"))
    # The same figures straight from the reports' values, one question at a time.
    monkeypatch.setattr(engine.answers, "_uses_aggregates", lambda plan: False)
    assert dashboard.tiles == _expected(user, root)


def test_the_dashboard_asks_the_database_the_same_number_of_times_whatever_the_number_of_enterprises(tree, wf):
    more = _province(tree, wf, extra=2)
    user = office(tree)

    def count() -> int:
        cache.clear()
        clear_scope_cache(user)
        with CaptureQueriesContext(connection) as queries_run:
            dashboard = engine.dashboard_tiles(user)
        assert dashboard.tiles
        return len(queries_run)

    few = count()
    wf_y, _wf_q = wf
    for i in range(12):
        org = make_org(more[i % 2], f"再增企业{i}", OrgKind.ENTERPRISE, region_id="530100")
        accepted_report(tree, wf_y, "2021", org, nonmigrant=200 + i, migrant=3, certified=i)
    many = count()
    assert many == few
    # The reported tiles' queries, plus one per period asked (five years of trend and the year ranked) for each
    # source the record-based key tiles read (platform records are counted live, analytics/sources.py).
    from analytics.engine.measures import _refs, indicator_measure
    from analytics.models import Indicator

    source_refs = {
        ref.element
        for indicator in Indicator.objects.filter(is_active=True, is_key=True)
        for ref in _refs(indicator_measure(indicator))
        if sources.is_source_ref(ref)
    }
    assert few < 40 + 6 * len(source_refs)


def test_the_completeness_of_the_round_counts_as_the_list_of_reports_due(tree, wf):
    _province(tree, wf)
    wf_y, _wf_q = wf
    draft = make_org(tree.union_a, "草稿企业", OrgKind.ENTERPRISE)
    accepted_report(tree, wf_y, "2021", draft, nonmigrant=5, migrant=0, status="draft")
    Report.objects.filter(status="submitted").update(first_submitted_at=dt.datetime(2022, 1, 20, tzinfo=dt.UTC))
    for user in (office(tree), tree.user(Role.UNION_ADMIN, tree.union_b)):
        cache.clear()
        completeness = engine.dashboard_tiles(user).completeness
        rows = queries.reports_due(dataset=DataSet.objects.get(code="WF_Y"), period=Period.objects.get(code="2021"),
                                   user=user)  # fmt: skip
        expected = len(rows)
        reported = sum(1 for r in rows if r.reported)
        accepted = sum(1 for r in rows if r.report is not None and r.report.status in ("accepted", "locked"))
        assert (completeness.expected, completeness.reported, completeness.accepted) == (expected, reported, accepted)
        assert expected > accepted > 0


@pytest.mark.parametrize("level", [Level.ENTERPRISE, Level.UNION])
@pytest.mark.parametrize("root", ["union_a", "union_b", "unions", "ent_a1"])
def test_union_and_enterprise_groups_below_the_province_equal_the_raw_values(tree, wf, level, root, monkeypatch):
    _province(tree, wf)
    user = office(tree)
    query = Query("indicator:CERT_RATE", org=getattr(tree, root).pk, level=level, periods=("2020", "2021"))
    fast = engine.answer(user, query)
    if root in ("union_a", "union_b", "unions") and level == Level.ENTERPRISE or root == "unions":
        assert fast.engine == "aggregate"
    monkeypatch.setattr(engine.answers, "_uses_aggregates", lambda plan: False)
    raw = engine.answer(user, query)
    assert raw.engine == "raw"
    assert [(f.group, f.period, f.numerator, f.denominator) for f in fast.rows + fast.totals] == [
        (f.group, f.period, f.numerator, f.denominator) for f in raw.rows + raw.totals
    ]
    assert fast.rows
