"""The home page's work list and rounds in progress, from statistics reporting."""

import pytest
from django.urls import reverse

from core import registry
from orgs.choices import Role
from reporting import services
from reporting.queries import worklists
from reporting.tests.factories import as_actor, at, office_user, open_report, submitted_report


def texts(todos):
    return [todo.text for todo in todos]


def test_a_returned_report_is_the_reporters_first_to_do_with_its_reason(tree, wf, clock):
    wf_y = wf[0]
    report = submitted_report(tree, wf_y, "2021", tree.ent_a1)
    union_admin = tree.user(Role.UNION_ADMIN)
    reason = "职工总数与上年差异过大"
    services.report_return(by=as_actor(union_admin), report=report, version=report.version, reason=f"{reason}。")

    todos = registry.todos_for(tree.user(Role.REPORTER))

    first = todos[0]
    assert first.text == f"《产业工人队伍基本情况》2021年度（昆明供电局）被退回：{reason}。请修改后重新提交。"
    assert first.url == reverse("reporting:report_entry", args=[report.pk])
    assert first.urgency == 0


def test_an_open_round_not_yet_submitted_says_its_deadline_and_days_left(tree, wf, clock):
    # 2022-01-10: the 2021 yearly round is open until 2022-01-31.
    todos = worklists.reporting_todos(tree.user(Role.REPORTER))

    assert "填报《产业工人队伍基本情况》2021年度（昆明供电局）：2022年1月31日 截止，还有 21 天。" in texts(todos)
    (todo,) = [t for t in todos if "2021年度" in t.text]
    assert todo.urgency == 1 and str(todo.due) == "2022-01-31"
    assert todo.url == f"{reverse('reporting:my_reports')}#rounds"  # nothing opened yet: the page that opens it


def test_a_draft_near_its_deadline_is_urgent_and_links_to_its_grid(tree, wf, clock):
    report = open_report(tree, wf[0], "2021", org=tree.ent_a1)
    clock.set(at(2022, 1, 30))

    (todo,) = [t for t in worklists.reporting_todos(tree.user(Role.REPORTER)) if "2021年度" in t.text]

    assert todo.text.endswith("2022年1月31日 截止，还有 1 天。")
    assert todo.urgency == 0
    assert todo.url == reverse("reporting:report_entry", args=[report.pk])


def test_a_submitted_report_is_no_longer_a_to_do(tree, wf, clock):
    submitted_report(tree, wf[0], "2021", tree.ent_a1)

    assert not [t for t in worklists.reporting_todos(tree.user(Role.REPORTER)) if "2021年度" in t.text]


def test_a_union_filling_for_many_subsidiaries_gets_one_line_per_round(tree, wf, clock, monkeypatch):
    monkeypatch.setattr(worklists, "TODOS_ITEMISED", 1)  # the test tree's union has two enterprises

    todos = [t for t in worklists.reporting_todos(tree.user(Role.UNION_ADMIN)) if "2021年度" in t.text]

    assert texts(todos) == ["《产业工人队伍基本情况》2021年度：2 家单位尚未提交，最早截止 2022年1月31日。"]


def test_the_union_is_told_how_many_reports_wait_for_its_approval(tree, wf, clock):
    submitted_report(tree, wf[0], "2021", tree.ent_a1)
    submitted_report(tree, wf[0], "2021", tree.ent_b1)  # another union's

    assert "有 1 份报表等待您审核。" in texts(worklists.reporting_todos(tree.user(Role.UNION_ADMIN)))
    assert not [t for t in worklists.reporting_todos(office_user(tree)) if "等待您" in t.text]  # unions review first


def test_the_office_does_not_get_filling_to_dos(tree, wf, clock):
    assert not [t for t in worklists.reporting_todos(office_user(tree)) if t.text.startswith("填报")]


def test_the_office_sees_the_current_rounds_share_and_who_is_late(tree, wf, clock):
    submitted_report(tree, wf[0], "2021", tree.ent_a1)
    clock.set(at(2022, 2, 3))  # past the 2021 deadline (2022-01-31)

    rounds = {r.title: r for r in worklists.reporting_rounds(office_user(tree))}

    yearly = rounds["《产业工人队伍基本情况》2021年度"]
    assert (yearly.done, yearly.expected, yearly.late, str(yearly.due)) == (1, 3, 2, "2022-01-31")
    assert yearly.stage == "已过截止日期"
    assert yearly.url == f"{reverse('reporting:completeness')}?dataset=WF_Y&period=2021"
    assert yearly.late_url == f"{reverse('reporting:deadline_day')}?dataset=WF_Y&period=2021"
    assert round(yearly.share, 2) == 33.33


def test_a_union_sees_the_round_within_its_subtree_and_a_reporter_sees_none(tree, wf, clock):
    rounds = {r.title: r for r in worklists.reporting_rounds(tree.user(Role.UNION_ADMIN))}

    assert rounds["《产业工人队伍基本情况》2021年度"].expected == 2  # its two enterprises, not the province's
    assert rounds["《产业工人队伍基本情况》2021年度"].stage == "填报中"
    assert worklists.reporting_rounds(tree.user(Role.REPORTER)) == []


def test_a_round_long_closed_leaves_the_home_page(tree, wf, clock):
    clock.set(at(2022, 6, 30))  # 2021's entry closed in February; the 2022 yearly round has not opened

    titles = [r.title for r in worklists.reporting_rounds(office_user(tree))]

    assert "《产业工人队伍基本情况》2021年度" not in titles


@pytest.mark.parametrize("role", [Role.OFFICE_ADMIN, Role.UNION_ADMIN])
def test_the_home_page_shows_rounds_in_progress(client, tree, wf, clock, role):
    client.force_login(tree.user(role, tree.province) if role == Role.OFFICE_ADMIN else tree.user(role))

    html = client.get(reverse("home")).content.decode()

    assert "进行中的工作" in html
    assert "《产业工人队伍基本情况》2021年度" in html
    assert "已报送 <strong>0</strong> / " in html
