"""The daily check (ledger/alerts.py, services/alerts.py): each rule raised with its reason and cleared by
the fix, history kept; the daily run once a day; the command; the office's recompute job; the list, its
scope and filters; the .xlsx; one organisation's alerts on its ledger page."""

from __future__ import annotations

import datetime as dt
import io
import time
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from openpyxl import load_workbook

from core import audit, periodic, registry
from core.actor import Actor
from core.formatting import day_label
from core.jobs import job_run
from core.models import AuditEntry, Job, JobStatus
from ledger import alerts, services, tasks
from ledger.choices import AlertKind, OfficerKind, TargetKind, TaskStatus, WrittenStatus
from ledger.models import Alert, Ledger, ReformSettings, WrittenReport, WrittenRound
from ledger.queries.alerts import org_alerts
from ledger.tests.factories import make_task
from orgs.choices import Role
from orgs.models import Organisation
from reporting.tests.factories import at

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("tests")


def refresh(today: dt.date | None = None) -> alerts.RefreshResult:
    return services.alerts_refresh(by=SYSTEM, today=today)


def open_of(org) -> dict[tuple[str, str], Alert]:
    return {(a.kind, a.subject): a for a in Alert.objects.open().filter(org=org)}


def reporter(tree, org=None):
    return Actor(user=tree.user(Role.REPORTER, org or tree.ent_a1), ip="10.0.0.1")


def set_up(ledger: Ledger, **fields) -> Ledger:
    """Record plan / group / method dates directly (the services' own checks are tested elsewhere)."""
    Ledger.objects.filter(pk=ledger.pk).update(**fields)
    ledger.refresh_from_db()
    return ledger


def staffed(ledger: Ledger, on: dt.date = dt.date(2018, 3, 1)) -> None:
    from ledger.models import Officer

    for kind in OfficerKind.values:
        Officer.objects.create(ledger=ledger, kind=kind, name="李四", started_on=on)


@pytest.fixture
def jobs_cache():
    """The periodic claims live in the shared "jobs" cache (files on this host): start and end clean."""
    caches["jobs"].clear()
    yield caches["jobs"]
    caches["jobs"].clear()


def test_every_kind_of_alert_has_a_rule():
    raised = {kind for kinds in alerts.RULE_KINDS.values() for kind in kinds}
    assert raised == set(AlertKind.values)


def test_helpers_count_months_and_say_days_in_chinese():
    assert alerts.add_months(dt.date(2021, 8, 31), 6) == dt.date(2022, 2, 28)
    assert alerts.add_months(dt.date(2021, 3, 1), 6) == dt.date(2021, 9, 1)
    assert day_label(dt.date(2020, 5, 12)) == "2020年5月12日"
    assert alerts.plain(Decimal("10.0000")) == "10" and alerts.plain(Decimal("0.498626"), 4) == "0.4986"


# --- plans, groups, officers, methods -------------------------------------------------------------------


def test_no_plan_is_raised_with_its_reason_and_cleared_once_the_plan_is_recorded(tree, ledgers, clock):
    result = refresh()
    alert = open_of(tree.ent_a1)[(AlertKind.NO_PLAN, "")]
    assert alert.reason == "尚未出台实施方案；规定期限为2018年12月31日，自2019年1月1日起逾期。"
    assert alert.since == dt.date(2019, 1, 1) and alert.raised_on == dt.date(2022, 1, 10)
    assert alert.evidence["plan_due"] == "2018-12-31"
    assert result.raised == Alert.objects.count() and result.cleared == 0
    row = AuditEntry.objects.get(event="ledger.alerts.refresh")
    assert row.detail["raised"] == result.raised and row.detail["raised_by_kind"][AlertKind.NO_PLAN] == 5

    ledger = ledgers["E-A1"]
    services.ledger_update(by=reporter(tree), ledger=ledger, version=ledger.version, plan_issued_on=dt.date(2018, 6, 1))
    clock.set(at(2022, 1, 11))
    second = refresh()

    assert (AlertKind.NO_PLAN, "") not in open_of(tree.ent_a1)
    assert (AlertKind.LATE_PLAN, "") not in open_of(tree.ent_a1)  # on time: nothing in its place
    alert.refresh_from_db()
    assert alert.cleared_on == dt.date(2022, 1, 11) and alert.reason.startswith("尚未出台实施方案")  # history kept
    assert second.cleared == 1 and second.raised == 0
    assert AuditEntry.objects.filter(event="ledger.alerts.refresh").count() == 2


def test_a_late_plan_raises_late_plan_instead(tree, ledgers, clock):
    refresh()
    ledger = ledgers["E-A1"]
    services.ledger_update(
        by=reporter(tree), ledger=ledger, version=ledger.version, plan_issued_on=dt.date(2020, 5, 12)
    )
    refresh()
    found = open_of(tree.ent_a1)
    assert (AlertKind.NO_PLAN, "") not in found
    late = found[(AlertKind.LATE_PLAN, "")]
    assert late.reason == "实施方案于2020年5月12日印发，晚于规定期限2018年12月31日（改革第3年）。"
    assert late.since == dt.date(2019, 1, 1) and late.evidence["reform_year"] == 3
    assert Alert.objects.filter(org=tree.ent_a1, kind=AlertKind.NO_PLAN, cleared_on=dt.date(2022, 1, 10)).exists()


def test_an_organisation_listed_after_the_deadline_gets_as_long_as_the_first_ones(tree, ledgers, clock):
    set_up(ledgers["E-A2"], listed_on=dt.date(2021, 6, 1))  # due 364 days on, as 2018-01-01 → 2018-12-31
    refresh()
    assert (AlertKind.NO_PLAN, "") not in open_of(tree.ent_a2)
    clock.set(at(2022, 6, 1))
    refresh()
    assert open_of(tree.ent_a2)[(AlertKind.NO_PLAN, "")].reason == (
        "尚未出台实施方案；规定期限为2022年5月31日，自2022年6月1日起逾期。"
    )


def test_a_kept_alert_keeps_its_start_and_is_checked_again(tree, ledgers, clock):
    refresh()
    first = open_of(tree.ent_a1)[(AlertKind.NO_GROUP, "")]
    clock.set(at(2022, 2, 1))
    result = refresh()
    again = open_of(tree.ent_a1)[(AlertKind.NO_GROUP, "")]
    assert again.pk == first.pk and again.since == dt.date(2019, 1, 1) and again.raised_on == dt.date(2022, 1, 10)
    assert again.checked_on == dt.date(2022, 2, 1) and result.raised == 0 and result.kept == Alert.objects.count()


def test_officers_are_read_from_the_dated_history(tree, ledgers, clock):
    ledger = ledgers["E-A1"]
    by = reporter(tree)
    refresh()
    assert open_of(tree.ent_a1)[(AlertKind.NO_INFO_OFFICER, "")].reason == "自2018年1月1日列入台账以来未配备信息员。"
    officer = services.officer_add(
        by=by, ledger=ledger, kind=OfficerKind.INFO, name="李四", started_on=dt.date(2021, 1, 1)
    )
    refresh()
    found = open_of(tree.ent_a1)
    assert (AlertKind.NO_INFO_OFFICER, "") not in found and (AlertKind.NO_LIAISON, "") in found

    services.officer_end(by=by, officer=officer, left_on=dt.date(2022, 1, 5))
    clock.set(at(2022, 1, 12))
    refresh()
    again = open_of(tree.ent_a1)[(AlertKind.NO_INFO_OFFICER, "")]
    assert again.reason == "目前没有在任的信息员：上一任于2022年1月5日离任，此后空缺。"
    assert again.since == dt.date(2022, 1, 5) and again.raised_on == dt.date(2022, 1, 12)
    history = Alert.objects.filter(org=tree.ent_a1, kind=AlertKind.NO_INFO_OFFICER).order_by("id")
    assert [a.cleared_on for a in history] == [dt.date(2022, 1, 10), None]


def test_no_group_and_no_method_clear_when_recorded(tree, ledgers, clock):
    refresh()
    assert {(AlertKind.NO_GROUP, ""), (AlertKind.NO_METHOD, "")} <= set(open_of(tree.ent_a1))
    assert open_of(tree.ent_a1)[(AlertKind.NO_METHOD, "")].reason == (
        "尚未出台可量化的考核评价办法（自2018年1月1日列入台账起）。"
    )
    ledger = ledgers["E-A1"]
    services.ledger_update(by=reporter(tree), ledger=ledger, version=ledger.version,
                           group_established_on=dt.date(2018, 5, 1), method_issued_on=dt.date(2019, 5, 1))  # fmt: skip
    refresh()
    assert not {(AlertKind.NO_GROUP, ""), (AlertKind.NO_METHOD, "")} & set(open_of(tree.ent_a1))


def test_closed_organisations_and_those_off_the_ledger_are_not_checked(tree, ledgers, clock):
    refresh()
    assert open_of(tree.ent_a2)
    Organisation.objects.filter(pk=tree.ent_a2.pk).update(closed_on=dt.date(2022, 1, 5))
    result = refresh()
    assert not open_of(tree.ent_a2) and result.cleared == len(Alert.objects.filter(org=tree.ent_a2))
    assert not Alert.objects.filter(org=tree.unit_a1).exists()  # not on the ledger


def test_only_the_office_manager_or_the_system_refreshes(tree, ledgers, clock):
    with pytest.raises(PermissionDenied):
        services.alerts_refresh(by=reporter(tree))
    with pytest.raises(PermissionDenied):
        services.alerts_refresh(by=Actor(user=tree.user(Role.OFFICE_REVIEWER)))
    assert not Alert.objects.exists() and not AuditEntry.objects.filter(event="ledger.alerts.refresh").exists()
    services.alerts_refresh(by=Actor(user=tree.user(Role.OFFICE_ADMIN)))
    assert Alert.objects.exists()


# --- no action ----------------------------------------------------------------------------------------


def test_a_plan_and_a_group_but_no_action_is_raised_after_the_idle_months_and_cleared_by_an_update(
    tree, ledgers, clock
):
    clock.set(at(2021, 3, 1))
    ledger = ledgers["E-A1"]
    services.ledger_update(by=reporter(tree), ledger=ledger, version=ledger.version,
                           plan_issued_on=dt.date(2018, 6, 1), group_established_on=dt.date(2018, 6, 1))  # fmt: skip
    task = make_task(ledger, starts_on=dt.date(2021, 1, 1), deadline=dt.date(2023, 12, 31))
    clock.set(at(2021, 8, 31))
    refresh()
    assert (AlertKind.NO_ACTION, "") not in open_of(tree.ent_a1)  # five months and 30 days

    clock.set(at(2021, 9, 2))
    refresh()
    idle = open_of(tree.ent_a1)[(AlertKind.NO_ACTION, "")]
    assert idle.reason == (
        "已出台实施方案并成立领导小组，但自2021年3月1日以来已超过6个月没有任何工作记录"
        "（改革任务及进展、书面报告、台账更新；统计报表不计在内）。"
    )
    assert idle.since == dt.date(2021, 9, 1) and idle.evidence == {"last_activity": "2021-03-01", "idle_months": 6}
    assert (AlertKind.NO_ACTION, "") not in open_of(tree.ent_a2)  # no plan, no group: other alerts

    services.update_add(by=reporter(tree), task=task, on=dt.date(2021, 9, 2), note="建成 2 个", value="2")
    clock.set(at(2021, 9, 3))
    refresh()
    assert (AlertKind.NO_ACTION, "") not in open_of(tree.ent_a1)
    idle.refresh_from_db()
    assert idle.cleared_on == dt.date(2021, 9, 3)


def test_idle_months_come_from_the_settings(tree, ledgers, clock):
    set_up(ledgers["E-A1"], plan_issued_on=dt.date(2021, 10, 1), group_established_on=dt.date(2021, 10, 1))
    refresh()
    assert (AlertKind.NO_ACTION, "") not in open_of(tree.ent_a1)
    ReformSettings.objects.filter(pk=1).update(idle_months=3)
    refresh()
    assert open_of(tree.ent_a1)[(AlertKind.NO_ACTION, "")].since == dt.date(2022, 1, 1)


# --- tasks ---------------------------------------------------------------------------------------------


def test_vague_targets_are_one_alert_per_task_and_clear_when_a_number_is_set(tree, ledgers, clock):
    vague = make_task(ledgers["E-A1"], title="加强宣传", target_kind=TargetKind.NONE)
    make_task(ledgers["E-A1"], title="另一项", target_kind=TargetKind.NONE, status=TaskStatus.CANCELLED)
    refresh()
    found = {s: a for (k, s), a in open_of(tree.ent_a1).items() if k == AlertKind.VAGUE_TARGET}
    assert list(found) == [f"task:{vague.pk}"]
    assert (
        found[f"task:{vague.pk}"].reason
        == "任务“加强宣传”（完成期限2022年12月31日）没有量化目标，自2022年1月10日录入以来未补充。"
    )

    services.task_update(by=reporter(tree), task=vague, version=vague.version, target_kind=TargetKind.RESULT,
                         result_text="宣讲场次", target_value="20", result_unit="场")  # fmt: skip
    refresh()
    assert (AlertKind.VAGUE_TARGET, f"task:{vague.pk}") not in open_of(tree.ent_a1)


def test_a_task_past_its_deadline_is_overdue_until_done(tree, ledgers, clock):
    task = make_task(ledgers["E-A1"], deadline=dt.date(2021, 12, 31), status=TaskStatus.ACTIVE)
    refresh()
    alert = open_of(tree.ent_a1)[(AlertKind.TASK_OVERDUE, f"task:{task.pk}")]
    assert (
        alert.reason
        == "任务“新建职工创新工作室”完成期限为2021年12月31日，自2022年1月1日起逾期未完成（当前状态：推进中）。"
    )
    assert alert.since == dt.date(2022, 1, 1)
    services.task_update(by=reporter(tree), task=task, version=task.version, status=TaskStatus.DONE,
                         done_on=dt.date(2022, 1, 9))  # fmt: skip
    refresh()
    assert (AlertKind.TASK_OVERDUE, f"task:{task.pk}") not in open_of(tree.ent_a1)


def test_a_counted_result_behind_the_straight_path(tree, ledgers, clock):
    clock.set(at(2021, 7, 2))
    task = make_task(ledgers["E-A1"], starts_on=dt.date(2021, 1, 1), deadline=dt.date(2021, 12, 31))
    services.update_add(by=reporter(tree), task=task, on=dt.date(2021, 7, 2), note="建成 2 个", value="2")
    refresh()
    alert = open_of(tree.ent_a1)[(AlertKind.BEHIND_PATH, f"task:{task.pk}")]
    assert alert.evidence == {
        "task": task.pk, "title": "新建职工创新工作室", "baseline": "0", "target": "10", "latest": "2",
        "latest_on": "2021-07-02", "latest_label": "2021-07-02", "expected_share": "0.5", "share": "0.2",
        "behind_by": "30", "lag_points": 20, "unit": "个",
    }  # fmt: skip
    assert alert.reason == (
        "任务“新建职工创新工作室”截至2021年7月2日达到2个（基期0个，目标10个），完成进度20.00%，"
        "按时间均匀推进应达到50.00%，落后30.00个百分点（预警阈值20个百分点）。"
    )
    assert alert.since == dt.date(2021, 7, 2)  # 182 of the 364 days gone: half the way, 20% done

    clock.set(at(2021, 7, 10))
    services.update_add(by=reporter(tree), task=task, on=dt.date(2021, 7, 10), note="建成 6 个", value="6")
    refresh()
    assert (AlertKind.BEHIND_PATH, f"task:{task.pk}") not in open_of(tree.ent_a1)


# --- written reports -----------------------------------------------------------------------------------


@pytest.fixture
def written_round(db):
    return WrittenRound.objects.create(
        code="2021H2", title="2021年下半年九个方面书面报告", period_start=dt.date(2021, 7, 1),
        period_end=dt.date(2021, 12, 31), due_on=dt.date(2022, 1, 5),
    )  # fmt: skip


def test_a_missing_written_report_then_a_draft_then_submitted(tree, ledgers, clock, written_round):
    subject = f"round:{written_round.pk}"
    refresh()
    alert = open_of(tree.ent_a1)[(AlertKind.WRITTEN_MISSING, subject)]
    assert alert.reason == "《2021年下半年九个方面书面报告》应于2022年1月5日前报送，至今未报送。"
    assert alert.since == dt.date(2022, 1, 6)
    assert Alert.objects.open().filter(kind=AlertKind.WRITTEN_MISSING).count() == 5

    report = WrittenReport.objects.create(round=written_round, org=tree.ent_a1)
    refresh()
    kept = open_of(tree.ent_a1)[(AlertKind.WRITTEN_MISSING, subject)]
    assert kept.pk == alert.pk and kept.reason.endswith("至今仍是草稿，未提交。")

    WrittenReport.objects.filter(pk=report.pk).update(status=WrittenStatus.SUBMITTED, submitted_at=at(2022, 1, 10))
    refresh()
    assert (AlertKind.WRITTEN_MISSING, subject) not in open_of(tree.ent_a1)


def test_a_returned_report_is_alerted_until_it_is_submitted_again(tree, ledgers, clock, written_round):
    subject = f"round:{written_round.pk}"
    report = WrittenReport.objects.create(round=written_round, org=tree.ent_a1, status=WrittenStatus.SUBMITTED)
    clock.set(at(2022, 1, 8))
    WrittenReport.objects.filter(pk=report.pk).update(status=WrittenStatus.RETURNED)
    audit.record(Actor(user=tree.user(Role.UNION_ADMIN)), "ledger.written.return", report, detail={"reason": "不完整"})
    clock.set(at(2022, 1, 10))
    refresh()
    alert = open_of(tree.ent_a1)[(AlertKind.WRITTEN_RETURNED, subject)]
    assert alert.reason == "《2021年下半年九个方面书面报告》于2022年1月8日被退回修改，至今未重新提交。"
    assert alert.since == dt.date(2022, 1, 8)
    assert (AlertKind.WRITTEN_MISSING, subject) not in open_of(tree.ent_a1)

    WrittenReport.objects.filter(pk=report.pk).update(status=WrittenStatus.SUBMITTED)
    refresh()
    assert (AlertKind.WRITTEN_RETURNED, subject) not in open_of(tree.ent_a1)


# --- running it: daily, by command, on request -----------------------------------------------------------


def test_the_daily_refresh_is_declared_and_runs_once_a_day(tree, ledgers, clock, jobs_cache):
    work = next(w for w in registry.declared_periodic() if w.name == "ledger.alerts_refresh")
    assert work.every == dt.timedelta(days=1)

    first = periodic.run_due(now=at(2022, 1, 10, 10), holder="worker-1")
    second = periodic.run_due(now=at(2022, 1, 10, 23, 30), holder="worker-2")  # the other worker, same day
    assert first["ledger.alerts_refresh"]["raised"] == Alert.objects.count() > 0
    assert "ledger.alerts_refresh" not in second
    rows = AuditEntry.objects.filter(event="ledger.alerts.refresh")
    assert rows.count() == 1 and rows.get().username == "system:ledger.alerts_daily"

    clock.set(at(2022, 1, 11, 0, 30))  # before 01:00 Beijing time the day's run is still yesterday's
    assert "ledger.alerts_refresh" not in periodic.run_due(now=at(2022, 1, 11, 0, 30), holder="worker-1")
    clock.set(at(2022, 1, 11, 2))
    assert "ledger.alerts_refresh" in periodic.run_due(now=at(2022, 1, 11, 2), holder="worker-2")
    assert rows.count() == 2
    assert periodic.last_run("ledger.alerts_refresh")["ok"] is True


def test_a_failed_periodic_run_is_tried_again_later(monkeypatch, jobs_cache):
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("数据库不可用")
        return {"ok": True}

    monkeypatch.setattr(registry, "_periodic", {})
    monkeypatch.setattr(periodic, "RETRY_SECONDS", 1)
    registry.periodic("tests.flaky", every=dt.timedelta(days=1), fn=flaky)
    assert periodic.run_due(now=at(2022, 1, 10, 10)) == {"tests.flaky": {"error": "数据库不可用"}}
    assert periodic.last_run("tests.flaky")["ok"] is False
    assert periodic.run_due(now=at(2022, 1, 10, 10, 5)) == {}  # not straight away
    time.sleep(1.2)  # the retry wait is over
    assert periodic.run_due(now=at(2022, 1, 10, 10, 30)) == {"tests.flaky": {"ok": True}}
    assert periodic.run_due(now=at(2022, 1, 10, 11)) == {}  # and then done for the day
    assert len(calls) == 2 and periodic.last_run("tests.flaky")["ok"] is True


def test_the_worker_checks_periodic_work_from_its_own_thread(monkeypatch):
    from core.management.commands import run_worker

    worker = run_worker.ResilientWorker(
        queue_names=["default"], interval=1, batch=False, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="host:1:2", excluded_queue_names=[],
    )  # fmt: skip
    holders = []
    monkeypatch.setattr(periodic, "run_due", lambda holder: holders.append(holder))
    monkeypatch.setattr(run_worker.time, "sleep", lambda seconds: setattr(worker, "running", False))
    worker._run_periodic_work()
    assert holders == ["host:1:2"]


def test_the_command_refreshes_as_the_system(tree, ledgers, clock):
    out = io.StringIO()
    call_command("refresh_alerts", stdout=out)
    count = Alert.objects.count()
    assert count > 0 and out.getvalue().strip() == f"预警已重新计算：新增 {count} 条，解除 0 条，持续 0 条。"
    assert AuditEntry.objects.get(event="ledger.alerts.refresh").username == "system:refresh_alerts"


def test_recompute_on_request_is_one_job_per_click_burst_and_runs_as_the_asker(client, tree, ledgers, clock):
    office = tree.user(Role.OFFICE_ADMIN)
    client.force_login(office)
    url = reverse("ledger:alerts_refresh")
    first = client.post(url)
    second = client.post(url)  # a double click
    job = Job.objects.get()
    assert first["Location"] == second["Location"] == reverse("core:job_detail", args=[job.pk])
    assert job.kind == "ledger.alerts_refresh" and job.status == JobStatus.QUEUED
    assert (
        f'href="{reverse("core:job_detail", args=[job.pk])}"' in client.get(reverse("ledger:alerts")).content.decode()
    )

    job_run(job_id=job.pk, work=lambda actor, job: tasks._refresh(actor))  # what the worker does

    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["raised"] == Alert.objects.count() > 0
    assert AuditEntry.objects.get(event="ledger.alerts.refresh").user_id == office.pk
    page = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert "产改预警计算" in page and "预警已重新计算" in page
    client.post(url)
    assert Job.objects.count() == 2  # after a refresh ran, asking again is a new job


def test_recompute_is_not_for_others(client, tree, ledgers, clock):
    client.force_login(tree.user(Role.UNION_ADMIN))
    assert client.post(reverse("ledger:alerts_refresh")).status_code == 404
    client.force_login(tree.user(Role.OFFICE_REVIEWER))
    assert client.post(reverse("ledger:alerts_refresh")).status_code == 302
    assert not Job.objects.exists()
    assert "立即重新计算" not in client.get(reverse("ledger:alerts")).content.decode()


# --- the list, the export, the partial -------------------------------------------------------------------


@pytest.fixture
def raised(tree, ledgers, clock):
    set_up(ledgers["E-A1"], plan_issued_on=dt.date(2020, 5, 12))
    for ledger in ledgers.values():
        staffed(ledger)
    refresh()
    return Alert.objects.open()


def codes_on(response) -> set[str]:
    import re

    return set(re.findall(r'data-org="([^"]+)"', response.content.decode()))


@pytest.mark.parametrize(
    ("role", "home", "seen"),
    [
        (Role.REPORTER, "ent_a1", {"E-A1"}),
        (Role.UNION_ADMIN, "union_a", {"U-A", "E-A1", "E-A2"}),
        (Role.OFFICE_ADMIN, "office", {"U-A", "E-A1", "E-A2", "U-B", "E-B1"}),
    ],
)
def test_the_list_shows_the_scope_of_each_user(client, tree, raised, role, home, seen):
    client.force_login(tree.user(role, getattr(tree, home)))
    response = client.get(reverse("ledger:alerts"))
    assert response.status_code == 200
    assert codes_on(response) == seen


def test_the_list_filters_and_counts_by_kind(client, tree, raised, clock):
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    page = client.get(reverse("ledger:alerts"), {"kind": AlertKind.LATE_PLAN})
    assert codes_on(page) == {"E-A1"}
    html = page.content.decode()
    assert "实施方案于2020年5月12日印发，晚于规定期限2018年12月31日（改革第3年）。" in html
    counts = {c.kind: c.count for c in page.context["counts"]}
    assert counts[AlertKind.NO_PLAN] == 4 and counts[AlertKind.LATE_PLAN] == 1 and counts[AlertKind.NO_LIAISON] == 0
    assert codes_on(client.get(reverse("ledger:alerts"), {"union": "U-A"})) == {"U-A", "E-A1", "E-A2"}
    assert codes_on(client.get(reverse("ledger:alerts"), {"prefecture": "530100"})) == {"E-A1"}
    # Age: every lag here began on 2018-01-01 (no method) or 2019-01-01; none began in the last 30 days.
    assert codes_on(client.get(reverse("ledger:alerts"), {"age": "180"})) == {"U-A", "E-A1", "E-A2", "U-B", "E-B1"}
    Alert.objects.filter(org=tree.ent_b1).update(since=dt.date(2022, 1, 1))
    assert "E-B1" not in codes_on(client.get(reverse("ledger:alerts"), {"age": "30"}))
    assert codes_on(client.get(reverse("ledger:alerts"), {"state": "cleared"})) == set()
    Alert.objects.filter(org=tree.ent_a2).update(cleared_on=dt.date(2022, 1, 9))
    assert codes_on(client.get(reverse("ledger:alerts"), {"state": "cleared"})) == {"E-A2"}
    bad = client.get(reverse("ledger:alerts"), {"age": "7"})
    assert bad.status_code == 200 and "持续时间应为 30、90 或 180（天）。" in bad.content.decode()


def test_the_list_reads_in_a_fixed_number_of_queries(client, tree, raised, django_assert_max_num_queries):
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    client.get(reverse("ledger:alerts"))  # warm the session and the scope
    with django_assert_max_num_queries(20) as few:
        response = client.get(reverse("ledger:alerts"))
    assert len(response.context["rows"]) == Alert.objects.count()
    # More alerts on the page: the same number of queries.
    for ledger in Ledger.objects.all():
        Alert.objects.create(org=ledger.org, kind=AlertKind.NO_ACTION, reason="—", since=dt.date(2021, 1, 1),
                             raised_on=dt.date(2021, 1, 1), checked_on=dt.date(2021, 1, 1))  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("ledger:alerts"))


def test_the_xlsx_has_every_row_of_the_filter_and_is_injection_safe(client, tree, raised):
    Organisation.objects.filter(pk=tree.ent_a1.pk).update(name='=HYPERLINK("http://evil.example","点我")')
    client.force_login(tree.user(Role.UNION_ADMIN))
    response = client.get(reverse("ledger:alerts_xlsx"), {"kind": AlertKind.NO_PLAN})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet["A1"].value == "产改预警清单"
    assert [c.value for c in sheet[2]][:6] == ["单位", "单位代码", "所属产业系统公司工会", "州市", "预警类型", "原因"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3, max_row=4)]
    assert sorted(r[1] for r in rows) == ["E-A2", "U-A"]  # E-A1's plan is late, not missing; no other branch
    assert sheet.cell(row=6, column=1).value.startswith("筛选条件：未解除，未出台实施方案")

    response = client.get(reverse("ledger:alerts_xlsx"), {"kind": AlertKind.LATE_PLAN})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    name = sheet["A3"]
    assert name.value == '\'=HYPERLINK("http://evil.example","点我")' and name.data_type == "s"
    assert sheet["E3"].value == "实施方案出台滞后" and sheet["G3"].value.date() == dt.date(2019, 1, 1)
    assert sheet["J3"].value == (dt.date(2022, 1, 10) - dt.date(2019, 1, 1)).days
    exports = AuditEntry.objects.filter(event="ledger.alerts.export").order_by("id")
    assert [e.detail["rows"] for e in exports] == [2, 1]
    assert client.get(reverse("ledger:alerts_xlsx"), {"kind": "nonsense"}).status_code == 400


def test_one_organisations_alerts_for_its_ledger_page(tree, raised, clock):
    ledger = Ledger.objects.get(org=tree.ent_a1)
    set_up(ledger, group_established_on=dt.date(2018, 5, 1))
    clock.set(at(2022, 1, 11))
    refresh()
    own = org_alerts(tree.ent_a1, tree.user(Role.REPORTER))
    # A plan (late) and now a group, nothing done since 2020: no action as well.
    assert {r.alert.kind for r in own.open} == {AlertKind.LATE_PLAN, AlertKind.NO_METHOD, AlertKind.NO_ACTION}
    assert [r.alert.kind for r in own.history] == [AlertKind.NO_GROUP]
    html = render_to_string("ledger/_alerts.html", {"org_alerts": own})
    assert (
        "实施方案于2020年5月12日印发" in html and 'id="org-alerts-history"' in html and "已解除的预警（1 条）" in html
    )
    stranger = org_alerts(tree.ent_a1, tree.user(Role.REPORTER, tree.ent_b1))
    assert stranger.open == [] and stranger.history == []


def test_the_api_lists_the_scope_and_refuses_bad_filters(tree, raised):
    from accounts.tests.factories import api_client

    client = api_client(tree.user(Role.REPORTER), ip="10.60.0.3")
    body = client.get(reverse("ledger-alert-list")).json()
    assert {row["org"] for row in body["results"]} == {"E-A1"}
    late = client.get(reverse("ledger-alert-list"), {"kind": AlertKind.LATE_PLAN}).json()["results"]
    assert [(r["kind"], r["since"], r["evidence"]["reform_year"]) for r in late] == [("late_plan", "2019-01-01", 3)]
    bad = client.get(reverse("ledger-alert-list"), {"age": "7"})
    assert bad.status_code == 400 and bad.json()["detail"] == "持续时间应为 30、90 或 180（天）。"
    office = api_client(tree.user(Role.OFFICE_ADMIN), ip="10.60.0.4")
    assert (
        office.get(reverse("ledger-alert-list"), {"union": "U-B"}).json()["count"]
        == Alert.objects.filter(org__code__in=["U-B", "E-B1"]).count()
    )


def test_an_organisations_own_write_rechecks_its_alerts_at_once(
    tree, ledgers, clock, django_capture_on_commit_callbacks
):
    """Recording the plan clears "no plan" on the spot (not only at the next daily run), and only there."""
    import datetime as dt

    from core.actor import Actor
    from core.models import AuditEntry
    from ledger import alerts, services
    from ledger.choices import AlertKind
    from ledger.models import Alert
    from orgs.choices import Role

    alerts.refresh()
    assert Alert.objects.open().filter(org=tree.ent_a1, kind=AlertKind.NO_PLAN).exists()
    before = Alert.objects.open().exclude(org=tree.ent_a1).count()
    ledger = ledgers["E-A1"]
    with django_capture_on_commit_callbacks(execute=True):
        services.ledger_update(
            by=Actor(user=tree.user(Role.REPORTER)), ledger=ledger, version=ledger.version,
            plan_issued_on=dt.date(2018, 6, 1),
        )  # fmt: skip
    assert not Alert.objects.open().filter(org=tree.ent_a1, kind=AlertKind.NO_PLAN).exists()
    assert Alert.objects.filter(org=tree.ent_a1, kind=AlertKind.NO_PLAN, cleared_on__isnull=False).exists()
    assert Alert.objects.open().exclude(org=tree.ent_a1).count() == before  # the others wait for the daily run
    row = AuditEntry.objects.filter(event="ledger.alerts.refresh").latest("id")
    assert row.detail["orgs"] == [tree.ent_a1.pk] and row.detail["cleared"] >= 1
    # A write that changes no alert leaves no refresh row.
    count = AuditEntry.objects.filter(event="ledger.alerts.refresh").count()
    ledger.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.ledger_update(
            by=Actor(user=tree.user(Role.REPORTER)), ledger=ledger, version=ledger.version, notes="x"
        )
    assert AuditEntry.objects.filter(event="ledger.alerts.refresh").count() == count


def test_writes_in_one_transaction_make_one_recheck_and_a_rollback_leaves_none_pending(
    tree, ledgers, clock, django_capture_on_commit_callbacks
):
    import datetime as dt

    from django.db import transaction

    from core.actor import Actor
    from ledger import services
    from ledger.choices import AlertKind
    from ledger.models import Alert
    from orgs.choices import Role

    refresh()
    by = Actor(user=tree.user(Role.UNION_ADMIN))
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        for code in ("E-A1", "E-A2"):
            ledger = ledgers[code]
            services.ledger_update(by=by, ledger=ledger, version=ledger.version, plan_issued_on=dt.date(2018, 5, 1))
    assert len(callbacks) == 1
    assert not Alert.objects.open().filter(org__code__in=["E-A1", "E-A2"], kind=AlertKind.NO_PLAN).exists()
    # A rolled-back write drops its recheck; the next write still gets one.
    try:
        with transaction.atomic():
            services.member_add(by=by, ledger=ledgers["E-A1"], name="甲", role="leader", joined_on=dt.date(2019, 1, 1))
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.member_add(by=by, ledger=ledgers["E-A2"], name="乙", role="leader", joined_on=dt.date(2019, 1, 1))
    assert len(callbacks) == 1


def test_the_list_narrows_to_the_provincial_unions(client, tree, ledgers, clock):
    from django.urls import reverse

    from orgs.choices import Role

    refresh()
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    unions = client.get(reverse("ledger:alerts"), {"level": "union"}).content.decode()
    assert 'data-org="U-A"' in unions and 'data-org="E-A1"' not in unions
    enterprises = client.get(reverse("ledger:alerts"), {"level": "enterprise"}).content.decode()
    assert 'data-org="E-A1"' in enterprises and 'data-org="U-A"' not in enterprises
    bad = client.get(reverse("ledger:alerts"), {"level": "unit"}).content.decode()
    assert "单位层级应为 union" in bad
