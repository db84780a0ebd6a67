"""The case's workflow and its writes: who may take each step, reasons, versions, audit rows, bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import F

from cases import services
from cases.choices import CaseStatus
from cases.models import Case, Replication
from cases.tests.factories import BODY, actor, adopt, make_case, office, published_case, step, topic, writer
from core.errors import ConflictError, UserError
from core.models import AuditEntry
from core.workflow import IllegalTransition
from orgs.choices import Role


def events(obj) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .order_by("id")
        .values_list("event", flat=True)
    )


def test_the_whole_workflow_is_played_and_audited(tree):
    case = make_case(tree)
    assert case.status == CaseStatus.DRAFT
    assert case.tasks == ",skills,status,"
    assert "建立以技能为导向的薪酬分配制度" in case.body_text and "<p>" not in case.body_text
    step(case, "submit", writer(tree))
    case = step(case, "return", office(tree), reason="请补充实施前后的数据对比。")
    assert case.status == CaseStatus.RETURNED and case.reason == "请补充实施前后的数据对比。"
    case.refresh_from_db()
    services.case_update(by=writer(tree), case=case, version=case.version, body=BODY + "<p>对比数据见附表。</p>")
    case = step(case, "submit", writer(tree))
    assert case.reason == ""
    case = step(case, "publish", office(tree))
    assert case.status == CaseStatus.PUBLISHED and case.published_on is not None
    case = step(case, "withdraw", office(tree), reason="数据有误，待核实后重新发布。")
    assert case.status == CaseStatus.WITHDRAWN
    assert events(case) == [
        "cases.case.create", "cases.case.submit", "cases.case.return", "cases.case.update", "cases.case.submit",
        "cases.case.publish", "cases.case.withdraw",
    ]  # fmt: skip
    returned = AuditEntry.objects.get(object_id=str(case.pk), event="cases.case.return")
    assert returned.detail == {"reason": "请补充实施前后的数据对比。"}
    assert returned.before["status"] == "submitted" and returned.after["status"] == "returned"


@pytest.mark.parametrize("name", ["return", "withdraw"])
def test_return_and_withdraw_need_a_reason(tree, name):
    case = make_case(tree)
    step(case, "submit", writer(tree))
    if name == "withdraw":
        step(case, "publish", office(tree))
    case.refresh_from_db()
    before = case.status
    with pytest.raises(UserError) as error:
        step(case, name, office(tree), reason="   ")
    assert error.value.field == "reason"
    assert error.value.message in ("请填写退回原因，说明需要修改什么。", "请填写撤回原因。")
    case.refresh_from_db()
    assert case.status == before


@pytest.mark.parametrize(
    ("role", "home", "name"),
    [
        (Role.REPORTER, "ent_a1", "publish"),  # the source cannot publish its own case
        (Role.UNION_ADMIN, "union_a", "publish"),  # its union reviews reports, not cases: ACCEPT is the office's
        (Role.UNION_ADMIN, "union_a", "return"),
        (Role.LEADER, "province", "publish"),
        (Role.OFFICE_REVIEWER, "office", "submit"),  # the office does not write for the enterprise
        (Role.REPORTER, "ent_a2", "submit"),  # a sibling enterprise's editor
    ],
)
def test_who_may_not_take_a_step(tree, role, home, name):
    case = make_case(tree)
    if name != "submit":
        step(case, "submit", writer(tree))
    case.refresh_from_db()
    before = case.status
    with pytest.raises(PermissionDenied):
        step(case, name, actor(tree.user(role, getattr(tree, home))), reason="理由")
    case.refresh_from_db()
    assert case.status == before
    assert events(case)[-1] != f"cases.case.{name}"


def test_union_admin_may_write_and_submit_for_its_enterprise(tree):
    union = actor(tree.user(Role.UNION_ADMIN, tree.union_a))
    case = make_case(tree, tree.ent_a2, by=union)
    assert step(case, "submit", union).status == CaseStatus.SUBMITTED


def test_a_step_from_the_wrong_state_is_a_conflict(tree):
    case = make_case(tree)
    with pytest.raises(IllegalTransition) as error:
        step(case, "publish", office(tree))
    assert error.value.message == "当前状态为“草稿”的案例不能发布。"


def test_a_stale_version_changes_nothing(tree):
    case = make_case(tree)
    stale = case.version
    Case.objects.filter(pk=case.pk).update(version=F("version") + 1)  # someone saved first
    with pytest.raises(ConflictError) as error:
        services.case_update(by=writer(tree), case=case, version=stale, title="别人的修改被覆盖了吗")
    assert error.value.message == "该案例已被他人修改，请刷新后重试。"
    case.refresh_from_db()
    assert case.title == "技能等级与薪酬挂钩"
    assert events(case) == ["cases.case.create"]


def test_submitted_and_published_cases_cannot_be_edited(tree):
    case = published_case(tree)
    with pytest.raises(UserError) as error:
        services.case_update(by=writer(tree), case=case, version=case.version, title="改标题")
    assert error.value.message == "案例当前状态为“已发布”，不能修改；只有草稿和退回修改的案例可以修改。"


def test_submit_needs_a_body_and_a_tag(tree):
    case = make_case(tree, body="", tasks=(), topics=())
    with pytest.raises(UserError) as error:
        step(case, "submit", writer(tree))
    assert error.value.message == "请先填写案例正文再提交。"
    case.refresh_from_db()
    services.case_update(by=writer(tree), case=case, version=case.version, body="<p>正文</p>")
    with pytest.raises(UserError) as error:
        step(case, "submit", writer(tree))
    assert error.value.field == "tasks"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "请填写标题。"),
        ({"title": "长" * 121}, "title", "标题不能超过 120 个字（现有 121 个字）。"),
        ({"summary": "摘" * 301}, "summary", "摘要不能超过 300 个字（现有 301 个字）。"),
        ({"summary": "含有\x00控制字符"}, "summary", "摘要含有不可见的控制字符，请删除后重试。"),
        ({"year": 1999}, "year", None),
        ({"year": "２０２１"}, "year", None),
        ({"year": 2100}, "year", None),
        ({"tasks": ["nonsense"]}, "tasks", "重点任务“nonsense”不存在。"),
        ({"topics": [999999]}, "topics", "所选专题不存在，请刷新页面后重新选择。"),
    ],
)
def test_bad_input_names_the_field(tree, changes, field, message):
    with pytest.raises(UserError) as error:
        services.case_create(
            by=writer(tree), org=tree.ent_a1, **{"title": "标题", "year": 2021, "summary": "摘要", **changes}
        )
    assert error.value.field == field
    if message:
        assert error.value.message == message
    assert not Case.objects.exists()


def test_the_body_is_cleaned_to_the_allow_list(tree):
    case = make_case(tree, body='<p onclick="x()">做法</p><script>alert(1)</script><img src=x onerror=alert(1)>')
    assert case.body == "<p>做法</p>"


def test_a_case_cannot_come_from_a_category_or_outside_the_scope(tree):
    with pytest.raises(UserError) as error:
        admin = actor(tree.user(Role.OFFICE_ADMIN))
        services.case_create(by=admin, org=tree.unions, title="标题", year=2021, summary="摘要")
    assert error.value.field == "org"
    with pytest.raises(PermissionDenied):
        services.case_create(by=writer(tree), org=tree.ent_b1, title="标题", year=2021, summary="摘要")


def test_moving_a_case_needs_edit_on_the_new_organisation(tree):
    case = make_case(tree)
    with pytest.raises(PermissionDenied):
        services.case_update(by=writer(tree), case=case, version=case.version, org=tree.ent_b1)
    case.refresh_from_db()
    assert case.org == tree.ent_a1


def test_only_a_never_submitted_draft_can_be_deleted(tree):
    case = make_case(tree)
    step(case, "submit", writer(tree))
    case = step(case, "return", office(tree), reason="重写")
    with pytest.raises(UserError):
        services.case_delete(by=writer(tree), case=case, version=case.version)
    draft = make_case(tree, title="另一个草稿")
    services.case_delete(by=writer(tree), case=draft, version=draft.version)
    assert not Case.objects.filter(pk=draft.pk).exists()
    assert AuditEntry.objects.filter(event="cases.case.delete", object_id=str(draft.pk)).exists()


# --- Replications ---------------------------------------------------------------------------------------------


def test_replications_count_for_the_source_once_per_organisation(tree):
    case = published_case(tree)
    row = adopt(tree, case, tree.ent_a2)
    adopt(tree, case, tree.ent_b1)
    assert case.replications.count() == 2
    assert events(row) == ["cases.replication.create"]
    with pytest.raises(UserError) as error:
        adopt(tree, case, tree.ent_a2)
    assert error.value.message == "“曲靖供电局”已登记过复制推广本案例，如需补充请修改原记录。"
    assert Replication.objects.filter(case=case).count() == 2


def test_replication_refusals(tree):
    draft = make_case(tree, title="草稿")
    with pytest.raises(UserError) as error:
        adopt(tree, draft, tree.ent_a2)
    assert error.value.message == "只有已发布的案例可以登记复制推广。"
    case = published_case(tree)
    with pytest.raises(UserError) as error:
        adopt(tree, case, tree.ent_a1)
    assert error.value.field == "org"
    with pytest.raises(UserError) as error:
        adopt(tree, case, tree.ent_a2, on=dt.date(2999, 1, 1))
    assert error.value.message == "借鉴日期不能晚于今天。"
    with pytest.raises(PermissionDenied):  # 昆明供电局's reporter records for 云南铜业: not his
        adopt(tree, case, tree.ent_b1, by=writer(tree))
    assert not Replication.objects.exists()


def test_replication_update_and_delete(tree):
    case = published_case(tree)
    row = adopt(tree, case, tree.ent_a2)
    stale = row.version
    services.replication_update(by=writer(tree, tree.ent_a2), replication=row, version=row.version, result="成效显著")
    with pytest.raises(ConflictError):
        services.replication_update(by=writer(tree, tree.ent_a2), replication=row, version=stale, result="覆盖")
    with pytest.raises(PermissionDenied):
        services.replication_delete(by=writer(tree), replication=row)
    services.replication_delete(by=writer(tree, tree.ent_a2), replication=row)
    assert not Replication.objects.exists()
    assert events(row) == ["cases.replication.create", "cases.replication.update", "cases.replication.delete"]


# --- Topics ---------------------------------------------------------------------------------------------------


def test_topics_are_shipped_and_kept_by_the_office(tree):
    assert topic("产业工人之家").is_active
    created = services.topic_save(by=office(tree), name="技术工人队伍建设", order=5)
    assert events(created) == ["cases.topic.create"]
    with pytest.raises(UserError):
        services.topic_save(by=office(tree), name="产业工人之家")
    with pytest.raises(PermissionDenied):
        services.topic_save(by=writer(tree), name="越权专题")
