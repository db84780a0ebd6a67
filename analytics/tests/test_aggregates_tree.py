"""Moves and closings dated in the past re-place the reports the aggregates already counted, in the
same transaction as the change (orgs.services.tree_changed → analytics.aggregates.tree_changed)."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics import aggregates, engine
from analytics.choices import Level
from analytics.engine import Query
from analytics.models import AcceptedReport, NodeAggregate, RegionAggregate
from analytics.tests.helpers import accepted_report, office
from core.errors import UserError
from orgs import services as org_services
from orgs.choices import OrgKind
from orgs.tests.factories import SYSTEM, make_org

pytestmark = pytest.mark.django_db


def _state() -> tuple:
    nodes = sorted(NodeAggregate.objects.values_list("org_id", "parent_id", "period_id", "element_id",
                                                     "option_combo_id", "total", "count"))  # fmt: skip
    regions = sorted(RegionAggregate.objects.values_list("region", "period_id", "element_id", "option_combo_id",
                                                         "total", "count"))  # fmt: skip
    lineages = sorted(AcceptedReport.objects.values_list("report_id", "lineage"))
    return nodes, regions, lineages


def _answers(tree) -> dict:
    user = office(tree)
    found = {}
    for root in (tree.province, tree.union_a, tree.union_b):
        for level in (Level.SELF, Level.CHILDREN, Level.ENTERPRISE):
            result = engine.answer(user, Query(measure="indicator:CERT_RATE", org=root.pk, level=level,
                                               periods=("2020", "2021")))  # fmt: skip
            found[(root.code, level)] = sorted((f.group, f.period, f.numerator, f.denominator) for f in result.rows)
    return found


def _workers(tree, org, year: str):
    result = engine.answer(office(tree), Query(measure="element:WF_WORKERS", org=org.pk, periods=(year,)))
    return result.totals[0].value if result.totals else None


def test_a_past_dated_move_re_places_counted_reports_as_a_full_rebuild_would(tree, wf):
    wf_y, _wf_q = wf
    accepted_report(tree, wf_y, "2020", tree.ent_a2, nonmigrant=50, migrant=5, certified=10)
    accepted_report(tree, wf_y, "2021", tree.ent_a2, nonmigrant=60, migrant=5, certified=12)
    accepted_report(tree, wf_y, "2021", tree.ent_a1, nonmigrant=100, migrant=20, certified=30)
    assert _workers(tree, tree.union_b, "2021") is None
    tree.ent_a2.refresh_from_db()
    org_services.org_move(by=SYSTEM, org=tree.ent_a2, new_parent=tree.union_b, on=dt.date(2021, 3, 1),
                          version=tree.ent_a2.version)  # fmt: skip
    # Nothing else called: the move itself re-placed the 2021 report; 2020 stays where it stood then.
    assert _workers(tree, tree.union_b, "2021") == 65
    assert _workers(tree, tree.union_a, "2021") == 120
    assert _workers(tree, tree.union_a, "2020") == 55
    incremental, answers = _state(), _answers(tree)
    aggregates.rebuild()
    assert _state() == incremental
    assert _answers(tree) == answers


def test_a_past_dated_closing_re_places_counted_reports_as_a_full_rebuild_would(tree, wf):
    wf_y, _wf_q = wf
    project = make_org(tree.union_a, "临时项目公司", OrgKind.ENTERPRISE, region_id="530100")
    accepted_report(tree, wf_y, "2021", project, nonmigrant=30, migrant=0, certified=3)
    project.refresh_from_db()
    org_services.org_move(by=SYSTEM, org=project, new_parent=tree.union_b, on=dt.date(2021, 7, 1),
                          version=project.version)  # fmt: skip
    assert (_workers(tree, tree.union_a, "2021"), _workers(tree, tree.union_b, "2021")) == (None, 30)
    project.refresh_from_db()
    # Closed (dated back) before the move took effect: it rolls up where it stood the day before closing.
    org_services.org_close(by=SYSTEM, org=project, on=dt.date(2021, 6, 1), version=project.version)
    assert (_workers(tree, tree.union_a, "2021"), _workers(tree, tree.union_b, "2021")) == (30, None)
    incremental, answers = _state(), _answers(tree)
    aggregates.rebuild()
    assert _state() == incremental
    assert _answers(tree) == answers


def test_a_refused_move_leaves_the_aggregates_untouched(tree, wf):
    wf_y, _wf_q = wf
    accepted_report(tree, wf_y, "2021", tree.ent_a2, nonmigrant=60, migrant=5)
    before = _state()
    tree.ent_a2.refresh_from_db()
    with pytest.raises(UserError):
        org_services.org_move(
            by=SYSTEM, org=tree.ent_a2, new_parent=tree.union_a, on=dt.date(2021, 3, 1), version=tree.ent_a2.version
        )  # fmt: skip  (already there)
    assert _state() == before
