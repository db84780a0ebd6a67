"""The policy library in Chromium: an enterprise reporter opens "我可以享受的政策", sees the measures it is eligible
for and a notice from the office, opens the notice (recorded), and submits the yearly uptake form; then the office
sees the use rates. At 1366×768 and at phone width (390 px), with the accessibility check on every page.

Screenshots go to build/screenshots/policies_*.png.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.actor import Actor
from orgs.choices import Role
from orgs.tests.factories import make_tree, make_user
from policies import services
from policies.choices import UptakeStatus
from policies.models import NoticeRecipient, UptakeReport
from policies.tests.factories import figures, make_measure
from reporting.tests.factories import at
from tests.browser.helpers import DESKTOP, PHONE, FixedClock, assert_accessible, shot, sign_in, watch_errors


@pytest.fixture
def province(transactional_db, monkeypatch):
    """15 February 2022: two published measures for 昆明供电局, a notice about one, the 2021 round open."""
    monkeypatch.setattr(timezone, "now", FixedClock(at(2022, 2, 15)))
    tree = make_tree()
    figures(tree)
    people = {
        "reporter": make_user("kmgd_zhengce", role=Role.REPORTER, org=tree.ent_a1, full_name="周政策"),
        "office": make_user("changaiban_zhengce", role=Role.OFFICE_ADMIN, org=tree.office, full_name="王推送"),
    }
    training = make_measure(
        "失业保险基金支持职工技能提升补贴", rules=[("workers", "gte", "500")], doc_number="云人社发〔2019〕21号",
        apply_deadline=dt.date(2022, 12, 31), apply_where="昆明市人社局政务服务窗口",
    )  # fmt: skip
    make_measure("技能人才薪酬分配指引", category="pay", doc_number="云人社发〔2021〕20号")
    office = Actor(user=people["office"])
    services.notice_send(by=office, measure=training)
    services.round_open(by=office, year=2021, opens_on=dt.date(2022, 1, 5), due_on=dt.date(2022, 3, 31))
    return tree, people, training


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_enterprise_opens_its_policies_a_notice_and_submits_the_uptake(province, live_server, page):
    tree, people, training = province
    base = live_server.url
    errors = watch_errors(page)
    for size, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page.set_viewport_size(size)
        sign_in(page, base, "kmgd_zhengce")
        if size == DESKTOP:
            nav = page.get_by_role("navigation", name="主导航")
            nav.locator("#nav-policy").click()
            nav.get_by_role("link", name="我可以享受的政策").click()
        else:
            page.goto(f"{base}/policies/mine/")
        expect(page.get_by_role("heading", level=1)).to_have_text("我可以享受的政策")
        expect(page.locator("#open-measures")).to_contain_text("失业保险基金支持职工技能提升补贴")
        expect(page.locator("#open-measures")).to_contain_text("2022-12-31")
        expect(page.locator("#notice-list")).to_contain_text("政策推送：失业保险基金支持职工技能提升补贴")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        assert_accessible(page)
        shot(page, "policies_", f"1_{label}_mine")
        if size == DESKTOP:
            # Opening the notice is recorded once, for 昆明供电局, by this reporter.
            page.locator("#notice-list button[type=submit]").click()
            expect(page.locator("#notice-message")).to_contain_text("昆明市人社局政务服务窗口")
            assert_accessible(page)
            shot(page, "policies_", "2_notice")
            recipient = NoticeRecipient.objects.get(org=tree.ent_a1)
            assert recipient.opened_by.username == "kmgd_zhengce" and recipient.opened_at is not None

    # The uptake form at phone width: one measure used, the other not (with a reason), then submitted.
    report = UptakeReport.objects.get(org=tree.ent_a1)
    page.goto(f"{base}/policies/uptake/")
    page.get_by_role("link", name="2021年度政策落实情况").click()
    form = page.locator("#uptake-form")
    first = form.locator(f"fieldset[data-measure='{training.pk}']")
    first.get_by_label("享受了", exact=True).check()
    first.get_by_label("受益人次").fill("36")
    first.get_by_label("金额（元）").fill("54000")
    other = form.locator("fieldset").filter(has_text="技能人才薪酬分配指引")
    other.get_by_label("未享受", exact=True).check()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_accessible(page)
    shot(page, "policies_", "3_phone_form")
    page.locator("#uptake-submit").click()
    expect(page.locator("#form-error")).to_contain_text("请选择未享受的原因")
    other.get_by_label("未享受原因").select_option(label="手续繁琐")
    page.locator("#uptake-submit").click()
    expect(page.locator("#report-status")).to_have_text("已提交")
    report.refresh_from_db()
    assert report.status == UptakeStatus.SUBMITTED

    # The office sees the use rates at 1366×768.
    page.set_viewport_size(DESKTOP)
    sign_in(page, base, "changaiban_zhengce")
    page.goto(f"{base}/policies/uptake/rounds/{report.round_id}/")
    expect(page.locator(f"#measure-rates tr[data-measure='{training.pk}'] .rate")).to_have_text("100.00%")
    assert_accessible(page)
    shot(page, "policies_", "4_office_rates")
    assert not errors, errors
