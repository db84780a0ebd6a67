"""A nine-aspect written report in Chromium: the enterprise starts its report, writes an aspect with the
small editor (bold and a list), fills the rest and submits; its union returns it with a reason on one aspect
and a comment on another; the enterprise sees both on its page, with the editor back.

Screenshots (1366×768 and one at 390 px) go to build/screenshots/written_*.png.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.actor import Actor
from ledger import services
from ledger.choices import WrittenStatus
from ledger.models import WrittenReport
from ledger.tests.factories import make_ledgers
from orgs.choices import Role
from orgs.tests.factories import make_tree, make_user
from reporting.tests.factories import at
from tests.browser.helpers import DESKTOP, PHONE, FixedClock, shot, sign_in, watch_errors


@pytest.fixture
def province(transactional_db, monkeypatch):
    monkeypatch.setattr(timezone, "now", FixedClock(at(2022, 1, 10)))
    tree = make_tree()
    make_ledgers(tree)
    people = {
        "office": make_user("chanbgai_shumian", role=Role.OFFICE_ADMIN, org=tree.office, full_name="李书面"),
        "reporter": make_user("kmgd_baogao", role=Role.REPORTER, org=tree.ent_a1, full_name="陈报告"),
        "union": make_user("dianwang_shenhe", role=Role.UNION_ADMIN, org=tree.union_a, full_name="王审核"),
    }
    services.round_open(
        by=Actor(user=people["office"]), code="2021", title="2021年度", period_start=dt.date(2021, 1, 1),
        period_end=dt.date(2021, 12, 31), due_on=dt.date(2022, 1, 31),
    )  # fmt: skip
    return tree, people


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_enterprise_writes_and_submits_union_returns_with_reasons_per_aspect(province, live_server, page: Page):
    tree, _people = province
    base = live_server.url
    errors = watch_errors(page)
    page.set_viewport_size(DESKTOP)

    # The enterprise starts its report from the rounds page.
    sign_in(page, base, "kmgd_baogao")
    page.goto(f"{base}/ledger/written/")
    page.get_by_role("link", name="昆明供电局的报告").click()
    page.get_by_role("button", name="开始撰写").click()
    expect(page.locator("#report-status")).to_have_text("草稿")
    report = WrittenReport.objects.get(org=tree.ent_a1)

    # Aspect 1 with the editor: a bold figure and a bulleted list.
    first = page.locator("#aspect-1")
    # The small editor replaces the plain text area once its script has run; type only into the editor.
    editor = first.locator(".richtext-area")
    expect(editor).to_have_attribute("contenteditable", "true")
    expect(first.locator("textarea")).to_be_hidden()
    editor.click()
    page.keyboard.type("全年五小成果 ")
    first.get_by_role("button", name="粗体").click()
    page.keyboard.type("12 项")
    first.get_by_role("button", name="粗体").click()
    page.keyboard.press("Enter")
    first.get_by_role("button", name="项目符号列表").click()
    page.keyboard.type("创新工作室 3 个")
    shot(page, "written_", "1_editor")
    first.get_by_role("button", name="保存本方面").click()
    expect(page.locator(".alert-success")).to_contain_text("已保存")
    body = report.sections.get(aspect=1).body
    assert "<b>12 项</b>" in body and "<p></p>" not in body and "<li>创新工作室 3 个</li>" in body

    # The other eight aspects, then submit (the confirmation is accepted).
    for aspect in range(2, 10):
        section = page.locator(f"#aspect-{aspect}")
        section.locator(".richtext-area").click()
        page.keyboard.type("本期已开展，详见附件。")
        section.get_by_role("button", name="保存本方面").click()
        expect(page.locator(".alert-success")).to_contain_text("已保存")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提交书面报告").click()
    expect(page.locator("#report-status")).to_have_text("已提交")

    # The union returns it: a reason on aspect 5, a comment on aspect 1.
    sign_in(page, base, "dianwang_shenhe")
    page.goto(f"{base}/ledger/written/{report.pk}/")
    review = page.locator("#review-form")
    review.locator("#reason-5").fill("请补充学历教育人数")
    review.locator("#rcomment-1").fill("五小成果突出")
    shot(page, "written_", "2_review")
    review.get_by_role("button", name="退回修改").click()
    expect(page.locator("#report-status")).to_have_text("已退回")
    report.refresh_from_db()
    assert report.status == WrittenStatus.RETURNED

    # The enterprise sees the reason and the comment where they belong, and can edit again.
    sign_in(page, base, "kmgd_baogao")
    page.goto(f"{base}/ledger/written/{report.pk}/")
    expect(page.locator("#aspect-5 .alert-warning")).to_contain_text("请补充学历教育人数")
    expect(page.locator("#aspect-1 .alert-info")).to_contain_text("五小成果突出")
    expect(page.locator("#aspect-5 .richtext-area")).to_be_visible()
    shot(page, "written_", "3_returned")
    page.set_viewport_size(PHONE)
    shot(page, "written_", "4_phone")
    assert not errors, errors
