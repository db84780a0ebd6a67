"""Home pages that are work lists, in Chromium at 1366×768 and 390×844.

The reporter's home says their report was returned and why; one click leads to the grid; they correct the
value, submit, and the to-do is gone. The union administrator's home shows the round in progress (reported
out of due, the deadline) and the report waiting for its approval. Each page passes axe-core's check (no
serious or critical violation). Screenshots go to build/screenshots/home-*.png.
"""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.actor import Actor
from orgs.choices import Role
from orgs.tests.factories import make_tree, make_user
from reporting import services
from reporting.choices import ReportStatus
from reporting.models import Report
from reporting.tests.factories import at, load_workforce, submitted_report
from tests.browser.helpers import DESKTOP, PHONE, FixedClock, assert_accessible, shot, sign_in, watch_errors

REASON = "一线职工人数填写有误，请按人事台账核对后重报"


@pytest.fixture
def province(transactional_db, monkeypatch):
    """2022-01-10 Beijing time: the 2021 yearly round is open until 2022-01-31. 昆明供电局's report was
    submitted and returned by its union; 曲靖供电局's waits for the union's approval."""
    monkeypatch.setattr(timezone, "now", FixedClock(at(2022, 1, 10)))
    tree = make_tree()
    wf_y, _wf_q = load_workforce()
    people = {
        "reporter": make_user("kmgd_shouye", role=Role.REPORTER, org=tree.ent_a1, full_name="李填报"),
        "union": make_user("dianwang_shouye", role=Role.UNION_ADMIN, org=tree.union_a, full_name="王审核"),
    }
    returned = submitted_report(tree, wf_y, "2021", tree.ent_a1)
    services.report_return(by=Actor(user=people["union"]), report=returned, version=returned.version, reason=REASON)
    submitted_report(tree, wf_y, "2021", tree.ent_a2)
    return tree, returned


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_reporter_home_leads_to_the_returned_report_and_the_union_sees_its_round(
    province, live_server, page: Page, browser
):
    tree, returned = province
    base = live_server.url
    errors = watch_errors(page)
    page.set_viewport_size(DESKTOP)

    # The reporter's home: the returned report first, with the reviewer's reason.
    sign_in(page, base, "kmgd_shouye")
    todo = page.locator("#todos li").first
    expect(todo).to_contain_text("《产业工人队伍基本情况》2021年度（昆明供电局）被退回")
    expect(todo).to_contain_text(REASON)
    assert_accessible(page)
    shot(page, "home-", "1-reporter")
    page.set_viewport_size(PHONE)
    shot(page, "home-", "1p-reporter-phone", full=False)
    page.set_viewport_size(DESKTOP)

    # One click to the grid; correct the value; check and submit.
    todo.get_by_role("link", name="去处理").click()
    expect(page.locator("h1")).to_contain_text("产业工人队伍基本情况")
    field = page.locator('[name="cell:WF_FRONTLINE:"]')
    field.fill(str(int(field.input_value()) - 1))
    page.locator("#save-button").click()
    expect(page.locator(".alert-success")).to_contain_text("已保存")
    page.get_by_role("link", name="检查并提交").click()
    page.locator("#actions").get_by_role("button", name="提交").click()
    expect(page.locator(".alert-success")).to_contain_text("已提交，等待审核。")
    returned.refresh_from_db()
    assert returned.status == ReportStatus.SUBMITTED

    # Home again: the yearly report is done; what is left is the quarterly round, by its deadline.
    page.goto(f"{base}/")
    expect(page.locator("#todos")).not_to_contain_text("被退回")
    expect(page.locator("#todos")).not_to_contain_text("2021年度")
    expect(page.locator("#todos li").first).to_contain_text(
        "填报《产业工人队伍基本情况（季报）》2021年第四季度（昆明供电局）：2022年1月15日 截止，还有 5 天。"
    )

    # The union's home: the round in progress and the two reports waiting for its approval.
    union = browser.new_context(viewport=DESKTOP).new_page()
    watch_errors(union, errors)
    sign_in(union, base, "dianwang_shouye")
    expect(union.locator("#todos")).to_contain_text("有 2 份报表等待您审核。")
    card = union.locator("#rounds .round-card").filter(has_text="《产业工人队伍基本情况》2021年度")
    expect(card).to_contain_text("已报送 2 / 2")
    expect(card).to_contain_text("截止日期 2022年1月31日")
    assert_accessible(union)
    shot(union, "home-", "2-union")
    union.set_viewport_size(PHONE)
    shot(union, "home-", "2p-union-phone")
    assert_accessible(union)
    union.locator("#todos").get_by_role("link", name="去处理").first.click()
    expect(union.locator("#queue")).to_contain_text("待审核")
    assert Report.objects.filter(status=ReportStatus.SUBMITTED).count() == 2
    assert not errors, errors
