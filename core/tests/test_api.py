"""The API's common behaviour: JSON errors in Chinese, throttling, the OpenAPI document and its docs page."""

import io
import re

from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.tests.factories import api_client
from core.models import AuditEntry
from orgs.choices import Role


def api(user=None, ip="10.40.0.1", **extra) -> APIClient:
    return api_client(user, ip=ip, **extra)


def rates(**changes):
    """REST_FRAMEWORK with other throttle rates (core.api's throttles read them per request)."""
    config = {**django_settings.REST_FRAMEWORK}
    config["DEFAULT_THROTTLE_RATES"] = {**config["DEFAULT_THROTTLE_RATES"], **changes}
    return override_settings(REST_FRAMEWORK=config)


# --- errors -------------------------------------------------------------------------------


def test_unknown_api_address_is_a_json_404(tree):
    response = api(tree.user(Role.REPORTER)).get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "未找到该对象，或您无权访问。"}


def test_unknown_api_address_needs_authentication_first(db):
    assert api().get("/api/v1/no-such-thing/").status_code == 401


def test_malformed_json_is_a_chinese_400(tree):
    response = api(tree.user(Role.UNION_ADMIN)).generic(
        "PATCH", "/api/v1/organisations/E-A1/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "请求内容格式错误，无法解析。"}


def test_unsupported_media_type_is_a_chinese_415(tree):
    response = api(tree.user(Role.UNION_ADMIN)).generic(
        "PATCH", "/api/v1/organisations/E-A1/", "name=x", content_type="text/plain"
    )
    assert response.status_code == 415
    assert response.json() == {"detail": "不支持的请求内容类型。"}


def test_refusals_and_probes_are_audited(tree):
    client = api(tree.user(Role.REPORTER), ip="10.40.0.7")
    client.get("/api/v1/organisations/E-B1/")
    client.get("/api/v1/audit/")
    rows = list(AuditEntry.objects.filter(success=False).order_by("id"))
    assert [(r.event, r.username, r.ip, r.detail["path"]) for r in rows] == [
        ("access.not_found", "reporter_e-a1", "10.40.0.7", "/api/v1/organisations/E-B1/"),
        ("access.denied", "reporter_e-a1", "10.40.0.7", "/api/v1/audit/"),
    ]
    assert rows[1].detail["message"] == "只有审计管理员可以查阅审计日志。"


def test_scope_layer_failure_fails_closed(tree, monkeypatch):
    """Row 14: if the scoping layer breaks, no data leaves (an error, never a 200)."""
    import orgs.scoping

    def broken(*args, **kwargs):
        raise RuntimeError("scope store unavailable")

    monkeypatch.setattr(orgs.scoping, "granted_paths", broken)
    client = api(tree.user(Role.LEADER))
    client.raise_request_exception = False
    for url in ("/api/v1/organisations/", "/api/v1/organisations/E-A1/", "/api/v1/memberships/", "/api/v1/audit/"):
        response = client.get(url)
        assert response.status_code == 500, url
        assert "昆明供电局" not in response.content.decode()


# --- throttling (row 24) ------------------------------------------------------------------


def test_token_is_throttled_with_retry_after(tree):
    client = api(tree.user(Role.REPORTER))
    with rates(user="3/min"):
        statuses = [client.get("/api/v1/users/me/").status_code for _ in range(4)]
        limited = client.get("/api/v1/users/me/")
    assert statuses == [200, 200, 200, 429]
    assert limited.status_code == 429
    retry_after = int(limited["Retry-After"])
    assert 0 < retry_after <= 60
    assert limited.json() == {"detail": f"请求过于频繁，请在{retry_after}秒后重试。"}


def test_user_throttle_is_per_user_not_per_address(tree):
    with rates(user="2/min"):
        first, second = api(tree.user(Role.REPORTER)), api(tree.user(Role.LEADER))
        assert [first.get("/api/v1/users/me/").status_code for _ in range(3)] == [200, 200, 429]
        assert second.get("/api/v1/users/me/").status_code == 200


def test_default_rate_is_120_per_minute():
    assert django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["user"] == "120/min"


def test_anonymous_callers_are_throttled_per_address(db):
    with rates(anon="2/min"):
        one = APIClient(REMOTE_ADDR="10.40.1.1")
        assert [one.get("/api/v1/organisations/").status_code for _ in range(3)] == [401, 401, 429]
        # A client-sent X-Forwarded-For does not make a new address (no trusted proxy).
        assert one.get("/api/v1/organisations/", HTTP_X_FORWARDED_FOR="192.0.2.55").status_code == 429
        assert APIClient(REMOTE_ADDR="10.40.1.2").get("/api/v1/organisations/").status_code == 401


def test_wrong_tokens_count_against_the_address(db):
    with rates(anon="2/min"):
        client = APIClient(REMOTE_ADDR="10.40.1.3")
        statuses = []
        for n in range(3):
            client.credentials(HTTP_AUTHORIZATION=f"Token {n:040d}")
            statuses.append(client.get("/api/v1/users/me/").status_code)
    assert statuses == [401, 401, 429]
    assert AuditEntry.objects.filter(event="api.auth_failed").count() == 2


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_the_forwarded_address_is_throttled(db):
    with rates(anon="1/min"):
        assert APIClient(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.1").get("/api/v1/").status_code == 401
        assert APIClient(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.1").get("/api/v1/").status_code == 429
        assert APIClient(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.2").get("/api/v1/").status_code == 401


# --- OpenAPI document and docs page -------------------------------------------------------


def test_schema_needs_authentication(tree):
    assert api().get("/api/v1/schema/").status_code == 401
    response = api(tree.user(Role.REPORTER)).get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/organisations/{code}/move/" in paths
    assert "/api/v1/audit/{id}/" in paths
    assert "put" not in paths["/api/v1/audit/{id}/"]
    assert "delete" not in paths["/api/v1/audit/{id}/"]


def test_schema_generates_without_warnings(db):
    out = io.StringIO()
    call_command("spectacular", "--fail-on-warn", "--format", "openapi-json", stdout=out)
    assert '"title": "产改通 API"' in out.getvalue() or '"title":"产改通 API"' in out.getvalue()


def test_docs_page_redirects_anonymous_visitors_to_login(db):
    response = APIClient().get("/api/v1/docs/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/api/v1/docs/")


def test_docs_page_has_no_inline_script_or_external_address(client, tree):
    client.force_login(tree.user(Role.REPORTER))
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert len(scripts) == 3
    for attrs, body in scripts:
        assert body.strip() == ""  # every script is a file
        src = re.search(r'src="([^"]+)"', attrs).group(1)
        assert src.startswith(("/static/drf_spectacular_sidecar/", "/api/v1/docs/?"))
    assert "<style" not in html
    assert "style=" not in html
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    assert re.search(r'href="/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css"', html)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_docs_initialiser_is_a_same_origin_script(client, tree):
    client.force_login(tree.user(Role.REPORTER))
    response = client.get("/api/v1/docs/?script=")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    js = response.content.decode()
    assert "SwaggerUIBundle" in js
    assert '"validatorUrl": null' in js  # no call to validator.swagger.io
    assert 'url: "/api/v1/schema/"' in js


def test_docs_static_files_exist():
    from django.contrib.staticfiles import finders

    for name in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "favicon-32x32.png"):
        assert finders.find(f"drf_spectacular_sidecar/swagger-ui-dist/{name}"), name
