"""Each demo role signs in through the real login page in Chromium and lands on its own home page.

Screenshots (1366×768, the office screen) go to build/screenshots/home-<role>.png.
"""

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from orgs.choices import Role
from orgs.demo import ACCOUNTS, DEMO_PASSWORD
from tests.browser.helpers import DESKTOP, shot, watch_errors

# The navigation entries each role must see (and nobody else).
NAV = {
    "组织机构": {r for r in Role if r not in (Role.SEC_ADMIN, Role.AUDIT_ADMIN)},
    # The security administrator reaches the user pages to grant roles (docs/separation-of-duties.md).
    "用户管理": {Role.OFFICE_ADMIN, Role.UNION_ADMIN, Role.SYS_ADMIN, Role.SEC_ADMIN},
    "安全管理": {Role.SEC_ADMIN},
    "审计日志": {Role.AUDIT_ADMIN},
}
ONE_PER_ROLE = [a for a in ACCOUNTS if a.username == a.role]


@pytest.fixture
def demo_province(transactional_db, settings):
    settings.DEMO_MODE = True  # the demo accounts sign in only in demo mode
    # The organisations and accounts only: the sample reports (tests/browser/test_analytics.py and
    # reporting/tests/test_demo.py play them) would be replayed for each of the twelve roles.
    call_command("load_demo", "--without-reports", verbosity=0)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("account", ONE_PER_ROLE, ids=[a.role for a in ONE_PER_ROLE])
def test_role_signs_in_and_sees_its_home_page(demo_province, live_server, page: Page, account):
    assert {a.role for a in ONE_PER_ROLE} == set(Role)
    page.set_viewport_size(DESKTOP)
    errors = watch_errors(page)

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    page.get_by_label("用户名").fill(account.username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("h1")).to_contain_text(account.full_name)
    expect(page.locator("main")).to_contain_text(str(Role(account.role).label))
    nav = page.get_by_role("navigation", name="主导航")
    for entry, roles in NAV.items():
        expect(nav.get_by_role("link", name=entry, exact=True)).to_have_count(1 if account.role in roles else 0)

    shot(page, "home-", account.role)
    assert errors == []  # no CSP violation or script error
