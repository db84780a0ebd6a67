"""The reform ledger's facts for assessment (ledger/facts.py): shares per subtree for a year with the score
card's sentence, alerts counted by kind, and a framework that names them issued and scored."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from assessment import facts, services
from assessment.choices import Area, CriterionKind
from assessment.models import CriterionResult
from core.actor import Actor
from ledger.choices import AlertKind, OfficerKind, TargetKind, TaskStatus
from ledger.models import Alert, Ledger, Officer, WrittenReport, WrittenRound
from ledger.tests.factories import make_task
from orgs.choices import Role
from reporting.tests.factories import at

pytestmark = pytest.mark.django_db


def set_up(ledger: Ledger, **fields) -> None:
    Ledger.objects.filter(pk=ledger.pk).update(**fields)


def gather(tree, key: str, year: int = 2021, *orgs):
    orgs = orgs or (tree.union_a, tree.union_b, tree.ent_a1, tree.unit_a1)
    found = facts.gather({key}, year, [(org.pk, org.path) for org in orgs])
    return {org.code: found[org.pk][key] for org in orgs}


@pytest.fixture
def year_2021(tree, ledgers, clock):
    """Union A: E-A1 set up in time, E-A2 late or missing; union B: its enterprise's plan on time."""
    set_up(ledgers["E-A1"], plan_issued_on=dt.date(2018, 6, 1), group_established_on=dt.date(2021, 3, 1),
           method_issued_on=dt.date(2021, 6, 1))  # fmt: skip
    set_up(ledgers["E-A2"], plan_issued_on=dt.date(2020, 5, 12), group_established_on=dt.date(2022, 1, 5))
    set_up(ledgers["E-B1"], plan_issued_on=dt.date(2018, 10, 1))
    for kind in OfficerKind.values:
        Officer.objects.create(ledger=ledgers["E-A1"], kind=kind, name="李四", started_on=dt.date(2021, 1, 1))
    Officer.objects.create(ledger=ledgers["E-A2"], kind=OfficerKind.INFO, name="王五", started_on=dt.date(2021, 1, 1))
    return ledgers


def test_every_fact_is_registered_with_its_kind():
    shares = {"ledger_plan_on_time", "ledger_group", "ledger_officers", "ledger_method", "ledger_targets_quantified",
              "ledger_written_on_time"}  # fmt: skip
    assert shares <= set(facts.FACTS) and not any(facts.FACTS[k].counted for k in shares)
    for kind in AlertKind:
        fact = facts.FACTS[f"ledger_alerts.{kind.value}"]
        assert fact.counted and str(fact.label) == f"产改预警（条）：{kind.label}"
    assert ("ledger_alerts.no_plan", "产改预警（条）：未出台实施方案") in facts.fact_choices(counted=True)


def test_plans_on_time_per_subtree(tree, year_2021):
    found = gather(tree, "ledger_plan_on_time")
    assert found["U-A"].share == D(1) / D(3)
    assert found["U-A"].text == "2021年度应出台实施方案的台账单位 3 家，按期出台 1 家；未按期：云南电网、曲靖供电局。"
    assert found["U-B"].share == D(1) / D(2) and found["E-A1"].share == D(1)
    assert found["UNIT-A1"].share is None
    assert found["UNIT-A1"].text == "2021年度本单位（含下属单位）没有到期应出台实施方案的台账单位，本项不适用。"
    # In 2018 the plans were due on the last day of the year: E-A2's was not there yet.
    assert gather(tree, "ledger_plan_on_time", 2018, tree.union_a)["U-A"].share == D(1) / D(3)


def test_group_method_and_officers_at_the_years_end(tree, year_2021):
    group = gather(tree, "ledger_group")
    assert group["U-A"].share == D(1) / D(3)  # E-A2's group came in 2022
    assert group["U-A"].text == "截至2021年底台账单位 3 家，已建立领导小组 1 家；尚未建立：云南电网、曲靖供电局。"
    assert gather(tree, "ledger_group", 2022, tree.union_a)["U-A"].share == D(2) / D(3)
    assert gather(tree, "ledger_method")["E-A1"].share == D(1)
    officers = gather(tree, "ledger_officers")
    assert officers["U-A"].share == D(1) / D(3) and officers["U-B"].share == D(0)
    assert "未配齐：云南电网、曲靖供电局" in officers["U-A"].text
    assert gather(tree, "ledger_officers", 2020, tree.ent_a1)["E-A1"].share == D(0)  # named only in 2021


def test_quantified_targets_are_counted_over_the_years_tasks(tree, year_2021):
    ledger = year_2021["E-A1"]
    make_task(ledger, title="新建创新工作室")
    make_task(ledger, title="加强宣传", target_kind=TargetKind.NONE, deadline=dt.date(2021, 12, 31))
    make_task(ledger, title="已取消", target_kind=TargetKind.NONE, status=TaskStatus.CANCELLED)
    make_task(ledger, title="明年的", target_kind=TargetKind.NONE, starts_on=dt.date(2022, 1, 1),
              deadline=dt.date(2022, 6, 30))  # fmt: skip
    found = gather(tree, "ledger_targets_quantified")
    assert found["E-A1"].share == D(1) / D(2)
    assert found["E-A1"].text == "2021年度推进中的改革任务 2 项，有量化目标 1 项；未量化：加强宣传。"
    assert found["U-B"].share is None


def test_written_reports_on_time(tree, year_2021, clock):
    round_ = WrittenRound.objects.create(code="2021H1", title="2021年上半年书面报告", period_start=dt.date(2021, 1, 1),
                                         period_end=dt.date(2021, 6, 30), due_on=dt.date(2021, 7, 15))  # fmt: skip
    WrittenRound.objects.create(code="2021H2", title="2021年下半年书面报告", period_start=dt.date(2021, 7, 1),
                                period_end=dt.date(2021, 12, 31), due_on=dt.date(2022, 1, 15))  # fmt: skip
    WrittenReport.objects.create(
        round=round_, org=tree.ent_a1, status="accepted", first_submitted_at=at(2021, 7, 15, 23)
    )
    WrittenReport.objects.create(
        round=round_, org=tree.ent_a2, status="submitted", first_submitted_at=at(2021, 7, 16, 9)
    )
    found = gather(tree, "ledger_written_on_time")
    assert found["U-A"].share == D(1) / D(3)
    assert found["U-A"].text == (
        "2021年度应报九个方面书面报告 3 份，按时报送 1 份；"
        "未按时：云南电网（2021年上半年书面报告）、曲靖供电局（2021年上半年书面报告）。"
    )
    assert found["E-A1"].share == D(1)
    assert gather(tree, "ledger_written_on_time", 2022, tree.ent_a1)["E-A1"].share is None  # not due yet


def test_alerts_open_during_the_year_are_counted_per_subtree(tree, ledgers):
    def alert(org, since, cleared_on=None, kind=AlertKind.NO_PLAN):
        Alert.objects.create(org=org, kind=kind, reason="—", since=since, raised_on=since, cleared_on=cleared_on,
                             checked_on=since)  # fmt: skip

    alert(tree.union_a, dt.date(2019, 1, 1))  # still open
    alert(tree.ent_a2, dt.date(2019, 1, 1), dt.date(2020, 5, 13))  # over before 2021
    alert(tree.ent_b1, dt.date(2019, 1, 1), dt.date(2021, 3, 1))  # open in the first months of 2021
    alert(tree.ent_b1, dt.date(2022, 2, 1))  # began after 2021
    alert(tree.ent_a1, dt.date(2021, 5, 1), kind=AlertKind.NO_GROUP)  # another kind
    found = gather(tree, "ledger_alerts.no_plan")
    assert (found["U-A"].count, found["U-A"].share) == (1, D(1))
    assert found["U-A"].text == "2021年度“未出台实施方案”预警 1 条（云南电网）。"
    assert found["U-B"].count == 1 and found["E-A1"].count == 0 and found["E-A1"].share == D(0)
    assert found["E-A1"].text == "2021年度“未出台实施方案”预警 0 条（—）。"
    assert gather(tree, "ledger_alerts.no_group")["U-A"].count == 1


def test_a_framework_naming_ledger_facts_is_issued_and_scored(tree, year_2021, clock):
    by = Actor(user=tree.user(Role.OFFICE_ADMIN))
    day = dt.date(2019, 1, 1)
    Alert.objects.create(org=tree.union_a, kind=AlertKind.NO_PLAN, reason="尚未出台实施方案。", since=day,
                         raised_on=day, checked_on=day)  # fmt: skip
    framework = services.framework_create(by=by, year=2021, name="2021年度产改推进考核")
    dimension = services.dimension_save(by=by, framework=framework, code="WORK", name="改革组织推进",
                                        area=Area.ORGANISATION, points=D(100), sort_order=1)  # fmt: skip
    services.criterion_save(by=by, dimension=dimension, code="PLAN", name="实施方案按期出台", kind=CriterionKind.FACT,
                            points=D(100), fact="ledger_plan_on_time", sort_order=1)  # fmt: skip
    services.criterion_save(
        by=by, dimension=dimension, code="ALERTS", name="预警扣分", kind=CriterionKind.DEDUCTION, points=D(5),
        items=[{"code": "NO_PLAN", "label": "未出台实施方案", "points": 2, "fact": "ledger_alerts.no_plan"}],
        sort_order=2,
    )  # fmt: skip
    framework.refresh_from_db()
    services.framework_issue(by=by, framework=framework, version=framework.version)
    round_ = services.round_open(by=by, framework=framework, name="2021年度", orgs=[tree.union_a, tree.union_b])
    computation = services.round_compute(by=by, round_=round_)
    results = {
        (r.participant.org.code, r.criterion.code): r
        for r in CriterionResult.objects.filter(computation=computation).select_related("participant__org", "criterion")
    }
    # 云南电网: one of its three plans on time → 33.33 of 100; its own open "no plan" alert → 2 points off.
    assert results[("U-A", "PLAN")].points == D("33.33")
    assert results[("U-A", "ALERTS")].points == D("2.00")
    # 中国铜业: one of two on time → 50; no alert in its subtree.
    assert results[("U-B", "PLAN")].points == D("50.00")
    assert results[("U-B", "ALERTS")].points == D("0.00")
