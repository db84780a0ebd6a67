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
    page.wait_for_selector("text=/api/v1/organisations/", timeout=15000)

    assert page.locator(".opblock").count() > 10  # the operations of the schema are listed
    assert not [p for p in problems if "Content Security Policy" in p or "Refused to" in p], problems
    assert outside == []
    page.screenshot(path=str(settings.BASE_DIR / "build" / "screenshots" / "api-docs.png"), full_page=False)
