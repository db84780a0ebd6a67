"""A year's assessment in Chromium: the reform office opens a round and names a rater, the enterprise
submits its self-assessment, the rater rates, the office computes, checks the ranking and publishes, and
an enterprise reporter reads its score card (the same total as the ranking) and files an appeal.

Screenshots (1366×768 and one at 390 px) go to build/screenshots/assessment_*.png.
"""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from analytics.tests.helpers import accepted_report
from assessment.models import Appeal, Participant, Rating, Result, Round
from assessment.tests.factories import make_framework
from orgs.choices import Role
from orgs.tests.factories import make_tree, make_user
from reporting.models import Report
from reporting.tests.factories import at, load_workforce
from tests.browser.helpers import DESKTOP, PHONE, FixedClock, shot, sign_in, watch_errors


@pytest.fixture
def province(transactional_db, monkeypatch):
    """Three enterprises with accepted 2021 reports, an issued 2021 framework, the office and a rater."""
    monkeypatch.setattr(timezone, "now", FixedClock(at(2022, 3, 1)))
    tree = make_tree()
    wf_y, _wf_q = load_workforce()
    for org, certified, college, submitted in [
        (tree.ent_a1, 300, 240, at(2022, 1, 20)),
        (tree.ent_a2, 60, 120, at(2022, 2, 5)),
        (tree.ent_b1, 90, 180, at(2022, 1, 25)),
    ]:
        report = accepted_report(tree, wf_y, "2021", org, certified=certified, college=college)
        Report.objects.filter(pk=report.pk).update(first_submitted_at=submitted)
    people = {
        "office": make_user("chanbgai_kaohe", role=Role.OFFICE_ADMIN, org=tree.office, full_name="李考核"),
        "rater": make_user("guoziwei_pingfen", role=Role.DEPT_VIEWER, org=tree.dept, full_name="周评分"),
        "reporter": make_user("kmgd_tianbao", role=Role.REPORTER, org=tree.ent_a1, full_name="陈填报"),
    }
    framework = make_framework(people["office"])
    return tree, framework, people


def open_menu(page: Page, entry: str) -> None:
    nav = page.get_by_role("navigation", name="主导航")
    nav.locator("#nav-assessment").click()
    nav.get_by_role("link", name=entry, exact=True).click()


def alert(page: Page):
    return page.locator(".alert").first


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_office_opens_rater_rates_office_publishes_enterprise_reads_and_appeals(province, live_server, page: Page):
    tree, framework, people = province
    base = live_server.url
    errors = watch_errors(page)
    page.set_viewport_size(DESKTOP)

    # The office opens the round over every enterprise.
    sign_in(page, base, "chanbgai_kaohe")
    open_menu(page, "开启考核轮次")
    page.get_by_label("考核方案").select_option(label=str(framework))
    page.get_by_label("轮次名称").fill("2021年度产改工作考核")
    page.get_by_label("申诉截止日期").fill("2022-03-31")
    page.get_by_label("全部企业（3 家）").check()
    shot(page, "assessment_", "1_open_round")
    page.get_by_role("button", name="开启考核轮次").click()
    expect(alert(page)).to_contain_text("已开启考核轮次“2021年度产改工作考核”，共 3 家被考核单位。")
    round_ = Round.objects.get(name="2021年度产改工作考核")
    expect(page.locator("#participants tbody tr")).to_have_count(3)
    expect(page.locator("#normalisation")).to_contain_text("适用指标得分 ÷ 适用指标满分 × 维度分值")
    shot(page, "assessment_", "1b_round_overview")

    # … names the department viewer as rater of every qualitative criterion.
    page.get_by_role("link", name="评分人", exact=True).click()
    page.locator("#assign-form").get_by_label("评分人").select_option(label="周评分（guoziwei_pingfen）")
    page.get_by_role("button", name="指派").click()
    expect(alert(page)).to_contain_text("已指派评分人")
    expect(page.locator("#assignments")).to_contain_text("全部定性评价指标")

    # The enterprise writes its self-assessment and offers a link as evidence.
    sign_in(page, base, "kmgd_tianbao")
    open_menu(page, "我的考核结果")
    page.locator("#self-todo").get_by_role("link", name="填写自评").click()
    page.get_by_role("textbox", name="自评说明").fill("成立产改领导小组，全年召开专题会议 4 次。")
    page.get_by_role("button", name="提交自评说明").click()
    expect(alert(page)).to_contain_text("已提交自评说明。")
    form = page.locator("#evidence-form")
    form.get_by_label("对应考核指标").select_option(label="领导小组和工作机制")
    form.get_by_label("标题").fill("领导小组成立文件")
    form.get_by_label("或填写链接").fill("https://example.org/lingdao.pdf")
    form.get_by_role("button", name="添加").click()
    expect(alert(page)).to_contain_text("已添加佐证材料“领导小组成立文件”。")
    shot(page, "assessment_", "2_self_assessment")

    # The office moves the round to rating.
    sign_in(page, base, "chanbgai_kaohe")
    page.goto(f"{base}/assessment/rounds/{round_.pk}/")
    page.get_by_role("button", name="结束自评，进入评分阶段").click()
    expect(alert(page)).to_contain_text("已进入“评分”阶段")

    # The rater rates the three enterprises, seeing the rubric, the self-assessment and the evidence.
    sign_in(page, base, "guoziwei_pingfen")
    open_menu(page, "我的评分")
    page.get_by_role("link", name="2021年度产改工作考核").click()
    expect(page.locator("#rating-count")).to_have_text("已评 0 / 3 项")
    page.locator('tr[data-task="E-A1:GROUP"]').get_by_role("link", name="评分").click()
    expect(page.locator("#self-note")).to_contain_text("全年召开专题会议 4 次")
    expect(page.get_by_role("link", name="领导小组成立文件")).to_be_visible()
    expect(page.get_by_text("方案印发、机构健全、工作有成效")).to_be_visible()
    page.get_by_label("好", exact=False).first.check()
    page.get_by_label("评语").fill("领导小组运转良好，会议纪要齐全")
    shot(page, "assessment_", "3_rating_form")
    page.get_by_role("button", name="保存并评下一项").click()
    expect(alert(page)).to_contain_text("已保存对“昆明供电局”“领导小组和工作机制”的评分。")
    expect(page.locator("h1")).to_contain_text("曲靖供电局")
    page.locator("#level-B").check()
    page.get_by_label("评语").fill("机制基本健全")
    page.get_by_role("button", name="保存并评下一项").click()
    expect(page.locator("h1")).to_contain_text("云南铜业股份")
    page.locator("#level-C").check()
    page.get_by_label("评语").fill("推进较慢")
    page.get_by_role("button", name="保存评分").click()
    expect(page.locator("#rating-count")).to_have_text("已评 3 / 3 项")
    shot(page, "assessment_", "3b_rating_tasks")
    assert Rating.objects.filter(rater=people["rater"]).count() == 3

    # The office ends rating, computes, checks the ranking and publishes.
    sign_in(page, base, "chanbgai_kaohe")
    page.goto(f"{base}/assessment/rounds/{round_.pk}/")
    page.get_by_role("button", name="结束评分，进入校准阶段").click()
    page.get_by_role("link", name="计算与排名").click()
    page.get_by_role("button", name="计算得分").click()
    expect(alert(page)).to_contain_text("已完成第 1 次计算，共 3 家单位。")
    table = page.locator("#ranking-table")
    expect(table.locator("tbody tr")).to_have_count(3)
    first = table.locator("tbody tr").first
    expect(first).to_have_attribute("data-org", "E-A1")
    shot(page, "assessment_", "4_ranking")
    page.get_by_label("排名范围").select_option(label="同类：未设置所有制")
    expect(page).to_have_url(f"{base}/assessment/rounds/{round_.pk}/ranking/?computation=1&peer=ownership%3A")
    expect(table.locator("caption")).to_contain_text("按同类排名")
    page.get_by_role("button", name="公布考核结果").click()
    expect(alert(page)).to_contain_text("已公布“2021年度产改工作考核”的考核结果，申诉期开始。")
    result = Result.objects.get(participant__round=round_, participant__org=tree.ent_a1)
    expect(first.locator("[data-total]")).to_have_text(f"{result.total}")

    # The provincial summary: its tables keep their widths (classes, the policy refuses style attributes)
    # and the page logs no console error.
    summary_errors = watch_errors(page, [])
    page.goto(f"{base}/assessment/rounds/{round_.pk}/summary/")
    expect(page.locator("h1")).to_contain_text("考核结果汇总表")
    expect(page.locator("#summary table.summary-narrow")).to_have_count(1)
    narrow = page.locator("#summary table.summary-narrow").evaluate("t => t.getBoundingClientRect().width")
    whole = page.locator("#summary").evaluate("s => s.getBoundingClientRect().width")
    assert 0.4 * whole < narrow < 0.6 * whole, (narrow, whole)
    shot(page, "assessment_", "4b_summary")
    assert summary_errors == []

    # The enterprise reads its score card: the same total, the rater's name and comment, the evidence.
    sign_in(page, base, "kmgd_tianbao")
    open_menu(page, "我的考核结果")
    page.locator("#my-results").get_by_role("link", name="评分表").click()
    expect(page.locator("h1")).to_contain_text("昆明供电局 · 考核评分表")
    expect(page.locator("#card-total")).to_have_text(f"{result.total}")
    expect(page.locator("#card-rank")).to_have_text(f"第 {result.rank} 名 / 3")
    group = page.locator('[data-criterion="GROUP"]')
    expect(group).to_contain_text("周评分")
    expect(group).to_contain_text("领导小组运转良好，会议纪要齐全")
    expect(group).to_contain_text("领导小组成立文件")
    expect(page.locator('[data-criterion="CERT"]')).to_contain_text("达标率")
    expect(page.locator("#normalisation")).to_contain_text("适用指标得分 ÷ 适用指标满分 × 维度分值")
    shot(page, "assessment_", "5_score_card")

    # … and appeals one criterion.
    cert = page.locator('[data-criterion="CERT"]')
    cert.get_by_text("对本项提出申诉").click()
    cert.get_by_label("申诉理由").fill("持证人数漏报 20 人，已补充证书清单。")
    cert.get_by_role("button", name="提交申诉").click()
    expect(alert(page)).to_contain_text("已就“持证率达标”提出申诉，产改办答复后将显示在本页。")
    expect(page.locator('[data-criterion="CERT"] [data-appeal-item="pending"]')).to_contain_text("待答复")
    appeal = Appeal.objects.get()
    assert appeal.participant == Participant.objects.get(round=round_, org=tree.ent_a1)
    assert appeal.criterion.code == "CERT" and appeal.filed_by == people["reporter"]
    shot(page, "assessment_", "6_appeal_filed")
    page.set_viewport_size(PHONE)
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "assessment_", "7_score_card_phone", full=False)
    assert errors == []
