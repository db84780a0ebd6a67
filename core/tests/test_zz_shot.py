import pytest
from django.conf import settings
from django.test import Client
from orgs.choices import Role
from core.tests.test_audit_views import verified_login
pytestmark = [pytest.mark.django_db(transaction=True)]

def test_shot(live_server, page, tree):
    c = Client(); verified_login(c, tree.user(Role.AUDIT_ADMIN))
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": c.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}])
    msgs=[]
    page.on("console", lambda m: msgs.append((m.type, m.text)))
    page.on("request", lambda r: msgs.append(("req", r.method + " " + r.url + " " + str(r.headers.get("hx-request")))))
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/audit/")
    page.fill("#id_event", "orgs.organisation")
    page.click("form[hx-get] button[type=submit]")
    page.wait_for_timeout(1500)
    print("URL", page.url, page.input_value("#id_event"))
    print(page.locator("#audit-results p").first.inner_text())
    page.click("text=下一页") if page.locator("text=下一页").count() else None
    page.screenshot(path="/tmp/audit_list_filtered.png")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/audit/")
    page.screenshot(path="/tmp/audit_phone.png")
    for m in msgs:
        if "static" not in m[1]: print(m)
