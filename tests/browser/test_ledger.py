"""The reform ledger in Chromium: an enterprise with no plan sees its alerts, records its implementation plan
(its alerts are checked again at once) and a quantified target; after the daily check the reform office sees
the "no plan" alert cleared and the late plan flagged instead, at 1366×768 and at phone width.

Screenshots go to build/screenshots/ledger_*.png.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ledger import alerts
from ledger.choices import AlertKind
from ledger.models import Alert, Ledger, ReformSettings, Task
from orgs.choices import Role
from orgs.tests.factories import make_tree, make_user
from reporting.tests.factories import at
from tests.browser.helpers import DESKTOP, PHONE, FixedClock, shot, sign_in, watch_errors

TODAY = dt.date(2022, 3, 1)


@pytest.fixture
def province(transactional_db, monkeypatch):
    """The small province on 1 March 2022: 昆明供电局 on the ledger with nothing recorded, alerts computed."""
    monkeypatch.setattr(timezone, "now", FixedClock(at(2022, 3, 1)))
    tree = make_tree()
    ReformSettings.current()
    Ledger.objects.create(org=tree.ent_a1, listed_on=dt.date(2018, 1, 1))
    people = {
        "reporter": make_user("kmgd_taizhang", role=Role.REPORTER, org=tree.ent_a1, full_name="陈台账"),
        "office": make_user("changaiban_yujing", role=Role.OFFICE_ADMIN, org=tree.office, full_name="李预警"),
    }
    alerts.refresh(today=TODAY)
    return tree, people


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_enterprise_records_its_plan_and_a_target_and_the_office_sees_the_alert_clear(province, live_server, page):
    tree, people = province
    base = live_server.url
    errors = watch_errors(page)
    page.set_viewport_size(DESKTOP)
    assert Alert.objects.open().filter(org=tree.ent_a1, kind=AlertKind.NO_PLAN).exists()

    # The enterprise's reporter opens the ledger from the menu: it lands on its own, with its alerts.
    sign_in(page, base, "kmgd_taizhang")
    nav = page.get_by_role("navigation", name="主导航")
    nav.locator("#nav-ledger").click()
    nav.get_by_role("link", name="改革台账", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("昆明供电局")
    expect(page.locator("#org-alerts-open")).to_contain_text("未出台实施方案")
    expect(page.locator("#ledger-checklist")).to_contain_text("未出台")
    shot(page, "ledger_", "1_enterprise_alerts")

    # … records its implementation plan (issued in September 2021: reform year 4, after the deadline).
    page.locator("#plan-edit summary").click()
    form = page.locator("#plan-form")
    form.get_by_label("实施方案印发日期").fill("2021-09-30")
    form.get_by_label("实施方案名称").fill("昆明供电局产业工人队伍建设改革实施方案")
    form.get_by_label("印发单位").fill("昆明供电局")
    form.get_by_label("实施方案文号").fill("昆供电〔2021〕45号")
    form.get_by_role("button", name="保存").click()
    expect(page.locator(".alert").first).to_contain_text("台账已保存")
    expect(page.locator("#ledger-checklist")).to_contain_text("改革第4年出台")
    # Its alerts are checked again at once: "no plan" gives way to "plan issued late".
    expect(page.locator("#org-alerts-open")).not_to_contain_text("未出台实施方案")
    expect(page.locator("#org-alerts-open")).to_contain_text("实施方案出台滞后")

    # … and a task with a quantified target, owner and deadline (定目标、定责任、定期限).
    page.get_by_role("link", name="新建改革任务").click()
    task_form = page.locator("#task-form")
    task_form.get_by_label("所属重点任务").select_option(label="建功立业")
    task_form.get_by_label("任务名称").fill("新建职工创新工作室")
    task_form.locator("[name=owner_name]").fill("张工")
    task_form.get_by_label("开始日期").fill("2022-01-01")
    task_form.get_by_label("完成期限").fill("2023-12-31")
    task_form.get_by_label("量化成果").check()
    expect(task_form.get_by_label("指标", exact=True)).to_be_hidden()
    task_form.get_by_label("成果目标").fill("新建职工创新工作室")
    task_form.get_by_label("计量单位").fill("个")
    task_form.get_by_label("目标值").fill("4")
    shot(page, "ledger_", "2_task_form")
    task_form.get_by_role("button", name="保存").click()
    expect(page.locator(".alert").first).to_contain_text("已新建任务“新建职工创新工作室”")
    expect(page.locator("#task-target")).to_contain_text("新建职工创新工作室 4个")
    task = Task.objects.get(title="新建职工创新工作室")
    assert task.ledger.org == tree.ent_a1 and task.target_value == 4 and task.owner_name == "张工"

    # The same pages at phone width: the tasks as cards, nothing wider than the screen.
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/ledger/org/E-A1/")
    expect(page.locator("#task-cards")).to_contain_text("新建职工创新工作室")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, "ledger_", "3_phone_ledger")
    page.set_viewport_size(DESKTOP)

    # The daily check runs; the office sees "no plan" cleared and the late plan flagged with its reason.
    alerts.refresh(today=TODAY)
    sign_in(page, base, "changaiban_yujing")
    page.goto(f"{base}/ledger/alerts/?state=cleared")
    cleared = page.locator(f"#alert-list tr[data-org='E-A1'][data-kind='{AlertKind.NO_PLAN}']")
    expect(cleared).to_have_count(1)
    shot(page, "ledger_", "4_office_cleared")
    page.goto(f"{base}/ledger/alerts/")
    late = page.locator(f"#alert-list tr[data-org='E-A1'][data-kind='{AlertKind.LATE_PLAN}']")
    expect(late).to_contain_text("2021")
    expect(page.locator(f"#alert-list tr[data-org='E-A1'][data-kind='{AlertKind.NO_PLAN}']")).to_have_count(0)
    shot(page, "ledger_", "5_office_open")
    assert not errors, errors
