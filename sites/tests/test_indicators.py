"""The sites' indicators: shipped by the migration, computed by the analytics engine from the registered
sources on a small hand-counted fixture (rolled up to the union and the province)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from analytics import engine
from analytics.engine import Query, Scope
from analytics.models import Indicator
from orgs.choices import Role
from sites.choices import FollowUpStatus, SiteStatus
from sites.migrations._indicators import INDICATORS
from sites.models import FollowUp
from sites.tests.factories import make_batch, make_group, make_site, make_visit

pytestmark = pytest.mark.django_db


def value(org, period, code) -> Decimal | None:
    totals = engine.answer(Scope.province(), Query(f"indicator:{code}", org=org.pk, periods=(period,))).totals
    return totals[0].value if totals else None


def test_the_indicators_are_shipped_under_the_work_task(db):
    codes = [row[0] for row in INDICATORS]
    found = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    assert set(found) == set(codes) and {i.task for i in found.values()} == {"work"}
    assert found["SITES_COUNT"].numerator == "#{SRC.SITES}" and found["SITES_COUNT"].denominator == ""


def test_counts_by_level_visits_and_followups_hand_counted(tree):
    dept = tree.user(Role.DEPT_VIEWER)
    group = make_group(dept)
    provincial = make_site(tree.ent_a1, group=group)  # announced 2021-06-18
    grouped = make_site(tree.ent_a2, group=group, batch=make_batch(level="group", status="announced"))
    withdrawn = make_site(tree.ent_b1, group=group)
    withdrawn.status, withdrawn.withdrawn_on = SiteStatus.WITHDRAWN, dt.date(2021, 12, 1)
    withdrawn.save()
    for day in (dt.date(2021, 9, 1), dt.date(2021, 10, 1)):
        visit = make_visit(provincial, dept, visited_on=day)
    make_visit(grouped, dept, visited_on=dt.date(2022, 3, 1))  # another year
    FollowUp.objects.create(
        site=provincial,
        visit=visit,
        title="a",
        owner=tree.ent_a1,
        deadline=dt.date(2021, 11, 1),
        status=FollowUpStatus.DONE,
        done_on=dt.date(2021, 10, 20),
    )
    for title in ("b", "c", "d"):
        FollowUp.objects.create(site=provincial, visit=visit, title=title, owner=tree.ent_a1,
                                deadline=dt.date(2021, 12, 1))  # fmt: skip
    assert value(tree.union_a, "2021", "SITES_COUNT") == 2  # E-A1 and E-A2
    assert value(tree.province, "2021", "SITES_COUNT") == 2
    assert value(tree.union_a, "2021", "SITES_PROVINCIAL_COUNT") == 1
    assert value(tree.union_a, "2021", "SITES_GROUP_COUNT") == 1
    assert value(tree.union_b, "2021", "SITES_COUNT") is None  # no figure: shown as 无数据, not 0
    assert value(tree.union_a, "2021", "SITE_VISITS_COUNT") == 2
    assert value(tree.union_a, "2021", "SITE_FOLLOWUP_DONE_RATE") == Decimal("25.00")
