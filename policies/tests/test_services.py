"""Writes of the policy library: measures and rules (the office's, audited, versioned), notices sent only to the
eligible non-users with opening tracked, the uptake round and form, and the uptake analytics against a hand-made
fixture (use rate, under-used measures, enterprises using none, reasons)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.actor import Actor
from core.errors import ConflictError, UserError
from core.models import AuditEntry
from orgs.choices import Role
from policies import queries, services
from policies.choices import MeasureStatus, UptakeStatus
from policies.models import Measure, NoticeRecipient, Rule, UptakeLine
from policies.tests.factories import make_measure, office_actor, open_round

FIELDS = {
    "title": "首席技师制度", "issuer": "云南省人力资源和社会保障厅", "doc_number": "云人社发〔2021〕12号",
    "issued_on": dt.date(2021, 2, 26), "category": "pay", "valid_from": dt.date(2021, 2, 26),
    "benefits": "省级首席技师每人每年津贴1万元。", "body": "第一条 为发挥高技能人才作用……\n\n第二条 ……",
}  # fmt: skip


def events(code):
    return AuditEntry.objects.filter(event=code)


# --- Measures and rules ---------------------------------------------------------------------------


def test_office_creates_updates_publishes_and_every_write_is_audited(tree):
    office = office_actor(tree)
    measure = services.measure_create(by=office, **FIELDS)
    assert measure.status == MeasureStatus.DRAFT and measure.body.startswith("<p>第一条")
    assert "第二条" in measure.body_text and events("policies.measure.create").count() == 1
    measure = services.measure_update(by=office, measure=measure, version=measure.version, title="首席技师制度（修订）")
    update = events("policies.measure.update").get()
    assert update.before["title"] == "首席技师制度" and update.after["title"] == "首席技师制度（修订）"
    services.measure_set_status(by=office, measure=measure, version=measure.version, status=MeasureStatus.PUBLISHED)
    assert events("policies.measure.publish").get().after == {"status": "published"}
    rule = services.rule_add(by=office, measure=measure, field="workers", operator="gte", value="300")
    assert events("policies.rule.add").get().detail["rule"] == "职工人数 不少于 300 人"
    services.rule_delete(by=office, rule=rule)
    assert not Rule.objects.exists() and events("policies.rule.delete").count() == 1


def test_stale_version_is_a_conflict_and_changes_nothing(tree):
    office = office_actor(tree)
    measure = services.measure_create(by=office, **FIELDS)
    services.measure_update(by=office, measure=measure, version=1, benefits="新内容")
    with pytest.raises(ConflictError, match="该政策已被他人修改"):
        services.measure_update(by=office, measure=measure, version=1, title="覆盖")
    measure.refresh_from_db()
    assert measure.title == "首席技师制度" and events("policies.measure.update").count() == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": " "}, "title", "请填写政策名称。"),
        ({"category": "sport"}, "category", "类别“sport”无效；"),
        ({"valid_to": dt.date(2020, 1, 1)}, "valid_to", "有效期止不能早于有效期起。"),
        ({"title": "长" * 201}, "title", "政策名称不能超过 200 个字（现有 201 个字）。"),
        ({"issued_on": "2021-02-30"}, "issued_on", "发布日期格式不正确"),
    ],
)
def test_bad_fields_are_refused_naming_the_field(tree, change, field, message):
    with pytest.raises(UserError) as caught:
        services.measure_create(by=office_actor(tree), **{**FIELDS, **change})
    assert caught.value.field == field and message in caught.value.message
    assert not Measure.objects.exists()


@pytest.mark.parametrize("role", [Role.REPORTER, Role.UNION_ADMIN, Role.OFFICE_REVIEWER, Role.LEADER])
def test_only_the_office_administrators_keep_the_library(tree, role):
    user = tree.user(role)
    with pytest.raises(PermissionDenied):
        services.measure_create(by=Actor(user=user), **FIELDS)
    assert not Measure.objects.exists()


def test_script_in_the_full_text_is_removed(tree):
    measure = services.measure_create(
        by=office_actor(tree), **{**FIELDS, "body": "<p>正文<script>alert(1)</script></p>"}
    )
    assert "script" not in measure.body and "正文" in measure.body


# --- Notices --------------------------------------------------------------------------------------


def test_notice_goes_only_to_eligible_organisations_not_using_the_measure(world):
    tree, m = world
    round_ = open_round(tree)
    used = round_.reports.get(org=tree.ent_a2)
    UptakeLine.objects.filter(report=used, measure=m["everyone"]).update(used=True, beneficiaries=3)
    type(used).objects.filter(pk=used.pk).update(status=UptakeStatus.SUBMITTED)
    notice = services.notice_send(by=office_actor(tree), measure=m["everyone"])
    assert sorted(notice.recipients.values_list("org__code", flat=True)) == ["E-A1", "E-B1"]
    assert "申请流程：向人社部门申报。" in notice.message and notice.title == "政策推送：技能人才薪酬分配指引"
    assert events("policies.notice.send").get().detail["recipients"] == 2
    large = services.notice_send(by=office_actor(tree), measure=m["large"])
    assert list(large.recipients.values_list("org__code", flat=True)) == ["E-A1"]  # not 无数据 云南铜业股份


def test_notice_refused_for_a_draft_or_when_nobody_is_left(world):
    tree, _m = world
    draft = make_measure("草稿", status=MeasureStatus.DRAFT)
    with pytest.raises(UserError, match="只能推送已发布且在有效期内的政策"):
        services.notice_send(by=office_actor(tree), measure=draft)
    nobody = make_measure("基层单位专项", rules=[("kind", "in", "unit"), ("workers", "gte", "10")])
    with pytest.raises(UserError, match="没有符合条件且尚未享受该政策的单位"):
        services.notice_send(by=office_actor(tree), measure=nobody)


def test_opening_is_recorded_once_for_the_organisation(world):
    tree, m = world
    notice = services.notice_send(by=office_actor(tree), measure=m["everyone"])
    mine = notice.recipients.get(org=tree.ent_a1)
    reporter = tree.user(Role.REPORTER, tree.ent_a1)
    services.notice_open(by=Actor(user=reporter), recipient=mine)
    mine.refresh_from_db()
    assert mine.opened_by == reporter and mine.opened_at is not None
    first = mine.opened_at
    services.notice_open(by=Actor(user=tree.user(Role.INFO_OFFICER, tree.ent_a1)), recipient=mine)
    mine.refresh_from_db()
    assert mine.opened_at == first and mine.opened_by == reporter
    assert events("policies.notice.open").count() == 1
    # Someone of another organisation cannot open it; the office reading does not count.
    with pytest.raises(PermissionDenied):
        services.notice_open(by=Actor(user=tree.user(Role.REPORTER, tree.ent_b1)), recipient=mine)
    other = notice.recipients.get(org=tree.ent_b1)
    with pytest.raises(PermissionDenied):
        services.notice_open(by=office_actor(tree), recipient=other)
    assert NoticeRecipient.objects.filter(opened_at__isnull=False).count() == 1


# --- Uptake ---------------------------------------------------------------------------------------


def test_round_gives_each_eligible_organisation_a_form_with_its_measures(world):
    tree, m = world
    make_measure("2022年新政策", valid_from=dt.date(2022, 2, 1), issued_on=dt.date(2022, 2, 1))  # not in force in 2021
    round_ = open_round(tree)
    lines = {r.org.code: sorted(r.lines.values_list("measure__title", flat=True)) for r in round_.reports.all()}
    assert lines == {
        "E-A1": ["大型企业职业技能培训补贴", "技能人才薪酬分配指引", "昆明市技能人才住房保障"],
        "E-A2": ["技能人才薪酬分配指引"],
        "E-B1": ["技能人才薪酬分配指引"],
    }
    assert events("policies.round.open").get().detail == {"forms": 3, "lines": 5}
    with pytest.raises(UserError, match="2021年度的政策落实填报已经发起"):
        open_round(tree)


def _answer(report, **by_title):
    answers = {}
    for line in report.lines.select_related("measure"):
        answers[line.measure_id] = by_title[line.measure.title]
    return answers


USED = {"used": True, "beneficiaries": "12", "amount": "9600.50"}
UNAWARE = {"used": False, "reason": "unaware"}


def test_submission_is_complete_versioned_and_audited(world):
    tree, m = world
    round_ = open_round(tree)
    report = round_.reports.get(org=tree.ent_a1)
    reporter = Actor(user=tree.user(Role.REPORTER, tree.ent_a1))
    partial = {m["large"].pk: USED}
    services.uptake_save(by=reporter, report=report, version=report.version, answers=partial)
    report.refresh_from_db()
    assert report.status == UptakeStatus.DRAFT and events("policies.uptake.save").count() == 1
    with pytest.raises(UserError, match="请选择“享受了”或“未享受”后再提交"):
        services.uptake_save(by=reporter, report=report, version=report.version, answers=partial, submit=True)
    full = _answer(report, 大型企业职业技能培训补贴=USED, 技能人才薪酬分配指引=UNAWARE,
                   昆明市技能人才住房保障={"used": False, "reason": "other",
                                        "reason_text": "尚未开始受理"})  # fmt: skip
    services.uptake_save(by=reporter, report=report, version=report.version, answers=full, submit=True)
    report.refresh_from_db()
    assert report.status == UptakeStatus.SUBMITTED and report.first_submitted_at is not None
    line = report.lines.get(measure=m["large"])
    assert (line.used, line.beneficiaries, line.amount) == (True, 12, Decimal("9600.50"))
    audit = events("policies.uptake.submit").get()
    assert audit.before["status"] == "draft" and audit.after["status"] == "submitted"
    with pytest.raises(ConflictError):
        services.uptake_save(by=reporter, report=report, version=1, answers=full, submit=True)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"used": True, "beneficiaries": "十二"}, "受益人次应为不超过一千万的非负整数，“十二”不是"),
        ({"used": True, "beneficiaries": "-3"}, "受益人次应为不超过一千万的非负整数"),
        ({"used": True, "amount": "1e3"}, "金额应为不小于 0 的数字（元），“1e3”不是"),
        ({"used": True, "amount": "NaN"}, "金额应为不小于 0 的数字（元）"),
        ({"used": True}, "享受了政策的，请填写受益人次或金额"),
        ({"used": False}, "请选择未享受的原因"),
        ({"used": False, "reason": "other"}, "原因选“其他”的，请说明"),
        ({"used": False, "reason": "lazy"}, "未享受原因无效"),
        ({"used": "maybe"}, "请选择“享受了”或“未享受”"),
    ],
)
def test_bad_answers_are_refused_naming_the_measure(world, answer, message):
    tree, m = world
    report = open_round(tree).reports.get(org=tree.ent_a2)
    with pytest.raises(UserError) as caught:
        services.uptake_save(by=Actor(user=tree.user(Role.REPORTER, tree.ent_a2)), report=report, version=1,
                             answers={m["everyone"].pk: answer}, submit=True)  # fmt: skip
    assert "“技能人才薪酬分配指引”" in caught.value.message and message in caught.value.message
    report.refresh_from_db()
    assert report.status == UptakeStatus.DRAFT and report.version == 1


def test_another_organisation_cannot_write_the_form(world):
    tree, m = world
    report = open_round(tree).reports.get(org=tree.ent_a2)
    for user in (tree.user(Role.REPORTER, tree.ent_b1), tree.user(Role.INFO_OFFICER, tree.ent_a2)):
        with pytest.raises(PermissionDenied):
            services.uptake_save(by=Actor(user=user), report=report, version=1, answers={m["everyone"].pk: UNAWARE})
    with pytest.raises(UserError, match="不在本表中的政策"):
        services.uptake_save(by=Actor(user=tree.user(Role.REPORTER, tree.ent_a2)), report=report, version=1,
                             answers={m["large"].pk: UNAWARE})  # fmt: skip


def test_uptake_analytics_against_a_hand_made_fixture(world):
    """Three enterprises: 昆明供电局 uses two of three, 曲靖供电局 uses none of one, 云南铜业股份 never submits."""
    tree, m = world
    round_ = open_round(tree)
    a1 = round_.reports.get(org=tree.ent_a1)
    services.uptake_save(by=Actor(user=tree.user(Role.REPORTER, tree.ent_a1)), report=a1, version=1, submit=True,
                         answers=_answer(a1, 大型企业职业技能培训补贴=USED, 技能人才薪酬分配指引=USED,
                                         昆明市技能人才住房保障=UNAWARE))  # fmt: skip
    a2 = round_.reports.get(org=tree.ent_a2)
    services.uptake_save(by=Actor(user=tree.user(Role.REPORTER, tree.ent_a2)), report=a2, version=1, submit=True,
                         answers={m["everyone"].pk: {"used": False, "reason": "cumbersome"}})  # fmt: skip
    data = queries.analytics(round_)
    rows = {row.measure.title: row for row in data.measures}
    everyone = rows["技能人才薪酬分配指引"]
    assert (everyone.eligible, everyone.reported, everyone.used) == (3, 2, 1)
    assert everyone.rate == Decimal("0.5") and not everyone.under_used  # exactly half is not under-used
    housing = rows["昆明市技能人才住房保障"]
    assert (housing.reported, housing.used, housing.rate) == (1, 0, Decimal(0)) and housing.under_used
    assert rows["大型企业职业技能培训补贴"].rate == 1 and rows["大型企业职业技能培训补贴"].amount == Decimal("9600.50")
    assert [row.measure.title for row in data.under_used] == ["昆明市技能人才住房保障"]
    assert housing.main_reason == "不了解政策 1" and rows["大型企业职业技能培训补贴"].main_reason == ""
    assert [(org.code, union, n) for org, union, n in data.none_used] == [("E-A2", "云南电网", 1)]
    assert dict(data.reasons) == {"不了解政策": 1, "手续繁琐": 1}
    union_rows = {(u.union_name, u.measure.title): (u.used, u.reported) for u in data.by_union}
    assert union_rows[("云南电网", "技能人才薪酬分配指引")] == (1, 2)
    assert ("中国铜业", "技能人才薪酬分配指引") not in union_rows  # nothing reported there: no rate, not 0%
    assert [(u.union_name, u.measure.title) for u in data.unused_by_union] == [("云南电网", "昆明市技能人才住房保障")]
    assert (data.progress.expected, data.progress.submitted) == (3, 2)


def test_nothing_reported_is_no_data_not_zero(world):
    tree, _m = world
    data = queries.analytics(open_round(tree))
    assert all(row.rate is None and not row.under_used for row in data.measures)
    from policies.exports import rate_text

    assert rate_text(None) == "无数据" and rate_text(Decimal("0.25")) == "25.00%"


def test_notice_reach_counts_opened_and_later_use(world):
    tree, m = world
    notice = services.notice_send(by=office_actor(tree), measure=m["everyone"])
    services.notice_open(
        by=Actor(user=tree.user(Role.REPORTER, tree.ent_a1)), recipient=notice.recipients.get(org=tree.ent_a1)
    )
    round_ = open_round(tree)
    a1 = round_.reports.get(org=tree.ent_a1)
    services.uptake_save(by=Actor(user=tree.user(Role.REPORTER, tree.ent_a1)), report=a1, version=1, submit=True,
                         answers=_answer(a1, 大型企业职业技能培训补贴=UNAWARE, 技能人才薪酬分配指引=USED,
                                         昆明市技能人才住房保障=UNAWARE))  # fmt: skip
    (reach,) = queries.notice_reach(type(notice).objects.all())
    assert (reach.sent, reach.opened, reach.used_later) == (3, 1, 1)
    assert timezone.now() >= reach.notice.sent_at
