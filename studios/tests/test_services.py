"""The studios' services: validation in Chinese, permissions, optimistic locking, namings, results, alliances,
the annual review's life cycle, each with its audit row."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import F

from core.actor import Actor
from core.errors import ConflictError, UserError
from core.models import AuditEntry
from core.workflow import IllegalTransition
from orgs.choices import Role
from studios import services
from studios.choices import Grade, ReviewStatus, StudioLevel, StudioStatus
from studios.models import Studio, StudioReview
from studios.tests.factories import make_alliance, make_person, make_result, make_review, make_studio


def actor(tree, role, org=None) -> Actor:
    return Actor(user=tree.user(role, org))


@pytest.fixture
def union(tree):
    return actor(tree, Role.UNION_ADMIN)


@pytest.fixture
def office(tree):
    return actor(tree, Role.OFFICE_ADMIN)


def _create(by, org, person, **extra):
    fields = {
        "org": org, "name": "张明劳模创新工作室", "kind": "model_worker", "level": "enterprise",
        "named_on": dt.date(2019, 4, 28), "leader": person, "location": "昆明市官渡区", "topics": "带电作业",
    }  # fmt: skip
    return services.studio_create(by=by, **{**fields, **extra})


def test_create_records_the_first_naming_and_the_leader_as_core_member(tree, union):
    leader = make_person(tree.unit_a1, "张明")
    studio = _create(union, tree.ent_a1, leader)
    assert studio.level == StudioLevel.ENTERPRISE
    assert list(studio.namings.values_list("level", "named_on")) == [("enterprise", dt.date(2019, 4, 28))]
    assert studio.members.get().person == leader
    assert AuditEntry.objects.filter(event="studios.studio.create", object_id=str(studio.pk)).exists()


def test_the_leader_must_come_from_the_organisations_subtree(tree, union):
    outsider = make_person(tree.ent_a2, "李外")
    with pytest.raises(UserError) as error:
        _create(union, tree.ent_a1, outsider)
    assert error.value.message == "领办人应从“昆明供电局”及其下属单位的人才库人员中选择。"
    assert not Studio.objects.exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"name": " "}, "请填写工作室名称。"),
        ({"kind": "x"}, "请选择工作室类别。"),
        ({"level": "x"}, "请选择级别。"),
        ({"named_on": dt.date(2999, 1, 1)}, "命名日期不能晚于今天。"),
        ({"leader": None}, "请选择领办人。"),
    ],
)
def test_create_refuses_bad_input_in_chinese(tree, union, extra, message):
    leader = make_person(tree.ent_a1)
    with pytest.raises(UserError) as error:
        _create(union, tree.ent_a1, leader, **extra)
    assert error.value.message == message


def test_a_union_cannot_create_outside_its_subtree(tree, union):
    with pytest.raises(PermissionDenied):
        _create(union, tree.ent_b1, make_person(tree.ent_b1))


def test_raising_keeps_each_naming_and_the_latest_is_current(tree, union):
    studio = make_studio(tree.ent_a1, named_on=dt.date(2019, 1, 1))
    services.studio_name(by=union, studio=studio, version=studio.version, level="provincial",
                         named_on=dt.date(2022, 4, 28), named_by="省总工会")  # fmt: skip
    studio.refresh_from_db()
    assert studio.level == "provincial" and studio.named_on == dt.date(2022, 4, 28)
    assert list(studio.namings.values_list("level", flat=True)) == ["enterprise", "provincial"]
    assert studio.level_on(dt.date(2021, 12, 31)) == "enterprise"
    assert studio.level_on(dt.date(2022, 12, 31)) == "provincial"


def test_a_naming_must_raise_the_level_and_come_later(tree, union):
    studio = make_studio(tree.ent_a1, level="provincial", named_on=dt.date(2020, 1, 1))
    with pytest.raises(UserError) as error:
        services.studio_name(by=union, studio=studio, version=studio.version, level="prefecture",
                             named_on=dt.date(2021, 1, 1))  # fmt: skip
    assert error.value.message == "新的命名级别应高于当前级别（省级）。"
    with pytest.raises(UserError) as error:
        services.studio_name(by=union, studio=studio, version=studio.version, level="national",
                             named_on=dt.date(2019, 1, 1))  # fmt: skip
    assert error.value.message == "命名日期应晚于上次命名日期（2020-01-01）。"


def test_edit_with_a_stale_version_changes_nothing(tree, union):
    studio = make_studio(tree.ent_a1, name="旧名")
    stale = studio.version
    Studio.objects.filter(pk=studio.pk).update(version=F("version") + 1)
    with pytest.raises(ConflictError):
        services.studio_update(by=union, studio=studio, version=stale, name="新名", kind="worker",
                               leader=studio.leader)  # fmt: skip
    studio.refresh_from_db()
    assert studio.name == "旧名"
    assert not AuditEntry.objects.filter(event="studios.studio.update").exists()


def test_revoke_needs_a_reason_and_then_refuses_results(tree, union):
    studio = make_studio(tree.ent_a1)
    with pytest.raises(UserError) as error:
        services.studio_revoke(by=union, studio=studio, version=studio.version, on=dt.date(2023, 1, 1), reason="")
    assert error.value.message == "请填写撤销原因。"
    services.studio_revoke(by=union, studio=studio, version=studio.version, on=dt.date(2023, 1, 1), reason="领办人退休")
    studio.refresh_from_db()
    assert studio.status == StudioStatus.REVOKED and studio.revoked_on == dt.date(2023, 1, 1)
    with pytest.raises(UserError) as error:
        services.result_record(by=union, studio=studio, kind="method", title="X", achieved_on=dt.date(2023, 2, 1),
                               credited=[studio.leader])  # fmt: skip
    assert error.value.message == "已撤销的工作室不能再登记成果。"


def test_members_join_once_and_leave_after_joining(tree, union):
    studio = make_studio(tree.ent_a1)
    person = make_person(tree.unit_a1, "王芳")
    member = services.member_add(by=union, studio=studio, person=person, role="member", joined_on=dt.date(2021, 1, 1))
    with pytest.raises(UserError) as error:
        services.member_add(by=union, studio=studio, person=person, role="member", joined_on=dt.date(2021, 2, 1))
    assert error.value.message == "王芳已是该工作室成员。"
    with pytest.raises(UserError) as error:
        services.member_leave(by=union, member=member, left_on=dt.date(2020, 1, 1))
    assert error.value.message == "退出日期不能早于加入日期。"
    services.member_leave(by=union, member=member, left_on=dt.date(2022, 1, 1))
    with pytest.raises(UserError) as error:
        services.member_leave(by=union, member=studio.members.get(person=studio.leader), left_on=dt.date(2022, 1, 1))
    assert error.value.message == "领办人不能退出，请先更换领办人。"


@pytest.mark.parametrize(
    ("amount", "message"),
    [("-1", "经费金额不能为负数。"), ("abc", "经费金额应为数字（元）。"), ("1.234", "经费金额最多保留两位小数。")],
)
def test_funds_are_money_in_yuan(tree, union, amount, message):
    studio = make_studio(tree.ent_a1)
    with pytest.raises(UserError) as error:
        services.fund_add(by=union, studio=studio, year=2021, amount=amount, source="省总工会补助")
    assert error.value.message == message


def test_record_a_result_with_value_and_people_credited(tree, union):
    studio = make_studio(tree.ent_a1)
    helper = make_person(tree.unit_a1, "赵工")
    result = services.result_record(
        by=union, studio=studio, kind="patent", title="带电作业绝缘工具", achieved_on=dt.date(2021, 6, 1),
        credited=[studio.leader, helper], value="125000.50", reference="ZL202110000001.2",
    )  # fmt: skip
    assert result.value == Decimal("125000.50")
    assert set(result.credited.values_list("name", flat=True)) == {studio.leader.name, "赵工"}
    entry = AuditEntry.objects.get(event="studios.result.record")
    assert entry.after["credited"] == sorted([studio.leader.pk, helper.pk])


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "patent", "reference": ""}, "专利成果请填写专利号。"),
        ({"credited": []}, "请至少选择一名完成人。"),
        ({"achieved_on": dt.date(2019, 1, 1)}, "取得日期不能早于工作室首次命名日期。"),
        ({"title": ""}, "请填写成果名称。"),
    ],
)
def test_result_refusals(tree, union, fields, message):
    studio = make_studio(tree.ent_a1)
    given = {"kind": "method", "title": "王氏检修法", "achieved_on": dt.date(2021, 6, 1), "credited": [studio.leader]}
    with pytest.raises(UserError) as error:
        services.result_record(by=union, studio=studio, **{**given, **fields})
    assert error.value.message == message


def test_a_person_from_elsewhere_cannot_be_credited(tree, union):
    studio = make_studio(tree.ent_a1)
    with pytest.raises(UserError):
        services.result_record(by=union, studio=studio, kind="method", title="X", achieved_on=dt.date(2021, 6, 1),
                               credited=[make_person(tree.ent_b1)])  # fmt: skip


def test_alliances_cross_the_tree_and_are_managed_by_the_lead_or_the_office(tree, union, office):
    lead = make_studio(tree.ent_a1)
    other = make_studio(tree.ent_b1)
    alliance = services.alliance_create(by=union, name="滇中电力创新联盟", founded_on=dt.date(2021, 3, 1), lead=lead,
                                        studios=[other])  # fmt: skip
    assert set(alliance.studios.all()) == {lead, other}
    b_union = actor(tree, Role.UNION_ADMIN, tree.union_b)
    with pytest.raises(PermissionDenied):
        services.activity_add(by=b_union, alliance=alliance, held_on=dt.date(2021, 5, 1), title="交流")
    services.activity_add(by=office, alliance=alliance, held_on=dt.date(2021, 5, 1), title="联合攻关启动")
    with pytest.raises(PermissionDenied):
        services.alliance_create(by=b_union, name="另一个", founded_on=dt.date(2021, 3, 1), lead=lead, studios=[other])


def test_an_alliance_needs_two_studios(tree, union):
    lead = make_studio(tree.ent_a1)
    with pytest.raises(UserError) as error:
        services.alliance_create(by=union, name="独家", founded_on=dt.date(2021, 3, 1), lead=lead)
    assert error.value.message == "联盟至少应有两个工作室。"


def test_review_life_cycle_submit_return_submit_rate(tree, union, office):
    studio = make_studio(tree.ent_a1, named_on=dt.date(2020, 1, 1))
    review = services.review_start(by=union, studio=studio, year=2021)
    with pytest.raises(UserError) as error:
        services.review_step(by=union, review=review, version=review.version, step="submit")
    assert error.value.message == "请先填写年度工作总结再提交。"
    review = services.review_save(by=union, review=review, version=review.version, summary="攻关课题三项")
    review = services.review_step(by=union, review=review, version=review.version, step="submit")
    assert review.status == ReviewStatus.SUBMITTED
    with pytest.raises(PermissionDenied):  # the union does not rate its own studio
        services.review_rate(by=union, review=review, version=review.version, scores={})
    with pytest.raises(UserError) as error:
        services.review_step(by=office, review=review, version=review.version, step="return", reason="")
    assert error.value.message == "请填写退回原因，说明需要修改或补充的内容。"
    review = services.review_step(by=office, review=review, version=review.version, step="return", reason="补充成果")
    assert review.status == ReviewStatus.RETURNED and review.reason == "补充成果"
    review = services.review_step(by=union, review=review, version=review.version, step="submit")
    scores = {"organisation": "18", "topics": "28", "results": "27.5", "training": "18"}
    review = services.review_rate(by=office, review=review, version=review.version, scores=scores, comment="好")
    assert review.status == ReviewStatus.RATED
    assert review.total == Decimal("91.5") and review.grade == Grade.EXCELLENT
    events = list(AuditEntry.objects.filter(object_id=str(review.pk), object_type="studios.studioreview")
                  .order_by("id").values_list("event", flat=True))  # fmt: skip
    assert events == ["studios.review.start", "studios.review.save", "studios.review.submit",
                      "studios.review.return", "studios.review.submit", "studios.review.rate"]  # fmt: skip
    with pytest.raises(IllegalTransition):
        services.review_rate(by=office, review=review, version=review.version, scores=scores)


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ({"organisation": "21", "topics": "1", "results": "1", "training": "1"}, "“组织运行”的得分应在 0 到 20 之间。"),
        ({"organisation": "1", "topics": "", "results": "1", "training": "1"}, "请填写“攻关课题”的得分。"),
        ({"organisation": "1", "topics": "1", "results": "x", "training": "1"}, "“成果效益”的得分应为数字。"),
    ],
)
def test_rating_refuses_bad_scores(tree, office, scores, message):
    review = make_review(make_studio(tree.ent_a1), status=ReviewStatus.SUBMITTED)
    with pytest.raises(UserError) as error:
        services.review_rate(by=office, review=review, version=review.version, scores=scores)
    assert error.value.message == message
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED


def test_one_review_per_studio_and_year(tree, union):
    studio = make_studio(tree.ent_a1)
    services.review_start(by=union, studio=studio, year=2021)
    with pytest.raises(UserError) as error:
        services.review_start(by=union, studio=studio, year=2021)
    assert error.value.message == "2021年度的评估已经建立。"
    assert StudioReview.objects.count() == 1


def test_grades_follow_the_total(tree, office):
    for total_scores, grade in ((("20", "25", "25", "10"), "good"), (("10", "20", "20", "10"), "pass"),
                                (("5", "10", "10", "5"), "fail")):  # fmt: skip
        review = make_review(make_studio(tree.ent_a1), status=ReviewStatus.SUBMITTED)
        scores = dict(zip(("organisation", "topics", "results", "training"), total_scores, strict=True))
        review = services.review_rate(by=office, review=review, version=review.version, scores=scores)
        assert review.grade == grade


def test_make_result_helper_counts(tree):
    studio = make_studio(tree.ent_a1)
    make_result(studio, value="100")
    make_alliance(studio, make_studio(tree.ent_b1))
    assert studio.results.count() == 1
