"""Filling and submitting: opening a report, all-or-nothing saves, version conflicts, double submits,
returns and resubmission, period locks, deadline extensions, notifications."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from core.errors import UserError
from core.models import AuditEntry
from orgs.choices import Role
from orgs.tests.factories import SYSTEM
from reporting import queries, services
from reporting.choices import ReportStatus as S
from reporting.models import DataValue, Notification, Report, ReportSnapshot, ValueReturn, WarningExplanation
from reporting.periods import period_from_code
from reporting.services import ReportConflict, SubmissionBlocked, ValuesInvalid
from reporting.tests.factories import (
    as_actor,
    at,
    filled_report,
    office_user,
    open_report,
    submitted_report,
    valid_values_y,
)


@pytest.fixture
def reporter(tree):
    return as_actor(tree.user(Role.REPORTER))


@pytest.fixture
def draft(tree, wf):
    return open_report(tree, wf[0], "2021")


def events(report, event):
    return AuditEntry.objects.filter(event=event, object_id=str(report.pk)).count()


# --- Opening ----------------------------------------------------------------------------------


def test_open_creates_one_draft_on_the_current_version(tree, wf, reporter):
    wf_y, _ = wf
    period = period_from_code("2021")

    report = services.report_open(by=reporter, org=tree.ent_a1, dataset=wf_y, period=period)
    again = services.report_open(by=reporter, org=tree.ent_a1, dataset=wf_y, period=period)

    assert again.pk == report.pk
    assert (report.status, report.dataset_version, report.version) == (S.DRAFT, wf_y.current_version(), 1)
    assert events(report, "reporting.report.open") == 1


@pytest.mark.parametrize(
    ("org", "code", "message"),
    [
        ("unit_a1", "2021", "“修试所”不需要填报“产业工人队伍基本情况”。"),
        ("ent_a1", "2021Q4", "“产业工人队伍基本情况”是年报，不能按2021年第四季度填报。"),
    ],
)
def test_open_refuses_orgs_that_need_not_report_and_wrong_periods(tree, wf, org, code, message):
    with pytest.raises(UserError) as error:
        services.report_open(by=SYSTEM, org=getattr(tree, org), dataset=wf[0], period=period_from_code(code))

    assert error.value.message == message
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("now", "message"),
    [
        (at(2021, 12, 16, 23, 59), "2021年度的“产业工人队伍基本情况”尚未开放填报，将于 2021-12-17 开放。"),
        (
            at(2022, 2, 11, 0, 0),
            "2021年度的“产业工人队伍基本情况”已过截止日（2022-01-31）和宽限期，填报已关闭；如需补报，请联系产改办延期。",
        ),
    ],
)
def test_open_only_while_entry_is_open(tree, wf, clock, now, message):
    clock.set(now)

    with pytest.raises(UserError) as error:
        open_report(tree, wf[0], "2021")

    assert error.value.message == message


def test_entry_opens_and_closes_on_the_configured_days(tree, wf, clock):
    clock.set(at(2021, 12, 17, 0, 0))
    assert open_report(tree, wf[0], "2021").status == S.DRAFT
    clock.set(at(2022, 2, 10, 23, 59, 59))  # deadline 31 January + 10 grace days
    assert open_report(tree, wf[0], "2021", org=tree.ent_a2).status == S.DRAFT


@pytest.mark.parametrize(
    ("role", "org"), [(Role.REPORTER, "ent_b1"), (Role.DEPT_VIEWER, "dept"), (Role.LEADER, "province")]
)
def test_open_needs_edit_on_the_org(tree, wf, role, org):
    user = tree.user(role, getattr(tree, org))

    with pytest.raises(PermissionDenied):
        services.report_open(by=as_actor(user), org=tree.ent_a1, dataset=wf[0], period=period_from_code("2021"))


# --- Saving values ----------------------------------------------------------------------------------


def test_save_cleans_values_and_notes_conversions(draft, reporter):
    result = services.values_save(
        by=reporter,
        report=draft,
        version=1,
        values={("WF_WORKERS", ""): "１，０００", ("WF_PAYROLL", ""): " 8,000,000.50 ", ("WF_CONGRESS", ""): "是"},
    )

    stored = {(v.element.code, v.option_combo.key): (v.value, v.number) for v in DataValue.objects.filter(report=draft)}
    assert stored[("WF_WORKERS", "")] == ("1000", 1000)
    assert stored[("WF_PAYROLL", "")][0] == "8000000.5"
    assert stored[("WF_CONGRESS", "")] == ("true", 1)
    assert result.report.version == 2
    assert result.notes[("WF_WORKERS", "")] == ("已将全角字符转换为半角", "已去除千分位逗号")
    entry = AuditEntry.objects.get(event="reporting.values.save", object_id=str(draft.pk))
    assert entry.detail["changes"]["WF_WORKERS[]"] == ["", "1000"]


def test_one_bad_value_writes_nothing_and_lists_every_problem(draft, reporter):
    with pytest.raises(ValuesInvalid) as error:
        services.values_save(
            by=reporter,
            report=draft,
            version=1,
            values={
                ("WF_WORKERS", ""): "1000",
                ("WF_FRONTLINE", ""): "一百二十",
                ("WF_WORKERS_GROUP", "MIGRANT.MALE"): "12.5",
                ("WF_NOPE", ""): "1",
            },
        )

    problems = [(p.element_code, p.option_key, p.label, p.value, p.message) for p in error.value.problems]
    assert problems == [
        (
            "WF_FRONTLINE",
            "",
            "一线职工人数",
            "一百二十",
            "“一百二十”是中文数字，请改用阿拉伯数字填写，如“一百二十”应填写 120。",
        ),
        (
            "WF_WORKERS_GROUP",
            "MIGRANT.MALE",
            "产业工人构成·农民工·男",
            "12.5",
            "“12.5”不是整数；人数、次数等应填写整数。",
        ),
        ("WF_NOPE", "", "WF_NOPE[]", "1", "本报表中没有这一项。"),
    ]
    assert error.value.message.startswith("有 3 个数值不正确，本次填写均未保存：一线职工人数：")
    assert not DataValue.objects.exists()
    draft.refresh_from_db()
    assert draft.version == 1
    assert events(draft, "reporting.values.save") == 0


def test_saving_the_same_values_twice_is_a_no_op(draft, reporter):
    first = services.values_save(by=reporter, report=draft, version=1, values={("WF_WORKERS", ""): "1000"})
    again = services.values_save(by=reporter, report=draft, version=1, values={("WF_WORKERS", ""): "1,000"})

    assert again.changed == [] and again.report.version == first.report.version == 2
    assert events(draft, "reporting.values.save") == 1


def test_clearing_a_value_keeps_the_cell_empty(draft, reporter):
    services.values_save(by=reporter, report=draft, version=1, values={("WF_WORKERS", ""): "1000"})
    services.values_save(by=reporter, report=draft, version=2, values={("WF_WORKERS", ""): ""})

    assert DataValue.objects.get(report=draft).value == ""
    assert queries.report_values(draft) == {}


def test_concurrent_edit_second_writer_gets_a_conflict_listing_what_changed(draft, tree, reporter):
    colleague = as_actor(tree.user(Role.UNION_ADMIN))
    loaded = draft.version  # both load version 1
    services.values_save(by=reporter, report=draft, version=loaded, values={("WF_WORKERS", ""): "1000"})
    audit_rows = AuditEntry.objects.count()

    with pytest.raises(ReportConflict) as error:
        services.values_save(
            by=colleague, report=draft, version=loaded, values={("WF_WORKERS", ""): "999", ("WF_FRONTLINE", ""): "5"}
        )

    assert error.value.status_code == 409
    assert error.value.message == (
        "该报表已被他人修改（您打开的是第 1 版，当前为第 2 版），您的修改未保存。"
        "其间变更的数值：产业工人总数（1000）。请刷新后核对再保存。"
    )
    assert [(c.element_code, c.new) for c in error.value.changes] == [("WF_WORKERS", "1000")]
    assert {v.element.code: v.value for v in DataValue.objects.filter(report=draft)} == {"WF_WORKERS": "1000"}
    assert AuditEntry.objects.count() == audit_rows


def test_submitted_reports_cannot_be_edited(tree, wf, reporter):
    report = submitted_report(tree, wf[0])

    with pytest.raises(UserError) as error:
        services.values_save(by=reporter, report=report, version=report.version, values={("WF_WORKERS", ""): "1"})

    assert error.value.message == "报表当前状态为“已提交”，不能修改；如需修改，请联系审核人退回。"


def test_comments_on_any_cell(draft, reporter):
    value = services.value_comment(by=reporter, report=draft, element_code="WF_PAYROLL", comment="含劳务派遣人员工资")

    assert (value.value, value.comment) == ("", "含劳务派遣人员工资")
    assert events(draft, "reporting.value.comment") == 1
    with pytest.raises(UserError):
        services.value_comment(by=reporter, report=draft, element_code="WF_NOPE", comment="x")


# --- Submitting -----------------------------------------------------------------------------------------


def test_incomplete_report_cannot_be_submitted(draft, reporter):
    services.values_save(by=reporter, report=draft, version=1, values={("WF_WORKERS", ""): "1000"})

    with pytest.raises(SubmissionBlocked) as error:
        services.report_submit(by=reporter, report=draft, version=2)

    assert error.value.message == "报表尚不能提交：必填未填 59 项，错误 1 条，未说明的警告 0 条。"
    draft.refresh_from_db()
    assert draft.status == S.DRAFT and not ReportSnapshot.objects.exists()


def test_an_error_rule_blocks_submission_with_both_numbers(tree, wf, reporter):
    report = filled_report(tree, wf[0])
    report = services.values_save(
        by=reporter,
        report=report,
        version=report.version,
        values={("WF_EDU_FUND_SPENT", ""): "160000", ("WF_EDU_FUND_FRONTLINE", ""): "100000"},
    ).report

    with pytest.raises(SubmissionBlocked) as error:
        services.report_submit(by=reporter, report=report, version=report.version)

    assert [o.message for o in error.value.completeness.errors] == [
        "职工教育经费使用额不能大于提取额（职工教育经费使用额：160000；职工教育经费提取额：150000）"
    ]


def test_warnings_need_an_explanation(tree, wf, reporter):
    report = filled_report(tree, wf[0])
    report = services.values_save(
        by=reporter, report=report, version=report.version, values={("WF_EDU_FUND_FRONTLINE", ""): "50000"}
    ).report

    with pytest.raises(SubmissionBlocked) as error:
        services.report_submit(by=reporter, report=report, version=report.version)
    submitted = services.report_submit(
        by=reporter,
        report=report,
        version=report.version,
        explanations={"R_FUND_FRONTLINE_SHARE": "本年集中开展管理人员轮训"},
    )

    assert [o.code for o in error.value.completeness.unexplained] == ["R_FUND_FRONTLINE_SHARE"]
    assert submitted.status == S.SUBMITTED
    assert WarningExplanation.objects.get(report=report).text == "本年集中开展管理人员轮训"


def test_explanations_are_only_for_warning_rules(tree, wf, reporter):
    report = filled_report(tree, wf[0])

    with pytest.raises(UserError) as error:
        services.warning_explain(by=reporter, report=report, rule_code="R_FUND_SPENT_LE_EXTRACTED", text="x")

    assert error.value.message == "“R_FUND_SPENT_LE_EXTRACTED”不是本报表的警告规则。"


def test_submit_snapshots_notifies_the_union_and_mails_after_commit(
    tree, wf, reporter, mailoutbox, django_capture_on_commit_callbacks
):
    union_admin = tree.user(Role.UNION_ADMIN)
    union_admin.email = "union@example.cn"
    union_admin.save()
    report = filled_report(tree, wf[0])

    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_submit(by=reporter, report=report, version=report.version)

    assert report.status == S.SUBMITTED and report.on_behalf_of is False
    assert report.submitted_by == reporter.user and report.first_submitted_at == report.submitted_at
    snapshot = ReportSnapshot.objects.get(report=report)
    assert snapshot.number == 1 and snapshot.values["WF_WORKERS|"] == "1000"
    notice = Notification.objects.get(user=union_admin)
    assert notice.title == "待审核：昆明供电局 2021年度产业工人队伍基本情况"
    assert [m.to for m in mailoutbox] == [["union@example.cn"]]
    assert mailoutbox[0].subject == notice.title


def test_double_submit_is_one_transition(tree, wf, reporter):
    report = filled_report(tree, wf[0])
    loaded = report.version
    services.report_submit(by=reporter, report=report, version=loaded)

    with pytest.raises(ReportConflict) as error:
        services.report_submit(by=reporter, report=report, version=loaded)

    assert error.value.message == "该报表已经提交，请勿重复提交。"
    assert ReportSnapshot.objects.filter(report=report).count() == 1
    assert events(report, "reporting.report.submit") == 1


def test_a_retried_submit_with_its_idempotency_key_replays_the_first_answer(tree, wf, reporter):
    report = filled_report(tree, wf[0])
    loaded = report.version
    first = services.report_submit(by=reporter, report=report, version=loaded, idempotency_key="k-1")
    retry = services.report_submit(by=reporter, report=report, version=loaded, idempotency_key="k-1")

    assert retry.pk == first.pk and retry.version == first.version and retry.status == S.SUBMITTED
    assert events(report, "reporting.report.submit") == 1


def test_a_group_union_submits_on_behalf_of_its_enterprise(tree, wf):
    union_admin = as_actor(tree.user(Role.UNION_ADMIN))
    report = open_report(tree, wf[0], "2021", by=union_admin)
    report = services.values_save(by=union_admin, report=report, version=1, values=valid_values_y()).report

    report = services.report_submit(by=union_admin, report=report, version=report.version)

    assert report.on_behalf_of is True and report.submitted_by == union_admin.user


# --- Returns and resubmission -------------------------------------------------------------------------


def test_return_a_value_then_resubmit_shows_the_reviewer_what_changed(tree, wf, reporter, clock):
    union_admin = as_actor(tree.user(Role.UNION_ADMIN))
    report = submitted_report(tree, wf[0])
    report = services.report_return(
        by=union_admin,
        report=report,
        version=report.version,
        reason="培训人次与上年差异过大，请核实",
        cells=[("WF_TRAINING_PERSON_TIMES", "")],
    )
    clock.set(at(2022, 3, 1))  # past the deadline and the grace days: returned reports stay editable

    report = services.values_save(
        by=reporter, report=report, version=report.version, values={("WF_TRAINING_PERSON_TIMES", ""): "1800"}
    ).report
    while_fixing = queries.report_changes_since_last_submission(report)
    report = services.report_submit(by=reporter, report=report, version=report.version)

    returned = ValueReturn.objects.get(report=report)
    assert (returned.element.code, returned.reason) == ("WF_TRAINING_PERSON_TIMES", "培训人次与上年差异过大，请核实")
    assert returned.resolved_at is not None
    assert Notification.objects.filter(user=reporter.user, title="已退回：2021年度产业工人队伍基本情况").exists()
    changes = queries.report_changes_since_last_submission(report)
    assert [(c.label, c.old, c.new) for c in changes] == [("职业技能培训人次", "1500", "1800")]
    assert [(c.label, c.old, c.new) for c in while_fixing] == [("职业技能培训人次", "1500", "1800")]
    assert report.first_submitted_at < report.submitted_at


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reason": "  "}, "请填写退回原因。"),
        ({"reason": "x", "section_code": "NOPE"}, "本报表中没有代码为“NOPE”的分区。"),
        ({"reason": "x", "cells": [("WF_NOPE", "")]}, "本报表中没有这一项：WF_NOPE[]。"),
    ],
)
def test_return_needs_a_reason_and_real_targets(tree, wf, kwargs, message):
    report = submitted_report(tree, wf[0])

    with pytest.raises(UserError) as error:
        services.report_return(
            by=as_actor(tree.user(Role.UNION_ADMIN)), report=report, version=report.version, **kwargs
        )

    assert error.value.message == message
    report.refresh_from_db()
    assert report.status == S.SUBMITTED


def test_return_a_section(tree, wf):
    report = submitted_report(tree, wf[0])

    services.report_return(
        by=as_actor(tree.user(Role.UNION_ADMIN)),
        report=report,
        version=report.version,
        reason="素质提升部分口径不对",
        section_code="SKILL",
    )

    returned = ValueReturn.objects.get(report=report)
    assert (returned.section.code, returned.element) == ("SKILL", None)


def test_office_reopens_an_accepted_report_with_a_reason(tree, wf):
    office = as_actor(office_user(tree))
    report = submitted_report(tree, wf[0])
    report = services.report_approve(by=as_actor(tree.user(Role.UNION_ADMIN)), report=report, version=report.version)
    report = services.report_accept(by=office, report=report, version=report.version)

    with pytest.raises(UserError) as error:
        services.report_reopen(by=office, report=report, version=report.version, reason="")
    report = services.report_reopen(by=office, report=report, version=report.version, reason="统计口径调整")

    assert error.value.message == "请填写重新打开的原因。"
    assert (report.status, report.accepted_at) == (S.RETURNED, None)
    assert ValueReturn.objects.get(report=report).reason == "统计口径调整"


# --- Period locks and deadlines ---------------------------------------------------------------------


def test_a_locked_period_refuses_edits_with_the_reason_and_locks_accepted_reports(tree, wf, reporter):
    office = as_actor(office_user(tree))
    draft = filled_report(tree, wf[0])
    accepted = submitted_report(tree, wf[0], org=tree.ent_a2)
    accepted = services.report_approve(
        by=as_actor(tree.user(Role.UNION_ADMIN)), report=accepted, version=accepted.version
    )
    accepted = services.report_accept(by=office, report=accepted, version=accepted.version)

    services.period_lock(by=office, dataset=wf[0], period=draft.period, reason="年度数据已发布")

    with pytest.raises(UserError) as error:
        services.values_save(by=reporter, report=draft, version=draft.version, values={("WF_WORKERS", ""): "1"})
    assert (
        error.value.message
        == "产业工人队伍基本情况2021年度已由产改办锁定（原因：年度数据已发布），不能再修改、提交或审核。"
    )
    accepted.refresh_from_db()
    assert accepted.status == S.LOCKED
    with pytest.raises(PermissionDenied):
        services.period_lock(by=as_actor(tree.user(Role.UNION_ADMIN)), dataset=wf[0], period=draft.period)

    services.period_unlock(by=office, dataset=wf[0], period=draft.period, reason="补报")
    assert services.values_save(
        by=reporter, report=draft, version=draft.version, values={("WF_WORKERS", ""): "1"}
    ).changed


def test_deadline_extension_reopens_entry_for_drafts(tree, wf, clock, reporter):
    office = as_actor(office_user(tree))
    report = open_report(tree, wf[0], "2021")
    clock.set(at(2022, 2, 15))

    with pytest.raises(UserError):
        services.values_save(by=reporter, report=report, version=1, values={("WF_WORKERS", ""): "1"})
    with pytest.raises(PermissionDenied):
        services.deadline_extend(
            by=as_actor(tree.user(Role.UNION_ADMIN)),
            dataset=wf[0],
            period=report.period,
            new_deadline=dt.date(2022, 2, 28),
            reason="疫情",
        )
    services.deadline_extend(
        by=office,
        dataset=wf[0],
        period=report.period,
        org=tree.union_a,
        new_deadline=dt.date(2022, 2, 28),
        reason="疫情影响，延期填报",
    )

    assert services.values_save(by=reporter, report=report, version=1, values={("WF_WORKERS", ""): "1"}).changed
    assert AuditEntry.objects.filter(event="reporting.deadline.extend").count() == 1


@pytest.mark.parametrize(
    ("new_deadline", "reason", "message"),
    [
        (dt.date(2022, 2, 28), " ", "请填写延期原因。"),
        (dt.date(2022, 1, 31), "x", "新截止日期须晚于原截止日期 2022-01-31。"),
    ],
)
def test_deadline_extension_needs_a_reason_and_a_later_day(tree, wf, new_deadline, reason, message):
    with pytest.raises(UserError) as error:
        services.deadline_extend(
            by=as_actor(office_user(tree)),
            dataset=wf[0],
            period=period_from_code("2021"),
            new_deadline=new_deadline,
            reason=reason,
        )

    assert error.value.message == message


def test_notifications_follow_the_workflow(tree, wf):
    office_admin = office_user(tree)
    union_admin = tree.user(Role.UNION_ADMIN)
    reporter_user = tree.user(Role.REPORTER)
    report = submitted_report(tree, wf[0])
    report = services.report_approve(by=as_actor(union_admin), report=report, version=report.version)
    services.report_accept(by=as_actor(office_admin), report=report, version=report.version)

    titles = sorted(Notification.objects.values_list("user__username", "title"))
    assert titles == [
        (office_admin.username, "待验收：昆明供电局 2021年度产业工人队伍基本情况"),
        (reporter_user.username, "已验收：2021年度产业工人队伍基本情况"),
        (union_admin.username, "待审核：昆明供电局 2021年度产业工人队伍基本情况"),
    ]
    notice = Notification.objects.get(user=reporter_user)
    with pytest.raises(PermissionDenied):
        services.notification_mark_read(by=as_actor(union_admin), notification=notice)
    assert services.notification_mark_read(by=as_actor(reporter_user), notification=notice).read_at is not None
