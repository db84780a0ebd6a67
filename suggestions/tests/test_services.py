"""The suggestion's life cycle and its checks (suggestions/services.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import F

from core import deadlines
from core.actor import Actor
from core.errors import ConflictError, UserError
from core.models import AuditEntry
from core.workflow import IllegalTransition, history
from orgs.choices import Role
from suggestions import services
from suggestions.choices import SuggestionKind, SuggestionStatus
from suggestions.models import Suggestion
from suggestions.tests.factories import make_campaign, make_suggestion
from suggestions.workflow import SUGGESTION_WORKFLOW

S = SuggestionStatus
pytestmark = pytest.mark.django_db


def person(org, name="李四", occupation="电工"):
    from talent.models import Person

    return Person.objects.create(org=org, name=name, gender="male", occupation=occupation)


def submit(by, org, **fields):
    fields.setdefault("kind", SuggestionKind.INNOVATION)
    fields.setdefault("title", "刀闸操作杆改进")
    fields.setdefault("content", "加装限位块，防止误操作。")
    fields.setdefault("proposers", [{"name": "王五", "occupation": "变电检修工"}])
    return services.suggestion_submit(by=by, org=org, **fields)


# Submission ---------------------------------------------------------------------------------------------------


def test_reporter_enters_a_suggestion_for_workers_with_a_linked_person(tree, reporter):
    linked = person(tree.unit_a1)
    suggestion = submit(
        reporter, tree.ent_a1,
        proposers=[{"name": "王五", "occupation": "检修工"}, {"name": "", "occupation": "", "person": linked}],
    )  # fmt: skip
    assert suggestion.status == S.SUBMITTED
    assert suggestion.submitted_by == reporter.user
    assert suggestion.submitted_on == deadlines.today()
    rows = list(suggestion.proposers.all())
    assert [(p.order, p.name, p.occupation, p.person_id) for p in rows] == [
        (1, "王五", "检修工", None), (2, "李四", "电工", linked.pk),
    ]  # fmt: skip
    entry = AuditEntry.objects.get(event="suggestions.suggestion.submit", object_id=str(suggestion.pk))
    assert entry.detail == {"proposers": 2, "linked": [linked.pk]}
    assert "王五" not in str(entry.after)


def test_union_admin_enters_for_an_enterprise_below(tree, union_admin):
    assert submit(union_admin, tree.ent_a2).org == tree.ent_a2


@pytest.mark.parametrize("where", ["ent_a2", "ent_b1"])
def test_reporter_cannot_enter_outside_his_subtree(tree, reporter, where):
    with pytest.raises(PermissionDenied):
        submit(reporter, getattr(tree, where))
    assert not Suggestion.objects.exists()


def test_a_person_of_another_organisation_cannot_be_linked(tree, reporter):
    stranger = person(tree.ent_a2, name="赵六")
    with pytest.raises(UserError) as error:
        submit(reporter, tree.ent_a1, proposers=[{"name": "赵六", "person": stranger}])
    assert error.value.message == "“赵六”不在“昆明供电局”的人才库中，不能关联。"


@pytest.mark.parametrize(
    ("fields", "message", "field"),
    [
        ({"proposers": []}, "请至少填写一位建议人的姓名。", "proposers"),
        ({"proposers": [{"name": " ", "occupation": "电工"}]}, "第 1 位建议人请填写姓名。", "proposers"),
        ({"proposers": [{"name": "甲"}, {"name": "甲"}]}, "建议人“甲”填写了两次。", "proposers"),
        ({"title": " "}, "请填写名称。", "title"),
        ({"content": ""}, "请填写主要内容。", "content"),
        ({"kind": "other"}, "请选择类别：合理化建议或五小（小发明、小创造、小革新、小设计、小建议）。", "kind"),
        ({"submitted_on": "2026-13-01"}, "提出日期格式不正确，请按“2026-03-15”的格式填写。", "submitted_on"),
        ({"submitted_on": "2999-01-01"}, "提出日期不能晚于今天。", "submitted_on"),
    ],
)
def test_submission_refused_with_a_message_naming_the_field(tree, reporter, fields, message, field):
    with pytest.raises(UserError) as error:
        submit(reporter, tree.ent_a1, **fields)
    assert (error.value.message, error.value.field) == (message, field)
    assert not Suggestion.objects.exists()


def test_campaign_checks_kind_period_and_reach(tree, union_admin, reporter):
    today = deadlines.today()
    campaign = make_campaign(tree.union_a, name="金点子", kinds=[SuggestionKind.RATIONAL])
    assert submit(reporter, tree.ent_a1, kind=SuggestionKind.RATIONAL, campaign=campaign).campaign == campaign
    with pytest.raises(UserError) as error:
        submit(reporter, tree.ent_a1, kind=SuggestionKind.DESIGN, campaign=campaign)
    assert error.value.message == "“金点子”不征集“小设计”，请选择活动征集的类别：合理化建议。"
    other = make_campaign(tree.union_b, name="铜业五小")
    with pytest.raises(UserError) as error:
        submit(union_admin, tree.ent_a1, campaign=other)
    assert error.value.field == "campaign"
    past = make_campaign(tree.union_a, name="往年", starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2020, 12, 31))
    with pytest.raises(UserError) as error:
        submit(reporter, tree.ent_a1, campaign=past, submitted_on=today)
    assert error.value.field == "submitted_on"


def test_update_only_while_submitted_and_with_the_current_version(tree, reporter):
    suggestion = make_suggestion(tree.ent_a1)
    services.suggestion_update(by=reporter, suggestion=suggestion, version=suggestion.version, title="新名称")
    suggestion.refresh_from_db()
    assert suggestion.title == "新名称"
    with pytest.raises(ConflictError):
        services.suggestion_update(by=reporter, suggestion=suggestion, version=suggestion.version - 1, title="旧")
    Suggestion.objects.filter(pk=suggestion.pk).update(status=S.REVIEWED)
    suggestion.refresh_from_db()
    with pytest.raises(UserError) as error:
        services.suggestion_update(by=reporter, suggestion=suggestion, version=suggestion.version, title="再改")
    assert error.value.message == "建议当前状态为“已审查”，已进入审查，不能再修改。"


# The life cycle -----------------------------------------------------------------------------------------------

STEP_INPUT = {
    "review": {"note": "可行"},
    "adopt": {},
    "reject": {"reason": "已有同类措施"},
    "implement": {"implemented_on": "today"},
    "assess": {"value": "12345.60", "value_basis": "年节约材料费测算"},
    "reward": {"reward_amount": "800", "reward_form": "通报表扬", "rewarded_on": "today"},
}


def step_input(step):
    today = deadlines.today()
    return {k: (today if v == "today" else v) for k, v in STEP_INPUT[step].items()}


def test_the_whole_way_from_submission_to_reward_records_who_and_when(tree, reporter, union_admin):
    suggestion = submit(reporter, tree.ent_a1)
    for step, by in [
        ("review", union_admin), ("adopt", union_admin), ("implement", reporter), ("assess", union_admin),
        ("reward", union_admin),
    ]:  # fmt: skip
        suggestion = services.suggestion_step(
            by=by, suggestion=suggestion, step=step, version=suggestion.version, **step_input(step)
        )
    assert suggestion.status == S.REWARDED
    assert suggestion.reviewed_by == union_admin.user and suggestion.reviewed_at is not None
    assert suggestion.review_note == "可行"
    assert suggestion.decided_by == union_admin.user and suggestion.decided_on == deadlines.today()
    assert suggestion.implemented_by == reporter.user
    assert suggestion.value == Decimal("12345.60") and suggestion.value_basis == "年节约材料费测算"
    assert suggestion.assessed_by == union_admin.user
    assert suggestion.reward_amount == Decimal("800.00") and suggestion.reward_form == "通报表扬"
    assert suggestion.rewarded_by == union_admin.user
    assert [e.event for e in history(suggestion)] == [
        "suggestions.suggestion.submit", "suggestions.suggestion.review", "suggestions.suggestion.adopt",
        "suggestions.suggestion.implement", "suggestions.suggestion.assess", "suggestions.suggestion.reward",
    ]  # fmt: skip


def test_reject_needs_a_reason_that_is_kept(tree, union_admin):
    suggestion = make_suggestion(tree.ent_a1)
    with pytest.raises(UserError) as error:
        services.suggestion_step(by=union_admin, suggestion=suggestion, step="reject", version=suggestion.version)
    assert error.value.message == "请填写不采纳的原因，提交单位会看到它。"
    services.suggestion_step(
        by=union_admin, suggestion=suggestion, step="reject", version=suggestion.version, reason="成本过高"
    )
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.reject_reason) == (S.REJECTED, "成本过高")
    entry = AuditEntry.objects.get(event="suggestions.suggestion.reject", object_id=str(suggestion.pk))
    assert entry.detail == {"reason": "成本过高"}


ALL_CASES = [
    (status, step) for status in S.values for step in ("review", "adopt", "reject", "implement", "assess", "reward")
]


@pytest.mark.parametrize(("status", "step"), ALL_CASES)
def test_every_step_from_every_state(tree, union_admin, status, step):
    suggestion = make_suggestion(tree.ent_a1, status=status)
    allowed = status in SUGGESTION_WORKFLOW.step(step).sources
    if allowed:
        suggestion = services.suggestion_step(
            by=union_admin, suggestion=suggestion, step=step, version=suggestion.version, **step_input(step)
        )
        assert suggestion.status == SUGGESTION_WORKFLOW.step(step).target
    else:
        with pytest.raises(IllegalTransition) as error:
            services.suggestion_step(
                by=union_admin, suggestion=suggestion, step=step, version=suggestion.version, **step_input(step)
            )
        label = S(status).label
        step_label = SUGGESTION_WORKFLOW.step(step).label
        assert error.value.message == f"当前状态为“{label}”的建议不能{step_label}。"
        suggestion.refresh_from_db()
        assert suggestion.status == status


def test_the_allowed_steps_are_the_documented_ones():
    table = {status: sorted(SUGGESTION_WORKFLOW.steps_from(status)) for status in S.values}
    assert table == {
        "submitted": ["reject", "review"], "reviewed": ["adopt", "reject"], "adopted": ["implement"],
        "rejected": [], "implemented": ["assess"], "assessed": ["reward"], "rewarded": [],
    }  # fmt: skip


@pytest.mark.parametrize("step", ["review", "adopt", "reject", "assess", "reward"])
def test_a_reporter_may_not_take_the_reviewers_steps(tree, reporter, step):
    source = sorted(SUGGESTION_WORKFLOW.step(step).sources)[0]
    suggestion = make_suggestion(tree.ent_a1, status=source)
    with pytest.raises(PermissionDenied):
        services.suggestion_step(
            by=reporter, suggestion=suggestion, step=step, version=suggestion.version, **step_input(step)
        )
    suggestion.refresh_from_db()
    assert suggestion.status == source


def test_another_groups_admin_may_not_review(tree):
    other = Actor(user=tree.user(Role.UNION_ADMIN, tree.union_b))
    suggestion = make_suggestion(tree.ent_a1)
    with pytest.raises(PermissionDenied):
        services.suggestion_step(by=other, suggestion=suggestion, step="review", version=suggestion.version)


def test_a_stale_version_changes_nothing(tree, union_admin):
    suggestion = make_suggestion(tree.ent_a1)
    stale = suggestion.version
    Suggestion.objects.filter(pk=suggestion.pk).update(version=F("version") + 1)
    with pytest.raises(ConflictError) as error:
        services.suggestion_step(by=union_admin, suggestion=suggestion, step="review", version=stale)
    assert error.value.message == "该建议已被他人修改，请刷新后重试。"
    suggestion.refresh_from_db()
    assert suggestion.status == S.SUBMITTED
    assert not AuditEntry.objects.filter(event="suggestions.suggestion.review").exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"value": "-1", "value_basis": "测算"}, "创效金额不能为负数。"),
        ({"value": "abc", "value_basis": "测算"}, "创效金额应为数字（元）。"),
        ({"value": "1.234", "value_basis": "测算"}, "创效金额最多保留两位小数。"),
        ({"value": "NaN", "value_basis": "测算"}, "创效金额应为数字（元）。"),
        ({"value": "100", "value_basis": ""}, "请填写效益评估依据。"),
        ({"value_basis": "测算"}, "请填写创效金额。"),
    ],
)
def test_assessment_checks_the_value(tree, union_admin, fields, message):
    suggestion = make_suggestion(tree.ent_a1, status=S.IMPLEMENTED)
    with pytest.raises(UserError) as error:
        services.suggestion_step(
            by=union_admin, suggestion=suggestion, step="assess", version=suggestion.version, **fields
        )
    assert error.value.message == message


def test_reward_needs_an_amount_or_a_form_and_a_date(tree, union_admin):
    suggestion = make_suggestion(tree.ent_a1, status=S.ASSESSED)
    today = deadlines.today()
    with pytest.raises(UserError) as error:
        services.suggestion_step(
            by=union_admin, suggestion=suggestion, step="reward", version=suggestion.version, rewarded_on=today
        )
    assert error.value.message == "请填写奖励金额或奖励形式（如通报表扬、荣誉证书）。"
    with pytest.raises(UserError) as error:
        services.suggestion_step(
            by=union_admin, suggestion=suggestion, step="reward", version=suggestion.version, reward_form="荣誉证书"
        )
    assert error.value.message == "请填写奖励日期。"
    suggestion = services.suggestion_step(
        by=union_admin, suggestion=suggestion, step="reward", version=suggestion.version, reward_form="荣誉证书",
        rewarded_on=today,
    )  # fmt: skip
    assert suggestion.reward_amount is None and suggestion.reward_form == "荣誉证书"


def test_unknown_step_is_a_user_error(tree, union_admin):
    suggestion = make_suggestion(tree.ent_a1)
    with pytest.raises(UserError) as error:
        services.suggestion_step(by=union_admin, suggestion=suggestion, step="approve", version=suggestion.version)
    assert error.value.message == "操作“approve”不存在。"


# Campaigns ---------------------------------------------------------------------------------------------------


def test_campaign_create_by_union_admin_and_not_by_reporter(tree, union_admin, reporter):
    campaign = services.campaign_create(
        by=union_admin, organiser=tree.union_a, name="金点子征集", starts_on="2026-01-01", ends_on="2026-06-30",
        kinds=["rational"],
    )  # fmt: skip
    assert campaign.kinds == ["rational"] and campaign.organiser == tree.union_a
    with pytest.raises(PermissionDenied):
        services.campaign_create(
            by=reporter,
            organiser=tree.ent_a1,
            name="x",
            starts_on="2026-01-01",
            ends_on="2026-01-02",
            kinds=["rational"],
        )
    with pytest.raises(UserError) as error:
        services.campaign_create(
            by=union_admin,
            organiser=tree.union_a,
            name="x",
            starts_on="2026-02-01",
            ends_on="2026-01-02",
            kinds=["rational"],
        )
    assert error.value.message == "结束日期不能早于开始日期。"


def test_campaign_update_keeps_its_suggestions_inside(tree, union_admin, reporter):
    campaign = make_campaign(tree.union_a)
    make_suggestion(tree.ent_a1, kind=SuggestionKind.DESIGN, campaign=campaign)
    with pytest.raises(UserError) as error:
        services.campaign_update(by=union_admin, campaign=campaign, version=campaign.version, kinds=["rational"])
    assert error.value.message == "活动中已有“小设计”，不能取消这一征集类别。"
    campaign = services.campaign_update(by=union_admin, campaign=campaign, version=campaign.version, name="新名")
    assert campaign.name == "新名"


def test_closing_an_organisation_names_its_later_suggestions(tree):
    import datetime as dt

    from orgs.services import records_after

    suggestion = make_suggestion(tree.ent_a1)
    day = suggestion.submitted_on
    assert ("合理化建议和五小", day) in records_after(tree.union_a, day - dt.timedelta(days=1))
    assert not [r for r in records_after(tree.union_a, day) if r[0] == "合理化建议和五小"]
    assert not [r for r in records_after(tree.ent_b1, day - dt.timedelta(days=1)) if r[0] == "合理化建议和五小"]
