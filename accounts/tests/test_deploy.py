"""Production settings (SECURITY rows 8, 26, 27, 28), checked in a subprocess that reads them
from the environment the way a deployment does: HTTPS on, DEBUG off, a real secret key."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOST = "changai.example.cn"


def production_env(**extra) -> dict:
    # Nothing of the test process leaks in: not its database, nor the async switch Playwright needs.
    dropped = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHANGAI_", "PG")) and k not in dropped}
    env.update(
        CHANGAI_HTTPS="1",
        CHANGAI_DEBUG="0",
        CHANGAI_DEMO_MODE="0",
        CHANGAI_SECRET_KEY=secrets.token_urlsafe(64),
        CHANGAI_AUDIT_KEYS="k1:" + secrets.token_urlsafe(48),
        CHANGAI_PII_KEYS="k1:" + secrets.token_hex(32),
        CHANGAI_ALLOWED_HOSTS=HOST,
        CHANGAI_SQLITE_PATH=":memory:",
        DJANGO_SETTINGS_MODULE="changai.settings",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_deploy_check_reports_nothing_with_production_settings(tmp_path):
    (tmp_path / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')  # as collectstatic leaves it
    env = production_env(CHANGAI_STATIC_ROOT=str(tmp_path))
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["CHANGAI_SECRET_KEY"]
    result = run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "CHANGAI_SECRET_KEY must be set in production." in result.stderr


@pytest.fixture(scope="module")
def probe() -> dict:
    # The static files are not collected here; everything else is the production configuration.
    result = run(["-m", "accounts.tests.deploy_probe"], production_env(CHANGAI_MANIFEST_STATIC="0"))
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_debug_is_off_and_the_secret_comes_from_the_environment(probe):
    assert probe["debug"] is False
    assert probe["secret_from_env"] is True


def test_plain_http_is_redirected_permanently_to_https(probe):
    assert probe["http"]["status"] == 301
    assert probe["http"]["location"] == f"https://{HOST}/accounts/login/"


def test_passwords_are_hashed_with_argon2id_at_full_strength(probe):
    algorithm, variant, _version = probe["password_hash"]
    assert (algorithm, variant) == ("argon2", "argon2id")


@pytest.mark.parametrize("page", ["login_page", "profile", "api"])
def test_security_headers_on_pages_and_the_api(probe, page):
    response = probe[page]
    assert response["status"] == 200
    headers = {k.lower(): v for k, v in response["headers"].items()}
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    csp = headers["content-security-policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "script-src 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


@pytest.mark.parametrize("page", ["profile", "api"])
def test_signed_in_pages_and_the_api_are_never_cached(probe, page):
    headers = {k.lower(): v for k, v in probe[page]["headers"].items()}
    assert "no-store" in headers["cache-control"]


def test_session_and_csrf_cookies_are_host_only_secure_and_http_only(probe):
    assert probe["login"]["status"] == 302
    session = probe["login"]["cookies"]["__Host-sessionid"]
    assert "; Secure" in session and "; HttpOnly" in session and "SameSite=Lax" in session
    assert "Path=/" in session and "Domain=" not in session  # what the __Host- prefix requires
    csrf = probe["login_page"]["cookies"]["__Host-csrftoken"]
    assert "; Secure" in csrf and "SameSite=Lax" in csrf and "Domain=" not in csrf


def test_a_server_error_shows_no_traceback(probe):
    error = probe["error"]
    assert error["status"] == 500
    assert "服务器内部错误（500）" in error["body"]
    for leak in ("Traceback", "RuntimeError", "0xDEADBEEF", "deploy_probe", "SECRET_KEY"):
        assert leak not in error["body"]


def test_plain_http_behind_a_proxy_still_needs_a_secret_key():
    # issue 11: with CHANGAI_HTTPS=0 (TLS ended at a proxy) the public fall-back key was used silently.
    env = production_env(CHANGAI_HTTPS="0")
    del env["CHANGAI_SECRET_KEY"]
    result = run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "CHANGAI_SECRET_KEY must be set in production." in result.stderr


def test_deploy_check_reports_the_public_fallback_key():
    # A demo run uses the public key; `check --deploy` must say so rather than stay silent.
    env = production_env(CHANGAI_DEMO_MODE="1")
    del env["CHANGAI_SECRET_KEY"]
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode != 0
    assert "changai.W001" in result.stdout + result.stderr


def test_deploy_check_asks_for_the_audit_chain_key():
    env = production_env()
    del env["CHANGAI_AUDIT_KEYS"]
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode != 0
    assert "changai.W002" in result.stdout + result.stderr


def test_deploy_check_asks_for_the_personal_data_key():
    env = production_env()
    del env["CHANGAI_PII_KEYS"]
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode != 0
    assert "changai.W003" in result.stdout + result.stderr
