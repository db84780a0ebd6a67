"""Reminders before and after the deadline: who gets them, when, once only (idempotent), by inbox and
e-mail, through the service and the `send_reminders` command."""

from __future__ import annotations

import datetime as dt
import io
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from core.actor import Actor
from core.errors import UserError
from core.models import AuditEntry
from orgs import services as orgs_services
from orgs.choices import Role
from orgs.tests.factories import SYSTEM, make_org
from reporting import services
from reporting.models import DataSet, Notification
from reporting.periods import period_from_code
from reporting.services import reminders as reminders_module
from reporting.services.reminders import REMINDER_EVENT, stage_for
from reporting.tests.factories import as_actor, at, office_user, open_report, submitted_report

REMINDERS = Actor.system("reminders")


@pytest.fixture
def round_2021(tree, wf, clock):
    """WF_Y 2021 (deadline 2022-01-31): A1 submitted, A2 a draft, B1 nothing; WF_Q switched off to keep counts small."""
    DataSet.objects.filter(code="WF_Q").update(is_active=False)
    for org in (tree.ent_a1, tree.ent_a2, tree.ent_b1):
        user = tree.user(Role.REPORTER, org)
        user.email = f"{user.username}@example.cn"
        user.save()
    for union in (tree.union_a, tree.union_b):
        admin = tree.user(Role.UNION_ADMIN, union)
        admin.email = f"{admin.username}@example.cn"
        admin.save()
    clock.set(at(2022, 1, 20))
    submitted_report(tree, wf[0], org=tree.ent_a1)
    open_report(tree, wf[0], "2021", org=tree.ent_a2)
    return tree


def run(day: dt.date, hour: int = 8, **options):
    return services.reminders_send(by=REMINDERS, now=at(day.year, day.month, day.day, hour, 30), **options)


def reminders():
    """Reminder notifications only (the workflow's own notifications, e.g. 待审核, are left out)."""
    return Notification.objects.filter(title__contains="提醒")


def inbox(username: str) -> list[str]:
    return list(reminders().filter(user__username=username).order_by("id").values_list("title", flat=True))


@pytest.mark.parametrize(
    ("days_to", "stage"),
    [
        (5, None),
        (4, None),
        (3, "before-3"),
        (2, "before-3"),
        (1, "before-1"),
        (0, "before-1"),
        (-1, "after-1"),
        (-6, "after-1"),
        (-7, "after-7"),
        (-14, "after-7"),
        (-15, None),
    ],
)
def test_stages(days_to, stage):
    assert stage_for(days_to, (3, 1), (1, 7)) == stage


def test_three_days_before_the_reporters_of_unsubmitted_orgs_are_reminded(
    round_2021, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = run(dt.date(2022, 1, 28))

    assert sorted(r.org.code for r in result.sent) == ["E-A2", "E-B1"]
    assert inbox("reporter_e-a2") == ["催报提醒：2021年度“产业工人队伍基本情况”还有 3 天截止"]
    assert inbox("reporter_e-b1") == ["催报提醒：2021年度“产业工人队伍基本情况”还有 3 天截止"]
    assert inbox("reporter_e-a1") == []  # submitted
    assert inbox("union_admin_u-a") == inbox("union_admin_u-b") == []  # not before the deadline
    body = reminders().get(user__username="reporter_e-a2").body
    assert body == (
        "曲靖供电局的2021年度“产业工人队伍基本情况”已填写草稿，尚未提交，截止日期为 2022-01-31"
        "（北京时间当日 24 时前提交为按时）。请尽快填报并提交。"
    )
    assert sorted(m.to[0] for m in mail.outbox) == ["reporter_e-a2@example.cn", "reporter_e-b1@example.cn"]
    assert mail.outbox[0].subject == "催报提醒：2021年度“产业工人队伍基本情况”还有 3 天截止"
    entries = AuditEntry.objects.filter(event=REMINDER_EVENT)
    assert entries.count() == 2
    assert {e.username for e in entries} == {"system:reminders"}
    assert (
        result.summary()
        == "2022-01-28：已发送催报提醒 2 家单位（站内通知 2 条，其中工会汇总 0 条）；此前已提醒、本次跳过 0 项。"
    )


def test_running_twice_the_same_day_sends_nothing_new(round_2021, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run(dt.date(2022, 1, 28), hour=8)
    counts = reminders().count(), len(mail.outbox), AuditEntry.objects.filter(event=REMINDER_EVENT).count()

    with django_capture_on_commit_callbacks(execute=True):
        again = run(dt.date(2022, 1, 28), hour=17)

    assert again.sent == [] and again.already_sent == 2
    assert (reminders().count(), len(mail.outbox)) == counts[:2]
    assert AuditEntry.objects.filter(event=REMINDER_EVENT).count() == counts[2]
    assert again.summary().endswith("此前已提醒、本次跳过 2 项。")


def test_each_stage_is_sent_once_through_the_round(round_2021, clock):
    sent = {}
    for day in range(27, 32):
        sent[f"01-{day}"] = sorted(r.stage for r in run(dt.date(2022, 1, day)).sent)
    for day in range(1, 17):
        sent[f"02-{day:02d}"] = sorted(r.stage for r in run(dt.date(2022, 2, day)).sent)

    assert {day: stages for day, stages in sent.items() if stages} == {
        "01-28": ["before-3", "before-3"],
        "01-30": ["before-1", "before-1"],
        "02-01": ["after-1", "after-1"],
        "02-07": ["after-7", "after-7"],
    }
    assert len(inbox("reporter_e-b1")) == 4


def test_a_missed_day_is_caught_up_once(round_2021):
    first = run(dt.date(2022, 1, 29))  # the job did not run on the 28th
    again = run(dt.date(2022, 1, 29), hour=20)

    assert sorted(r.stage for r in first.sent) == ["before-3", "before-3"]
    assert again.sent == []


def test_after_the_deadline_the_union_admin_gets_one_digest(round_2021, tree, django_capture_on_commit_callbacks):
    make_org(tree.union_a, "玉溪供电局", code="E-A3")  # a second late organisation under union A

    with django_capture_on_commit_callbacks(execute=True):
        result = run(dt.date(2022, 2, 1))

    assert sorted(r.org.code for r in result.sent) == ["E-A2", "E-A3", "E-B1"]
    assert inbox("reporter_e-a2") == ["逾期提醒：2021年度“产业工人队伍基本情况”已过截止日期"]
    assert inbox("union_admin_u-a") == ["逾期提醒：云南电网有 2 家单位未报送2021年度“产业工人队伍基本情况”"]
    assert inbox("union_admin_u-b") == ["逾期提醒：中国铜业有 1 家单位未报送2021年度“产业工人队伍基本情况”"]
    digest = reminders().get(user__username="union_admin_u-a")
    assert digest.body == (
        "以下单位已过截止日期仍未提交，请督促：\n"
        "· 曲靖供电局：已填写草稿，尚未提交，截止 2022-01-31，已逾期 1 天\n"
        "· 玉溪供电局：尚未填报，截止 2022-01-31，已逾期 1 天"
    )
    assert digest.url == "/reporting/completeness/?dataset=WF_Y&period=2021"
    assert result.union_digests == 2
    assert "union_admin_u-a@example.cn" in [m.to[0] for m in mail.outbox]


def test_returned_reports_are_reminded_too(round_2021, tree, wf):
    report = submitted_report(tree, wf[0], org=tree.ent_b1)
    services.report_return(
        by=as_actor(tree.user(Role.UNION_ADMIN, tree.union_b)), report=report, version=report.version, reason="数字不对"
    )

    result = run(dt.date(2022, 1, 30))

    assert sorted(r.org.code for r in result.sent) == ["E-A2", "E-B1"]
    assert "已被退回，尚未重新提交" in reminders().filter(user__username="reporter_e-b1").last().body


def test_an_extension_moves_the_stages(round_2021, tree, wf):
    services.deadline_extend(
        by=as_actor(office_user(tree)),
        dataset=wf[0],
        period=period_from_code("2021"),
        new_deadline=dt.date(2022, 2, 10),
        reason="系统维护",
        org=tree.union_b,
    )

    on_first = run(dt.date(2022, 2, 1))
    on_seventh = run(dt.date(2022, 2, 7))

    assert [(r.org.code, r.stage) for r in on_first.sent] == [("E-A2", "after-1")]
    assert [(r.org.code, r.stage, r.deadline) for r in on_seventh.sent] == [
        ("E-A2", "after-7", dt.date(2022, 1, 31)),
        ("E-B1", "before-3", dt.date(2022, 2, 10)),
    ]


def test_a_locked_period_sends_nothing(round_2021, tree, wf):
    services.period_lock(by=as_actor(office_user(tree)), dataset=wf[0], period=period_from_code("2021"), reason="结束")

    assert run(dt.date(2022, 2, 1)).sent == []
    assert not reminders().exists()


def test_nobody_to_tell_is_retried_once_someone_is_appointed(round_2021, tree):
    late = make_org(tree.kunming, "昆明钢铁", code="E-KM1")

    first = run(dt.date(2022, 1, 28))
    tree.user(Role.REPORTER, late)
    second = run(dt.date(2022, 1, 28), hour=12)

    assert "E-KM1" not in [r.org.code for r in first.sent]
    assert [r.org.code for r in second.sent] == ["E-KM1"]
    assert inbox("reporter_e-km1") == ["催报提醒：2021年度“产业工人队伍基本情况”还有 3 天截止"]


def test_dry_run_writes_nothing(round_2021, django_capture_on_commit_callbacks):
    before = AuditEntry.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        result = run(dt.date(2022, 1, 28), dry_run=True)

    assert sorted(r.org.code for r in result.sent) == ["E-A2", "E-B1"]
    assert result.notifications == 2
    assert result.summary().startswith("2022-01-28：将发送催报提醒 2 家单位")
    assert (reminders().count(), len(mail.outbox), AuditEntry.objects.count()) == (0, 0, before)
    assert len(run(dt.date(2022, 1, 28)).sent) == 2  # the real run afterwards still sends


def test_a_mail_outage_does_not_stop_the_job(round_2021, django_capture_on_commit_callbacks):
    with (
        mock.patch("core.workflow.send_mail", side_effect=OSError("SMTP down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = run(dt.date(2022, 1, 28))

    assert len(result.sent) == 2
    assert reminders().count() == 2  # the inbox copies are there


def test_only_the_office_or_the_system_sends(round_2021, tree):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.reminders_send(by=as_actor(tree.user(Role.UNION_ADMIN)), now=at(2022, 1, 28))
    assert len(services.reminders_send(by=as_actor(office_user(tree)), now=at(2022, 1, 28)).sent) == 2


def test_after_days_cannot_be_zero(round_2021):
    from core.errors import UserError

    with pytest.raises(UserError) as error:
        run(dt.date(2022, 1, 28), after_days=(0, 7))
    assert error.value.message == "截止后提醒天数须至少为 1（截止日当天属于截止前的最后一次提醒）。"


def test_the_quarterly_round_is_reminded_too(tree, wf, clock):
    tree.user(Role.REPORTER, tree.ent_b1)
    # WF_Q 2021Q4 is due 2022-01-15; on the 14th it is in the "1 day before" stage.
    result = services.reminders_send(by=REMINDERS, now=at(2022, 1, 14))

    assert [(r.dataset.code, r.period.code, r.org.code, r.stage) for r in result.sent] == [
        ("WF_Q", "2021Q4", "E-B1", "before-1")
    ]


# --- The command ----------------------------------------------------------------------------------------------------


def test_command_sends_and_prints_a_summary(round_2021, clock):
    clock.set(at(2022, 1, 28, 8, 30))
    out = io.StringIO()

    call_command("send_reminders", stdout=out)
    call_command("send_reminders", stdout=out)  # e.g. cron and a manual run on the same day

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("before-3\tWF_Y\t2021\tE-A2\t2022-01-31\treporter_e-a2")
    assert (
        lines[2]
        == "2022-01-28：已发送催报提醒 2 家单位（站内通知 2 条，其中工会汇总 0 条）；此前已提醒、本次跳过 0 项。"
    )
    assert (
        lines[3]
        == "2022-01-28：已发送催报提醒 0 家单位（站内通知 0 条，其中工会汇总 0 条）；此前已提醒、本次跳过 2 项。"
    )
    assert reminders().count() == 2


def test_command_date_and_options(round_2021):
    out = io.StringIO()

    call_command("send_reminders", "--date", "2022-02-03", "--after", "2", "--dry-run", stdout=out)

    assert "after-2\tWF_Y\t2021\tE-A2" in out.getvalue()
    assert reminders().count() == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--before", "三"], "--before 应为逗号分隔的天数，例如 3,1。"),
        (["--after", ","], "--after 至少需要一个天数。"),
        (["--date", "2022-13-01"], "--date 应为 YYYY-MM-DD 格式的日期。"),
        (["--before", "-1"], "截止前提醒天数不能为负数。"),
    ],
)
def test_command_refuses_bad_options(round_2021, args, message):
    with pytest.raises(CommandError) as error:
        call_command("send_reminders", *args, stdout=io.StringIO())
    assert str(error.value) == message


def test_system_actor_is_used_by_the_command(round_2021, clock):
    clock.set(at(2022, 1, 28))
    call_command("send_reminders", stdout=io.StringIO())

    assert set(AuditEntry.objects.filter(event=REMINDER_EVENT).values_list("username", flat=True)) == {
        "system:reminders"
    }
    assert SYSTEM.system_name == "tests"  # the fixtures' actor is a different one


# --- Idempotency: dual roles and failures -------------------------------------------------------------------------


def test_a_union_admin_who_is_also_a_reporter_is_told_once_per_organisation(round_2021, tree):
    admin = tree.user(Role.UNION_ADMIN, tree.union_a)
    orgs_services.membership_grant(by=SYSTEM, user=admin, org=tree.ent_a2, role=Role.REPORTER)
    make_org(tree.union_a, "玉溪供电局", code="E-A3")  # late too, with no reporter of its own

    run(dt.date(2022, 2, 1))

    titles = inbox(admin.username)
    assert titles == [
        "逾期提醒：2021年度“产业工人队伍基本情况”已过截止日期",  # E-A2's own reminder
        "逾期提醒：云南电网有 1 家单位未报送2021年度“产业工人队伍基本情况”",  # the digest, without E-A2
    ]
    digest = reminders().get(user=admin, title__contains="云南电网")
    assert "玉溪供电局" in digest.body and "曲靖供电局" not in digest.body
    assert run(dt.date(2022, 2, 1), hour=18).sent == []
    assert len(inbox(admin.username)) == 2


def test_an_admin_whose_every_late_organisation_he_reports_for_gets_no_digest(round_2021, tree):
    admin = tree.user(Role.UNION_ADMIN, tree.union_a)
    orgs_services.membership_grant(by=SYSTEM, user=admin, org=tree.ent_a2, role=Role.REPORTER)

    result = run(dt.date(2022, 2, 1))

    assert inbox(admin.username) == ["逾期提醒：2021年度“产业工人队伍基本情况”已过截止日期"]
    assert result.union_digests == 1  # union B's administrator only


def test_a_run_that_fails_halfway_leaves_nothing_and_the_rerun_sends_each_reminder_once(
    round_2021, django_capture_on_commit_callbacks
):
    real_record = reminders_module.audit.record
    calls = []

    def failing_record(*args, **kwargs):
        calls.append(args[1])
        if len(calls) == 2:
            raise RuntimeError("database connection lost")
        return real_record(*args, **kwargs)

    with (
        mock.patch.object(reminders_module.audit, "record", side_effect=failing_record),
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
    ):
        run(dt.date(2022, 1, 28))
    # The round is one transaction: the first reminder's inbox rows and audit row went with it.
    assert (reminders().count(), len(mail.outbox)) == (0, 0)
    assert not AuditEntry.objects.filter(event=REMINDER_EVENT).exists()

    with django_capture_on_commit_callbacks(execute=True):
        retried = run(dt.date(2022, 1, 28), hour=9)
        again = run(dt.date(2022, 1, 28), hour=10)

    assert sorted(r.org.code for r in retried.sent) == ["E-A2", "E-B1"] and again.sent == []
    assert inbox("reporter_e-a2") == inbox("reporter_e-b1") == ["催报提醒：2021年度“产业工人队伍基本情况”还有 3 天截止"]
    assert sorted(m.to[0] for m in mail.outbox) == ["reporter_e-a2@example.cn", "reporter_e-b1@example.cn"]


# --- Reminders sent from the deadline-day board -----------------------------------------------------------------


def send_now(by, *orgs):
    dataset = DataSet.objects.get(code="WF_Y")
    return services.reminders_send_now(by=by, dataset=dataset, period=period_from_code("2021"), orgs=list(orgs))


def test_a_reminder_from_the_board_is_the_daily_jobs_message_audited_once_a_day(
    round_2021, clock, django_capture_on_commit_callbacks
):
    office = as_actor(office_user(round_2021))
    clock.set(at(2022, 2, 3, 9))
    with django_capture_on_commit_callbacks(execute=True):
        result = send_now(office, round_2021.ent_b1, round_2021.ent_a1)

    assert [r.org.code for r in result.sent] == ["E-B1"]
    assert [o.code for o in result.not_needed] == ["E-A1"]  # submitted: nothing to remind
    # The same reminder the daily job sends three days after the deadline: the reporter, and the union's digest.
    assert inbox("reporter_e-b1") == ["逾期提醒：2021年度“产业工人队伍基本情况”已过截止日期"]
    assert inbox("union_admin_u-b") == ["逾期提醒：中国铜业有 1 家单位未报送2021年度“产业工人队伍基本情况”"]
    assert sorted(m.to[0] for m in mail.outbox) == ["reporter_e-b1@example.cn", "union_admin_u-b@example.cn"]
    entry = AuditEntry.objects.get(event="reporting.reminder.manual")
    assert entry.username == office_user(round_2021).username
    assert entry.object_id.startswith(f"{DataSet.objects.get(code='WF_Y').pk}:2021:{round_2021.ent_b1.pk}:manual:")

    with django_capture_on_commit_callbacks(execute=True):
        clock.set(at(2022, 2, 3, 15))
        again = send_now(office, round_2021.ent_b1)
    assert again.sent == []
    assert [(o.code, last.label) for o, last in again.already] == [("E-B1", "已于 2月3日 09:00 催报")]
    assert len(inbox("reporter_e-b1")) == 1 and len(mail.outbox) == 2
    assert AuditEntry.objects.filter(event="reporting.reminder.manual").count() == 1

    # It does not use up the daily job's stage: the job still sends its own reminder.
    with django_capture_on_commit_callbacks(execute=True):
        daily = run(dt.date(2022, 2, 3))
    assert "E-B1" in [r.org.code for r in daily.sent]


def test_only_reviewers_of_the_organisation_may_remind_it(round_2021, clock):
    clock.set(at(2022, 2, 3, 9))
    union_a = as_actor(round_2021.user(Role.UNION_ADMIN, round_2021.union_a))
    reporter = as_actor(round_2021.user(Role.REPORTER, round_2021.ent_b1))

    for by in (union_a, reporter):
        with pytest.raises(PermissionDenied):
            send_now(by, round_2021.ent_b1)

    assert not reminders().exists()
    assert not AuditEntry.objects.filter(event="reporting.reminder.manual").exists()
    union_b = as_actor(round_2021.user(Role.UNION_ADMIN, round_2021.union_b))
    assert [r.org.code for r in send_now(union_b, round_2021.ent_b1).sent] == ["E-B1"]


def test_a_locked_period_is_not_reminded(round_2021, clock):
    clock.set(at(2022, 2, 3, 9))
    office = as_actor(office_user(round_2021))
    services.period_lock(
        by=office, dataset=DataSet.objects.get(code="WF_Y"), period=period_from_code("2021"), reason="年报结束"
    )

    with pytest.raises(UserError) as error:
        send_now(office, round_2021.ent_b1)

    assert error.value.message == "2021年度“产业工人队伍基本情况”已锁定，不再催报。"
    assert not reminders().exists()


def test_the_audited_reminder_events_are_the_ones_idempotency_reads():
    from reporting.services import reminders

    assert (reminders.REMINDER_EVENT, reminders.MANUAL_EVENT) == (
        "reporting.reminder.send",
        "reporting.reminder.manual",
    )
