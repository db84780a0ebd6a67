"""What the browser tests share: where screenshots go, the window sizes, a clock that stands still, signing in
through the login page, screenshots and the browser's errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from playwright.sync_api import Page, expect

from orgs.tests.factories import TEST_PASSWORD

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


class FixedClock:
    """Stands in for `django.utils.timezone.now` in the live server's thread and the test's."""

    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now.astimezone(dt.UTC)


def sign_in(page: Page, base: str, username: str, password: str = TEST_PASSWORD) -> None:
    """Sign `username` in through the login page (after signing the page's context out) and land on the home page."""
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    # The header has buttons too (the languages; 退出登录, which contains 登录, when signed in).
    page.locator("main").get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{base}/")


def shot(page: Page, prefix: str, name: str, *, full: bool = True) -> None:
    """Save build/screenshots/<prefix><name>.png; the prefix carries its separator ("ledger_", "entry-")."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{prefix}{name}.png"), full_page=full)


def watch_errors(page: Page, errors: list[str] | None = None) -> list[str]:
    """Collect the page's console errors (a CSP violation, a failed request) and uncaught script errors.

    Pass the list of another page to collect the errors of several pages in one list.
    """
    errors = [] if errors is None else errors
    page.on(
        "console",
        lambda msg: errors.append(f"{msg.text} @ {page.url} {msg.location}") if msg.type == "error" else None,
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
# The impacts that fail a page; "minor" and "moderate" findings are reported by axe but do not fail the tests.
AXE_FAILING = ("serious", "critical")


def accessibility_violations(page: Page) -> list[str]:
    """Run axe-core (vendored, tests only) in the page as it stands and describe its serious and critical
    violations: rule, impact, how many elements and the first ones' selectors. Evaluated through the DevTools
    protocol, so the page's Content-Security-Policy is left as it is."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => {
            const found = await axe.run(document, {resultTypes: ['violations']});
            return found.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3), count: v.nodes.length,
            }));
        }"""
    )
    return [
        f"{v['id']} ({v['impact']}, {v['count']}×: {', '.join(v['nodes'])}) {v['help']} @ {page.url}"
        for v in result
        if v["impact"] in AXE_FAILING
    ]


def assert_accessible(page: Page) -> None:
    """No serious or critical accessibility violation on the page as it stands."""
    violations = accessibility_violations(page)
    assert not violations, "\n".join(violations)
