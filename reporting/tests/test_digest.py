"""The daily digest of unread notifications (reporting/services/digest.py): who gets one, what it says, once a day
whoever runs it, and a mail server that refuses one person's digest stops nobody else's (issue 13: "83 unread
notifications with no digest")."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command

from accounts.choices import NoticeDelivery
from core import periodic, registry
from core.actor import Actor
from core.models import AuditEntry
from orgs.choices import Role
from reporting.choices import DigestStatus
from reporting.models import Notification, NotificationDigest
from reporting.services import digest as digest_service
from reporting.services.notifications import deliver
from reporting.tests.factories import at

BASE = "https://changai.example.gov.cn"
SYSTEM = Actor.system("digest")


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.BASE_URL = BASE


def person(tree, role: str):
    """The tree's user of `role`, with an e-mail address."""
    user = tree.user(role)
    if not user.email:
        user.email = f"{user.username}@example.cn"
        user.save(update_fields=["email"])
    return user


@pytest.fixture
def reporter(tree):
    return person(tree, Role.REPORTER)


def notify(user, title: str, url: str = "/reporting/reports/5/", *, read: bool = False) -> Notification:
    notice = Notification.objects.create(user=user, title=title, body="", url=url)
    if read:
        Notification.objects.filter(pk=notice.pk).update(read_at=notice.created_at)
    return notice


def send(day: dt.date, hour: int = 11, **kwargs) -> digest_service.DigestRun:
    return digest_service.digests_send(by=SYSTEM, now=at(day.year, day.month, day.day, hour), **kwargs)


def text_of(message) -> str:
    return message.body


def html_of(message) -> str:
    (html, kind) = message.alternatives[0]
    assert kind == "text/html"
    return html


# --- what it says ---------------------------------------------------------------------------------------------


def test_a_digest_counts_the_new_unread_notifications_by_kind_and_links_the_latest(reporter, clock):
    clock.set(at(2022, 1, 9, 15))
    notify(reporter, "催报提醒：2021年度“产业工人队伍基本情况”还有 3 天截止", "/reporting/reports/7/")
    clock.set(at(2022, 1, 9, 16))
    notify(reporter, "待验收：昆明供电局 2021年度", "/reporting/reports/5/")
    notify(reporter, "待验收：曲靖供电局 2021年度", "/reporting/reports/6/")
    notify(reporter, "已退回：玉溪供电局 2021年度", read=True)  # read: not in the digest

    run = send(dt.date(2022, 1, 10))

    assert [d.user for d in run.sent] == [reporter] and run.failed == []
    (message,) = mail.outbox
    assert message.to == [reporter.email]
    assert message.subject == "产改通：3 条新的未读通知（2022年1月10日）"
    text = text_of(message)
    assert "自上次汇总以来，您在产改通新增 3 条未读通知（目前共有 3 条未读）。" in text
    # counts by kind, the most numerous first, each linked to the inbox filtered to it
    assert text.index("待验收：2 条") < text.index("催报提醒：1 条")
    assert f"{BASE}/reporting/inbox/?unread=1&kind=%E5%BE%85%E9%AA%8C%E6%94%B6" in text
    # the most recent ones, newest first, with absolute links
    assert text.index("待验收：曲靖供电局 2021年度") < text.index("催报提醒：2021年度")
    for path in ("/reporting/reports/5/", "/reporting/reports/6/", "/reporting/reports/7/"):
        assert f"{BASE}{path}" in text and f'href="{BASE}{path}"' in html_of(message)
    assert "2022-01-09 16:00" in text
    assert "玉溪供电局" not in text and "玉溪供电局" not in html_of(message)
    assert f"{BASE}/accounts/me/#notice-delivery" in text  # where to turn it off
    html = html_of(message)
    assert '<html lang="zh-CN">' in html and "<img" not in html and "@import" not in html and "http://" not in html
    assert "自上次汇总以来，您在产改通新增 <strong>3</strong> 条未读通知" in html


def test_a_long_inbox_lists_the_latest_ten_and_counts_the_rest(reporter, clock):
    for minute in range(14):
        clock.set(at(2022, 1, 9, 10, minute))
        notify(reporter, f"待审核：第 {minute} 份报表")

    send(dt.date(2022, 1, 10))

    text = text_of(mail.outbox[0])
    assert "待审核：14 条" in text
    assert "待审核：第 13 份报表" in text and "待审核：第 4 份报表" in text and "待审核：第 3 份报表" not in text
    assert "另有 4 条，请到通知页查看。" in text
    assert f"{BASE}/reporting/inbox/?unread=1" in text


def test_links_that_do_not_lead_into_the_site_lead_to_the_inbox(reporter, clock):
    notify(reporter, "系统通知：无链接", url="")
    notify(reporter, "系统通知：外部链接", url="//evil.example.com/x")

    send(dt.date(2022, 1, 10))

    text = text_of(mail.outbox[0])
    assert "evil.example.com" not in text
    assert text.count(f"{BASE}/reporting/inbox/") >= 3  # both items and the inbox link


def test_notifications_without_a_kind_are_counted_as_other_and_last(reporter, clock):
    notify(reporter, "没有类别的通知")
    notify(reporter, "待验收：昆明供电局")

    send(dt.date(2022, 1, 10))

    text = text_of(mail.outbox[0])
    assert text.index("待验收：1 条") < text.index("其他：1 条")


# --- who gets one ---------------------------------------------------------------------------------------------


def test_only_unread_notifications_not_in_an_earlier_digest_count(reporter, clock):
    clock.set(at(2022, 1, 9, 12))
    first = notify(reporter, "待验收：昆明供电局 2021年度")
    send(dt.date(2022, 1, 10))
    assert Notification.objects.get(pk=first.pk).digest is not None

    clock.set(at(2022, 1, 10, 14))
    notify(reporter, "催报提醒：还有 1 天截止")
    mail.outbox.clear()
    send(dt.date(2022, 1, 11))

    (message,) = mail.outbox
    assert message.subject == "产改通：1 条新的未读通知（2022年1月11日）"
    text = text_of(message)
    assert "新增 1 条未读通知（目前共有 2 条未读）" in text
    assert "催报提醒：1 条" in text and "待验收" not in text


def test_nothing_is_sent_when_nothing_new_is_unread(reporter, clock):
    notify(reporter, "待验收：已读的", read=True)
    assert send(dt.date(2022, 1, 10)).sent == [] and mail.outbox == []

    notify(reporter, "待验收：未读的")
    send(dt.date(2022, 1, 10))
    mail.outbox.clear()
    assert send(dt.date(2022, 1, 11)).sent == []  # still unread, but the last digest listed it
    assert mail.outbox == []
    assert NotificationDigest.objects.count() == 1


def test_inactive_people_people_without_an_address_and_those_who_opted_out_get_none(tree, clock):
    wanted = {}
    for role, changes in [
        (Role.REPORTER, {}),  # the default: each notification and the digest
        (Role.UNION_ADMIN, {"notice_delivery": NoticeDelivery.DAILY}),
        (Role.OFFICE_ADMIN, {"notice_delivery": NoticeDelivery.EACH}),  # each one by mail, no digest
        (Role.OFFICE_REVIEWER, {"notice_delivery": NoticeDelivery.NONE}),
        (Role.LEADER, {"is_active": False}),
        (Role.GUIDANCE, {"email": ""}),
    ]:
        user = person(tree, role)
        for name, value in changes.items():
            setattr(user, name, value)
        user.save()
        notify(user, "待验收：一份报表")
        wanted[role] = user

    run = send(dt.date(2022, 1, 10))

    expected = {wanted[Role.REPORTER].email, wanted[Role.UNION_ADMIN].email}
    assert {d.user.email for d in run.sent} == expected
    assert {m.to[0] for m in mail.outbox} == expected
    assert NotificationDigest.objects.count() == 2


# --- once a day -----------------------------------------------------------------------------------------------


def test_a_second_run_the_same_day_sends_nothing_even_with_new_notifications(reporter, clock):
    notify(reporter, "待验收：第一份")
    send(dt.date(2022, 1, 10))
    clock.set(at(2022, 1, 10, 12))
    notify(reporter, "待验收：第二份")

    again = send(dt.date(2022, 1, 10), hour=18)

    assert again.sent == [] and len(mail.outbox) == 1
    assert AuditEntry.objects.filter(event="reporting.digest.send").count() == 1
    mail.outbox.clear()
    send(dt.date(2022, 1, 11), hour=9)  # the next day the second one is listed
    assert "待验收：第二份" in text_of(mail.outbox[0]) and "待验收：第一份" not in text_of(mail.outbox[0])


def test_a_run_that_finds_the_day_claimed_by_another_process_sends_nothing(reporter, clock, monkeypatch):
    notify(reporter, "待验收：一份")
    stale = digest_service.digests_due(now=at(2022, 1, 10, 11))  # what a second process read before the first sent
    send(dt.date(2022, 1, 10))
    monkeypatch.setattr(digest_service, "digests_due", lambda now: stale)

    late = send(dt.date(2022, 1, 10))

    assert (late.sent, late.taken) == ([], 1) and len(mail.outbox) == 1
    assert late.summary() == (
        "2022年1月10日：已发送未读通知汇总邮件 0 封，发送失败 0 封（明天重试），今天已处理过的 1 人跳过。"
    )


def test_the_daily_work_is_declared_and_runs_once_a_day_across_workers(reporter, clock, monkeypatch):
    from django.core.cache import caches

    work = next(w for w in registry.declared_periodic() if w.name == "reporting.send_digests")
    assert (work.every, work.offset) == (dt.timedelta(days=1), dt.timedelta(hours=8))
    monkeypatch.setattr(registry, "_periodic", {work.name: work})  # only this work
    caches["jobs"].clear()
    try:
        clock.set(at(2022, 1, 10, 8, 30))
        notify(reporter, "待验收：一份")
        clock.set(at(2022, 1, 10, 9))
        first = periodic.run_due(now=at(2022, 1, 10, 9), holder="worker-1")
        second = periodic.run_due(now=at(2022, 1, 10, 15), holder="worker-2")
        assert first == {"reporting.send_digests": {"day": "2022-01-10", "sent": 1, "failed": 0, "taken": 0}}
        assert second == {} and len(mail.outbox) == 1
        (row,) = AuditEntry.objects.filter(event="reporting.digest.send")
        assert row.username == "system:digest" and row.detail == {"notifications": 1, "unread": 1}

        notify(reporter, "待验收：又一份")
        clock.set(at(2022, 1, 11, 7, 59))  # before 08:00 Beijing time the day's run is still yesterday's
        assert periodic.run_due(now=at(2022, 1, 11, 7, 59), holder="worker-1") == {}
        clock.set(at(2022, 1, 11, 8, 1))
        assert periodic.run_due(now=at(2022, 1, 11, 8, 1), holder="worker-2")["reporting.send_digests"]["sent"] == 1
        assert len(mail.outbox) == 2
    finally:
        caches["jobs"].clear()


# --- a mail server that refuses -------------------------------------------------------------------------------


def test_a_refused_digest_is_logged_stops_nobody_else_and_is_retried_the_next_day(tree, clock, monkeypatch, caplog):
    refused, other = person(tree, Role.REPORTER), person(tree, Role.UNION_ADMIN)
    notify(refused, "待验收：甲")
    notify(other, "待验收：乙")
    real_send = EmailMultiAlternatives.send

    def flaky_send(message, fail_silently=False):
        if message.to == [refused.email]:
            raise smtplib.SMTPRecipientsRefused({refused.email: (550, b"mailbox unavailable")})
        return real_send(message, fail_silently=fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky_send)
    first = send(dt.date(2022, 1, 10))

    assert [d.user for d in first.sent] == [other] and [d.user for d, _reason in first.failed] == [refused]
    assert [m.to for m in mail.outbox] == [[other.email]]
    assert "daily digest to user" in caplog.text
    row = NotificationDigest.objects.get(user=refused)
    assert row.status == DigestStatus.FAILED and row.error.startswith("SMTPRecipientsRefused")
    failure = AuditEntry.objects.get(event="reporting.digest.fail")
    assert failure.success is False and failure.object_id == str(row.pk)
    assert Notification.objects.get(user=refused).digest is None  # waits for the next digest

    assert send(dt.date(2022, 1, 10), hour=15).failed == []  # not again the same day
    monkeypatch.setattr(EmailMultiAlternatives, "send", real_send)
    clock.set(at(2022, 1, 10, 20))
    notify(refused, "催报提醒：丙")
    mail.outbox.clear()

    retried = send(dt.date(2022, 1, 11))

    assert [d.user for d in retried.sent] == [refused]
    text = text_of(mail.outbox[0])
    assert "待验收：甲" in text and "催报提醒：丙" in text and "新增 2 条未读通知" in text


# --- dry run and the command ----------------------------------------------------------------------------------


def test_a_dry_run_says_who_would_get_one_and_writes_and_sends_nothing(reporter, clock):
    notify(reporter, "待验收：一份")
    audit_rows = AuditEntry.objects.count()

    run = send(dt.date(2022, 1, 10), dry_run=True)

    assert [(d.user, d.new_count) for d in run.sent] == [(reporter, 1)]
    assert run.summary() == "2022年1月10日：将发送未读通知汇总邮件 1 封（预演，未发送、未写入任何数据）。"
    assert mail.outbox == [] and not NotificationDigest.objects.exists()
    assert AuditEntry.objects.count() == audit_rows and Notification.objects.get().digest is None


def test_the_command_sends_or_with_dry_run_only_lists(reporter, clock, capsys):
    notify(reporter, "待验收：一份")

    call_command("send_digests", "--dry-run")
    out = capsys.readouterr().out
    assert f"{reporter.username}\t1\t1" in out and "预演" in out and mail.outbox == []

    call_command("send_digests")
    out = capsys.readouterr().out
    assert "已发送未读通知汇总邮件 1 封" in out and len(mail.outbox) == 1
    call_command("send_digests")
    assert "已发送未读通知汇总邮件 0 封" in capsys.readouterr().out and len(mail.outbox) == 1


# --- the e-mail copy of each notification follows the same choice -----------------------------------------------


@pytest.mark.parametrize(
    ("choice", "mailed"),
    [
        (NoticeDelivery.EACH_AND_DAILY, True),
        (NoticeDelivery.EACH, True),
        (NoticeDelivery.DAILY, False),
        (NoticeDelivery.NONE, False),
    ],
)
def test_each_notification_is_mailed_only_to_those_who_chose_it(
    reporter, django_capture_on_commit_callbacks, choice, mailed
):
    reporter.notice_delivery = choice
    reporter.save()

    with django_capture_on_commit_callbacks(execute=True):
        deliver([reporter], title="待验收：昆明供电局", body="请验收。", url="/reporting/reports/5/")

    assert Notification.objects.filter(user=reporter).count() == 1  # the inbox always gets it
    assert [m.to for m in mail.outbox] == ([[reporter.email]] if mailed else [])


# --- the site's address -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["changai.example.gov.cn", "ftp://changai.example.gov.cn", "https://", "https://a b"])
def test_a_base_url_that_is_not_an_http_address_is_refused_at_start(value):
    from changai import settings as project_settings

    with pytest.raises(ImproperlyConfigured, match="CHANGAI_BASE_URL"):
        project_settings._base_url(value)


def test_the_base_url_loses_its_trailing_slash():
    from changai import settings as project_settings

    assert project_settings._base_url(" https://changai.example.gov.cn/ ") == "https://changai.example.gov.cn"


def test_finding_the_days_digests_takes_the_same_queries_for_one_person_or_many(tree, clock, django_assert_num_queries):
    one = person(tree, Role.REPORTER)
    notify(one, "待验收：一份")
    # the unclaimed unread notifications (the claims are a subquery), the people, the unread counts
    with django_assert_num_queries(3):
        assert len(digest_service.digests_due(now=at(2022, 1, 10, 11))) == 1
    for role in (Role.UNION_ADMIN, Role.OFFICE_ADMIN, Role.OFFICE_REVIEWER, Role.INFO_OFFICER):
        for n in range(3):
            notify(person(tree, role), f"待验收：第 {n} 份")
    with django_assert_num_queries(3):
        assert len(digest_service.digests_due(now=at(2022, 1, 10, 11))) == 5


def test_the_inbox_links_to_the_notification_mail_settings(client, reporter):
    client.force_login(reporter)
    html = client.get("/reporting/inbox/").content.decode()
    assert 'href="/accounts/me/#notice-delivery">通知邮件设置</a>' in html
