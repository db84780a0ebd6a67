"""The Swagger UI page in a real browser, under the site's content security policy."""

import pytest
from django.conf import settings
from django.test import Client

from orgs.choices import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_renders_without_csp_violations(live_server, page, tree):
    django_client = Client()
    django_client.force_login(tree.user(Role.REPORTER))
    session_key = django_client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_key, "url": live_server.url}])
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith(live_server.url) or request.url.startswith("data:")
            else outside.append(request.url)
        ),
    )

    page.goto(f"{live_server.url}/api/v1/docs/")
    # Swagger UI draws a long document as the reader scrolls: scroll down to the organisations' operations.
    page.locator(".opblock").first.wait_for(timeout=60000)
    organisations = page.locator(".opblock-summary-path", has_text="/api/v1/organisations/")
    seen_tags: set[str] = set()
    for _ in range(200):
        seen_tags.update(page.locator(".opblock-tag").all_inner_texts())
        if organisations.count():
            break
        page.mouse.wheel(0, 1500)
        page.wait_for_timeout(100)
    organisations.first.wait_for(timeout=5000)
    assert len(seen_tags) > 10  # the apps' operations are listed on the way
    assert not [p for p in problems if "Content Security Policy" in p or "Refused to" in p], problems
    assert outside == []
    page.screenshot(path=str(settings.BASE_DIR / "build" / "screenshots" / "api-docs.png"), full_page=False)
