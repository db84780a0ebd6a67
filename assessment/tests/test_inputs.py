"""Inputs of a round: the batch indicator read equals the engine's answer, targets, and reporting facts."""

from decimal import Decimal as D

import pytest

from analytics import engine
from analytics.engine.batch import subtree_values
from analytics.engine.scope import Scope
from analytics.models import Indicator, IndicatorTarget
from analytics.tests.helpers import accepted_report
from assessment import facts, inputs, services
from assessment.tests.factories import make_framework
from core.actor import Actor
from orgs.choices import Role
from reporting.models import Report
from reporting.tests.factories import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(tree, wf, clock):
    clock.set(at(2022, 3, 1))
    for org, certified, college in [(tree.ent_a1, 300, 200), (tree.unit_a1, 30, 100), (tree.ent_a2, 60, 150),
                                    (tree.ent_b1, 90, 250)]:  # fmt: skip
        accepted_report(tree, wf[0], "2021", org, certified=certified, college=college)
    return tree


@pytest.mark.parametrize("code", ["CERT_RATE", "COLLEGE_RATE", "CERT_RATE_ALL"])
def test_batch_values_equal_the_engines_answer_for_each_subtree(reports, code):
    tree = reports
    office = tree.user(Role.OFFICE_ADMIN)
    orgs = [tree.ent_a1, tree.unit_a1, tree.ent_a2, tree.union_a, tree.ent_b1, tree.province]
    batch = subtree_values(Scope.province(), f"indicator:{code}", "2021", [o.pk for o in orgs])
    for org in orgs:
        answer = engine.answer(office, engine.Query(f"indicator:{code}", org=org.pk, periods=("2021",)))
        assert batch[org.pk] == answer.totals[0].value, org.name
    assert batch[tree.ent_a1.pk] != batch[tree.unit_a1.pk]  # the enterprise counts its unit too


def test_targets_take_the_nearest_one_above(reports):
    tree = reports
    cert = Indicator.objects.get(code="CERT_RATE")
    IndicatorTarget.objects.create(indicator=cert, year=2021, value=D(15))
    IndicatorTarget.objects.create(indicator=cert, year=2021, org=tree.union_a, value=D(25))
    office = tree.user(Role.OFFICE_ADMIN)
    framework = make_framework(office, issue=False)
    framework.dimensions.get(code="SKILLS").criteria.filter(code="CERT").update(target=None)
    services.framework_issue(by=Actor(user=office), framework=framework, version=framework.version)
    round_ = services.round_open(
        by=Actor(user=office), framework=framework, name="考核", orgs=[tree.ent_a1, tree.ent_b1]
    )
    _spec, orgs = inputs.round_inputs(round_)
    assert {o.code: o.targets["CERT_RATE"] for o in orgs} == {"E-A1": D(25), "E-B1": D(15)}


def test_reporting_facts_count_the_subtree(reports, wf):
    tree = reports
    Report.objects.filter(org=tree.ent_a1).update(first_submitted_at=at(2022, 1, 20))
    Report.objects.filter(org=tree.ent_a2).update(first_submitted_at=at(2022, 2, 20))  # late
    union = tree.union_a  # answers for its two enterprises
    found = facts.gather({"reports_on_time", "reports_late"}, 2021, [(union.pk, union.path)])
    on_time = found[union.pk]["reports_on_time"]
    assert on_time.share == D(1) / D(2)
    assert on_time.text == "2021年度应报年报 2 份，按时报送并通过验收 1 份。"
    late = found[union.pk]["reports_late"]
    # 曲靖供电局 was late with its yearly report. No quarterly round of 2021 was run on the platform (no report
    # exists for any quarter), so nobody is counted missing for those.
    assert (late.count, late.text) == (1, "逾期或未报送 1 份（曲靖供电局）。")
    q4 = accepted_report(tree, wf[1], "2021Q4", tree.ent_a1, certified=300)  # the office ran 2021Q4 after all
    Report.objects.filter(pk=q4.pk).update(first_submitted_at=at(2022, 1, 10))
    late = facts.gather({"reports_late"}, 2021, [(union.pk, union.path)])[union.pk]["reports_late"]
    assert (late.count, late.text) == (2, "逾期或未报送 2 份（曲靖供电局）。")  # 曲靖: late yearly, missing Q4
