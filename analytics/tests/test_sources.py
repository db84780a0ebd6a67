"""Registered sources of figures (analytics/sources.py): an app's own records as indicators.

The "app" here is a small in-test one: its records are a list of demonstration sites (organisation, date
designated) held by the test and registered as a function source, `#{SRC.TEST_SITES}`. Defining a test-only
model would need a migrated test app; a function over in-test records exercises the same path (the engine
asks the source per period and rolls the figures up itself). The model-described kind of source is tested
over an existing table, memberships counted by the day they were granted, registered only in the test.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics import engine, services, sources
from analytics.choices import Level
from analytics.engine import OutOfScope, Query, Scope
from analytics.engine.batch import subtree_values
from analytics.models import Indicator
from analytics.tests.helpers import accepted_report, office
from core.actor import Actor
from core.errors import UserError
from orgs import services as org_services
from orgs.choices import Role
from orgs.models import Membership
from orgs.tests.factories import SYSTEM

pytestmark = pytest.mark.django_db

MOVED_ON = dt.date(2021, 7, 1)


class SitesApp:
    """The in-test app: demonstration sites, each an (organisation id, designation date) record."""

    def __init__(self) -> None:
        self.sites: list[tuple[int, dt.date]] = []

    def designate(self, org, day: dt.date) -> None:
        self.sites.append((org.pk, day))

    def rows(self, start: dt.date, end: dt.date):
        """What the app registers: one row per site designated between `start` and `end`."""
        return [(org_id, day, 1) for org_id, day in self.sites if start <= day <= end]


@pytest.fixture
def sites(tree):
    app = SitesApp()
    sources.register(sources.Source(key="TEST_SITES", label="示范点数（测试）", unit="个", fn=app.rows))
    by = Actor(user=office(tree))
    services.indicator_create(
        by=by, code="TEST_SITES", name="示范点数", task="growth", numerator="#{SRC.TEST_SITES}", denominator="",
        factor=Decimal(1), decimals=0, unit="个", scope="本单位；示范点记录",
    )  # fmt: skip
    services.indicator_create(
        by=by, code="TEST_SITES_PER_1000", name="每千名产业工人示范点数", task="growth",
        numerator="#{SRC.TEST_SITES}", denominator="#{WF_WORKERS}", factor=Decimal(1000), decimals=2, unit="个",
        scope="示范点记录；企业填报",
    )  # fmt: skip
    yield app
    sources.unregister("TEST_SITES")


@pytest.fixture
def moved(tree, sites):
    """昆明供电局 moves from 云南电网 to 中国铜业 on 1 July 2021; it has a site designated in each half-year
    of 2021 and one in 2020; 曲靖供电局 (云南电网 throughout) has one in 2021Q1."""
    sites.designate(tree.ent_a1, dt.date(2020, 5, 1))
    sites.designate(tree.ent_a1, dt.date(2021, 3, 1))
    sites.designate(tree.unit_a1, dt.date(2021, 9, 1))  # a unit of 昆明供电局: it moves along with it
    sites.designate(tree.ent_a2, dt.date(2021, 2, 1))
    org_services.org_move(by=SYSTEM, org=tree.ent_a1, new_parent=tree.union_b, on=MOVED_ON, version=tree.ent_a1.version)
    return sites


def value(scope, org, period, measure="indicator:TEST_SITES", **kwargs) -> Decimal | None:
    totals = engine.answer(scope, Query(measure, org=org.pk, periods=(period,), **kwargs)).totals
    return totals[0].value if totals else None


def test_a_moved_organisation_counts_under_the_parent_it_had_in_each_period(tree, moved):
    province = Scope.province()
    # 2021Q1: 昆明 was still under 云南电网: its site and 曲靖's count there.
    assert value(province, tree.union_a, "2021Q1") == Decimal(2)
    assert value(province, tree.union_b, "2021Q1") is None
    # 2021Q3: 昆明 is under 中国铜业; its unit's site counts there and not under its old parent.
    assert value(province, tree.union_b, "2021Q3") == Decimal(1)
    assert value(province, tree.union_a, "2021Q3") is None
    # A year is placed as the tree stood at its end, as a yearly report is: 2020 under the old parent,
    # 2021 (both of 昆明's sites) under the new one.
    assert value(province, tree.union_a, "2020") == Decimal(1)
    assert value(province, tree.union_b, "2021") == Decimal(2)
    assert value(province, tree.union_a, "2021") == Decimal(1)
    assert value(province, tree.province, "2021") == Decimal(3)
    # The same through the levels and the raw path: children of the unions' category, restated to today's tree.
    rows = {
        f.org_name: f.value
        for f in engine.answer(province, Query("indicator:TEST_SITES", org=tree.unions.pk, level=Level.CHILDREN,
                                                periods=("2021Q1",))).rows
    }  # fmt: skip
    assert rows == {"云南电网": Decimal(2)}
    assert value(province, tree.union_b, "2021Q1", restate=True) == Decimal(1)  # today's tree: 昆明 is 中国铜业's
    by_enterprise = engine.answer(province, Query("indicator:TEST_SITES", level=Level.ENTERPRISE, periods=("2021",)))
    assert {f.org_name: f.value for f in by_enterprise.rows} == {"昆明供电局": Decimal(2), "曲靖供电局": Decimal(1)}


def test_a_source_mixes_with_reporting_cells_in_one_ratio(tree, wf, sites):
    wf_y, _wf_q = wf
    accepted_report(tree, wf_y, "2021", tree.ent_a1, nonmigrant=1500, migrant=500)
    accepted_report(tree, wf_y, "2021", tree.ent_a2, nonmigrant=1000, migrant=0)
    sites.designate(tree.ent_a1, dt.date(2021, 4, 1))
    sites.designate(tree.ent_a1, dt.date(2021, 6, 1))
    sites.designate(tree.ent_a2, dt.date(2021, 6, 1))
    sites.designate(tree.ent_a2, dt.date(2022, 1, 1))  # another year
    answer = engine.answer(
        Scope.province(), Query("indicator:TEST_SITES_PER_1000", org=tree.union_a.pk, level=Level.CHILDREN,
                                periods=("2021",))
    )  # fmt: skip
    assert answer.totals[0].value == Decimal("1.00")  # 3 sites / 3000 workers × 1000: a ratio of sums
    assert {f.org_name: (f.numerator, f.denominator) for f in answer.rows} == {
        "昆明供电局": (Decimal(2), Decimal(2000)),
        "曲靖供电局": (Decimal(1), Decimal(1000)),
    }
    assert answer.source == "企业填报（已验收）；示范点数（测试）"


def test_a_user_scope_limits_source_figures_like_any_other(tree, moved):
    reporter = tree.user(Role.REPORTER, tree.ent_a2)
    own = engine.answer(Scope.for_user(reporter), Query("indicator:TEST_SITES", periods=("2021",)))
    assert own.root_id == tree.ent_a2.pk and own.totals[0].value == Decimal(1)
    with pytest.raises(OutOfScope):
        value(Scope.for_user(reporter), tree.union_a, "2021Q1")
    # 昆明 has moved away from 云南电网: a viewer of 云南电网 sees its 2021Q1 site only as "moved out".
    viewer = tree.user(Role.LEADER, tree.union_a)
    rows = engine.answer(
        Scope.for_user(viewer), Query("indicator:TEST_SITES", level=Level.CHILDREN, periods=("2021Q1",))
    ).rows
    assert {f.org_name: f.value for f in rows} == {"曲靖供电局": Decimal(1), "已调出本范围的机构": Decimal(1)}


def test_batch_values_for_assessment_equal_the_answers(tree, moved):
    province = Scope.province()
    orgs = [tree.union_a, tree.union_b, tree.ent_a1, tree.unit_a1, tree.province]
    for period in ("2021Q1", "2021Q3", "2021", "2020"):
        batch = subtree_values(province, "indicator:TEST_SITES", period, [o.pk for o in orgs])
        assert batch == {o.pk: value(province, o, period) for o in orgs}, period
    reporter = tree.user(Role.REPORTER, tree.ent_a2)
    with pytest.raises(OutOfScope):
        subtree_values(Scope.for_user(reporter), "indicator:TEST_SITES", "2021", [tree.union_a.pk])


def test_a_model_source_counts_records_by_organisation_and_day(tree):
    """Memberships counted by the day they were granted, over the existing table (registered only here)."""
    sources.register(
        sources.Source(key="TEST_GRANTS", label="授权数", unit="个", model="orgs.Membership", date_field="created_at")
    )
    try:
        for role, org, day in [(Role.REPORTER, tree.ent_a1, dt.date(2021, 3, 5)),
                               (Role.INFO_OFFICER, tree.ent_a1, dt.date(2021, 8, 5)),
                               (Role.REPORTER, tree.ent_b1, dt.date(2021, 8, 6))]:  # fmt: skip
            user = tree.user(role, org)
            stamp = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
            Membership.objects.filter(user=user).update(created_at=stamp)
        Indicator.objects.create(code="TEST_GRANTS", name="授权数", task="growth", numerator="#{SRC.TEST_GRANTS}",
                                 scope="测试", unit="个")  # fmt: skip
        province, grants = Scope.province(), "indicator:TEST_GRANTS"
        assert value(province, tree.union_a, "2021", grants) == Decimal(2)
        assert value(province, tree.union_a, "2021H1", grants) == Decimal(1)
        assert value(province, tree.province, "2021H2", grants) == Decimal(2)
        assert value(province, tree.union_b, "2021Q1", grants) is None
    finally:
        sources.unregister("TEST_GRANTS")


def test_indicator_expressions_check_source_references(tree, sites):
    by = Actor(user=office(tree))
    with pytest.raises(UserError) as error:
        services.indicator_create(
            by=by, code="BAD_SRC", name="未登记来源", task="growth", numerator="#{SRC.NOT_THERE}", denominator="",
            scope="测试",
        )  # fmt: skip
    assert error.value.message == "分子：“#{SRC.NOT_THERE}”不是已登记的数据来源，应写作 #{SRC.代码}。"
    assert error.value.field == "numerator"


def test_pages_show_a_source_based_indicator_like_any_other(client, tree, moved):
    client.force_login(office(tree))
    response = client.get(
        reverse("analytics:pivot"),
        {"measure": "indicator:TEST_SITES", "org": tree.unions.pk, "level": "children", "period_type": "quarter",
         "period_from": "2021Q1", "period_to": "2021Q3"},
    )  # fmt: skip
    assert response.status_code == 200
    layout = response.context["pivot"]
    rows = {r.name: [c.figure.display if c.figure else "—" for c in r.cells] for r in layout.rows}
    assert rows == {"云南电网": ["2个", "—", "—"], "中国铜业": ["—", "—", "1个"]}
    detail = client.get(reverse("analytics:indicator_detail", args=["TEST_SITES"]))
    assert detail.status_code == 200
    assert "示范点数（测试）" in detail.content.decode()  # the reference named by its source's label
