"""The reform office in Chromium: it edits the yearly workforce data set (a draft version and a new
validation rule, with the expression checker answering as it types), then keeps the deadline-day
page open and watches it refresh itself as the missing organisations report, grouped by union and
prefecture.

Screenshots (1366×768, the office screen) go to build/screenshots/office-*.png.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from orgs.choices import Role
from orgs.tests.factories import make_org, make_tree, make_user
from reporting.models import ValidationRule
from reporting.tests.factories import at, load_workforce, open_report, submitted_report
from reporting.views import completeness as completeness_views
from tests.browser.helpers import DESKTOP, FixedClock, shot, sign_in, watch_errors


@pytest.fixture
def province(transactional_db, monkeypatch):
    """WF_Y 2021 on its deadline day (2022-01-31, Beijing): A1 reported, A2 a draft, B1 and 昆明钢铁 nothing."""
    clock = FixedClock(at(2022, 1, 20))
    monkeypatch.setattr(timezone, "now", clock)
    monkeypatch.setattr(completeness_views, "REFRESH_SECONDS", 2)  # the page refreshes every minute in use
    tree = make_tree()
    tree.km_direct = make_org(tree.kunming, "昆明钢铁", code="E-KM1", region_id="530100")
    wf_y, _wf_q = load_workforce()
    submitted_report(tree, wf_y, org=tree.ent_a1)
    open_report(tree, wf_y, "2021", org=tree.ent_a2)
    clock.now = at(2022, 1, 31, 15)
    office = make_user("chanbgai_guanli", role=Role.OFFICE_ADMIN, org=tree.province, full_name="周管理")
    return tree, wf_y, office


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_office_adds_a_rule_and_watches_the_deadline_day(province, live_server, page: Page):
    tree, wf_y, office = province
    base = live_server.url
    errors = watch_errors(page)
    page.set_viewport_size(DESKTOP)
    sign_in(page, base, office.username)

    # --- The data set: a draft version, then a new rule --------------------------------------------------------
    page.goto(f"{base}/reporting/metadata/")
    page.get_by_role("link", name=wf_y.name, exact=True).first.click()
    expect(page.locator("h1")).to_contain_text(wf_y.name)
    page.locator("#draft-form").get_by_role("textbox").fill("增加持证人数与一线职工的校验")
    page.get_by_role("button", name="创建草稿版本").click()
    expect(page.get_by_role("alert").or_(page.locator(".alert-success")).first).to_contain_text("已创建草稿版本 v2")
    page.get_by_role("link", name=re.compile(r"^校验规则（\d+）$")).click()
    page.get_by_role("link", name="新增规则").click()
    expect(page.locator("h1")).to_have_text("新增校验规则")

    page.get_by_label("代码").fill("R_CERT_FRONTLINE")
    page.get_by_label("名称").fill("持证人数不超过一线职工人数")
    left = page.get_by_label("左侧表达式")
    left.press_sequentially("#{WF_CERTIFED}", delay=20)  # a typo: the checker answers while typing
    expect(page.locator("#check-left")).to_contain_text("WF_CERTIFED")
    expect(page.locator("#check-left .expression-problems")).to_have_count(1)
    expect(page.locator("#check-left")).to_contain_text("您是否要写 #{WF_CERTIFIED}（持有技能等级证书人数）？")
    shot(page, "office-", "rule-typo")
    left.fill("")
    left.press_sequentially("#{WF_CERTIFIED}", delay=20)
    expect(page.locator("#check-left")).to_contain_text("表达式有效。")
    page.get_by_label("比较").select_option(label="小于或等于")
    page.get_by_label("右侧表达式").press_sequentially("#{WF_FRONTLINE}", delay=20)
    expect(page.locator("#check-right")).to_contain_text("表达式有效。")
    page.get_by_label("级别").select_option(label="警告（需填写说明）")
    page.get_by_label("提示信息").fill("持证人数多于一线职工人数，请核实或说明原因")
    shot(page, "office-", "rule-form")
    page.get_by_role("button", name="保存").click()

    expect(page.locator("#rule-table")).to_contain_text("持证人数不超过一线职工人数")
    shot(page, "office-", "rule-list")
    rule = ValidationRule.objects.get(code="R_CERT_FRONTLINE")
    assert (rule.left, rule.operator, rule.right, rule.importance) == (
        "#{WF_CERTIFIED}",
        "<=",
        "#{WF_FRONTLINE}",
        "warning",
    )
    assert rule.dataset_version.number == 2 and rule.dataset_version.published_at is None

    # --- Deadline day: who is missing, by union and prefecture; the page refreshes itself ----------------------
    page.goto(f"{base}/reporting/completeness/deadline/?dataset=WF_Y&period=2021")
    expect(page.locator("h1")).to_have_text("截止日看板")
    missing = page.locator("#missing-table tbody tr[data-org]")
    expect(missing).to_have_count(3)
    rows = {
        row.get_attribute("data-org"): [c.inner_text().strip() for c in row.locator("td").all()]
        for row in missing.all()
    }
    assert set(rows) == {"E-A2", "E-B1", "E-KM1"}
    assert rows["E-A2"][1] == "云南电网"
    assert rows["E-B1"][1] == "中国铜业"
    assert rows["E-KM1"][2] == "昆明市"
    expect(page.locator("#missing-count")).to_have_text("3")

    def waiting(table: str) -> dict[str, str]:
        cells = {}
        for row in page.locator(f"#{table} tbody tr[data-group]").all():
            name, count = row.locator("th, td").nth(0).inner_text(), row.locator("td").nth(0).inner_text()
            cells[name.strip()] = count.strip()
        return cells

    assert waiting("missing-by-union") == {"云南电网": "1", "中国铜业": "1", "无上级产业工会（直报产改办）": "1"}
    assert waiting("missing-by-prefecture") == {"曲靖市": "1", "昆明市": "1", "未设置州市": "1"}
    shot(page, "office-", "deadline")

    submitted_report(tree, wf_y, org=tree.ent_a2)  # 曲靖供电局 submits while the page is open
    expect(page.locator("#missing-count")).to_have_text("2", timeout=15_000)
    expect(missing).to_have_count(2)
    expect(page.locator('#missing-table tr[data-org="E-A2"]')).to_have_count(0)
    assert waiting("missing-by-union") == {"中国铜业": "1", "无上级产业工会（直报产改办）": "1"}
    assert waiting("missing-by-prefecture") == {"昆明市": "1", "未设置州市": "1"}
    assert page.url.endswith("?dataset=WF_Y&period=2021")  # refreshed in place, not reloaded
    shot(page, "office-", "deadline-refreshed")
    assert errors == []  # no CSP violation or script error
