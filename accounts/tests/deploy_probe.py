"""Run in a subprocess by test_deploy.py with the production settings (HTTPS on, DEBUG off).

It builds a throwaway in-memory database, makes a few requests with Django's test client and
prints what it saw as one JSON line. Kept out of the pytest process because the settings under
test are read from the environment at start-up.
"""

import json
import os
import sys

import django
from django.urls import path


def boom(request):
    raise RuntimeError("forced failure with secret detail 0xDEADBEEF")


def _urlpatterns():
    from changai.urls import urlpatterns

    return [path("__boom__/", boom), *urlpatterns]


def main() -> None:
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client, override_settings
    from rest_framework.authtoken.models import Token

    from orgs.choices import Role
    from orgs.tests.factories import TEST_PASSWORD, make_tree

    call_command("migrate", verbosity=0)
    tree = make_tree()
    reporter = tree.user(Role.REPORTER)
    token = Token.objects.create(user=reporter)
    host = settings.ALLOWED_HOSTS[0]

    def headers(response) -> dict:
        return dict(response.items())

    def cookies(response) -> dict:
        return {name: morsel.OutputString() for name, morsel in response.cookies.items()}

    result: dict = {
        "debug": settings.DEBUG,
        "secret_from_env": os.environ.get("CHANGAI_SECRET_KEY") == settings.SECRET_KEY,
        "password_hash": reporter.password.split("$", 3)[:3],
    }

    plain = Client(HTTP_HOST=host)
    http = plain.get("/accounts/login/")
    result["http"] = {"status": http.status_code, "location": http.get("Location", "")}

    browser = Client(HTTP_HOST=host)
    login_page = browser.get("/accounts/login/", secure=True)
    result["login_page"] = {
        "status": login_page.status_code,
        "headers": headers(login_page),
        "cookies": cookies(login_page),
    }
    signed_in = browser.post(
        "/accounts/login/", {"username": reporter.username, "password": TEST_PASSWORD}, secure=True
    )
    result["login"] = {"status": signed_in.status_code, "cookies": cookies(signed_in)}
    profile = browser.get("/accounts/me/", secure=True)
    result["profile"] = {"status": profile.status_code, "headers": headers(profile)}

    api = Client(HTTP_HOST=host, HTTP_AUTHORIZATION=f"Token {token.key}")
    api_response = api.get("/api/v1/users/me/", secure=True)
    result["api"] = {"status": api_response.status_code, "headers": headers(api_response)}

    module = sys.modules[__name__]
    module.urlpatterns = _urlpatterns()
    with override_settings(ROOT_URLCONF=__name__):
        crash = Client(HTTP_HOST=host, raise_request_exception=False)
        crash.force_login(reporter)
        failure = crash.get("/__boom__/", secure=True)
    result["error"] = {"status": failure.status_code, "body": failure.content.decode()}
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
