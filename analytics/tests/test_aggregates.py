"""The aggregate tables: refreshed by the workflow's own steps, equal to a full rebuild, and to the raw values
on random trees (a property test)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics import aggregates, engine
from analytics.choices import Level
from analytics.engine import Query
from analytics.models import AcceptedReport, NodeAggregate, RegionAggregate
from analytics.tests.helpers import accepted_report, office
from orgs import services as org_services
from orgs.choices import OrgKind, Role
from orgs.tests.factories import SYSTEM, make_org
from reporting import services
from reporting.models import DataValue, Report
from reporting.tests.factories import as_actor, submitted_report

pytestmark = pytest.mark.django_db


def snapshot() -> tuple[list, list]:
    nodes = sorted(
        NodeAggregate.objects.values_list(
            "org_id", "parent_id", "period_id", "element_id", "option_combo_id", "total", "count"
        )
    )
    regions = sorted(
        RegionAggregate.objects.values_list("region", "period_id", "element_id", "option_combo_id", "total", "count")
    )
    return nodes, regions


def test_accepting_through_the_workflow_updates_the_figures_and_reopening_takes_them_back(
    tree, wf, django_capture_on_commit_callbacks
):
    wf_y, _wf_q = wf
    report = submitted_report(tree, wf_y, "2021", tree.ent_a1)
    question = Query(measure="indicator:CERT_RATE", org=tree.union_a.pk, periods=("2021",))
    assert engine.answer(office(tree), question).totals == []

    union_admin = tree.user(Role.UNION_ADMIN, tree.union_a)
    report = services.report_approve(by=as_actor(union_admin), report=report, version=report.version)
    assert engine.answer(office(tree), question).totals == []  # approved is not accepted yet
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_accept(by=as_actor(office(tree)), report=report, version=report.version)
    after_accept = engine.answer(office(tree), question)
    assert after_accept.totals[0].value == Decimal("50.00")  # 300 certified of 600 non-migrants
    assert after_accept.as_of is not None
    assert AcceptedReport.objects.filter(report=report).exists()

    with django_capture_on_commit_callbacks(execute=True):
        services.report_reopen(by=as_actor(office(tree)), report=report, version=report.version, reason="复核")
    assert engine.answer(office(tree), question).totals == []
    assert not NodeAggregate.objects.exists() and not RegionAggregate.objects.exists()
    assert not AcceptedReport.objects.exists()


def test_a_refused_acceptance_leaves_the_aggregates_untouched(tree, wf):
    wf_y, _wf_q = wf
    report = submitted_report(tree, wf_y, "2021", tree.ent_a1)
    with pytest.raises(Exception):  # noqa: B017 - the union must approve first: the step raises
        services.report_accept(by=as_actor(office(tree)), report=report, version=report.version)
    assert not NodeAggregate.objects.exists()


def test_accepting_twice_counts_once(tree, wf):
    wf_y, _wf_q = wf
    report = accepted_report(tree, wf_y, "2021", tree.ent_a1, nonmigrant=10, migrant=0)
    before = snapshot()
    assert aggregates.report_accepted(report) is None
    assert snapshot() == before


def test_incremental_refresh_equals_a_full_rebuild(tree, wf):
    wf_y, wf_q = wf
    extra = make_org(tree.ent_a2, "曲靖供电局检修分公司", OrgKind.ENTERPRISE, region_id="530300")
    reports = [
        accepted_report(tree, wf_y, "2021", tree.ent_a1, nonmigrant=100, migrant=20),
        accepted_report(tree, wf_y, "2021", tree.unit_a1, nonmigrant=10, migrant=3),
        accepted_report(tree, wf_y, "2021", extra, nonmigrant=30, migrant=1, certified=9),
        accepted_report(tree, wf_y, "2020", tree.ent_a2, nonmigrant=50, migrant=5),
        accepted_report(tree, wf_q, "2021Q2", tree.ent_b1, nonmigrant=40, migrant=0),
    ]
    tree.ent_a2.refresh_from_db()
    org_services.org_move(by=SYSTEM, org=tree.ent_a2, new_parent=tree.union_b, on=dt.date(2021, 3, 1),
                          version=tree.ent_a2.version)  # fmt: skip
    # The move is dated before the end of 2021: the move itself re-placed the accepted 2021 report under union B.
    assert aggregates.tree_changed(org=tree.ent_a2, on=dt.date(2021, 3, 1)) == 0
    reports.append(accepted_report(tree, wf_y, "2021", tree.ent_a2, nonmigrant=55, migrant=5))
    aggregates.report_reopened(reports[1])  # a reopened report leaves nothing behind
    Report.objects.filter(pk=reports[1].pk).update(status="returned")
    incremental = snapshot()
    counts = aggregates.rebuild()
    assert snapshot() == incremental
    assert counts["reports"] == 5


def test_the_dashboard_cache_is_invalidated_when_data_is_accepted(tree, wf, django_capture_on_commit_callbacks):
    wf_y, _wf_q = wf
    leader = tree.user(Role.LEADER, tree.province)
    with django_capture_on_commit_callbacks(execute=True):
        accepted_report(tree, wf_y, "2021", tree.ent_a1, nonmigrant=100, migrant=0, certified=10)
    first = engine.dashboard_tiles(leader)
    assert first is engine.dashboard_tiles(leader) or first == engine.dashboard_tiles(leader)
    tile = next(t for t in first.tiles if t.indicator == "CERT_RATE")
    assert tile.value == Decimal("10.00")
    with django_capture_on_commit_callbacks(execute=True):
        accepted_report(tree, wf_y, "2021", tree.ent_a2, nonmigrant=100, migrant=0, certified=30)
    tile = next(t for t in engine.dashboard_tiles(leader).tiles if t.indicator == "CERT_RATE")
    assert tile.value == Decimal("20.00")
    assert [w[1] for w in tile.weakest] == ["昆明供电局", "曲靖供电局"]


# --- Property: on random trees and random accepted values, the answer is the raw computation ---------------

TREE_SHAPES = st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=9)
VALUES = st.lists(
    st.tuples(st.integers(0, 8), st.sampled_from(["2020", "2021"]), st.integers(0, 500), st.integers(0, 300),
              st.integers(0, 100), st.booleans()),
    min_size=1, max_size=12,
)  # fmt: skip


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shape=TREE_SHAPES, values=VALUES, move=st.integers(0, 8))
def test_engine_answers_equal_a_direct_computation_from_raw_values(tree, wf, shape, values, move):
    cache.clear()
    with transaction.atomic():  # each example starts from the same database
        _check_random_province(tree, wf, shape, values, move)
        transaction.set_rollback(True)


def _check_random_province(tree, wf, shape, values, move):
    wf_y, _wf_q = wf
    # A random tree below union A: node i hangs under an earlier node (shape[i] picks which).
    nodes = [tree.union_a]
    for index, pick in enumerate(shape):
        parent = nodes[pick % len(nodes)]
        region = ["530100", "530300", None][pick % 3]
        nodes.append(make_org(parent, f"随机{index}", OrgKind.ENTERPRISE, region_id=region))
    orgs = nodes[1:]
    seen = set()
    for org_index, year, nonmigrant, migrant, certified, accepted in values:
        org = orgs[org_index % len(orgs)]
        if (org.pk, year) in seen:
            continue
        seen.add((org.pk, year))
        accepted_report(tree, wf_y, year, org, nonmigrant=nonmigrant, migrant=migrant,
                        certified=min(certified, nonmigrant), college=0,
                        status="accepted" if accepted else "submitted")  # fmt: skip
    # One random organisation moves under union B in mid-2021: 2020 stays with union A, 2021 goes to B.
    mover = orgs[move % len(orgs)]
    mover.refresh_from_db()
    org_services.org_move(by=SYSTEM, org=mover, new_parent=tree.union_b, on=dt.date(2021, 7, 1), version=mover.version)

    years = ("2020", "2021")
    for root in (tree.province, tree.union_a, tree.union_b, nodes[1]):
        for level in (Level.SELF, Level.CHILDREN):
            query = Query(measure="indicator:CERT_RATE", org=root.pk, level=level, periods=years)
            result = engine.answer(office(tree), query)
            got = {(f.group, f.period): (f.numerator, f.denominator) for f in result.rows}
            assert got == _direct(root, level), (root.code, level)
    fast = engine.answer(office(tree), Query(measure="indicator:CERT_RATE", level=Level.PREFECTURE, periods=years))
    raw = engine.answer(
        office(tree),
        Query(measure="indicator:CERT_RATE", level=Level.PREFECTURE, periods=years, include_submitted=True),
    )
    accepted_only = {(f.group, f.period): f.value for f in fast.rows}
    assert fast.engine == "aggregate" and raw.engine == "raw"
    if not Report.objects.filter(status="submitted").exists():
        assert accepted_only == {(f.group, f.period): f.value for f in raw.rows}
    incremental = snapshot()
    aggregates.rebuild()
    assert snapshot() == incremental


def _direct(root, level):
    """Sum the raw values of accepted reports by hand, walking each organisation's parent links."""
    from orgs.models import OrgLink

    links = defaultdict(list)
    for link in OrgLink.objects.all():
        links[link.org_id].append(link)

    def parent_on(org_id, day):
        for link in links[org_id]:
            if link.valid_from <= day and (link.valid_to is None or link.valid_to > day):
                return link.parent_id
        return None

    sums = defaultdict(lambda: [Decimal(0), Decimal(0), False])
    for value in DataValue.objects.filter(report__status__in=["accepted", "locked"]).select_related(
        "report__period", "element", "option_combo"
    ):
        day = value.report.period.end
        chain = [value.report.org_id]
        while (parent := parent_on(chain[-1], day)) is not None:
            chain.append(parent)
        chain.reverse()
        if root.pk not in chain:
            continue
        below = chain[chain.index(root.pk) :]
        nearest = f"org:{below[1]}" if len(below) > 1 else f"own:{root.pk}"
        group = f"org:{root.pk}" if level == Level.SELF else nearest
        key = (group, value.report.period.code)
        if value.element.code == "WF_CERTIFIED":
            sums[key][0] += value.number
            sums[key][2] = True
        elif value.element.code == "WF_WORKERS_GROUP" and value.option_combo.key.startswith("NONMIGRANT"):
            sums[key][1] += value.number
            sums[key][2] = True
    return {key: (n, d) for key, (n, d, seen) in sums.items() if seen}


def test_the_rebuild_command_repairs_damaged_aggregates_and_is_audited(tree, wf):
    from django.core.management import call_command

    from core.models import AuditEntry

    wf_y, _wf_q = wf
    accepted_report(tree, wf_y, "2021", tree.ent_a1, nonmigrant=100, migrant=0)
    good = snapshot()
    NodeAggregate.objects.filter(org=tree.province).update(total=0)
    assert snapshot() != good
    call_command("analytics_rebuild", stdout=__import__("io").StringIO())
    assert snapshot() == good
    assert AuditEntry.objects.filter(event="analytics.aggregates.rebuild").count() == 1
