"""Session lifetime (SECURITY rows 5 and 6) and account policy (rows 3 and 7) in the middleware."""

import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts import services
from accounts.middleware import LOGIN_AT, SEEN_AT
from accounts.tests.factories import login_verified, post_login, session_cookie_name, totp_device
from core.actor import Actor
from core.models import AuditEntry
from orgs.choices import Role

HOME = "/"
LOGIN = "/accounts/login/"


def signed_in(tree, role=Role.REPORTER) -> tuple[Client, object]:
    client = Client()
    user = tree.user(role)
    response = post_login(client, user.username)
    assert response.status_code == 302
    return client, user


def age_session(client: Client, *, idle: int = 0, since_login: int = 0) -> str:
    session = client.session
    now = int(time.time())
    session[SEEN_AT] = now - idle
    session[LOGIN_AT] = now - since_login
    session.save()
    return session.session_key


# ---------------------------------------------------------------- row 5: idle and absolute limits


def test_after_31_minutes_idle_the_session_ends_on_the_server(tree):
    client, user = signed_in(tree)
    key = age_session(client, idle=31 * 60, since_login=31 * 60)
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"] == f"{LOGIN}?expired=1"
    assert not Session.objects.filter(session_key=key).exists()
    row = AuditEntry.objects.get(event="accounts.session_expired")
    assert (row.user_id, row.detail) == (user.pk, {"reason": "idle"})
    assert client.get(HOME).status_code == 302  # and nothing is left to resume
    assert "您已退出登录" in client.get(f"{LOGIN}?expired=1").content.decode()


def test_29_minutes_idle_keeps_the_session_and_renews_it(tree):
    client, _user = signed_in(tree)
    age_session(client, idle=29 * 60, since_login=29 * 60)
    assert client.get(HOME).status_code == 200
    assert int(time.time()) - client.session[SEEN_AT] < 5
    assert not AuditEntry.objects.filter(event="accounts.session_expired").exists()


def test_a_session_older_than_12_hours_must_log_in_again_even_when_active(tree):
    client, user = signed_in(tree)
    key = age_session(client, idle=60, since_login=12 * 3600 + 1)
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"] == f"{LOGIN}?expired=1"
    assert not Session.objects.filter(session_key=key).exists()
    assert AuditEntry.objects.get(event="accounts.session_expired").detail == {"reason": "absolute"}


def test_login_stamps_both_session_clocks(tree):
    client, _user = signed_in(tree)
    now = int(time.time())
    assert now - client.session[LOGIN_AT] < 5 and now - client.session[SEEN_AT] < 5


# ---------------------------------------------------------------- row 6: fixation and termination


def test_the_session_id_changes_at_login(tree):
    client = Client()
    user = tree.user(Role.REPORTER)
    session = client.session
    session["before_login"] = True
    session.save()
    old_key = session.session_key
    post_login(client, user.username)
    new_key = client.cookies[session_cookie_name()].value
    assert new_key != old_key
    assert not Session.objects.filter(session_key=old_key).exists()
    assert Session.objects.filter(session_key=new_key).exists()


def test_the_old_cookie_replayed_after_logout_is_refused(tree):
    client, _user = signed_in(tree)
    key = client.cookies[session_cookie_name()].value
    assert client.post("/accounts/logout/").status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    replay = Client()
    replay.cookies[session_cookie_name()] = key
    response = replay.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_a_deactivated_user_is_out_on_the_next_request_and_the_token_is_refused(tree):
    client, user = signed_in(tree)
    key = client.cookies[session_cookie_name()].value
    token = Token.objects.create(user=user)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/organisations/").status_code == 200
    services.user_set_active(by=Actor(user=tree.user(Role.UNION_ADMIN)), user=user, active=False)

    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert not Session.objects.filter(session_key=key).exists()
    row = AuditEntry.objects.filter(event="accounts.session_expired").get()
    assert (row.object_id, row.detail) == (str(user.pk), {"reason": "account_disabled"})
    # The token was revoked with the account; a token made afterwards is refused too.
    assert api.get("/api/v1/organisations/").status_code == 401
    again = Token.objects.create(user=user)
    assert Client(HTTP_AUTHORIZATION=f"Token {again.key}").get("/api/v1/organisations/").status_code == 401


# ---------------------------------------------------------------- rows 3 and 7: obligations first


def test_an_initial_password_must_be_changed_before_anything_else(tree):
    client, user = signed_in(tree)
    type(user).objects.filter(pk=user.pk).update(must_change_password=True)
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"] == "/accounts/password/"
    assert client.get("/accounts/password/").status_code == 200


def test_a_password_older_than_90_days_goes_to_the_change_page_at_login(tree):
    user = tree.user(Role.REPORTER)
    type(user).objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timezone.timedelta(days=91))
    client = Client()
    response = post_login(client, user.username)
    assert response.status_code == 302 and response["Location"] == "/accounts/password/"
    assert client.get(HOME)["Location"] == "/accounts/password/"
    assert client.get("/accounts/me/")["Location"] == "/accounts/password/"


def test_a_password_89_days_old_is_still_fine(tree):
    user = tree.user(Role.REPORTER)
    type(user).objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timezone.timedelta(days=89))
    client = Client()
    assert post_login(client, user.username)["Location"] == "/"
    assert client.get(HOME).status_code == 200


def test_demo_mode_skips_the_forced_change(tree, settings):
    settings.DEMO_MODE = True
    client, user = signed_in(tree)
    type(user).objects.filter(pk=user.pk).update(must_change_password=True)
    assert client.get(HOME).status_code == 200


ADMIN_PAGES = {
    Role.SYS_ADMIN: "/accounts/users/",
    Role.SEC_ADMIN: "/accounts/security/",
    Role.AUDIT_ADMIN: "/audit/",
}


@pytest.mark.parametrize("role", list(ADMIN_PAGES))
def test_no_administrator_page_is_reachable_with_the_password_alone(tree, role):
    client, user = signed_in(tree, role)
    totp_device(user)
    for path in (ADMIN_PAGES[role], HOME, "/accounts/me/", "/orgs/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/accounts/otp/", path
    # The session-authenticated API is closed too: the unverified session is ended.
    assert client.get("/api/v1/users/me/").status_code in (401, 403)
    assert client.get(HOME)["Location"].startswith(LOGIN)


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (Role.SYS_ADMIN, "/accounts/users/"),
        (Role.SEC_ADMIN, "/accounts/security/"),
        (Role.AUDIT_ADMIN, "/accounts/me/"),
    ],
)
def test_administrators_with_both_factors_get_in(tree, role, path):
    client = Client()
    login_verified(client, tree.user(role))
    assert client.get(path).status_code == 200


def test_an_administrator_without_a_device_is_sent_to_set_one_up(tree):
    client, _user = signed_in(tree, Role.SEC_ADMIN)
    assert client.get("/accounts/security/")["Location"] == "/accounts/otp/"
    assert client.get("/accounts/otp/")["Location"] == "/accounts/otp/setup/"
    assert client.get("/accounts/otp/setup/").status_code == 200


def test_other_roles_need_no_second_factor(tree):
    client, _user = signed_in(tree, Role.UNION_ADMIN)
    assert client.get("/accounts/users/").status_code == 200


def test_demo_mode_waives_the_second_factor(tree, settings):
    settings.DEMO_MODE = True
    client, _user = signed_in(tree, Role.SEC_ADMIN)
    assert client.get("/accounts/security/").status_code == 200
