"""The ledger pages: an organisation records its plan, group, officers and tasks; others see, but only in scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import AuditEntry
from ledger.choices import OfficerKind, TargetKind, TaskStatus
from ledger.models import Document, Ledger, Officer, Task
from ledger.tests.factories import make_task
from orgs.choices import Role

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def page(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), params)


def test_a_reporter_lands_on_the_own_ledger_and_sees_what_is_missing(client, tree, ledgers, clock):
    response = page(client, tree.user(Role.REPORTER), "ledger:home")
    assert response.status_code == 302 and response.url == reverse("ledger:detail", args=["E-A1"])
    body = client.get(response.url).content.decode()
    assert "昆明供电局" in body and "未出台" in body and "未建立" in body and "尚未配齐" in body
    assert "还没有改革任务" in body


def test_the_union_lists_its_subtree_with_filters(client, tree, ledgers, clock):
    body = page(client, tree.user(Role.UNION_ADMIN), "ledger:home").content.decode()
    assert "昆明供电局" in body and "曲靖供电局" in body and "云南铜业股份" not in body
    filtered = page(client, tree.user(Role.UNION_ADMIN), "ledger:home", q="曲靖").content.decode()
    assert "曲靖供电局" in filtered and "昆明供电局" not in filtered
    office = page(client, tree.user(Role.OFFICE_ADMIN), "ledger:home", union="U-B").content.decode()
    assert "云南铜业股份" in office and "昆明供电局" not in office


def test_another_branch_gets_404_and_a_leader_may_not_edit(client, tree, ledgers, clock):
    assert page(client, tree.user(Role.REPORTER, tree.ent_b1), "ledger:detail", "E-A1").status_code == 404
    leader = tree.user(Role.LEADER)
    body = page(client, leader, "ledger:detail", "E-A1").content.decode()
    assert "新建改革任务" not in body
    response = client.post(reverse("ledger:plan_save", args=["E-A1"]), {"version": 1, "notes": "x"})
    assert response.status_code == 403


def test_the_plan_is_saved_with_its_file_and_a_bad_date_is_shown_by_the_field(client, tree, ledgers, clock):
    client.force_login(tree.user(Role.REPORTER))
    url = reverse("ledger:plan_save", args=["E-A1"])
    bad = client.post(url, {"version": 1, "plan_issued_on": "2030-01-01", "plan_title": "方案"})
    assert bad.status_code == 400 and "实施方案印发日期不能晚于今天" in bad.content.decode()
    upload = SimpleUploadedFile("方案.pdf", PDF, content_type="application/pdf")
    ok = client.post(url, {"version": 1, "plan_issued_on": "2020-05-12", "plan_title": "实施方案", "plan_file": upload})
    assert ok.status_code == 302
    ledger = Ledger.objects.get(org__code="E-A1")
    assert ledger.plan_issued_on == dt.date(2020, 5, 12) and ledger.plan_document.original_name == "方案.pdf"
    body = client.get(reverse("ledger:detail", args=["E-A1"])).content.decode()
    assert "改革第3年出台" in body and "晚于规定期限" in body
    download = client.get(reverse("ledger:document", args=[ledger.plan_document_id]))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert AuditEntry.objects.filter(event="ledger.document.download").count() == 1


def test_a_file_that_is_not_what_it_says_is_refused_and_nothing_is_kept(client, tree, ledgers, clock):
    client.force_login(tree.user(Role.REPORTER))
    fake = SimpleUploadedFile("方案.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(reverse("ledger:plan_save", args=["E-A1"]),
                           {"version": 1, "plan_issued_on": "2020-05-12", "plan_file": fake})  # fmt: skip
    assert response.status_code == 400
    assert Ledger.objects.get(org__code="E-A1").plan_issued_on is None and not Document.objects.exists()


def test_officers_are_masked_except_for_the_office_whose_view_is_audited(client, tree, ledgers, clock):
    Officer.objects.create(ledger=ledgers["E-A1"], kind=OfficerKind.INFO, name="李四", phone="13812345678",
                           email="lisi@example.com", started_on=dt.date(2021, 1, 1))  # fmt: skip
    body = page(client, tree.user(Role.UNION_ADMIN), "ledger:detail", "E-A1").content.decode()
    assert "138****5678" in body and "13812345678" not in body and "查看完整" not in body
    office = tree.user(Role.OFFICE_ADMIN)
    body = page(client, office, "ledger:detail", "E-A1").content.decode()
    assert "13812345678" not in body and "查看完整" in body
    officer = Officer.objects.get()
    assert client.get(reverse("ledger:officer_reveal", args=[officer.pk])).status_code == 405
    shown = client.post(reverse("ledger:officer_reveal", args=[officer.pk]))
    assert "13812345678" in shown.content.decode() and "no-store" in shown["Cache-Control"]
    assert AuditEntry.objects.filter(event="core.pii.reveal", object_id=str(officer.pk)).count() == 2


def test_an_officer_added_with_a_bad_phone_is_shown_the_error(client, tree, ledgers, clock):
    client.force_login(tree.user(Role.REPORTER))
    data = {"officer-kind": "info", "officer-name": "李四", "officer-phone": "电话", "officer-joined_on": "2021-01-01"}
    response = client.post(reverse("ledger:officer_add", args=["E-A1"]), data)
    assert response.status_code == 400 and "联系电话只能包含数字" in response.content.decode()
    assert not Officer.objects.exists()


def test_a_task_is_created_with_a_counted_target_and_progress_is_recorded(client, tree, ledgers, clock):
    client.force_login(tree.user(Role.REPORTER))
    response = client.post(reverse("ledger:task_create", args=["E-A1"]), {
        "key_task": "contribution", "title": "新建职工创新工作室", "owner_name": "张三", "starts_on": "2021-01-01",
        "deadline": "2022-12-31", "status": TaskStatus.PLANNED, "target_kind": TargetKind.RESULT,
        "result_text": "新建职工创新工作室", "result_unit": "个", "target_value": "4"})  # fmt: skip
    assert response.status_code == 302
    task = Task.objects.get()
    update = client.post(reverse("ledger:update_add", args=[task.pk]),
                         {"on": "2021-12-31", "note": "建成 1 个", "value": "1"})  # fmt: skip
    assert update.status_code == 302
    body = client.get(task.get_absolute_url()).content.decode()
    assert "最新 2021年12月31日 累计 1个" in body and "落后" in body and "推进中" in body


def test_a_task_without_owner_shows_the_field_error(client, tree, ledgers, clock):
    client.force_login(tree.user(Role.REPORTER))
    response = client.post(reverse("ledger:task_create", args=["E-A1"]), {
        "key_task": "thought", "title": "加强引领", "owner_name": "", "starts_on": "2021-01-01",
        "deadline": "2021-12-31", "status": "planned", "target_kind": "none"})  # fmt: skip
    assert response.status_code == 400 and not Task.objects.exists()


def test_a_task_with_updates_cannot_be_deleted(client, tree, ledgers, clock):
    task = make_task(ledgers["E-A1"])
    task.updates.create(on=dt.date(2021, 3, 1), note="x", value=1)
    client.force_login(tree.user(Role.REPORTER))
    client.post(reverse("ledger:task_delete", args=[task.pk]))
    assert Task.objects.filter(pk=task.pk).exists()


def test_settings_are_the_office_admins(client, tree, clock):
    assert page(client, tree.user(Role.UNION_ADMIN), "ledger:settings").status_code == 404
    reviewer = tree.user(Role.OFFICE_REVIEWER)
    client.force_login(reviewer)
    assert client.post(reverse("ledger:settings"), {"version": 1}).status_code == 403
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    form = {"version": 1, "reform_start": "2018-01-01", "group_deadline": "2018-12-31", "lag_points": 20}
    bad = client.post(reverse("ledger:settings"), {**form, "plan_deadline": "2017-01-01", "idle_months": 6})
    assert bad.status_code == 200 and "不能早于改革启动日期" in bad.content.decode()
    ok = client.post(reverse("ledger:settings"), {**form, "plan_deadline": "2019-06-30", "idle_months": 9})
    assert ok.status_code == 302
    from ledger.models import ReformSettings

    assert ReformSettings.current().idle_months == 9


def test_the_office_puts_an_enterprise_on_the_ledger(client, tree, clock):
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    response = client.post(reverse("ledger:add"), {"org": "E-A2"})
    assert response.status_code == 302 and Ledger.objects.filter(org__code="E-A2").exists()
    client.force_login(tree.user(Role.UNION_ADMIN))
    assert client.post(reverse("ledger:add"), {"org": "E-A1"}).status_code == 404


def test_the_home_page_lists_what_the_ledger_asks_of_each_person(client, tree, ledgers, clock):
    """The enterprise: its returned report and its alerts; its union: the report waiting for its review."""
    from ledger import alerts
    from ledger.tests.written_factories import step, written_report

    alerts.refresh()
    report = written_report(tree, tree.ent_a1)  # 昆明供电局 writes the 2021 report and submits it
    step(tree, report, "submit", tree.user(Role.REPORTER))
    union = tree.user(Role.UNION_ADMIN)
    body = page(client, union, "home").content.decode()
    assert "有 1 份书面报告等待您审核" in body and reverse("ledger:written_rounds") in body
    step(tree, report, "return", union, reason="请补充数据")
    body = page(client, tree.user(Role.REPORTER), "home").content.decode()
    assert "昆明供电局的《2021年度》书面报告被退回" in body and reverse("ledger:written", args=[report.pk]) in body
    assert "条产改预警待处理" in body
    other = page(client, tree.user(Role.REPORTER, tree.ent_b1), "home").content.decode()
    assert "昆明供电局" not in other and "云南铜业股份的《2021年度》书面报告请于" in other
