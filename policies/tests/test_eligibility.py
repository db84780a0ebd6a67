"""政策找企业 against a hand-made province: who each measure is for, 无数据 shown apart (not silently dropped),
and what an enterprise sees (eligible and unused; eligible and used)."""

import datetime as dt

from orgs.choices import Role
from policies import eligibility
from policies.choices import MeasureStatus, UptakeStatus
from policies.models import UptakeLine
from policies.tests.factories import make_measure, open_round


def codes(rows):
    return sorted(row.org.code for row in rows)


def test_office_view_counts_eligible_and_no_data_apart(world):
    tree, m = world
    found = eligibility.measure_orgs(m["large"])
    assert codes(found.eligible) == ["E-A1"]
    assert codes(found.no_data) == ["E-B1"]  # no accepted report: not eligible, and shown as 无数据
    assert found.no_data[0].verdict.reasons == ("职工人数无数据",)
    assert found.not_eligible == 2  # 曲靖供电局 (200 workers) and the unit (not an enterprise)
    everyone = eligibility.measure_orgs(m["everyone"])
    assert codes(everyone.eligible) == ["E-A1", "E-A2", "E-B1"] and not everyone.no_data
    kunming = eligibility.measure_orgs(m["kunming"])
    assert codes(kunming.eligible) == ["E-A1"] and codes(kunming.no_data) == ["E-B1"]  # no region recorded


def test_enterprise_sees_exactly_its_eligible_unused_measures(world):
    tree, m = world
    make_measure("草稿政策", status=MeasureStatus.DRAFT)
    make_measure("已过期政策", valid_from=dt.date(2019, 1, 1), valid_to=dt.date(2020, 12, 31))
    make_measure("已废止政策", status=MeasureStatus.REPEALED)
    mine = eligibility.for_org(tree.ent_a1, day=dt.date(2022, 2, 1))
    assert [x.title for x in mine.open] == [
        "大型企业职业技能培训补贴",
        "技能人才薪酬分配指引",
        "昆明市技能人才住房保障",
    ]
    assert not mine.used
    small = eligibility.for_org(tree.ent_a2, day=dt.date(2022, 2, 1))
    assert [x.title for x in small.open] == ["技能人才薪酬分配指引"]
    copper = eligibility.for_org(tree.ent_b1, day=dt.date(2022, 2, 1))
    assert [x.title for x in copper.open] == ["技能人才薪酬分配指引"]
    assert sorted(x.title for x, _v in copper.no_data) == ["大型企业职业技能培训补贴", "昆明市技能人才住房保障"]


def test_a_measure_reported_as_used_moves_to_used(world):
    tree, m = world
    round_ = open_round(tree)
    report = round_.reports.get(org=tree.ent_a1)
    UptakeLine.objects.filter(report=report, measure=m["large"]).update(used=True, beneficiaries=10)
    report.status = UptakeStatus.SUBMITTED
    report.save()
    mine = eligibility.for_org(tree.ent_a1, day=dt.date(2022, 2, 1))
    assert [x.title for x in mine.open] == ["技能人才薪酬分配指引", "昆明市技能人才住房保障"]
    assert [(x.title, year) for x, year in mine.used] == [("大型企业职业技能培训补贴", 2021)]
    # A draft form does not count as reported use.
    other = round_.reports.get(org=tree.ent_a2)
    UptakeLine.objects.filter(report=other).update(used=True)
    assert eligibility.used_by([tree.ent_a2.pk]) == {}


def test_whom_a_user_answers_for(world):
    tree, _m = world
    assert [o.code for o in eligibility.policy_orgs(tree.user(Role.REPORTER, tree.ent_a1))] == ["E-A1"]
    assert [o.code for o in eligibility.policy_orgs(tree.user(Role.INFO_OFFICER, tree.ent_a1))] == ["E-A1"]
    union = [o.code for o in eligibility.policy_orgs(tree.user(Role.UNION_ADMIN, tree.union_a))]
    assert union == ["E-A1", "UNIT-A1", "E-A2"]
    assert eligibility.policy_orgs(tree.user(Role.OFFICE_ADMIN, tree.office)) == []
    assert eligibility.policy_orgs(tree.user(Role.LIAISON, tree.ent_a1)) == []
