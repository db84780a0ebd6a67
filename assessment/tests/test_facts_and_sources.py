"""Criteria on figures from other apps: an indicator over a registered source of figures is scored like any
other; a platform fact that no app registered stops a framework from being issued, and scoring one raises."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from analytics import sources
from analytics.models import Indicator
from assessment import facts, services
from assessment.choices import Area, CriterionKind, FrameworkStatus
from assessment.models import CriterionResult
from assessment.scoring import FactValue
from assessment.tests.factories import make_framework
from core.actor import Actor
from core.errors import UserError
from orgs.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def by(tree):
    return Actor(user=tree.user(Role.OFFICE_ADMIN))


def test_a_criterion_on_a_source_based_indicator_is_scored_end_to_end(tree, by):
    """The in-test app keeps demonstration sites as records and registers them as a source of figures."""
    sites = [(tree.ent_a1.pk, dt.date(2021, 3, 1)), (tree.unit_a1.pk, dt.date(2021, 10, 1)),
             (tree.ent_b1.pk, dt.date(2021, 5, 1)), (tree.ent_b1.pk, dt.date(2020, 5, 1))]  # fmt: skip

    def rows(start, end):
        return [(org_id, day, 1) for org_id, day in sites if start <= day <= end]

    sources.register(sources.Source(key="TEST_SITES", label="示范点数（测试）", unit="个", fn=rows))
    try:
        indicator = Indicator.objects.create(
            code="TEST_SITES", name="示范点数", task="growth", numerator="#{SRC.TEST_SITES}", scope="示范点记录",
            unit="个", decimals=0,
        )  # fmt: skip
        framework = services.framework_create(by=by, year=2021, name="2021年度示范点考核")
        dimension = services.dimension_save(
            by=by, framework=framework, code="SITES", name="示范引领", area=Area.SKILLS, points=D(100), sort_order=1
        )
        services.criterion_save(
            by=by, dimension=dimension, code="SITES", name="示范点数达标", kind=CriterionKind.INDICATOR_TARGET,
            points=D(100), indicator=indicator, target=D(2), floor=D(0), cap=D(1), sort_order=1,
        )  # fmt: skip
        framework.refresh_from_db()
        services.framework_issue(by=by, framework=framework, version=framework.version)
        round_ = services.round_open(by=by, framework=framework, name="考核", orgs=[tree.union_a, tree.ent_b1])
        computation = services.round_compute(by=by, round_=round_)
    finally:
        sources.unregister("TEST_SITES")
    results = {
        r.participant.org.code: r
        for r in CriterionResult.objects.filter(computation=computation).select_related("participant__org")
    }
    # 云南电网 counts 昆明供电局's site and its unit's (rolled up through the tree): 2 of 2, full marks;
    # 中国铜业's enterprise has one site in 2021 (the 2020 one is another year): half the target.
    assert results["U-A"].detail["value"] == "2个" and results["U-A"].points == D(100)
    assert results["E-B1"].detail["value"] == "1个" and results["E-B1"].points == D(50)


def test_a_framework_naming_an_unregistered_fact_is_not_issued(tree, by):
    framework = make_framework(tree.user(Role.OFFICE_ADMIN), issue=False)
    ontime = framework.dimensions.get(code="ORG").criteria.get(code="ONTIME")
    services.criterion_save(by=by, dimension=ontime.dimension, criterion=ontime, version=ontime.version,
                            fact="ledger_plans_issued")  # fmt: skip
    framework.refresh_from_db()
    with pytest.raises(UserError) as error:
        services.framework_issue(by=by, framework=framework, version=framework.version)
    assert error.value.message == (
        "方案还不能发布：“年报按时报送”：平台事实“ledger_plans_issued”未登记，其数据来源尚未接入。"
    )
    framework.refresh_from_db()
    assert framework.status == FrameworkStatus.DRAFT
    ontime.refresh_from_db()
    services.criterion_save(by=by, dimension=ontime.dimension, criterion=ontime, version=ontime.version,
                            fact="reports_on_time")  # fmt: skip
    late = framework.dimensions.get(code="ORG").criteria.get(code="LATE")
    items = [{**late.items[0], "fact": "sites_revoked"}]
    services.criterion_save(by=by, dimension=late.dimension, criterion=late, version=late.version, items=items)
    framework.refresh_from_db()
    with pytest.raises(UserError) as error:
        services.framework_issue(by=by, framework=framework, version=framework.version)
    assert error.value.message == "方案还不能发布：“扣分项”：平台事实“sites_revoked”未登记，其数据来源尚未接入。"


def test_scoring_a_fact_no_longer_registered_raises(tree, by):
    @facts.register("test_sites_open", "示范点已挂牌")
    def provider(year, orgs):
        return {org_id: FactValue(D(1), "已挂牌") for org_id, _path in orgs}

    try:
        framework = make_framework(tree.user(Role.OFFICE_ADMIN), issue=False)
        ontime = framework.dimensions.get(code="ORG").criteria.get(code="ONTIME")
        services.criterion_save(by=by, dimension=ontime.dimension, criterion=ontime, version=ontime.version,
                                fact="test_sites_open")  # fmt: skip
        framework.refresh_from_db()
        services.framework_issue(by=by, framework=framework, version=framework.version)
        round_ = services.round_open(by=by, framework=framework, name="考核", orgs=[tree.ent_a1])
        assert facts.gather({"test_sites_open"}, 2021, [(tree.ent_a1.pk, tree.ent_a1.path)])[tree.ent_a1.pk][
            "test_sites_open"
        ].share == D(1)
    finally:
        facts.FACTS.pop("test_sites_open", None)  # the app providing it is removed
    with pytest.raises(facts.UnknownFact) as error:
        services.round_compute(by=by, round_=round_)
    assert error.value.message == "平台事实“test_sites_open”未登记（其数据来源尚未接入或已移除），无法计分。"
    assert not round_.computations.exists()
    with pytest.raises(facts.UnknownFact):
        facts.gather({"reports_on_time", "nowhere"}, 2021, [(tree.ent_a1.pk, tree.ent_a1.path)])


def test_an_office_reopening_is_not_counted_as_a_return(tree, wf, clock):
    """A report the office reopens for correction was not sent back to the enterprise for its own mistakes:
    only the reviewers' return steps count as 被退回修改, once per step however many cells it names."""
    from analytics.tests.helpers import accepted_report
    from reporting import services as reporting
    from reporting.choices import ReportStatus
    from reporting.models import Report
    from reporting.tests.factories import at

    clock.set(at(2022, 3, 1))
    office = Actor(user=tree.user(Role.OFFICE_ADMIN))
    reopened = accepted_report(tree, wf[0], "2021", tree.ent_a1, certified=300, college=240)
    Report.objects.filter(pk=reopened.pk).update(first_submitted_at=at(2022, 1, 20))
    reopened.refresh_from_db()
    reporting.report_reopen(by=office, report=reopened, version=reopened.version, reason="数据口径调整")
    returned = accepted_report(tree, wf[0], "2021", tree.ent_a2, status=ReportStatus.SUBMITTED, certified=60)
    Report.objects.filter(pk=returned.pk).update(first_submitted_at=at(2022, 1, 25))
    returned.refresh_from_db()
    reporting.report_return(
        by=office, report=returned, version=returned.version, reason="持证人数与台账不符",
        cells=[("WF_CERTIFIED", ""), ("WF_WORKERS", "")],
    )  # fmt: skip

    found = facts.gather({"reports_returned"}, 2021, [(o.pk, o.path) for o in (tree.ent_a1, tree.ent_a2)])
    mine, theirs = found[tree.ent_a1.pk]["reports_returned"], found[tree.ent_a2.pk]["reports_returned"]
    assert (mine.count, mine.share) == (0, D(0))
    assert (theirs.count, theirs.share) == (1, D(1))
    assert theirs.text == f"被退回 1 次（{tree.ent_a2.name}）。"
