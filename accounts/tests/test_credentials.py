"""Credentials that really end (issue 11): the API is closed to an account that owes a password change
or a second factor, and a reset, a deactivation, a lockout or the last role removed ends the API token
and every session."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import services
from core.actor import Actor
from core.models import AuditEntry
from orgs import services as org_services
from orgs.choices import Role
from orgs.models import Membership
from orgs.tests.factories import TEST_PASSWORD

ME = "/api/v1/users/me/"


def token_client(user) -> APIClient:
    client = APIClient(REMOTE_ADDR="10.80.0.1")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def session_client(user) -> Client:
    client = Client(REMOTE_ADDR="10.80.0.2")
    client.force_login(user)
    return client


@pytest.fixture
def reporter(tree):
    return tree.user(Role.REPORTER)


@pytest.mark.parametrize("via", ["token", "session"])
def test_a_forced_password_change_closes_the_api_with_a_chinese_answer(reporter, settings, via):
    settings.DEMO_MODE = False
    client = token_client(reporter) if via == "token" else session_client(reporter)
    assert client.get(ME).status_code == 200
    reporter.must_change_password = True
    reporter.save(update_fields=["must_change_password"])

    for response in (client.get(ME), client.post("/api/v1/tokens/", {}, content_type="application/json")):
        assert response.status_code == 403
        assert response.json() == {
            "detail": "您须先修改初始密码或管理员重置的密码：请在网页上登录并设置新密码，然后再使用 API。"
        }


def test_an_expired_password_closes_the_api(reporter, settings):
    settings.DEMO_MODE = False
    settings.PASSWORD_MAX_AGE_DAYS = 90
    reporter.password_changed_at = timezone.now() - dt.timedelta(days=91)
    reporter.save(update_fields=["password_changed_at"])
    response = token_client(reporter).get(ME)
    assert response.status_code == 403
    assert response.json() == {"detail": "您的密码已过期：请在网页上登录并修改密码，然后再使用 API。"}


def test_an_administrator_session_without_its_second_factor_cannot_use_the_api(tree, settings):
    settings.DEMO_MODE = False
    admin = tree.user(Role.SEC_ADMIN)
    response = session_client(admin).get(ME)
    assert response.status_code in (401, 403)
    assert "data" not in response.json()


def test_demo_mode_keeps_the_api_open_as_it_keeps_the_pages(reporter, settings):
    settings.DEMO_MODE = True
    reporter.must_change_password = True
    reporter.save(update_fields=["must_change_password"])
    assert token_client(reporter).get(ME).status_code == 200


def test_a_password_reset_revokes_the_token_and_ends_the_sessions(tree, reporter):
    api = token_client(reporter)
    page = session_client(reporter)
    assert page.get("/").status_code == 200
    manager = Actor(user=tree.user(Role.UNION_ADMIN), ip="10.0.0.9")

    services.user_reset_password(by=manager, user=reporter)

    assert not Token.objects.filter(user=reporter).exists()
    assert api.get(ME).status_code == 401
    assert page.get("/").status_code == 302  # back to the login page
    entry = AuditEntry.objects.filter(event="accounts.user.reset_password").latest("id")
    assert entry.detail == {"tokens_revoked": 1, "sessions_ended": True}


def test_deactivation_ends_open_sessions_at_once(tree, reporter):
    page = session_client(reporter)
    services.user_set_active(by=Actor(user=tree.user(Role.UNION_ADMIN)), user=reporter, active=False)
    reporter.is_active = True  # even were it reactivated, the old session stays ended
    reporter.save(update_fields=["is_active"])
    assert page.get("/").status_code == 302


def test_removing_the_last_role_ends_the_token_and_sessions_but_not_before(tree, reporter):
    office = Actor(user=tree.user(Role.OFFICE_ADMIN))
    extra = Membership.objects.create(user=reporter, org=tree.ent_a1, role=Role.INFO_OFFICER)
    api = token_client(reporter)
    page = session_client(reporter)

    org_services.membership_revoke(by=office, membership=extra)
    assert api.get(ME).status_code == 200  # a role remains
    assert page.get("/").status_code == 200

    last = Membership.objects.get(user=reporter, is_active=True)
    org_services.membership_revoke(by=office, membership=last)
    assert api.get(ME).status_code == 401
    assert page.get("/").status_code == 302
    entry = AuditEntry.objects.filter(event="orgs.membership.revoke").latest("id")
    assert entry.detail == {"tokens_revoked": 1, "sessions_ended": True}


def test_a_lockout_revokes_the_token_and_ends_the_sessions(reporter, settings):
    api = token_client(reporter)
    page = session_client(reporter)
    attacker = Client(REMOTE_ADDR="10.66.0.1")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post("/accounts/login/", {"username": reporter.username, "password": "wrong-Guess-1"})

    assert api.get(ME).status_code == 401
    assert page.get("/").status_code == 302
    locked = AuditEntry.objects.filter(event="accounts.login_failed", detail__reason="locked").latest("id")
    assert locked.detail["sessions_ended"] is True
    # The person signs in again from their own address and works as before.
    fresh = Client(REMOTE_ADDR="10.80.0.3")
    assert fresh.post("/accounts/login/", {"username": reporter.username, "password": TEST_PASSWORD}).status_code == 302
