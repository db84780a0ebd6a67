"""A union chair opens an enterprise's roadmap in Chromium: at 1366×768 the timeline shows the tasks by key
task with an overdue one marked and the certification target on its path; at phone width the same tasks
are a list with progress bars; the province's summaries draw their charts. No console errors (CSP).

Screenshots go to build/screenshots/ledger-*.png.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from analytics.models import Indicator
from analytics.tests.helpers import accepted_report
from ledger.choices import KeyTask, OfficerKind, TargetKind, TaskStatus
from ledger.models import Ledger, Milestone, Officer, TaskUpdate
from ledger.tests.factories import make_ledgers, make_task
from orgs.choices import Role
from orgs.tests.factories import make_tree, make_user
from reporting.tests.factories import at, load_workforce
from tests.browser.helpers import DESKTOP, PHONE, FixedClock, shot, sign_in, watch_errors


@pytest.fixture
def province(transactional_db, monkeypatch):
    """昆明供电局 with five tasks (one overdue, one on CERT_RATE with accepted 2020 and 2022 reports); today
    is 2023-03-01."""
    monkeypatch.setattr(timezone, "now", FixedClock(at(2023, 3, 1)))
    tree = make_tree()
    wf_y, _wf_q = load_workforce()
    accepted_report(tree, wf_y, "2020", tree.ent_a1, nonmigrant=1000, migrant=200, certified=284)
    accepted_report(tree, wf_y, "2022", tree.ent_a1, nonmigrant=1000, migrant=200, certified=312)
    ledgers = make_ledgers(tree)
    Ledger.objects.filter(org=tree.union_a).update(plan_issued_on=dt.date(2018, 6, 1))
    Ledger.objects.filter(org=tree.ent_a1).update(plan_issued_on=dt.date(2020, 3, 1))
    ledger = ledgers["E-A1"]
    make_task(
        ledger, key_task=KeyTask.SKILLS, title="提高技能等级持证率", target_kind=TargetKind.INDICATOR,
        indicator=Indicator.objects.get(code="CERT_RATE"), baseline_year=2020, target_value=Decimal(35),
        target_year=2023, starts_on=dt.date(2021, 1, 1), deadline=dt.date(2023, 12, 31), status=TaskStatus.ACTIVE,
    )  # fmt: skip
    studios = make_task(ledger, status=TaskStatus.ACTIVE, deadline=dt.date(2023, 6, 30))
    TaskUpdate.objects.create(task=studios, on=dt.date(2022, 6, 30), value=Decimal(4), note="建成 4 个")
    late = make_task(ledger, key_task=KeyTask.STATUS, title="完善职代会制度建设，推进厂务公开和民主管理",
                     target_kind=TargetKind.NONE, starts_on=dt.date(2021, 3, 1), deadline=dt.date(2022, 12, 31),
                     status=TaskStatus.ACTIVE)  # fmt: skip
    Milestone.objects.create(
        task=late, title="修订职代会实施细则", due_on=dt.date(2022, 6, 30), done_on=dt.date(2022, 6, 1)
    )
    Milestone.objects.create(task=late, title="厂务公开检查", due_on=dt.date(2022, 11, 30))
    make_task(ledger, key_task=KeyTask.THOUGHT, title="劳模工匠宣讲进班组", target_kind=TargetKind.NONE,
              starts_on=dt.date(2022, 1, 1), deadline=dt.date(2022, 6, 30), status=TaskStatus.DONE,
              done_on=dt.date(2022, 6, 20))  # fmt: skip
    make_task(ledger, key_task=KeyTask.GROWTH, title="新就业形态劳动者入会", target_kind=TargetKind.NONE,
              starts_on=dt.date(2023, 4, 1), deadline=dt.date(2024, 6, 30))  # fmt: skip
    Officer.objects.create(ledger=ledger, kind=OfficerKind.INFO, name="李四", started_on=dt.date(2021, 1, 1))
    chair = make_user("dianwang_zhuxi", role=Role.UNION_ADMIN, org=tree.union_a, full_name="王主席")
    return tree, chair


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_union_chair_reads_an_enterprises_roadmap_on_a_desk_and_a_phone(province, live_server, page: Page):
    _tree, chair = province
    page.set_viewport_size(DESKTOP)
    errors = watch_errors(page)
    sign_in(page, live_server.url, chair.username)

    page.goto(f"{live_server.url}/ledger/org/E-A1/roadmap/")
    gantt = page.locator("#roadmap-gantt")
    expect(gantt).to_be_visible()
    expect(page.locator("#roadmap-list")).to_be_hidden()
    expect(gantt.locator('g[data-state="overdue"]')).to_have_count(1)
    expect(gantt).to_contain_text("逾期 60 天")
    behind = "最新 2022年 31.20%，按进度应达 32.80%，落后 1.60 个百分点"
    expect(page.locator("#roadmap-targets")).to_contain_text(behind)
    # The timeline fits the office screen: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "ledger-", "roadmap")

    page.set_viewport_size(PHONE)
    expect(gantt).to_be_hidden()
    expect(page.locator("#roadmap-list")).to_be_visible()
    expect(page.locator("#roadmap-list .list-group-item")).to_have_count(5)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "ledger-", "roadmap-phone")
    assert errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_task_view_and_the_summaries_render(province, live_server, page: Page):
    _tree, chair = province
    page.set_viewport_size(DESKTOP)
    errors = watch_errors(page)
    sign_in(page, live_server.url, chair.username)

    page.goto(f"{live_server.url}/ledger/tasks/")
    expect(page.locator("#task-list tbody tr")).to_have_count(5)
    page.locator("#task-counts").get_by_role("link", name="1").first.click()
    expect(page.locator("#task-list tbody tr")).to_have_count(1)
    shot(page, "ledger-", "tasks")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/ledger/tasks/")
    shot(page, "ledger-", "tasks-phone")

    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/ledger/summary/")
    charts = page.locator(".ledger-chart")
    for index in range(charts.count()):
        expect(charts.nth(index)).to_have_attribute("data-rendered", "1", timeout=15000)
    expect(page.locator("#adoption-union")).to_contain_text("台账单位 1 家")
    shot(page, "ledger-", "summary")
    page.set_viewport_size(PHONE)
    shot(page, "ledger-", "summary-phone")
    assert errors == []
