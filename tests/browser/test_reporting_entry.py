"""An enterprise reporter fills the yearly workforce report in Chromium with the keyboard, meets a
Chinese message next to a cell, fixes it, closes the browser and finds the draft saved, submits;
the union approves; the office accepts; the reporter sees it accepted.

Screenshots (1366×768, the office screen, and 390 px, a phone) go to build/screenshots/entry-*.png.
"""

from __future__ import annotations

import re
import time

import pytest
from django.db import OperationalError
from django.utils import timezone
from playwright.sync_api import Page, expect

from orgs.choices import Role
from orgs.tests.factories import make_tree, make_user
from reporting.choices import ReportStatus
from reporting.models import DataValue, Report
from reporting.tests.factories import at, filled_report, load_workforce, valid_values_y
from tests.browser.helpers import DESKTOP, PHONE, SHOTS, FixedClock, shot, sign_in, watch_errors

REFUSED = "“一百二十”是中文数字，请改用阿拉伯数字填写，如“一百二十”应填写 120。"


@pytest.fixture
def province(transactional_db, monkeypatch):
    """The small province with the workforce data sets and an accepted 2020 report to compare with,
    at 2022-01-10 Beijing time (the 2021 round is open until 2022-01-31)."""
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


def cell(page: Page, code: str, key: str = ""):
    return page.locator(f'[name="cell:{code}:{key}"]')


def phone_shot(page: Page, name: str) -> None:
    """The same page at a phone's width, then back to the office screen."""
    page.set_viewport_size(PHONE)
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "entry-", name, full=False)
    page.set_viewport_size(DESKTOP)


def wait_for(page: Page, condition, timeout: float = 10.0) -> bool:
    """Poll `condition` while letting Playwright deliver the browser's events."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if condition():
                return True
        except OperationalError:
            pass  # the test database (shared in-memory SQLite) is being written by the server: retry
        page.wait_for_timeout(100)
    return condition()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_reporter_fills_submits_union_approves_office_accepts(province, live_server, page: Page, browser):
    tree, wf_y, people = province
    base = live_server.url
    dialogs: list[str] = []
    errors = watch_errors(page)
    page.set_viewport_size(DESKTOP)

    # The reporter finds the open round on 我的填报 and opens the draft.
    sign_in(page, base, "kmgd_tianbao")
    nav = page.get_by_role("navigation", name="主导航")
    nav.get_by_role("button", name="统计填报").or_(nav.get_by_role("link", name="统计填报")).click()
    nav.get_by_role("link", name="我的填报").click()
    row = page.locator("#rounds tbody tr").filter(has_text="2021年度").filter(has_text="产业工人队伍基本情况")
    expect(row).to_contain_text("昆明供电局")
    expect(row).to_contain_text("2022-01-31")
    expect(row).to_contain_text("剩 21 天")
    shot(page, "entry-", "1-my-reports")
    phone_shot(page, "1p-my-reports-phone")
    row.get_by_role("button", name="开始填报").click()
    expect(page.locator("h1")).to_contain_text("产业工人队伍基本情况")
    report = Report.objects.get(org=tree.ent_a1, dataset=wf_y, period__code="2021")

    # Keyboard: type, Tab along the row, the subtotals and the total follow as you type.
    expect(cell(page, "WF_WORKERS")).to_have_css("text-align", "right")
    expect(page.locator("#wrap-1").locator("xpath=ancestor::tr").locator(".col-prev")).to_have_text("1,000")
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
    # The previous period's value sits beside each cell of the breakdown.
    expect(page.locator(".grid-cell").filter(has=cell(page, "WF_WORKERS_GROUP", "MIGRANT.MALE"))).to_contain_text(
        "上期 300"
    )
    # Enter goes down to the next row (the same column).
    cell(page, "WF_FRONTLINE").click()
    page.keyboard.type("700")
    page.keyboard.press("Enter")
    expect(cell(page, "WF_TECH_STAFF")).to_be_focused()
    page.keyboard.type("一百二十")
    expect(page.locator("#dirty-state")).to_contain_text("有 7 项未保存的修改")

    # A pause saves to the server: the valid edits are written, the refused value is explained in
    # Chinese next to its cell and stays as typed, still an unsaved edit.
    tech_cell = page.locator(".grid-cell").filter(has=cell(page, "WF_TECH_STAFF"))
    expect(tech_cell.locator(".cell-error")).to_have_text(REFUSED, timeout=10_000)
    expect(page.locator("#autosave-state")).to_contain_text("另有 1 个数值不正确，未保存")
    assert DataValue.objects.filter(report=report).exclude(value="").count() == 6
    assert not DataValue.objects.filter(report=report, element__code="WF_TECH_STAFF").exists()
    expect(cell(page, "WF_WORKERS")).to_have_value("1000")
    expect(cell(page, "WF_TECH_STAFF")).to_have_value("一百二十")
    expect(page.locator("#dirty-state")).to_contain_text("有 1 项未保存的修改")
    shot(page, "entry-", "2-refused-value", full=False)
    page.locator("#section-BASIC").screenshot(path=str(SHOTS / "entry-2a-section-basic.png"))

    # Fixed, it is saved in the background.
    cell(page, "WF_TECH_STAFF").fill("120")
    expect(page.locator("#autosave-state")).to_contain_text("已自动保存到服务器", timeout=10_000)
    expect(tech_cell.locator(".cell-error")).to_have_count(0)
    expect(page.locator("#dirty-state")).to_have_text("没有未保存的修改")
    assert DataValue.objects.filter(report=report).exclude(value="").count() == 7

    # Leaving with an unsaved edit warns; closing anyway still saves it to the server.
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    cell(page, "WF_NEW_FRONTLINE_HIRES").click()
    page.keyboard.type("50")
    page.wait_for_timeout(500)
    context = page.context
    page.close(run_before_unload=True)
    page = context.new_page()  # Playwright delivers the dialog while it works for this page
    watch_errors(page, errors)
    assert wait_for(page, lambda: "beforeunload" in dialogs)
    assert wait_for(
        page,
        lambda: DataValue.objects.filter(report=report, element__code="WF_NEW_FRONTLINE_HIRES", value="50").exists(),
    )

    # Opened again in a new window: the draft is there, from the server.
    page.set_viewport_size(DESKTOP)
    page.goto(f"{base}/reporting/reports/{report.pk}/entry/")
    expect(cell(page, "WF_WORKERS")).to_have_value("1000")
    expect(cell(page, "WF_NEW_FRONTLINE_HIRES")).to_have_value("50")
    expect(page.locator("#restore-banner")).to_be_hidden()

    # Fill the rest and save with the button.
    for (code, key), value in valid_values_y().items():
        field = cell(page, code, key)
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option("true" if value == "是" else "false")
        elif not field.input_value():
            field.fill(value)
    cell(page, "WF_NOTES").fill("本期数据已与人事台账核对。")
    page.locator("#save-button").click()
    expect(page.locator(".alert-success")).to_contain_text("已保存")
    expect(page.locator("#dirty-state")).to_have_text("没有未保存的修改")
    assert DataValue.objects.filter(report=report).exclude(value="").count() == 61
    expect(page.locator(".cell-prev").first).to_contain_text("上期")
    shot(page, "entry-", "3-saved-grid")
    page.locator("#section-SKILL").screenshot(path=str(SHOTS / "entry-3a-section-skill.png"))
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "entry-", "3b-top", full=False)
    phone_shot(page, "3p-grid-phone")
    page.set_viewport_size(PHONE)
    page.locator("#section-BASIC").screenshot(path=str(SHOTS / "entry-3q-section-basic-phone.png"))
    page.set_viewport_size(DESKTOP)

    # A comment on one value (Alt+C on the cell) and a file attached to the report.
    cell(page, "WF_TRAINING_HOURS").focus()
    page.keyboard.press("Alt+c")
    expect(page.locator("#comment-modal")).to_be_visible()
    expect(page.locator("#comment-label")).to_have_text("职业技能培训总学时")
    page.locator("#comment-text").fill("含线上培训 2000 学时")
    page.locator("#comment-form").get_by_role("button", name="保存备注").click()
    expect(page.locator("#comment-feedback")).to_contain_text("已保存备注。")
    expect(page.locator("#comment-modal")).to_be_hidden()
    expect(
        page.locator(".grid-cell").filter(has=cell(page, "WF_TRAINING_HOURS")).locator(".has-comment")
    ).to_have_count(1)
    assert DataValue.objects.get(report=report, element__code="WF_TRAINING_HOURS").comment == "含线上培训 2000 学时"
    page.locator("#attachment-file").set_input_files(
        {"name": "培训台账.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}
    )
    page.locator("#attachments").get_by_role("button", name="上传", exact=True).click()
    expect(page.locator("#attachments")).to_contain_text("培训台账.pdf")
    page.locator("#attachment-file").set_input_files(
        {"name": "截图.pdf", "mimeType": "application/pdf", "buffer": b"\x89PNG\r\n\x1a\n" + bytes(32)}
    )
    page.locator("#attachments").get_by_role("button", name="上传", exact=True).click()
    expect(page.locator("#attachments .alert-danger")).to_contain_text("内容是PNG 图片，与扩展名“.pdf”不符")
    page.locator("#attachments").screenshot(path=str(SHOTS / "entry-3c-attachments.png"))

    # Check and submit from the report page.
    page.get_by_role("link", name="检查并提交").click()
    expect(page.locator("#completeness")).to_contain_text("完整，可以提交")
    page.locator("#actions").get_by_role("button", name="提交").click()
    expect(page.locator(".alert-success")).to_contain_text("已提交，等待审核。")
    expect(page.locator("#summary-title").locator("xpath=../..")).to_contain_text("已提交")
    shot(page, "entry-", "4-submitted")

    # The union approves.
    union_page = browser.new_context(viewport=DESKTOP).new_page()
    watch_errors(union_page, errors)
    sign_in(union_page, base, "dianwang_shenhe")
    expect(union_page.locator("#nav-unread")).to_contain_text("1")
    union_page.goto(f"{base}/reporting/reports/")
    queue = union_page.locator("#queue")
    expect(queue).to_contain_text("待审核")
    queue.get_by_role("link", name="去审核").click()
    expect(union_page.locator("#outliers")).to_be_visible()
    shot(union_page, "entry-", "5-union-review")
    shot(union_page, "entry-", "5a-union-review-top", full=False)
    phone_shot(union_page, "5p-union-review-phone")
    union_page.locator("#actions").get_by_role("button", name="审核通过").click()
    expect(union_page.locator(".alert-success")).to_contain_text("已审核通过")

    # The office accepts.
    office_page = browser.new_context(viewport=DESKTOP).new_page()
    watch_errors(office_page, errors)
    sign_in(office_page, base, "chanbgai_yanshou")
    office_page.goto(f"{base}/reporting/reports/")
    expect(office_page.locator("#queue")).to_contain_text("待验收")
    office_page.locator("#queue").get_by_role("link", name="去验收").click()
    office_page.locator("#actions").get_by_role("button", name="验收").click()
    expect(office_page.locator(".alert-success")).to_contain_text("已验收")
    shot(office_page, "entry-", "6-accepted")
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED

    # The reporter sees it accepted: in the inbox and on 我的填报.
    page.goto(f"{base}/reporting/inbox/")
    expect(page.locator(".notification").first).to_contain_text("已验收")
    shot(page, "entry-", "7-inbox")
    page.goto(f"{base}/reporting/reports/")
    expect(page.locator("#report-table")).to_contain_text("已验收")
    expect(page.locator("#report-table")).to_contain_text("按时报送")
    # The refused file's answer is a 400 (shown in the attachments panel); nothing else may fail.
    refused = [e for e in errors if "status of 400" in e]
    assert len(refused) == 1
    assert not [e for e in errors if e not in refused and not re.search(r"favicon", e)]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_two_people_edit_one_report_and_the_second_decides(province, live_server, page: Page, browser):
    tree, wf_y, people = province
    base = live_server.url
    # Script errors only: the console logs the refused background saves (409) as errors, and they are expected.
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size(DESKTOP)
    report = filled_report(tree, wf_y, "2021")
    entry = f"{base}/reporting/reports/{report.pk}/entry/"

    # The union officer opens the report too, then the reporter changes two values and they are saved.
    union_page = browser.new_context(viewport=DESKTOP).new_page()
    union_page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(union_page, base, "dianwang_shenhe")
    union_page.goto(entry)
    sign_in(page, base, "kmgd_tianbao")
    page.goto(entry)
    cell(page, "WF_TRAINING_HOURS").fill("11000")
    cell(page, "WF_TALK_SESSIONS").fill("25")
    expect(page.locator("#autosave-state")).to_contain_text("已自动保存到服务器", timeout=10_000)

    # The union officer, on the older version, changes one of them: the background save stops and says why.
    cell(union_page, "WF_TRAINING_HOURS").fill("13000")
    expect(union_page.locator("#autosave-conflict")).to_be_visible(timeout=10_000)
    expect(union_page.locator("#autosave-conflict")).to_contain_text("该报表已被他人修改")
    assert DataValue.objects.get(report=report, element__code="WF_TRAINING_HOURS").value == "11000"
    shot(union_page, "entry-", "8-conflict-notice", full=False)

    # Saving shows both sides; the officer keeps their own value.
    union_page.get_by_role("button", name="保存并核对他人的修改").click()
    table = union_page.locator(".conflict-table")
    expect(table).to_contain_text("职业技能培训总学时")
    expect(table.locator("tr").filter(has_text="职业技能培训总学时")).to_contain_text("双方都改了")
    expect(table.locator("tr").filter(has_text="职业技能培训总学时")).to_contain_text("11000")
    expect(table.locator("tr").filter(has_text="职业技能培训总学时")).to_contain_text("13000")
    expect(table).to_contain_text("宣讲场次")
    expect(union_page.locator(".grid-cell").filter(has=cell(union_page, "WF_TRAINING_HOURS"))).to_contain_text(
        "他人已改为：11000"
    )
    shot(union_page, "entry-", "9-conflict-decide", full=False)
    union_page.get_by_role("button", name="以我的修改为准重新保存").click()
    expect(union_page.locator(".alert-success")).to_contain_text("已保存 1 项修改")
    values = {v.element.code: v.value for v in DataValue.objects.filter(report=report).select_related("element")}
    assert values["WF_TRAINING_HOURS"] == "13000"
    assert values["WF_TALK_SESSIONS"] == "25"  # the reporter's other change is kept
    assert errors == []
