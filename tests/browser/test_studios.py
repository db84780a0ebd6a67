"""Innovation studios in Chromium: a union administrator, on a phone (390 px), records a result for his studio;
the reform office, at 1366×768, opens the list, the studio, and rates its submitted annual review, with the
accessibility check on every page.

Screenshots go to build/screenshots/studios_*.png.
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from orgs.choices import Role
from orgs.tests.factories import make_tree, make_user
from studios.choices import ReviewStatus
from studios.models import StudioResult, StudioReview
from studios.tests.factories import make_person, make_result, make_review, make_studio
from tests.browser.helpers import DESKTOP, PHONE, assert_accessible, shot, sign_in, watch_errors


@pytest.fixture
def province(transactional_db):
    """The small province with a studio of 昆明供电局 led by 张建明, a 2021 review submitted, another studio."""
    tree = make_tree()
    people = {
        "union": make_user("dianwang_gzs", role=Role.UNION_ADMIN, org=tree.union_a, full_name="王工会"),
        "office": make_user("changaiban_gzs", role=Role.OFFICE_ADMIN, org=tree.office, full_name="李评估"),
    }
    leader = make_person(tree.ent_a1, "张建明", occupation="带电作业工")
    helper = make_person(tree.unit_a1, "赵小兵", occupation="配电线路工")
    studio = make_studio(tree.ent_a1, leader=leader, name="张建明劳模创新工作室", named_on=dt.date(2019, 4, 28))
    other = make_studio(tree.ent_b1, name="铜业技师工作站", kind="technician")
    make_result(other, value="300000")
    review = make_review(studio, year=2021, status=ReviewStatus.SUBMITTED)
    return tree, people, studio, helper, review


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_union_records_a_result_on_a_phone_and_the_office_rates_the_review(province, live_server, page):
    tree, people, studio, helper, review = province
    base = live_server.url
    errors = watch_errors(page)

    # The union administrator, on a phone: the list (his studio only), the profile, the result form.
    page.set_viewport_size(PHONE)
    sign_in(page, base, "dianwang_gzs")
    page.goto(f"{base}/studios/")
    listing = page.locator("#studio-list")
    expect(listing).to_contain_text("张建明劳模创新工作室")
    expect(listing).not_to_contain_text("铜业技师工作站")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_accessible(page)
    shot(page, "studios_", "1_phone_list")
    listing.get_by_role("link", name="张建明劳模创新工作室").click()
    expect(page.locator("#studio-level")).to_contain_text("企业级")
    assert_accessible(page)
    page.locator("#record-result").click()

    form = page.locator("#result-form")
    form.get_by_label("类别").select_option(label="工作法")
    form.get_by_label("成果名称").fill("张建明配网带电作业工作法")
    form.get_by_label("取得日期").fill("2021-06-01")
    form.get_by_label("创效金额（元）").fill("360000")
    form.get_by_label("张建明 · 带电作业工").check()
    form.get_by_label("赵小兵 · 配电线路工").check()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_accessible(page)
    shot(page, "studios_", "2_phone_result_form")
    form.get_by_role("button", name="保存").click()
    expect(page.locator(".alert").first).to_contain_text("已登记成果“张建明配网带电作业工作法”")
    results = page.locator("#result-table")
    expect(results).to_contain_text("张建明配网带电作业工作法")
    expect(results).to_contain_text("36.00万")
    expect(results).to_contain_text("张建明、赵小兵")
    assert_accessible(page)
    shot(page, "studios_", "3_phone_result_recorded")
    result = StudioResult.objects.get(studio=studio)
    assert set(result.credited.values_list("name", flat=True)) == {"张建明", "赵小兵"}

    # The office, at 1366×768: the list (every studio), the studio, its review, rated on the rubric.
    page.set_viewport_size(DESKTOP)
    sign_in(page, base, "changaiban_gzs")
    page.goto(f"{base}/studios/")
    listing = page.locator("#studio-list")
    expect(listing).to_contain_text("铜业技师工作站")
    expect(listing).to_contain_text("张建明劳模创新工作室")
    assert_accessible(page)
    shot(page, "studios_", "4_office_list")
    listing.get_by_role("link", name="张建明劳模创新工作室").click()
    expect(page.locator("#results")).to_contain_text("张建明配网带电作业工作法")
    assert_accessible(page)
    page.locator("#reviews").get_by_role("link", name="2021年度").click()
    expect(page.locator("#review-status")).to_contain_text("已提交")
    rating = page.locator("#office-rating")
    rating.get_by_label("组织运行（20分）").fill("19")
    rating.get_by_label("攻关课题（30分）").fill("28")
    rating.get_by_label("成果效益（30分）").fill("27")
    rating.get_by_label("带徒传技（20分）").fill("18")
    rating.get_by_label("评语").fill("成果转化好，带徒成效突出。")
    assert_accessible(page)
    shot(page, "studios_", "5_office_rating")
    rating.get_by_role("button", name="评定").click()
    expect(page.locator("#review-grade")).to_contain_text("优秀")
    expect(page.locator("#review-status")).to_contain_text("已评定")
    assert_accessible(page)
    shot(page, "studios_", "6_office_rated")
    review.refresh_from_db()
    assert review.status == ReviewStatus.RATED and review.total == 92
    assert StudioReview.objects.get(pk=review.pk).grade == "excellent"
    assert not errors, errors


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_union_creates_a_studio_picking_the_leader_by_name(province, live_server, page):
    tree, people, _studio, helper, _review = province
    base = live_server.url
    errors = watch_errors(page)
    make_person(tree.ent_b1, "赵铜", occupation="冶炼工")  # another union's: never offered
    page.set_viewport_size(PHONE)
    sign_in(page, base, "dianwang_gzs")
    page.goto(f"{base}/studios/new/")
    chooser = page.locator("#org-chooser")
    chooser.get_by_label("所属单位").fill("昆明供电局")
    chooser.get_by_role("button", name="下一步").click()
    form = page.locator("#studio-form")
    expect(form).to_contain_text("昆明供电局")
    leader = form.get_by_label("领办人")
    form.get_by_label("按姓名或工种查找").fill("赵")
    expect(leader.locator("option")).to_have_count(2)  # 请选择 and 赵小兵 (of the bureau's unit), not 赵铜
    expect(leader).to_contain_text("赵小兵")
    expect(leader).not_to_contain_text("赵铜")
    leader.select_option(label="赵小兵 · 配电线路工 · 修试所")
    form.get_by_label("工作室名称").fill("赵小兵职工创新工作室")
    form.get_by_label("类别").select_option(label="职工创新工作室")
    form.get_by_label("命名级别").select_option(label="企业级")
    form.get_by_label("命名日期").fill("2021-05-01")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_accessible(page)
    shot(page, "studios_", "7_phone_create")
    form.get_by_role("button", name="保存").click()
    expect(page.locator(".alert").first).to_contain_text("已新建工作室“赵小兵职工创新工作室”")
    expect(page.locator("#studio-profile")).to_contain_text("赵小兵")
    assert_accessible(page)
    assert not errors, errors
