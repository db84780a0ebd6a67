"""An organisation's timeline (ledger/timeline.py): every dated event newest first, the sources other apps
add, the last activity the "no action" alert reads (a subtree's statistics reports count for the union),
the page and the API behind the door."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.tests.factories import api_client
from core import audit
from core.actor import Actor
from ledger import services, timeline
from ledger.choices import GroupRole, OfficerKind, TaskStatus, WrittenStatus
from ledger.models import Alert, Milestone, WrittenReport, WrittenRound
from ledger.tests.factories import make_task
from orgs.choices import Role
from reporting.models import Report
from reporting.tests.factories import at, submitted_report

pytestmark = pytest.mark.django_db


def reporter(tree, org=None):
    return Actor(user=tree.user(Role.REPORTER, org or tree.ent_a1), ip="10.0.0.1")


@pytest.fixture
def history(tree, ledgers, clock):
    """E-A1's ledger over the years, each step on its own day."""
    by = reporter(tree)
    ledger = ledgers["E-A1"]
    clock.set(at(2020, 5, 20))
    services.ledger_update(by=by, ledger=ledger, version=ledger.version, plan_issued_on=dt.date(2020, 5, 12),
                           plan_title="产改实施方案", group_established_on=dt.date(2020, 5, 15))  # fmt: skip
    services.member_add(by=by, ledger=ledger, name="赵六", role=GroupRole.LEADER, joined_on=dt.date(2020, 5, 15))
    clock.set(at(2020, 6, 2))
    officer = services.officer_add(by=by, ledger=ledger, kind=OfficerKind.INFO, name="李四",
                                   started_on=dt.date(2020, 6, 1))  # fmt: skip
    clock.set(at(2021, 1, 5))
    task = make_task(ledger, starts_on=dt.date(2021, 1, 1), deadline=dt.date(2021, 6, 30), status=TaskStatus.ACTIVE)
    Milestone.objects.create(task=task, title="选定场地", due_on=dt.date(2021, 3, 1), done_on=dt.date(2021, 3, 3))
    clock.set(at(2021, 4, 12))
    services.update_add(by=by, task=task, on=dt.date(2021, 4, 10), note="建成 3 个", value="3")
    services.officer_end(by=by, officer=officer, left_on=dt.date(2021, 5, 31))
    round_ = WrittenRound.objects.create(code="2021H1", title="2021年上半年书面报告", period_start=dt.date(2021, 1, 1),
                                         period_end=dt.date(2021, 6, 30), due_on=dt.date(2021, 7, 15))  # fmt: skip
    report = WrittenReport.objects.create(round=round_, org=tree.ent_a1)
    clock.set(at(2021, 7, 10))
    WrittenReport.objects.filter(pk=report.pk).update(status=WrittenStatus.SUBMITTED, submitted_at=at(2021, 7, 10),
                                                      first_submitted_at=at(2021, 7, 10))  # fmt: skip
    audit.record(by, "ledger.written.submit", report)
    clock.set(at(2021, 7, 20))
    audit.record(
        Actor(user=tree.user(Role.UNION_ADMIN)), "ledger.written.return", report, detail={"reason": "第六项空白"}
    )
    Alert.objects.create(org=tree.ent_a1, kind="no_method", reason="尚未出台可量化的考核评价办法。",
                         since=dt.date(2020, 1, 1), raised_on=dt.date(2021, 8, 1), cleared_on=dt.date(2021, 9, 1),
                         checked_on=dt.date(2021, 9, 1))  # fmt: skip
    clock.set(at(2022, 1, 10))
    return task


def titles(events) -> list[tuple[str, str]]:
    return [(f"{e.on:%Y-%m-%d}", e.title) for e in events]


def test_every_event_of_the_organisation_newest_first(tree, history):
    events = timeline.events_of([tree.ent_a1.pk])
    assert titles(events) == [
        ("2021-09-01", "预警解除：未出台量化考核办法"),
        ("2021-08-01", "预警：未出台量化考核办法"),
        ("2021-07-20", "书面报告《2021年上半年书面报告》被退回"),
        ("2021-07-10", "提交书面报告《2021年上半年书面报告》"),
        ("2021-06-30", "任务“新建职工创新工作室”到期"),
        ("2021-05-31", "李四不再担任信息员"),
        ("2021-04-10", "填报任务进展：新建职工创新工作室"),
        ("2021-03-03", "完成任务节点“选定场地”"),
        ("2021-01-05", "新建改革任务“新建职工创新工作室”"),
        ("2020-06-01", "李四任信息员"),
        ("2020-05-20", "更新台账"),
        ("2020-05-15", "成立改革领导小组"),
        ("2020-05-15", "赵六任领导小组组长"),
        ("2020-05-12", "印发实施方案《产改实施方案》"),
        ("2018-01-01", "列入产改台账"),
    ]
    by_title = {e.title: e for e in events}
    assert by_title["书面报告《2021年上半年书面报告》被退回"].detail == "第六项空白"
    assert by_title["任务“新建职工创新工作室”到期"].detail == "到期时未完成"
    assert by_title["填报任务进展：新建职工创新工作室"].detail == "累计完成 3；建成 3 个"
    assert "实施方案印发日期" in by_title["更新台账"].detail
    assert not timeline.events_of([tree.ent_a2.pk], kinds=["task"])


def test_events_filter_by_kind(tree, history):
    kinds = dict(timeline.event_kinds())
    assert {"ledger", "people", "task", "written", "report", "alert"} <= set(kinds) and kinds[
        "people"
    ] == "领导小组和信息员"
    assert {e.kind for e in timeline.events_of([tree.ent_a1.pk], kinds=["people", "alert"])} == {"people", "alert"}


def test_last_activity_counts_reform_records_not_statistics_reports(tree, history, wf):
    # E-A1: the written report's submission (2021-07-10); the return and the alerts are not its doing.
    latest = timeline.last_activity([tree.ent_a1.pk, tree.union_a.pk, tree.ent_b1.pk])
    assert latest[tree.ent_a1.pk] == dt.date(2021, 7, 10)
    assert tree.union_a.pk not in latest and tree.ent_b1.pk not in latest  # on the ledger, nothing done

    yearly, _quarterly = wf
    submitted_report(tree, yearly, "2021", tree.ent_a2)  # submitted 2022-01-10 by the enterprise below union A
    latest = timeline.last_activity([tree.ent_a1.pk, tree.union_a.pk, tree.ent_a2.pk])
    # Filing statistics is routine, not reform action: neither the enterprise nor its union counts it.
    assert tree.union_a.pk not in latest and tree.ent_a2.pk not in latest
    assert latest[tree.ent_a1.pk] == dt.date(2021, 7, 10)
    events = timeline.events_of([tree.ent_a2.pk], kinds=["report"])
    report = Report.objects.get(org=tree.ent_a2)
    assert titles(events) == [("2022-01-10", "提交统计报表《产业工人队伍基本情况》（2021）")]
    assert events[0].url == reverse("reporting:report_detail", args=[report.pk])
    assert not timeline.events_of([tree.union_a.pk], kinds=["report"])  # the union's own timeline: its own reports


def test_an_update_recorded_late_counts_on_the_day_it_was_recorded(tree, ledgers, clock):
    task = make_task(ledgers["E-A2"], starts_on=dt.date(2021, 1, 1))
    clock.set(at(2021, 12, 1))
    services.update_add(by=reporter(tree, tree.ent_a2), task=task, on=dt.date(2021, 3, 1), note="补录", value="1")
    event = next(e for e in timeline.events_of([tree.ent_a2.pk], kinds=["task"], today=dt.date(2021, 12, 1))
                 if e.title.startswith("填报任务进展"))  # fmt: skip
    assert event.on == dt.date(2021, 3, 1) and event.active_on == dt.date(2021, 12, 1)
    assert timeline.last_activity([tree.ent_a2.pk])[tree.ent_a2.pk] == dt.date(2021, 12, 1)


def test_another_app_adds_its_events_through_the_registry(tree, ledgers, clock):
    @timeline.source(kinds={"site": "示范点"}, name="tests.sites")
    def sites(org_ids, today):
        if tree.ent_b1.pk in org_ids:
            yield timeline.Event(tree.ent_b1.pk, dt.date(2021, 11, 2), "site", "命名为省级示范点")

    try:
        assert titles(timeline.events_of([tree.ent_b1.pk], kinds=["site"])) == [("2021-11-02", "命名为省级示范点")]
        assert timeline.last_activity([tree.ent_b1.pk]) == {tree.ent_b1.pk: dt.date(2021, 11, 2)}
        assert ("site", "示范点") in timeline.event_kinds()
    finally:
        timeline.unregister("tests.sites")
    assert timeline.last_activity([tree.ent_b1.pk]) == {}
    assert "site" not in dict(timeline.event_kinds()) and "report" in dict(timeline.event_kinds())


# --- the page and the API -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "home", "code", "status"),
    [
        (Role.REPORTER, "ent_a1", "E-A1", 200),
        (Role.REPORTER, "ent_a1", "E-A2", 404),
        (Role.REPORTER, "ent_a1", "E-B1", 404),
        (Role.UNION_ADMIN, "union_a", "E-A1", 200),
        (Role.UNION_ADMIN, "union_a", "E-B1", 404),
        (Role.OFFICE_ADMIN, "office", "E-B1", 200),
        (Role.REPORTER, "ent_a1", "NOWHERE", 404),
    ],
)
def test_the_page_is_behind_the_door(client, tree, history, role, home, code, status):
    client.force_login(tree.user(role, getattr(tree, home)))
    assert client.get(reverse("ledger:timeline", args=[code])).status_code == status


def test_the_page_lists_filters_and_pages(client, tree, history, monkeypatch):
    from ledger.views import timeline as view

    client.force_login(tree.user(Role.REPORTER))
    url = reverse("ledger:timeline", args=["E-A1"])
    html = client.get(url).content.decode()
    assert "印发实施方案《产改实施方案》" in html and "第六项空白" in html
    assert html.index("预警解除") < html.index("列入产改台账")  # newest first
    only = client.get(url, {"kind": ["people"]})
    assert {e.kind for e, _label in only.context["events"]} == {"people"}
    monkeypatch.setattr(view, "PER_PAGE", 5)
    second = client.get(url, {"kind": ["task", "people", "ledger"], "page": 2})
    assert len(second.context["events"]) == 5 and second.context["page_obj"].number == 2
    assert "kind=task&amp;kind=people&amp;kind=ledger" in second.content.decode()  # the pages keep the filter
    bad = client.get(url, {"kind": "nonsense"})
    assert bad.status_code == 200 and "事件类型“nonsense”无效。" in bad.content.decode()


def test_the_api_has_the_same_door_and_refuses_bad_kinds(tree, history):
    client = api_client(tree.user(Role.UNION_ADMIN), ip="10.60.0.2")
    own = client.get(reverse("ledger-timeline-detail", args=["E-A1"]))
    assert own.status_code == 200
    assert own.json()["results"][0]["title"] == "预警解除：未出台量化考核办法"
    assert client.get(reverse("ledger-timeline-detail", args=["E-B1"])).status_code == 404
    bad = client.get(reverse("ledger-timeline-detail", args=["E-A1"]), {"kind": "nonsense"})
    assert bad.status_code == 400 and "事件类型“nonsense”无效。" in bad.json()["detail"]
