"""The main pages pass axe-core's check (no serious or critical violation), for the office, a union and an
enterprise reporter, at 1366×768 and on a phone (390×844)."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from orgs.choices import Role
from orgs.tests.factories import make_tree, make_user
from reporting.tests.factories import at, load_workforce, submitted_report
from tests.browser.helpers import DESKTOP, PHONE, FixedClock, accessibility_violations, sign_in, watch_errors

PAGES = {
    "office": [
        "/",
        "/orgs/",
        "/reporting/reports/",
        "/reporting/completeness/",
        "/reporting/completeness/deadline/",
        "/reporting/inbox/",
        "/analytics/",
        "/analytics/pivot/",
        "/analytics/map/",
        "/analytics/reconcile/",
        "/assessment/rounds/",
        "/ledger/",
        "/ledger/alerts/",
    ],
    "union": ["/", "/reporting/reports/", "/reporting/excel/", "/analytics/", "/ledger/"],
    "reporter": ["/", "/reporting/reports/", "/reporting/excel/", "/assessment/mine/"],
}


@pytest.fixture
def province(transactional_db, monkeypatch):
    monkeypatch.setattr(timezone, "now", FixedClock(at(2022, 1, 10)))
    tree = make_tree()
    wf_y, _wf_q = load_workforce()
    make_user("a11y_office", role=Role.OFFICE_ADMIN, org=tree.office, full_name="李产改")
    make_user("a11y_union", role=Role.UNION_ADMIN, org=tree.union_a, full_name="王工会")
    make_user("a11y_reporter", role=Role.REPORTER, org=tree.ent_a1, full_name="陈填报")
    submitted_report(tree, wf_y, "2021", tree.ent_a2)
    return tree


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_main_pages_have_no_serious_accessibility_violation(province, live_server, page: Page):
    base = live_server.url
    errors = watch_errors(page)
    found: list[str] = []
    for who, paths in PAGES.items():
        sign_in(page, base, f"a11y_{who}")
        for size in (DESKTOP, PHONE):
            page.set_viewport_size(size)
            for path in paths:
                response = page.goto(f"{base}{path}")
                assert response is not None and response.status == 200, f"{who} {path}: {response and response.status}"
                found += [f"{who} {size['width']}px: {v}" for v in accessibility_violations(page)]
    assert not found, "\n".join(found)

    # The tree opens at the province with its first level; a closed node opens with its button (keyboard too).
    sign_in(page, base, "a11y_office")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{base}/orgs/")
    toggle = page.get_by_role("button", name="“省级产业系统公司”的下级机构")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".org-tree")).to_contain_text("云南电网")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="云南电网")).to_be_hidden()
    assert not errors, errors
