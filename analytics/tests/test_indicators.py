"""The shipped indicators reproduce the speech's figures on its totals; indicator edits are checked and audited."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from analytics import engine, services
from analytics.engine import Query
from analytics.models import Indicator
from analytics.tests.helpers import accepted_report, office
from core.actor import Actor
from core.errors import ConflictError, UserError
from core.models import AuditEntry
from orgs.choices import Role

pytestmark = pytest.mark.django_db


def test_the_speech_totals_give_13_71_and_25_16_percent_and_the_all_worker_rates_say_so(tree, wf):
    wf_y, _wf_q = wf
    # 730.75万 workers, of whom ≈278.25万 non-migrant; 38.16万 certified; 70万 college or above — split unevenly.
    split = [(tree.ent_a1, 1_500_000, 3_000_000, 100_000, 300_000), (tree.ent_a2, 782_500, 25_000, 281_600, 150_000),
             (tree.ent_b1, 500_000, 1_500_000, 0, 250_000)]  # fmt: skip
    for org, nonmigrant, migrant, certified, college in split:
        accepted_report(
            tree, wf_y, "2021", org, nonmigrant=nonmigrant, migrant=migrant, certified=certified, college=college
        )
    leader = tree.user(Role.LEADER, tree.province)

    def total(code):
        return engine.answer(leader, Query(measure=f"indicator:{code}", periods=("2021",))).totals[0]

    assert total("WORKERS_TOTAL").display == "730.75万人"
    assert total("WORKERS_NONMIGRANT").display == "278.25万人"
    assert total("CERT_RATE").display == "13.71%"
    assert total("COLLEGE_RATE").display == "25.16%"
    assert total("CERT_RATE_ALL").display == "5.22%"
    assert total("COLLEGE_RATE_ALL").display == "9.58%"
    for code in ("CERT_RATE_ALL", "COLLEGE_RATE_ALL"):
        assert "含农民工口径" in Indicator.objects.get(code=code).name
    for code in ("CERT_RATE", "COLLEGE_RATE"):
        assert "不含农民工" in Indicator.objects.get(code=code).scope


def test_growth_against_a_baseline_and_year_on_year(tree, wf):
    wf_y, _wf_q = wf
    accepted_report(tree, wf_y, "2020", tree.ent_a1, nonmigrant=1000, migrant=0, certified=100)
    accepted_report(tree, wf_y, "2021", tree.ent_a1, nonmigrant=1000, migrant=500, certified=150)
    rate = engine.compare(office(tree), Query(measure="indicator:CERT_RATE", periods=("2021",)))
    assert (rate[0].value, rate[0].base_value, rate[0].change) == (Decimal("15.00"), Decimal("10.00"), Decimal("5.00"))
    assert rate[0].display == "+5.00个百分点"
    workers = engine.compare(office(tree), Query(measure="element:WF_WORKERS", periods=("2021",)), baseline="2020")
    assert workers[0].change == Decimal("50.00") and workers[0].display == "+50.00%"


def test_indicator_expressions_are_checked_with_a_message_saying_where(tree, wf):
    admin = Actor(user=office(tree))
    base = {"name": "测试", "task": "skills", "scope": "测试口径", "unit": "%", "factor": 100}
    cases = [
        ({"numerator": "#{WF_CERTIFIED} +"}, "numerator", "分子：表达式不完整：结尾缺少数值或引用。"),
        ({"numerator": "#{WF_CERTIFIED}", "denominator": "#{NOPE}"}, "denominator", "分母：数据元“NOPE”不存在。"),
        ({"numerator": "#{WF_NOTES}"}, "numerator", "分子：数据元“填报说明”不是数值，不能参与计算。"),
        ({"numerator": "#{WF_WORKERS_GROUP.SENIOR}"}, "numerator",
         "分子：“#{WF_WORKERS_GROUP.SENIOR}”中的分类选项不属于数据元“产业工人构成”的分类。"),
    ]  # fmt: skip
    for changes, field, message in cases:
        with pytest.raises(UserError) as error:
            services.indicator_create(by=admin, code="T_RATE", **base, **changes)
        assert (error.value.field, error.value.message) == (field, message)
    assert not Indicator.objects.filter(code="T_RATE").exists()


def test_indicators_are_created_and_edited_by_the_office_with_versions_and_audit(tree, wf):
    admin = Actor(user=office(tree))
    indicator = services.indicator_create(
        by=admin, code="T_RATE", name="测试率", task="skills", numerator="#{WF_CERTIFIED}",
        denominator="#{WF_WORKERS}", factor=100, unit="%", scope="测试口径",
    )  # fmt: skip
    updated = services.indicator_update(by=admin, indicator=indicator, version=1, name="测试率（新）")
    assert updated.version == 2
    with pytest.raises(ConflictError):
        services.indicator_update(by=admin, indicator=indicator, version=1, name="旧")
    assert Indicator.objects.get(code="T_RATE").name == "测试率（新）"
    events = list(AuditEntry.objects.filter(object_type="analytics.indicator").values_list("event", flat=True))
    assert sorted(events) == ["analytics.indicator.create", "analytics.indicator.update"]
    with pytest.raises(PermissionDenied):
        services.indicator_update(by=Actor(user=tree.user(Role.LEADER, tree.province)), indicator=updated, version=2,
                                  name="领导不能改")  # fmt: skip


def test_outside_figures_need_their_own_scope_and_source(tree, wf):
    from reporting.periods import period_from_code

    admin = Actor(user=office(tree))
    with pytest.raises(UserError) as error:
        services.external_figure_create(by=admin, code="HIGH_SKILL_PROVINCE", name="全省高技能人才",
                                        period=period_from_code("2020"),
                                        value="1160000", unit="人", scope="", source="省人社厅")  # fmt: skip
    assert error.value.field == "scope"
    figure = services.external_figure_create(
        by=admin, code="HIGH_SKILL_PROVINCE", name="全省高技能人才", period=period_from_code("2020"), value="1160000",
        unit="人", scope="全省从业人员（含非产业工人）", source="省人力资源社会保障厅",
    )  # fmt: skip
    assert AuditEntry.objects.filter(event="analytics.external.create", object_id=str(figure.pk)).exists()
