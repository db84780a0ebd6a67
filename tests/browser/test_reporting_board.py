"""The reform office on the day after the deadline, in Chromium at the office screen (1366×768) and on a phone
(390×844): the deadline-day board lists each late unit with its contacts, the office reminds one late unit
(催报), sees the confirmation and the unit marked 已催报 with the time, a second click sends nothing and says
when it was sent, and 催报全部逾期单位 reminds the rest. On both screens no table header cell is taller than
three lines and no unit name wraps one character per line, on the board and on the completeness table. The
review page of a submitted report shows the data before 审核通过 on the phone, the actions beside the facts on
the office screen.

Screenshots go to build/screenshots/board-*.png.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.models import AuditEntry
from orgs.choices import Role
from orgs.tests.factories import make_org, make_tree, make_user
from reporting.models import Notification
from reporting.tests.factories import at, load_workforce, open_report, submitted_report
from tests.browser.helpers import DESKTOP, PHONE, FixedClock, shot, sign_in, watch_errors

BOARD = "/reporting/completeness/deadline/?dataset=WF_Y&period=2021"
TABLE = "/reporting/completeness/?dataset=WF_Y&period=2021"

# Every visible header cell (th), and the unit-name cells, whose text is more than three lines high: what a
# header or name squeezed to one character per line looks like.
TALL_CELLS_JS = """
(selector) => {
  const tall = [];
  for (const cell of document.querySelectorAll(selector)) {
    const box = cell.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || cell.closest("thead")?.getBoundingClientRect().height <= 1) {
      continue;  // not shown (a phone's card layout hides the header row)
    }
    const style = getComputedStyle(cell);
    const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
    const range = document.createRange();
    range.selectNodeContents(cell);
    const text = range.getBoundingClientRect().height;  // the text's own height, not the row's
    if (text > 3 * line + 1) {
      tall.push(`${cell.textContent.trim()}: ${Math.round(text)}px > 3 × ${line}px`);
    }
  }
  return tall;
}
"""


def tall_cells(page: Page, selector: str = "table th, table td.org-name") -> list[str]:
    return page.evaluate(TALL_CELLS_JS, selector)


@pytest.fixture
def late_round(transactional_db, monkeypatch):
    """WF_Y 2021 the day after its deadline (2022-02-01 10:00, Beijing): A1 submitted on time, A2 a draft,
    B1 and 昆明钢铁 nothing; the reporters of A2 and B1 and 中国铜业's administrator have addresses."""
    clock = FixedClock(at(2022, 1, 20))
    monkeypatch.setattr(timezone, "now", clock)
    tree = make_tree()
    tree.km_direct = make_org(tree.kunming, "昆明钢铁", code="E-KM1", region_id="530100")
    wf_y, _wf_q = load_workforce()
    report = submitted_report(tree, wf_y, org=tree.ent_a1)
    open_report(tree, wf_y, "2021", org=tree.ent_a2)
    for role, org, name in [
        (Role.REPORTER, tree.ent_a2, "钱填报"),
        (Role.REPORTER, tree.ent_b1, "孙填报"),
        (Role.UNION_ADMIN, tree.union_b, "李工会"),
    ]:
        user = tree.user(role, org)
        user.full_name, user.email = name, f"{user.username}@example.cn"
        user.save()
    clock.now = at(2022, 2, 1, 10)
    office = make_user("chanbgai_cuibao", role=Role.OFFICE_ADMIN, org=tree.province, full_name="周催报")
    return tree, office, report


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_office_reminds_late_units_from_the_deadline_board(late_round, live_server, page: Page):
    tree, office, report = late_round
    base = live_server.url
    errors = watch_errors(page)

    # --- Office screen: the board, its contacts, one reminder ---------------------------------------------------
    page.set_viewport_size(DESKTOP)
    sign_in(page, base, office.username)
    page.goto(base + BOARD)
    expect(page.locator("h1")).to_have_text("截止日看板")
    rows = page.locator("#missing-table tbody tr[data-org]")
    expect(rows).to_have_count(3)
    b1 = page.locator('#missing-table tr[data-org="E-B1"]')
    expect(b1.locator("td.contacts")).to_contain_text("孙填报")
    expect(b1.locator("td.contacts")).to_contain_text("reporter_e-b1@example.cn")
    expect(b1.locator("td.contacts")).to_contain_text("李工会")
    expect(page.locator('#missing-table tr[data-org="E-KM1"] td.contacts')).to_contain_text("未设置填报员或联络员")
    expect(page.locator("#remind-all-form button")).to_have_text("催报全部逾期单位（3 家）")
    assert tall_cells(page) == []
    # The whole table fits the office screen: the 催报 buttons are not scrolled out of sight.
    fits = "(table) => table.parentElement.scrollWidth <= table.parentElement.clientWidth"
    assert page.locator("#missing-table").evaluate(fits)
    shot(page, "board-", "deadline-desktop")

    b1.get_by_role("button", name="催报").click()
    expect(page.locator(".alert-success")).to_contain_text("已催报 1 家单位（站内通知和电子邮件）。")
    b1 = page.locator('#missing-table tr[data-org="E-B1"]')
    expect(b1.locator(".reminded-mark")).to_contain_text("已催报")
    expect(b1.locator(".reminded-mark")).to_contain_text("已于 2月1日 10:00 催报")
    expect(b1.locator(".reminded-mark")).to_contain_text("周催报")
    expect(page.locator('#missing-table tr[data-org="E-A2"] .reminded-mark')).to_have_count(0)
    reminded = Notification.objects.filter(title__contains="提醒").values_list("user__username", flat=True)
    assert sorted(reminded) == ["reporter_e-b1", "union_admin_u-b"]
    assert AuditEntry.objects.filter(event="reporting.reminder.manual").count() == 1
    shot(page, "board-", "reminded-desktop")

    b1.get_by_role("button", name="催报").click()  # a second click the same day sends nothing
    expect(page.locator(".alert-warning")).to_contain_text("已于 2月1日 10:00 催报（周催报）")
    expect(page.locator(".alert-success")).to_have_count(0)
    assert AuditEntry.objects.filter(event="reporting.reminder.manual").count() == 1

    page.goto(base + TABLE)
    expect(page.locator("#due-table tbody tr[data-org]")).to_have_count(4)
    assert tall_cells(page) == []
    shot(page, "board-", "table-desktop")

    # --- Phone: the same board as cards; remind every late unit -------------------------------------------------
    page.set_viewport_size(PHONE)
    page.goto(base + BOARD)
    expect(page.locator("#missing-table tbody tr[data-org]")).to_have_count(3)
    assert tall_cells(page) == []
    name = page.locator('#missing-table tr[data-org="E-B1"] td.org-name')
    assert name.bounding_box()["width"] > 150  # the name has room, not one character per line
    expect(page.locator('#missing-table tr[data-org="E-B1"] .reminded-mark')).to_contain_text("已催报")
    shot(page, "board-", "deadline-phone")

    page.locator("#remind-all-form").get_by_role("button").click()
    expect(page.locator(".alert-success")).to_contain_text("已催报 1 家单位")
    expect(page.locator(".alert-warning").first).to_contain_text("今天不再重复催报")
    expect(page.locator(".alert-warning").last).to_contain_text("昆明钢铁没有可通知的填报员或工会管理员，未发送。")
    expect(page.locator('#missing-table tr[data-org="E-A2"] .reminded-mark')).to_contain_text("已催报")
    assert AuditEntry.objects.filter(event="reporting.reminder.manual").count() == 2
    shot(page, "board-", "reminded-all-phone")

    page.goto(base + TABLE)
    assert tall_cells(page) == []
    assert page.locator('#due-table tr[data-org="E-A1"] td.org-name').bounding_box()["width"] > 150
    shot(page, "board-", "table-phone")

    # --- The review page: the data before 审核通过 on the phone, the actions beside the facts on the office screen
    reviewer = tree.user(Role.UNION_ADMIN, tree.union_a)
    sign_in(page, base, reviewer.username)
    page.goto(base + reverse("reporting:report_detail", args=[report.pk]))
    approve = page.locator("#actions").get_by_role("button", name="审核通过")
    expect(approve).to_be_visible()
    first_section = page.locator("#review-data .grid-section").first
    assert approve.bounding_box()["y"] > first_section.bounding_box()["y"] + first_section.bounding_box()["height"]
    shot(page, "board-", "review-phone")

    page.set_viewport_size(DESKTOP)
    page.reload()
    facts, actions = page.locator("#review-facts").bounding_box(), page.locator("#review-actions").bounding_box()
    assert actions["x"] > facts["x"] + facts["width"] - 1 and abs(actions["y"] - facts["y"]) < 2
    assert approve.bounding_box()["y"] < page.locator("#review-data").bounding_box()["y"]
    shot(page, "board-", "review-desktop", full=False)
    assert errors == []  # no CSP violation or script error
