"""An enterprise reporter fills the yearly workforce report in Chromium with the keyboard, meets a
Chinese message next to a cell, fixes it, saves and submits; the union approves; the office accepts.

Screenshots (1366×768, the office screen) go to build/screenshots/entry-*.png.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from orgs.choices import Role
from orgs.tests.factories import TEST_PASSWORD, make_tree, make_user
from reporting.choices import ReportStatus
from reporting.models import DataValue, Report
from reporting.tests.factories import SHANGHAI, at, filled_report, load_workforce, valid_values_y

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


class FixedClock:
    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now.astimezone(dt.UTC)


@pytest.fixture
def province(transactional_db, monkeypatch):
    """The small province with the workforce data sets, a 2020 report to compare with, at 2022-01-10 Beijing."""
    clock = FixedClock(at(2021, 1, 10))
    monkeypatch.setattr(timezone, "now", clock)
    tree = make_tree()
    wf_y, _wf_q = load_workforce()
    previous = filled_report(tree, wf_y, "2020")
    Report.objects.filter(pk=previous.pk).update(
        status=ReportStatus.ACCEPTED, first_submitted_at=at(2021, 1, 20), submitted_at=at(2021, 1, 20)
    )
    clock.now = at(2022, 1, 10)
    people = {
        "reporter": make_user("kmgd_tianbao", role=Role.REPORTER, org=tree.ent_a1, full_name="李填报"),
        "union": make_user("dianwang_shenhe", role=Role.UNION_ADMIN, org=tree.union_a, full_name="王审核"),
        "office": make_user("chanbgai_yanshou", role=Role.OFFICE_REVIEWER, org=tree.province, full_name="赵验收"),
    }
    return tree, wf_y, people


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{base}/")


def cell(page: Page, code: str, key: str = ""):
    return page.locator(f'[name="cell:{code}:{key}"]')


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"entry-{name}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_reporter_fills_submits_union_approves_office_accepts(province, live_server, page: Page, browser):
    tree, wf_y, people = province
    base = live_server.url
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("dialog", lambda dialog: dialog.accept())
    page.set_viewport_size({"width": 1366, "height": 768})

    # The reporter finds the open round on 我的填报 and opens the draft.
    sign_in(page, base, "kmgd_tianbao")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的填报").click()
    row = page.locator("#rounds tbody tr").filter(has_text="2021年度").filter(has_text="产业工人队伍基本情况")
    expect(row).to_contain_text("昆明供电局")
    expect(row).to_contain_text("剩 21 天")
    shot(page, "1-my-reports")
    row.get_by_role("button", name="开始填报").click()
    expect(page.locator("h1")).to_contain_text("产业工人队伍基本情况")
    report = Report.objects.get(org=tree.ent_a1, dataset=wf_y, period__code="2021")

    # Keyboard: type, Tab along the row, the subtotal and the total follow as you type.
    cell(page, "WF_WORKERS").click()
    page.keyboard.type("1000")
    page.keyboard.press("Tab")
    expect(cell(page, "WF_WORKERS_GROUP", "MIGRANT.MALE")).to_be_focused()
    for number in ("300", "100", "400"):
        page.keyboard.type(number)
        page.keyboard.press("Tab")
    expect(cell(page, "WF_WORKERS_GROUP", "NONMIGRANT.FEMALE")).to_be_focused()
    group_row = page.locator("tr[data-grid-row]").filter(has=cell(page, "WF_WORKERS_GROUP", "MIGRANT.MALE"))
    expect(group_row.locator('output[data-subtotal="MIGRANT"]')).to_have_text("400")
    page.keyboard.type("200")
    expect(group_row.locator('output[data-subtotal="NONMIGRANT"]')).to_have_text("600")
    expect(group_row.locator("output[data-row-total]")).to_have_text("1,000")
    expect(page.locator("tr.check-row.check-ok").first).to_contain_text("一致")
    # Enter goes down to the next row (the same column).
    cell(page, "WF_FRONTLINE").click()
    page.keyboard.type("700")
    page.keyboard.press("Enter")
    expect(cell(page, "WF_TECH_STAFF")).to_be_focused()
    page.keyboard.type("一百二十")
    expect(page.locator("#dirty-state")).to_contain_text("有 7 项未保存的修改")

    # A draft survives closing the page: reopening offers it back.
    page.goto(f"{base}/reporting/reports/{report.pk}/entry/")
    expect(page.locator("#restore-banner")).to_be_visible()
    expect(page.locator("#restore-text")).to_contain_text("7 项")
    page.get_by_role("button", name="恢复未保存的内容").click()
    expect(cell(page, "WF_TECH_STAFF")).to_have_value("一百二十")
    expect(group_row.locator("output[data-row-total]")).to_have_text("1,000")

    # Ctrl+S saves; the refused value is explained in Chinese next to its cell, and nothing is written.
    cell(page, "WF_TECH_STAFF").focus()
    page.keyboard.press("Control+s")
    message = "“一百二十”是中文数字，请改用阿拉伯数字填写，如“一百二十”应填写 120。"
    tech_cell = page.locator(".grid-cell").filter(has=cell(page, "WF_TECH_STAFF"))
    expect(tech_cell.locator(".cell-error")).to_have_text(message)
    expect(page.locator("#save-error")).to_contain_text("本次填写均未保存")
    assert not DataValue.objects.filter(report=report).exists()
    expect(cell(page, "WF_WORKERS")).to_have_value("1000")  # what was typed is still there
    shot(page, "2-refused-value")
    page.locator("#section-BASIC").screenshot(path=str(SHOTS / "entry-2a-section-basic.png"))

    # Fix it, fill the rest, save.
    cell(page, "WF_TECH_STAFF").fill("120")
    for (code, key), value in valid_values_y().items():
        field = cell(page, code, key)
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option("true" if value == "是" else "false")
        elif not field.input_value():
            field.fill(value)
    cell(page, "WF_NOTES").fill("本期数据已与人事台账核对。")
    page.get_by_role("button", name="保存草稿").first.click()
    expect(page.locator(".alert-success")).to_contain_text("已保存 61 项修改")
    expect(page.locator("#dirty-state")).to_have_text("没有未保存的修改")
    assert DataValue.objects.filter(report=report).exclude(value="").count() == 61
    expect(page.locator(".cell-prev").first).to_contain_text("上期")
    shot(page, "3-saved-grid")
    page.locator("#section-SKILL").screenshot(path=str(SHOTS / "entry-3a-section-skill.png"))
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / "entry-3b-top.png"))

    # Check and submit from the report page.
    page.get_by_role("link", name="检查并提交").click()
    expect(page.locator("#completeness")).to_contain_text("完整，可以提交")
    page.locator("#actions").get_by_role("button", name="提交").click()
    expect(page.locator(".alert-success")).to_contain_text("已提交，等待审核。")
    expect(page.locator("#summary-title").locator("xpath=../..")).to_contain_text("已提交")
    shot(page, "4-submitted")

    # The union approves.
    union_page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    union_page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(union_page, base, "dianwang_shenhe")
    expect(union_page.locator("#nav-unread")).to_contain_text("1")
    union_page.goto(f"{base}/reporting/reports/")
    queue = union_page.locator("#queue")
    expect(queue).to_contain_text("待审核")
    queue.get_by_role("link", name="去审核").click()
    expect(union_page.locator("#outliers")).to_be_visible()
    shot(union_page, "5-union-review")
    union_page.locator("#actions").get_by_role("button", name="审核通过").click()
    expect(union_page.locator(".alert-success")).to_contain_text("已审核通过")

    # The office accepts.
    office_page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    office_page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(office_page, base, "chanbgai_yanshou")
    office_page.goto(f"{base}/reporting/reports/")
    expect(office_page.locator("#queue")).to_contain_text("待验收")
    office_page.locator("#queue").get_by_role("link", name="去验收").click()
    office_page.locator("#actions").get_by_role("button", name="验收").click()
    expect(office_page.locator(".alert-success")).to_contain_text("已验收")
    shot(office_page, "6-accepted")
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED

    # The reporter's inbox says so.
    page.goto(f"{base}/reporting/inbox/")
    expect(page.locator(".notification").first).to_contain_text("已验收")
    shot(page, "7-inbox")
    assert not [e for e in errors if not re.search(r"favicon", e)]
