"""The case library in Chromium: an enterprise's editor writes a case with the small editor and submits it, the
office publishes it, and the library's search finds it by words inside a sentence (“技能薪酬” in a body that says
“建立以技能为导向的薪酬分配制度”), on the office's screen (1366×768) and on a phone (390 px), with the axe check.

Screenshots go to build/screenshots/cases_*.png.
"""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.choices import CaseStatus
from cases.models import Case
from orgs.choices import Role
from orgs.tests.factories import make_tree, make_user
from reporting.tests.factories import at
from tests.browser.helpers import DESKTOP, PHONE, FixedClock, assert_accessible, shot, sign_in, watch_errors


@pytest.fixture
def province(transactional_db, monkeypatch):
    monkeypatch.setattr(timezone, "now", FixedClock(at(2022, 6, 10)))
    tree = make_tree()
    make_user("kmgd_anli", role=Role.REPORTER, org=tree.ent_a1, full_name="陈案例")
    make_user("changai_shenhe", role=Role.OFFICE_REVIEWER, org=tree.office, full_name="李审核")
    make_user("tongye_yuedu", role=Role.REPORTER, org=tree.ent_b1, full_name="张阅读")
    return tree


def _no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_editor_writes_office_publishes_library_finds_it(province, live_server, page: Page):
    base = live_server.url
    errors = watch_errors(page)
    page.set_viewport_size(DESKTOP)

    # The enterprise's editor writes the case: the picker holds its own organisation, the body goes in the editor.
    sign_in(page, base, "kmgd_anli")
    page.goto(f"{base}/cases/mine/")
    expect(page.locator("#mine-empty")).to_contain_text("还没有案例")
    assert_accessible(page)
    page.locator("#case-new").click()
    page.get_by_role("textbox", name="标题").fill("一线职工成长的新路子")
    page.get_by_label("摘要").fill("让学技术的职工得实惠。")
    editor = page.locator(".richtext-area")
    expect(editor).to_have_attribute("contenteditable", "true")
    editor.click()
    page.keyboard.type("公司建立以技能为导向的薪酬分配制度，职工每晋升一个技能等级，岗位工资随之上调。")
    page.get_by_label("素质提升").check()
    page.get_by_label("技能导向薪酬").check()
    assert_accessible(page)
    shot(page, "cases_", "1_write")
    page.locator("#case-save").click()
    expect(page.locator("#case-status")).to_have_text("草稿")
    case = Case.objects.get(title="一线职工成长的新路子")
    assert "建立以技能为导向的薪酬分配制度" in case.body_text and case.org.code == "E-A1"
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator("#case-status")).to_have_text("已提交")

    # The office finds it in its review queue and publishes it.
    sign_in(page, base, "changai_shenhe")
    page.goto(f"{base}/cases/review/")
    assert_accessible(page)
    page.get_by_role("link", name="一线职工成长的新路子").click()
    shot(page, "cases_", "2_review")
    page.get_by_role("button", name="审核通过并发布").click()
    expect(page.locator("#case-status")).to_have_text("已发布")
    case.refresh_from_db()
    assert case.status == CaseStatus.PUBLISHED
    assert_accessible(page)
    for address in ("/cases/spread/", "/cases/topics/"):  # the office's other pages
        page.goto(f"{base}{address}")
        assert_accessible(page)

    # Another branch's reader finds it in the library by words inside a sentence.
    sign_in(page, base, "tongye_yuedu")
    page.goto(f"{base}/cases/")
    page.get_by_label("关键词").fill("技能薪酬")
    page.locator("#library-search").click()
    expect(page.locator("#library-count")).to_contain_text("共找到 1 个案例")
    hit = page.locator(".case-hit").first
    expect(hit.locator("mark").first).to_have_text("技能")
    expect(hit).to_contain_text("一线职工成长的新路子")
    assert_accessible(page)
    shot(page, "cases_", "3_library")
    page.set_viewport_size(PHONE)
    _no_sideways_scroll(page)
    assert_accessible(page)
    shot(page, "cases_", "4_library_phone")
    hit.get_by_role("link", name="一线职工成长的新路子").click()
    expect(page.locator("#case-body")).to_contain_text("建立以技能为导向的薪酬分配制度")
    page.locator("#replications summary").click()  # the adoption form opens on a phone too
    _no_sideways_scroll(page)
    assert_accessible(page)
    shot(page, "cases_", "5_case_phone")
    assert not errors, errors
