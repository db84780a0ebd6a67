"""The roadmap of one organisation and the province's task view: targets read from accepted reports, said
in words; "暂无数据" rather than 0; overdue tasks and milestones on the timeline; the door (another
branch's roadmap is 404, a union sees its enterprises'); the task list's filters and counts; the .xlsx."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from analytics.models import Indicator
from analytics.tests.helpers import accepted_report
from core.actor import Actor
from core.models import AuditEntry
from ledger import services
from ledger.choices import KeyTask, TargetKind, TaskStatus
from ledger.models import Milestone
from ledger.tests.factories import make_task
from orgs.choices import Role
from reporting.tests.factories import at

pytestmark = pytest.mark.django_db

CERT_STATEMENT = (
    "目标：2023年持证率（技能等级证书）达到 35.00%（基期 2020年 28.40%）；最新 2022年 31.20%，"
    "按进度应达 32.80%，落后 1.60 个百分点"
)


def cert_task(ledger, **fields):
    """Raise the certification rate (CERT_RATE) from its 2020 level to 35% by 2023."""
    return make_task(
        ledger, key_task=KeyTask.SKILLS, title="提高技能等级持证率", target_kind=TargetKind.INDICATOR,
        indicator=Indicator.objects.get(code="CERT_RATE"), baseline_year=2020, target_value=D(35), target_year=2023,
        starts_on=dt.date(2021, 1, 1), deadline=dt.date(2023, 12, 31), **fields,
    )  # fmt: skip


@pytest.fixture
def measured(tree, ledgers, wf, clock):
    """昆明供电局's accepted yearly reports: 28.40% certified in 2020, 31.20% in 2022; today is 2023-03-01."""
    wf_y, _wf_q = wf
    accepted_report(tree, wf_y, "2020", tree.ent_a1, nonmigrant=1000, migrant=200, certified=284)
    accepted_report(tree, wf_y, "2022", tree.ent_a1, nonmigrant=1000, migrant=200, certified=312)
    clock.set(at(2023, 3, 1))
    return cert_task(ledgers["E-A1"])


def roadmap_of(client, user, code):
    client.force_login(user)
    return client.get(reverse("ledger:roadmap", args=[code]))


# --- The roadmap -----------------------------------------------------------------------------------------


def test_the_roadmap_reads_an_indicator_target_from_accepted_reports(client, tree, measured):
    response = roadmap_of(client, tree.user(Role.REPORTER), "E-A1")
    assert response.status_code == 200
    body = response.content.decode()
    # 2020-12-31 → 2023-12-31: two thirds of the way on 2022-12-31, so 28.40 + 6.60 × 2/3 = 32.80 is due.
    assert CERT_STATEMENT in body
    line = response.context["roadmap"].lines[0]
    assert line.progress.actual.value == D("31.20") and line.progress.baseline == D("28.40")
    assert line.statement.behind
    chart = response.context["charts"][0][1]
    assert len(chart.points) == 1 and chart.points[0].title == "2022：31.20%"
    assert chart.expected is not None and chart.path is not None  # today's place on the path is drawn


def test_without_accepted_reports_it_says_no_data_not_zero(client, tree, ledgers, wf, clock):
    clock.set(at(2023, 3, 1))
    cert_task(ledgers["E-A1"])
    body = roadmap_of(client, tree.user(Role.REPORTER), "E-A1").content.decode()
    assert "目标：2023年持证率（技能等级证书）达到 35.00%（基期 2020年 暂无数据）；最新：暂无数据" in body
    assert "0.00%" not in body and "落后" not in body


def test_a_submitted_but_not_accepted_report_does_not_count(client, tree, ledgers, wf, clock):
    from reporting.choices import ReportStatus

    wf_y, _wf_q = wf
    accepted_report(tree, wf_y, "2020", tree.ent_a1, nonmigrant=1000, certified=284)
    accepted_report(tree, wf_y, "2022", tree.ent_a1, nonmigrant=1000, certified=312, status=ReportStatus.SUBMITTED)
    clock.set(at(2023, 3, 1))
    cert_task(ledgers["E-A1"])
    body = roadmap_of(client, tree.user(Role.REPORTER), "E-A1").content.decode()
    assert "（基期 2020年 28.40%）；最新：暂无数据" in body


def test_a_counted_result_reads_its_updates(client, tree, ledgers, clock):
    task = make_task(ledgers["E-A1"])  # 10 studios, 2021-01-01 → 2022-12-31
    services.update_add(by=Actor(user=tree.user(Role.REPORTER)), task=task, on=dt.date(2021, 7, 2),
                        note="建成 2 个", value="2")  # fmt: skip
    body = roadmap_of(client, tree.user(Role.REPORTER), "E-A1").content.decode()
    # 182 of 729 days: 2.5 of the 10 are due.
    expected = "目标：2022年12月31日前新建职工创新工作室 10个；最新 2021年7月2日 累计 2个，按进度应达 2.5个，落后 0.5个"
    assert expected in body


def test_the_timeline_marks_overdue_tasks_milestones_and_today(client, tree, ledgers, clock):
    late = make_task(ledgers["E-A1"], title="建立技能人才评价体系", key_task=KeyTask.SKILLS,
                     target_kind=TargetKind.NONE, starts_on=dt.date(2020, 3, 1), deadline=dt.date(2021, 12, 31),
                     status=TaskStatus.ACTIVE)  # fmt: skip
    done = make_task(ledgers["E-A1"], title="召开职代会", key_task=KeyTask.STATUS, target_kind=TargetKind.NONE,
                     starts_on=dt.date(2020, 1, 1), deadline=dt.date(2020, 6, 30), status=TaskStatus.DONE,
                     done_on=dt.date(2020, 6, 1))  # fmt: skip
    Milestone.objects.create(task=late, title="出台评价办法", due_on=dt.date(2021, 6, 30))
    Milestone.objects.create(task=late, title="首批评价", due_on=dt.date(2022, 6, 30))
    response = roadmap_of(client, tree.user(Role.REPORTER), "E-A1")
    body = response.content.decode()
    assert f'data-task="{late.pk}" data-state="overdue"' in body
    assert f'data-task="{done.pk}" data-state="done"' in body
    assert "逾期 10 天" in body  # today is 2022-01-10
    assert "节点：出台评价办法，计划 2021-06-30，已逾期" in body
    assert "节点：首批评价，计划 2022-06-30，未完成" in body
    assert "今天 2022-01-10" in body
    gantt = response.context["gantt"]
    assert [row.label for row in gantt.rows if row.kind == "group"] == ["素质提升（1 项）", "地位提高（1 项）"]
    # The phone list holds the same tasks.
    assert 'id="roadmap-list"' in body and body.count(f'data-task="{late.pk}"') >= 2
    assert response.context["roadmap"].counts["overdue"] == 1


def test_a_roadmap_without_tasks_says_so(client, tree, ledgers, clock):
    response = roadmap_of(client, tree.user(Role.REPORTER), "E-A1")
    assert response.status_code == 200
    assert 'id="roadmap-empty"' in response.content.decode() and response.context["gantt"] is None


@pytest.mark.parametrize(
    ("role", "home", "code", "status"),
    [
        (Role.REPORTER, "ent_a1", "E-A1", 200),
        (Role.UNION_ADMIN, "union_a", "E-A1", 200),  # a union chair opens any of its enterprises' roadmaps
        (Role.OFFICE_ADMIN, "office", "E-B1", 200),
        (Role.REPORTER, "ent_a1", "E-A2", 404),  # a sibling
        (Role.REPORTER, "ent_b1", "E-A1", 404),  # another branch
        (Role.UNION_ADMIN, "union_a", "E-B1", 404),
        (Role.REPORTER, "ent_a1", "NOPE", 404),
    ],
)
def test_the_roadmap_is_behind_the_door(client, tree, ledgers, clock, role, home, code, status):
    assert roadmap_of(client, tree.user(role, getattr(tree, home)), code).status_code == status


def test_an_organisation_not_on_the_ledger_has_no_roadmap(client, tree, ledgers, clock):
    assert roadmap_of(client, tree.user(Role.OFFICE_ADMIN), "UNIT-A1").status_code == 404


# --- The province's task view ----------------------------------------------------------------------------


@pytest.fixture
def tasks(tree, ledgers, clock):
    """Five tasks: E-A1 an overdue skills task and a counted result, E-A2 an unquantified one, E-B1 a done one
    and U-B a cancelled one."""
    return {
        "late": make_task(ledgers["E-A1"], title="持证率提升", key_task=KeyTask.SKILLS, target_kind=TargetKind.NONE,
                          deadline=dt.date(2021, 12, 31), status=TaskStatus.ACTIVE),
        "studios": make_task(ledgers["E-A1"]),
        "vague": make_task(ledgers["E-A2"], title="营造氛围", key_task=KeyTask.THOUGHT, target_kind=TargetKind.NONE),
        "done": make_task(ledgers["E-B1"], title="铜业竞赛", status=TaskStatus.DONE, done_on=dt.date(2021, 10, 1)),
        "cancelled": make_task(ledgers["U-B"], title="取消的任务", status=TaskStatus.CANCELLED),
    }  # fmt: skip


def listed(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("ledger:tasks"), params)
    assert response.status_code == 200
    return response, {line.task.title for line in response.context["lines"]}


def test_the_office_sees_every_task_and_the_counts(client, tree, tasks):
    response, titles = listed(client, tree.user(Role.OFFICE_ADMIN))
    assert titles == {t.title for t in tasks.values()}
    rows = response.context["count_rows"]
    counts = {row["label"]: [n for n, _href in row["cells"]] + [row["total"][0]] for row in rows}
    # columns: 未开始, 推进中, 已完成, 已取消, 逾期, 合计
    assert counts["建功立业"] == [1, 0, 1, 1, 0, 3]
    assert counts["素质提升"] == [0, 1, 0, 0, 1, 1]
    assert counts["合计"] == [2, 1, 1, 1, 1, 5]
    body = response.content.decode()
    assert reverse("ledger:roadmap", args=["E-B1"]) in body  # each task links to its organisation's roadmap
    assert "?status=overdue&amp;key_task=skills" in body


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "overdue"}, {"持证率提升"}),
        ({"status": "done"}, {"铜业竞赛"}),
        ({"key_task": "thought"}, {"营造氛围"}),
        ({"union": "U-B"}, {"铜业竞赛", "取消的任务"}),
        ({"union": "U-A", "target_kind": "result"}, {"新建职工创新工作室"}),
        ({"prefecture": "530100"}, {"持证率提升", "新建职工创新工作室"}),  # 昆明供电局 is in 昆明
        ({"target_kind": "none"}, {"持证率提升", "营造氛围"}),
    ],
)
def test_the_filters(client, tree, tasks, params, expected):
    _response, titles = listed(client, tree.user(Role.OFFICE_ADMIN), **params)
    assert titles == expected


def test_the_status_and_key_task_filters_leave_the_counts_alone(client, tree, tasks):
    response, titles = listed(client, tree.user(Role.OFFICE_ADMIN), status="done", key_task="contribution")
    assert titles == {"铜业竞赛"}
    assert response.context["count_rows"][-1]["total"][0] == 5
    response, _titles = listed(client, tree.user(Role.OFFICE_ADMIN), union="U-B")
    assert response.context["count_rows"][-1]["total"][0] == 2  # the other filters do narrow the table


def test_a_bad_filter_is_a_form_error_not_a_failure(client, tree, tasks):
    response, titles = listed(client, tree.user(Role.OFFICE_ADMIN), status="lost", key_task="skills")
    assert "选择一个有效的选项" in response.content.decode()
    assert titles == {"持证率提升"}  # the valid filter still applies


def test_a_union_sees_its_subtree_only(client, tree, tasks):
    response, titles = listed(client, tree.user(Role.UNION_ADMIN, tree.union_a))
    assert titles == {"持证率提升", "新建职工创新工作室", "营造氛围"}
    assert [code for code, _name in response.context["form"].fields["union"].choices[1:]] == ["U-A"]
    # Another branch's union is not an option: refused as such, and nothing of it comes back.
    response, titles = listed(client, tree.user(Role.UNION_ADMIN, tree.union_a), union="U-B")
    assert "选择一个有效的选项" in response.content.decode()
    assert "铜业竞赛" not in titles and "中国铜业" not in response.content.decode()


def test_the_list_shows_progress_and_no_data(client, tree, tasks):
    services.update_add(by=Actor(user=tree.user(Role.REPORTER)), task=tasks["studios"], on=dt.date(2021, 7, 2),
                        note="建成 2 个", value="2")  # fmt: skip
    response, _titles = listed(client, tree.user(Role.OFFICE_ADMIN), target_kind="result")
    body = response.content.decode()
    assert "最新 2021年7月2日 累计 2个，按进度应达 2.5个，落后 0.5个" in body
    assert "最新：暂无数据" in body  # E-B1's done task has no update


def test_the_list_reads_a_fixed_number_of_queries(client, tree, tasks, ledgers, django_assert_max_num_queries):
    for n in range(20):
        make_task(ledgers["E-A2"], title=f"任务{n}")
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    client.get(reverse("ledger:tasks"))  # warm the session and the caches
    with django_assert_max_num_queries(25):
        assert client.get(reverse("ledger:tasks")).status_code == 200


# --- The .xlsx -------------------------------------------------------------------------------------------


def test_the_export_is_an_xlsx_of_the_filtered_tasks(client, tree, tasks):
    services.update_add(by=Actor(user=tree.user(Role.REPORTER)), task=tasks["studios"], on=dt.date(2021, 7, 2),
                        note="建成 2 个", value="2")  # fmt: skip
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    response = client.get(reverse("ledger:tasks_xlsx"), {"key_task": "contribution"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet["A1"].value == "改革任务清单"
    assert "重点任务：建功立业" in sheet["A2"].value
    headers = [c.value for c in sheet[4]]
    assert headers[:5] == ["单位代码", "单位", "所属工会", "重点任务", "任务"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5, max_row=sheet.max_row) if row[0].value]
    tasks_rows = [r for r in rows if r[0] in ("E-A1", "E-A2", "E-B1", "U-B")]
    assert len(tasks_rows) == 1  # the union sees E-A1's result only (E-B1's contribution task is not its)
    row = dict(zip(headers, tasks_rows[0], strict=True))
    assert row["单位"] == "昆明供电局" and row["所属工会"] == "云南电网"
    assert row["最新值"] == 2 and row["目标值"] == 10
    assert row["完成路径比例（%）"] == 20
    assert row["目标"] == "2022年12月31日前新建职工创新工作室 10个"
    entry = AuditEntry.objects.filter(event="ledger.tasks.export").latest("id")
    assert entry.detail["rows"] == 1 and entry.detail["filters"] == {"key_task": "contribution"}


def test_no_figure_is_an_empty_cell_in_the_export(client, tree, tasks):
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    response = client.get(reverse("ledger:tasks_xlsx"), {"status": "done"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    headers = [c.value for c in sheet[4]]
    row = dict(zip(headers, [c.value for c in sheet[5]], strict=True))
    assert row["任务"] == "铜业竞赛" and row["最新值"] is None and row["完成路径比例（%）"] is None


def test_the_export_needs_the_export_right(client, tree, tasks):
    client.force_login(tree.user(Role.INFO_OFFICER))
    assert client.get(reverse("ledger:tasks_xlsx")).status_code == 403
    assert not AuditEntry.objects.filter(event="ledger.tasks.export").exists()


# --- The API ---------------------------------------------------------------------------------------------


def api(user):
    from accounts.tests.factories import api_client

    return api_client(user, ip="10.60.0.2")


def test_the_api_lists_tasks_with_their_progress(tree, measured):
    response = api(tree.user(Role.UNION_ADMIN, tree.union_a)).get("/api/v1/ledger/tasks/?key_task=skills")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["results"][0]
    assert item["org_code"] == "E-A1" and item["union"] == "云南电网" and item["indicator"] == "CERT_RATE"
    assert item["roadmap_url"] == reverse("ledger:roadmap", args=["E-A1"])
    progress = item["progress"]
    assert progress["baseline"] == "28.4000" and progress["target"] == "35.0000"
    assert progress["latest_value"] == "31.2000" and progress["latest_label"] == "2022"
    # 2.80 of the 6.60 points: 0.4242 of the path, where 0.6667 was due: 24.24 points behind.
    assert progress["share"] == "0.4242" and progress["expected_share"] == "0.6667"
    assert progress["behind_by"] == "24.24"
    assert progress["text"] == CERT_STATEMENT


def test_the_api_says_no_figure_as_null(tree, tasks):
    body = api(tree.user(Role.OFFICE_ADMIN)).get("/api/v1/ledger/tasks/?status=done").json()
    progress = body["results"][0]["progress"]
    assert progress["latest_value"] is None and progress["share"] is None and progress["behind_by"] is None


def test_the_api_filters_and_keeps_to_the_scope(tree, tasks):
    client = api(tree.user(Role.UNION_ADMIN, tree.union_a))
    titles = {r["title"] for r in client.get("/api/v1/ledger/tasks/").json()["results"]}
    assert titles == {"持证率提升", "新建职工创新工作室", "营造氛围"}
    assert client.get("/api/v1/ledger/tasks/?union=U-B").json()["count"] == 0
    overdue = client.get("/api/v1/ledger/tasks/?status=overdue").json()
    assert [r["title"] for r in overdue["results"]] == ["持证率提升"] and overdue["results"][0]["overdue"]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("status=lost", "status", "任务状态“lost”无效。"),
        ("key_task=x", "key_task", "重点任务“x”无效。"),
        ("target_kind=x", "target_kind", "目标类型“x”无效。"),
        ("prefecture=999999", "prefecture", "州市代码“999999”无效。"),
        ("prefecture=%00", "prefecture", "州市代码“\x00”无效。"),
        ("union=U%00B", "union", "工会代码“U\x00B”无效。"),
    ],
)
def test_bad_api_filters_are_400_in_chinese(tree, tasks, query, field, message):
    response = api(tree.user(Role.OFFICE_ADMIN)).get(f"/api/v1/ledger/tasks/?{query}")
    assert response.status_code == 400
    assert response.json()["detail"] == message and response.json()["field"] == field
