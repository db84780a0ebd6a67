"""Suggestions in Chromium: a reporter of 昆明供电局, on a phone (390 px), enters a worker's suggestion with a
co-proposer from the talent pool; 云南电网's union administrator, at 1366×768, finds it among his to-dos, reviews
and adopts it, records its implementation, assesses the value created and rewards it, then sees it on the
statistics page; the accessibility check on every page.

Screenshots go to build/screenshots/suggestions_*.png.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core import deadlines
from orgs.choices import Role
from orgs.tests.factories import make_tree, make_user
from suggestions.choices import SuggestionStatus
from suggestions.models import Suggestion
from suggestions.tests.factories import make_campaign
from tests.browser.helpers import DESKTOP, PHONE, assert_accessible, shot, sign_in, watch_errors


@pytest.fixture
def province(transactional_db):
    from talent.models import Person

    tree = make_tree()
    people = {
        "reporter": make_user("gongdianju_tianbao", role=Role.REPORTER, org=tree.ent_a1, full_name="赵填报"),
        "union": make_user("dianwang_shencha", role=Role.UNION_ADMIN, org=tree.union_a, full_name="王审查"),
    }
    Person.objects.create(org=tree.ent_a1, name="李技师", gender="male", occupation="变电检修工")
    campaign = make_campaign(tree.union_a, name="金点子合理化建议征集")
    return tree, people, campaign


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_suggestion_from_submission_to_reward(province, live_server, page):
    tree, _people, campaign = province
    base = live_server.url
    errors = watch_errors(page)
    today = deadlines.today()

    # The reporter, on a phone: the list is empty, then the form.
    page.set_viewport_size(PHONE)
    sign_in(page, base, "gongdianju_tianbao")
    page.goto(f"{base}/suggestions/")
    expect(page.locator("#no-suggestions")).to_contain_text("为职工录入建议")
    assert fits(page)
    assert_accessible(page)
    shot(page, "suggestions_", "1_phone_empty")
    page.locator("#suggestion-create").click()
    form = page.locator("#suggestion-form")
    expect(form.get_by_label("建议人所在单位")).to_have_value("昆明供电局")
    form.get_by_label("类别").select_option(label="合理化建议")
    form.get_by_label("所属活动").select_option(label=campaign.name)
    form.get_by_label("名称").fill("变电站巡检路线优化")
    form.get_by_label("主要内容").fill("把两条巡检路线合并为一条环线，每班可节省一小时。")
    form.get_by_label("建议人 1 姓名").fill("张明")
    page.locator("#id_occupation_1").fill("变电运维工")
    page.locator("#id_person_2").select_option(label="李技师 · 变电检修工 · 昆明供电局")
    assert fits(page)
    assert_accessible(page)
    shot(page, "suggestions_", "2_phone_form")
    page.locator("#suggestion-save").click()
    expect(page.locator(".alert").first).to_contain_text("建议已录入")
    expect(page.locator("#suggestion-status")).to_contain_text("已提交")
    expect(page.locator("#proposer-list")).to_contain_text("张明（变电运维工）")
    expect(page.locator("#proposer-list")).to_contain_text("李技师")
    expect(page.locator("#steps")).to_have_count(0)  # the reporter does not review
    assert fits(page)
    assert_accessible(page)
    shot(page, "suggestions_", "3_phone_submitted")
    suggestion = Suggestion.objects.get()

    # The union administrator, at 1366×768: the to-do on the home page, then every step.
    page.set_viewport_size(DESKTOP)
    sign_in(page, base, "dianwang_shencha")
    page.goto(f"{base}/")
    todo = page.locator(".app-todo", has_text="1 条合理化建议（五小）等待审查。")
    assert_accessible(page)
    todo.get_by_role("link", name="去处理").click()
    page.get_by_role("link", name="变电站巡检路线优化").click()
    expect(page.locator("#suggestion-title")).to_contain_text("变电站巡检路线优化")
    assert_accessible(page)
    shot(page, "suggestions_", "4_desktop_submitted")

    page.locator("#note-review").fill("测算可信，同意试行")
    page.locator("#step-review").get_by_role("button", name="审查").click()
    expect(page.locator("#suggestion-status")).to_contain_text("已审查")
    page.locator("#step-adopt").get_by_role("button", name="采纳").click()
    expect(page.locator("#suggestion-status")).to_contain_text("已采纳")
    page.locator("#implemented-on").fill(today.isoformat())
    page.locator("#step-implement").get_by_role("button", name="登记实施").click()
    expect(page.locator("#suggestion-status")).to_contain_text("已实施")

    # A refused assessment keeps what was typed and says why.
    page.locator("#value").fill("-100")
    page.locator("#value-basis").fill("按每班节省一小时、全年 730 班折算")
    page.locator("#step-assess").get_by_role("button", name="评估效益").click()
    expect(page.locator(".alert").first).to_contain_text("创效金额不能为负数。")
    expect(page.locator("#value-basis")).to_have_value("按每班节省一小时、全年 730 班折算")
    assert_accessible(page)
    page.locator("#value").fill("73080")
    page.locator("#step-assess").get_by_role("button", name="评估效益").click()
    expect(page.locator("#suggestion-status")).to_contain_text("已评估效益")
    expect(page.locator("#suggestion-value")).to_contain_text("7.31万元")

    page.locator("#reward-amount").fill("2000")
    page.locator("#reward-form").fill("通报表扬")
    page.locator("#step-reward").get_by_role("button", name="登记奖励").click()
    expect(page.locator("#suggestion-status")).to_contain_text("已奖励")
    expect(page.locator("#suggestion-reward")).to_contain_text("2,000元 通报表扬")
    expect(page.locator("#history")).to_contain_text("登记建议奖励")
    expect(page.locator("#steps")).to_have_count(0)
    assert_accessible(page)
    shot(page, "suggestions_", "5_desktop_rewarded")
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.REWARDED and suggestion.rewarded_by.username == "dianwang_shencha"

    # The statistics and the campaign count it.
    page.goto(f"{base}/suggestions/stats/?year={today.year}")
    row = page.locator("#stats-table tr[data-org='E-A1']")
    expect(row).to_contain_text("100.00%")
    expect(row).to_contain_text("7.31万元")
    expect(row).to_contain_text("暂无职工人数")
    assert_accessible(page)
    shot(page, "suggestions_", "6_desktop_stats")
    page.goto(f"{base}/suggestions/campaigns/{campaign.pk}/")
    expect(page.locator("#count-total")).to_have_text("1")
    assert_accessible(page)
    shot(page, "suggestions_", "7_desktop_campaign")
    assert errors == []
