"""Account pages: sign-in (SECURITY rows 1, 4, 20, 25), password change (row 2), the second factor
(row 7), my account, the security administrator's page, and user and role management (row 12)."""

import logging
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from accounts.models import User
from accounts.services import OTP_PENDING_KEY
from accounts.tests.factories import login_verified, post_login, totp_code, totp_device, wrong_code
from core.models import AuditEntry
from orgs.choices import Role
from orgs.models import Membership
from orgs.tests.factories import TEST_PASSWORD, make_user

IP1, IP2 = "10.1.1.1", "10.2.2.2"
GENERIC = "用户名或密码错误。"
LOCKED = "登录失败次数过多，该账号在本地址已被锁定15分钟。如需提前解锁，请联系安全管理员。"
SEPARATION = "系统管理员、安全管理员、审计管理员必须由不同账号担任，且不得兼任其他角色。"


def alerts(response) -> list[str]:
    """The text of the page's error alerts, whitespace collapsed."""
    html = response.content.decode()
    found = re.findall(r'<div class="alert alert-danger[^"]*"[^>]*>(.*?)</div>\s*(?:</div>|<)', html, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", block)).strip() for block in found]


UNKNOWN_ORG = "找不到机构“{}”：请输入机构名称、简称、拼音首字母或代码，并从列表中选择。"


def field_errors(response) -> list[str]:
    html = response.content.decode()
    return [e.strip() for e in re.findall(r'<div class="invalid-feedback d-block">(.*?)</div>', html, re.S)]


def is_signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


# ---------------------------------------------------------------- sign-in


def test_login_page_is_public_and_in_chinese(db):
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    assert "用户名" in response.content.decode() and "密码" in response.content.decode()


def test_login_and_logout_each_write_one_audit_row(tree):
    user = tree.user(Role.REPORTER)
    client = Client()
    response = post_login(client, user.username.upper(), ip=IP1)  # usernames match regardless of case
    assert response.status_code == 302 and response["Location"] == "/"
    assert is_signed_in(client)
    login = AuditEntry.objects.get(event="accounts.login")
    assert (login.user_id, login.ip, login.success, login.role) == (user.pk, IP1, True, "reporter@E-A1")
    assert client.post("/accounts/logout/", REMOTE_ADDR=IP1)["Location"] == "/accounts/login/"
    assert not is_signed_in(client)
    assert AuditEntry.objects.filter(event="accounts.logout", user_id=user.pk).count() == 1
    assert AuditEntry.objects.filter(event__startswith="accounts.").count() == 2


def test_a_sign_in_whose_session_cannot_be_stored_is_not_audited_as_done(tree, monkeypatch):
    # issue 17: under a locked database the session was lost after "登录" had been audited as a success.
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import OperationalError

    def locked(self, must_create=False):
        raise OperationalError("database is locked")

    user = tree.user(Role.REPORTER)
    monkeypatch.setattr(SessionStore, "save", locked)
    response = post_login(Client(), user.username, ip=IP1)

    assert response.status_code == 503
    assert "登录未能完成（服务器繁忙），请稍后再试一次。" in alerts(response)
    assert not AuditEntry.objects.filter(event="accounts.login").exists()


def test_login_follows_a_local_next_but_not_another_site(tree):
    user = tree.user(Role.REPORTER)
    assert post_login(Client(), user.username, next="/orgs/")["Location"] == "/orgs/"
    assert post_login(Client(), user.username, next="https://evil.example/")["Location"] == "/"


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(tree):
    user = tree.user(Role.REPORTER)
    wrong = post_login(Client(), user.username, "Wrong-Passw0rd", ip=IP1)
    unknown = post_login(Client(), "nobody-here", "Wrong-Passw0rd", ip=IP2)
    assert wrong.status_code == unknown.status_code == 200
    assert alerts(wrong) == alerts(unknown) == [GENERIC]
    rows = AuditEntry.objects.filter(event="accounts.login_failed").order_by("id")
    assert [(r.success, r.detail["reason"]) for r in rows] == [(False, "wrong_password"), (False, "unknown_user")]
    assert [r.object_id for r in rows] == [str(user.pk), ""]


def test_login_failure_audit_never_holds_the_password(tree):
    user = tree.user(Role.REPORTER)
    post_login(Client(), user.username, "Secret-Guess-123")
    assert "Secret-Guess-123" not in str(list(AuditEntry.objects.values()))
    assert "Secret-Guess-123" not in str(list(AccessAttempt.objects.values()))


def test_demo_accounts_are_refused_outside_demo_mode(tree, settings):
    demo = make_user("demo_reporter", is_demo=True)
    settings.DEMO_MODE = False
    client = Client()
    response = post_login(client, demo.username)
    assert alerts(response) == [GENERIC] and not is_signed_in(client)
    assert AuditEntry.objects.get(event="accounts.login_failed").detail["reason"] == "demo_account"
    settings.DEMO_MODE = True
    assert post_login(client, demo.username).status_code == 302 and is_signed_in(client)


def test_a_deactivated_account_cannot_sign_in(tree):
    user = tree.user(Role.REPORTER)
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = post_login(Client(), user.username)
    assert alerts(response) == [GENERIC]
    assert AuditEntry.objects.get(event="accounts.login_failed").detail["reason"] == "inactive"


def test_five_failures_lock_the_pair_even_for_the_right_password(tree):
    user = tree.user(Role.REPORTER)
    client = Client()
    answers = [post_login(client, user.username, f"Wrong-{n}", ip=IP1) for n in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    sixth = post_login(client, user.username, TEST_PASSWORD, ip=IP1)
    assert sixth.status_code == 429
    assert alerts(sixth) == [LOCKED]
    assert sixth["Retry-After"] == "900"
    assert not is_signed_in(client)
    failures = AuditEntry.objects.filter(event="accounts.login_failed", success=False).order_by("id")
    assert [r.detail["reason"] for r in failures] == ["wrong_password"] * 4 + ["locked", "locked"]
    assert {r.ip for r in failures} == {IP1}

    # The same account from another address is not locked out.
    elsewhere = Client()
    assert post_login(elsewhere, user.username, ip=IP2).status_code == 302 and is_signed_in(elsewhere)


def test_an_unknown_username_is_locked_with_the_same_message(tree):
    client = Client()
    for n in range(5):
        post_login(client, "ghost", f"Wrong-{n}", ip=IP1)
    response = post_login(client, "ghost", "whatever", ip=IP1)
    assert response.status_code == 429 and alerts(response) == [LOCKED]


def test_the_lock_ends_after_the_cool_off(tree, settings):
    from django.utils import timezone

    user = tree.user(Role.REPORTER)
    for n in range(5):
        post_login(Client(), user.username, f"Wrong-{n}", ip=IP1)
    assert timezone.timedelta(minutes=10) <= settings.AXES_COOLOFF_TIME
    AccessAttempt.objects.update(attempt_time=timezone.now() - timezone.timedelta(minutes=9))
    assert post_login(Client(), user.username, ip=IP1).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timezone.timedelta(seconds=1)
    )
    assert post_login(Client(), user.username, ip=IP1).status_code == 302


def test_the_security_administrator_unlocks_a_pair(tree):
    user = tree.user(Role.REPORTER)
    for n in range(5):
        post_login(Client(), user.username, f"Wrong-{n}", ip=IP1)
    admin = Client()
    login_verified(admin, tree.user(Role.SEC_ADMIN))
    page = admin.get("/accounts/security/")
    assert page.status_code == 200 and user.username in page.content.decode() and IP1 in page.content.decode()
    response = admin.post("/accounts/security/unlock/", {"username": user.username, "ip": IP1})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert AuditEntry.objects.get(event="accounts.lockout_reset").detail["username"] == user.username
    assert post_login(Client(), user.username, ip=IP1).status_code == 302


def test_password_spraying_from_one_address_is_throttled(tree, settings):
    settings.LOCKOUT_ADDRESS_FAILURES = 10
    victim = tree.user(Role.REPORTER)
    for n in range(10):
        post_login(Client(), f"user{n}", "Spring-2026!", ip=IP1)
    client = Client()
    response = post_login(client, victim.username, ip=IP1)
    assert response.status_code == 429 and response["Retry-After"] == "900"
    assert "本地址登录失败次数过多，请15分钟后再试。" in response.content.decode()
    assert not is_signed_in(client)
    last = AuditEntry.objects.filter(event="accounts.login_failed").order_by("-id").first()
    assert last.detail["reason"] == "address_throttled"
    assert post_login(Client(), victim.username, ip=IP2).status_code == 302


def test_a_username_with_line_breaks_stays_one_escaped_line(tree, caplog):
    caplog.set_level(logging.DEBUG)
    post_login(Client(), "a\r\nfake", "Wrong-1")
    row = AuditEntry.objects.get(event="accounts.login_failed")
    assert row.detail["username"] == "a\\r\\nfake" and row.object_repr == "a\\r\\nfake"
    stored = [row.username, row.object_repr, *map(str, row.detail.values())]
    assert not any("\n" in value or "\r" in value for value in stored)
    assert AccessAttempt.objects.get().username == "a\\r\\nfake"
    assert not any("\nfake" in record.getMessage() for record in caplog.records)


# ---------------------------------------------------------------- CSRF (row 25)


def test_login_without_a_csrf_token_is_refused_in_chinese(tree):
    user = tree.user(Role.REPORTER)
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 403
    assert "页面已过期或缺少安全令牌，请刷新页面后重新提交。" in response.content.decode()
    assert not is_signed_in(client)


def test_another_sessions_csrf_token_is_refused_and_ones_own_accepted(tree):
    from django.conf import settings

    user = tree.user(Role.REPORTER)
    other = Client(enforce_csrf_checks=True)
    other.get("/accounts/login/")
    foreign = other.cookies[settings.CSRF_COOKIE_NAME].value
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")
    own = client.cookies[settings.CSRF_COOKIE_NAME].value
    data = {"username": user.username, "password": TEST_PASSWORD}
    assert client.post("/accounts/login/", {**data, "csrfmiddlewaretoken": foreign}).status_code == 403
    assert client.post("/accounts/login/", {**data, "csrfmiddlewaretoken": own}).status_code == 302


def test_logout_by_get_is_not_allowed(tree):
    client = Client(enforce_csrf_checks=True)
    client.force_login(tree.user(Role.REPORTER))
    assert client.get("/accounts/logout/").status_code == 405
    assert is_signed_in(client)
    assert client.post("/accounts/logout/").status_code == 403  # no token


# ---------------------------------------------------------------- password change (rows 2 and 3)


def _change(client, old, new, confirm=None):
    return client.post(
        "/accounts/password/", {"old_password": old, "new_password1": new, "new_password2": confirm or new}
    )


@pytest.mark.parametrize(
    ("new", "errors"),
    [
        ("abc12345", ["这个密码太常见了。", "密码须至少包含大写字母、小写字母、数字、符号中的3类。"]),
        ("Password1", ["这个密码太常见了。"]),
        ("Ab1-xyz", ["密码太短：至少需要8个字符。"]),
    ],
)
def test_weak_new_passwords_are_refused_with_chinese_messages(tree, new, errors):
    user = tree.user(Role.REPORTER)
    client = Client()
    client.force_login(user)
    response = _change(client, TEST_PASSWORD, new)
    assert response.status_code == 200 and field_errors(response) == errors
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_a_64_character_passphrase_is_accepted_through_the_page(tree):
    user = tree.user(Role.REPORTER)
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    client = Client()
    client.force_login(user)
    passphrase = "Seven Colour Clouds over Kunming; the Stone Forest waits in 2026"
    response = _change(client, TEST_PASSWORD, passphrase)
    assert response.status_code == 302 and response["Location"] == "/"
    user.refresh_from_db()
    assert user.check_password(passphrase) and not user.check_password(passphrase[:-1])
    assert not user.must_change_password and user.password_changed_at is not None
    assert is_signed_in(client)  # this session survives the change
    assert client.get("/").status_code == 200


def test_wrong_old_password_and_mismatch_are_refused(tree):
    user = tree.user(Role.REPORTER)
    client = Client()
    client.force_login(user)
    assert field_errors(_change(client, "not-it", "Erhai-Lake-2026")) == ["当前密码不正确，请重新输入。"]
    assert field_errors(_change(client, TEST_PASSWORD, "Erhai-Lake-2026", "Erhai-Lake-2027")) == [
        "两次输入的新密码不一致。"
    ]


def test_one_of_the_last_five_passwords_is_refused_on_the_page(tree):
    user = tree.user(Role.REPORTER)
    client = Client()
    client.force_login(user)
    current = TEST_PASSWORD
    for n in range(1, 5):
        new = f"Cangshan-Peak-{n}"
        assert _change(client, current, new).status_code == 302
        current = new
    response = _change(client, current, TEST_PASSWORD)  # the first of the last five
    assert field_errors(response) == ["不能使用最近5次用过的密码。"]


# ---------------------------------------------------------------- second factor (row 7)


def test_an_administrator_signs_in_with_password_then_totp(tree, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    admin = tree.user(Role.SYS_ADMIN)
    device = totp_device(admin)
    client = Client()
    assert post_login(client, admin.username)["Location"] == "/accounts/otp/"
    assert client.get("/accounts/users/")["Location"] == "/accounts/otp/"

    refused = client.post("/accounts/otp/", {"token": wrong_code(device)})
    assert refused.status_code == 200
    assert field_errors(refused) == ["动态验证码不正确或已使用过，请输入验证器上的最新验证码。"]
    assert client.get("/accounts/users/").status_code == 302
    assert AuditEntry.objects.get(event="accounts.otp_failed").success is False

    code = totp_code(device)
    assert client.post("/accounts/otp/", {"token": code})["Location"] == "/"
    assert client.get("/accounts/users/").status_code == 200
    assert AuditEntry.objects.filter(event="accounts.otp_verified", user_id=admin.pk).count() == 1

    # The same code in a new session is refused (django-otp keeps the last used time step).
    replay = Client()
    post_login(replay, admin.username)
    again = replay.post("/accounts/otp/", {"token": code})
    assert field_errors(again) == ["动态验证码不正确或已使用过，请输入验证器上的最新验证码。"]
    assert replay.get("/accounts/users/").status_code == 302


def test_a_second_factor_whose_session_cannot_be_stored_is_not_audited_as_verified(tree, settings, monkeypatch):
    # issue 17: as with the password, the second factor is audited as verified only once the session that
    # carries it is stored; otherwise the person is told to try again and still holds one factor.
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import OperationalError

    def locked(self, must_create=False):
        raise OperationalError("database is locked")

    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    admin = tree.user(Role.SYS_ADMIN)
    device = totp_device(admin)
    client = Client()
    assert post_login(client, admin.username)["Location"] == "/accounts/otp/"
    with monkeypatch.context() as patched:
        patched.setattr(SessionStore, "save", locked)
        response = client.post("/accounts/otp/", {"token": totp_code(device)})

    assert response.status_code == 503
    assert alerts(response) == ["验证未能完成（服务器繁忙），请稍后用验证器上的新验证码再试一次。"]
    assert not AuditEntry.objects.filter(event="accounts.otp_verified").exists()
    assert client.get("/accounts/users/")["Location"] == "/accounts/otp/"
    assert client.post("/accounts/otp/", {"token": totp_code(device, steps=1)})["Location"] == "/"
    assert AuditEntry.objects.filter(event="accounts.otp_verified", user_id=admin.pk).count() == 1


def test_repeated_wrong_codes_are_throttled(tree):
    admin = tree.user(Role.SEC_ADMIN)
    device = totp_device(admin)
    client = Client()
    post_login(client, admin.username)
    client.post("/accounts/otp/", {"token": wrong_code(device)})
    response = client.post("/accounts/otp/", {"token": totp_code(device)})  # right, but too soon
    assert field_errors(response) == ["验证失败次数过多，请稍候片刻再输入新的验证码。"]
    assert client.get("/accounts/security/").status_code == 302
    reasons = list(
        AuditEntry.objects.filter(event="accounts.otp_failed").order_by("id").values_list("detail", flat=True)
    )
    assert [r["reason"] for r in reasons] == ["wrong_code", "throttled"]


def test_a_code_that_is_not_six_digits_is_refused_before_checking(tree):
    admin = tree.user(Role.SEC_ADMIN)
    totp_device(admin)
    client = Client()
    post_login(client, admin.username)
    assert field_errors(client.post("/accounts/otp/", {"token": "１２３４５６"})) == ["动态验证码应为 6 位数字。"]
    assert not AuditEntry.objects.filter(event="accounts.otp_failed").exists()


def test_setup_shows_an_inline_svg_qr_code_and_the_secret_then_confirms(tree):
    admin = tree.user(Role.AUDIT_ADMIN)
    client = Client()
    post_login(client, admin.username)
    page = client.get("/accounts/otp/setup/")
    html = page.content.decode()
    assert page.status_code == 200
    assert re.search(r'<svg class="otp-qr" role="img" [^>]*viewBox=', html) and "<path" in html
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    # Showing the page stores nothing (issue 11: GET never writes); the secret waits in the session.
    assert not TOTPDevice.objects.filter(user=admin).exists()
    pending = TOTPDevice(user=admin, key=client.session[OTP_PENDING_KEY])
    from accounts.services import otp_secret_base32

    assert " ".join(otp_secret_base32(pending)[i : i + 4] for i in range(0, 32, 4)) in html
    assert otp_secret_base32(pending)[:4] in client.get("/accounts/otp/setup/").content.decode()  # the same secret
    assert not TOTPDevice.objects.filter(user=admin).exists()

    response = client.post("/accounts/otp/setup/", {"token": totp_code(pending)})
    assert response.status_code == 302
    pending = TOTPDevice.objects.get(user=admin)
    assert pending.confirmed
    row = AuditEntry.objects.get(event="accounts.otp_setup")
    assert pending.key not in str(row.detail) and pending.key not in str(row.after)
    assert client.get("/accounts/me/").status_code == 200


def test_a_second_device_cannot_be_enrolled_with_the_password_alone(tree):
    admin = tree.user(Role.SYS_ADMIN)
    totp_device(admin)
    client = Client()
    post_login(client, admin.username)
    assert client.get("/accounts/otp/setup/")["Location"] == "/accounts/otp/"
    assert client.post("/accounts/otp/setup/", {"token": "123456"})["Location"] == "/accounts/otp/"
    assert TOTPDevice.objects.filter(user=admin).count() == 1


def test_other_users_may_set_up_a_second_factor_from_their_profile(tree):
    user = tree.user(Role.REPORTER)
    client = Client()
    client.force_login(user)
    assert "/accounts/otp/setup/" in client.get("/accounts/me/").content.decode()
    client.get("/accounts/otp/setup/")
    device = TOTPDevice(user=user, key=client.session[OTP_PENDING_KEY])
    assert client.post("/accounts/otp/setup/", {"token": totp_code(device)}).status_code == 302
    assert client.get("/").status_code == 200  # confirming the device verified this session
    assert AuditEntry.objects.filter(event="accounts.otp_setup", user_id=user.pk).count() == 1


# ---------------------------------------------------------------- my account


def test_profile_lists_my_roles_and_shows_a_new_token_once(tree):
    user = tree.user(Role.REPORTER)
    Membership.objects.create(user=user, org=tree.ent_a2, role=Role.LIAISON)
    client = Client()
    client.force_login(user)
    page = client.get("/accounts/me/").content.decode()
    assert "企业填报员" in page and "昆明供电局" in page and "联络员" in page and "曲靖供电局" in page
    response = client.post("/accounts/me/token/")
    key = Token.objects.get(user=user).key
    assert response.status_code == 200 and key in response.content.decode()
    assert response["Cache-Control"].startswith("no-store") or "no-cache" in response["Cache-Control"]
    assert key not in client.get("/accounts/me/").content.decode()
    assert client.post("/accounts/me/token/revoke/").status_code == 302
    assert not Token.objects.filter(user=user).exists()


# ---------------------------------------------------------------- security page


@pytest.mark.parametrize("role", [Role.SYS_ADMIN, Role.AUDIT_ADMIN, Role.UNION_ADMIN, Role.REPORTER])
def test_only_the_security_administrator_opens_the_security_page(tree, role):
    client = Client()
    login_verified(client, tree.user(role))
    assert client.get("/accounts/security/").status_code == 403
    assert client.post("/accounts/security/unlock/", {"username": "x", "ip": IP1}).status_code == 403
    allowed = Client()
    login_verified(allowed, tree.user(Role.SEC_ADMIN))
    page = allowed.get("/accounts/security/")
    assert page.status_code == 200
    assert "同一用户名在同一地址连续失败5次，锁定15分钟" in page.content.decode()


def test_security_administrator_lifts_an_address_throttle(tree, settings):
    settings.LOCKOUT_ADDRESS_FAILURES = 2
    for n in range(2):
        post_login(Client(), f"spray{n}", "x", ip=IP1)
    admin = Client()
    login_verified(admin, tree.user(Role.SEC_ADMIN))
    bad = admin.post("/accounts/security/address/", {"ip": "not-an-ip"})
    assert field_errors(bad) == ["“not-an-ip”不是有效的 IP 地址。"]
    assert admin.post("/accounts/security/address/", {"ip": IP1}).status_code == 302
    assert AuditEntry.objects.get(event="accounts.address_unblock").detail == {"ip": IP1}
    assert post_login(Client(), tree.user(Role.REPORTER).username, ip=IP1).status_code == 302


# ---------------------------------------------------------------- users and roles


def manager_client(tree, role=Role.UNION_ADMIN) -> Client:
    client = Client()
    login_verified(client, tree.user(role))
    return client


def test_union_admin_lists_only_its_subtree(tree):
    inside = tree.user(Role.REPORTER, tree.unit_a1)
    outside = tree.user(Role.REPORTER, tree.ent_b1)
    page = manager_client(tree).get("/accounts/users/").content.decode()
    assert inside.username in page and outside.username not in page
    assert "union_admin_u-a" in page


def test_user_list_search_and_pagination(tree):
    for n in range(55):
        make_user(f"worker{n:02d}", role=Role.INFO_OFFICER, org=tree.ent_a2, full_name=f"职工{n}")
    client = manager_client(tree)
    first = client.get("/accounts/users/").content.decode()
    assert "第 1 / 2 页" in first
    second = client.get("/accounts/users/?page=2").content.decode()
    assert "第 2 / 2 页" in second
    found = client.get("/accounts/users/?q=职工7").content.decode()
    assert "worker07" in found and "worker08" not in found
    partial = client.get("/accounts/users/?q=worker1", HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and "worker10" in partial.content.decode()


def test_user_list_has_a_fixed_query_budget(tree, django_assert_num_queries):
    client = manager_client(tree)
    for n in range(3):
        make_user(f"few{n}", role=Role.REPORTER, org=tree.ent_a2)
    client.get("/accounts/users/")  # warm the session and content types
    with django_assert_num_queries(QUERY_BUDGET):
        assert client.get("/accounts/users/").status_code == 200
    for n in range(30):
        make_user(f"many{n}", role=Role.LIAISON, org=tree.unit_a1)
    with django_assert_num_queries(QUERY_BUDGET):
        assert client.get("/accounts/users/").status_code == 200


# session, user, OTP device, own memberships, count, page, the page's memberships (prefetched), the
# session save (a savepoint, the update, its release) and the unread-notification badge: the same for 3 users or 33.
QUERY_BUDGET = 11


@pytest.mark.parametrize("role", [Role.REPORTER, Role.LEADER, Role.AUDIT_ADMIN, Role.DEPT_VIEWER])
def test_roles_without_user_management_are_refused_the_pages(tree, role):
    client = manager_client(tree, role)
    assert client.get("/accounts/users/").status_code == 403
    assert client.get("/accounts/users/new/").status_code == 403


def test_the_security_administrator_lists_accounts_but_creates_none(tree):
    # 三权分立 (issue 11): whoever grants rights never creates an account or knows a password.
    client = manager_client(tree, Role.SEC_ADMIN)
    assert client.get("/accounts/users/").status_code == 200
    refused = client.get("/accounts/users/new/")
    assert refused.status_code == 403
    assert "安全管理员不能创建账号、设置密码或停用账号" in refused.content.decode()


def test_create_a_user_and_show_the_initial_password_once(tree):
    client = manager_client(tree)
    response = client.post(
        "/accounts/users/new/",
        {"username": "zhao.liu", "full_name": "赵六", "email": "", "org": "E-A2", "role": Role.INFO_OFFICER},
    )
    assert response.status_code == 200
    user = User.objects.get(username="zhao.liu")
    password = re.search(r'<code class="[^"]*issued-password">([^<]+)</code>', response.content.decode()).group(1)
    assert user.check_password(password) and user.must_change_password
    assert list(user.memberships.values_list("org__code", "role")) == [("E-A2", "info_officer")]
    detail = client.get(f"/accounts/users/{user.pk}/").content.decode()
    assert password not in detail


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"username": "ADMIN"}, "username", "用户名已存在"),
        ({"org": "E-B1"}, "org", UNKNOWN_ORG.format("E-B1")),
        ({"org": "云南铜业股份"}, "org", UNKNOWN_ORG.format("云南铜业股份")),
        ({"org": "NOPE"}, "org", UNKNOWN_ORG.format("NOPE")),
        ({"role": Role.SYS_ADMIN}, "role", "选择一个有效的选项。 sys_admin 不在可用的选项中。"),
    ],
)
def test_create_a_user_refusals(tree, data, field, message):
    make_user("admin")
    client = manager_client(tree)
    before = User.objects.count()
    base = {"username": "new.one", "full_name": "新人", "email": "", "org": "E-A1", "role": Role.REPORTER}
    response = client.post("/accounts/users/new/", {**base, **data})
    assert response.status_code == 200 and message in field_errors(response)
    assert User.objects.count() == before


@pytest.mark.parametrize("typed", ["曲靖供电局", "qjgdj", "E-A2"])
def test_create_a_user_at_an_organisation_typed_by_name_initials_or_code(tree, typed):
    """Walk-through finding: the new-user form took only an organisation code ("大理供电局" was refused)."""
    client = manager_client(tree)
    data = {"username": "li.si", "full_name": "李四", "email": "", "org": typed, "role": Role.REPORTER}
    response = client.post("/accounts/users/new/", data)
    assert response.status_code == 200, field_errors(response)
    assert list(User.objects.get(username="li.si").memberships.values_list("org__code", flat=True)) == ["E-A2"]


def test_the_new_user_form_offers_the_organisation_picker(tree):
    page = manager_client(tree).get("/accounts/users/new/").content.decode()
    assert 'data-org-picker data-url="/orgs/pick.json?for=users"' in page
    assert 'list="org-codes"' not in page


def test_user_detail_404_outside_reach_403_inside_without_the_right(tree):
    union_admin = manager_client(tree)
    other_branch = tree.user(Role.REPORTER, tree.ent_b1)
    own = tree.user(Role.REPORTER)
    assert union_admin.get(f"/accounts/users/{other_branch.pk}/").status_code == 404
    assert union_admin.get("/accounts/users/999999/").status_code == 404
    assert union_admin.get(f"/accounts/users/{own.pk}/").status_code == 200

    reporter = manager_client(tree, Role.INFO_OFFICER)  # at E-A1, no user management
    assert reporter.get(f"/accounts/users/{own.pk}/").status_code == 403
    assert reporter.get(f"/accounts/users/{other_branch.pk}/").status_code == 404
    for path in ("grant/", "active/", "password/"):
        assert reporter.post(f"/accounts/users/{other_branch.pk}/{path}").status_code == 404
        assert reporter.post(f"/accounts/users/{own.pk}/{path}").status_code == 403


def test_union_admin_grants_and_revokes_a_role(tree):
    client = manager_client(tree)
    target = tree.user(Role.REPORTER)
    response = client.post(f"/accounts/users/{target.pk}/grant/", {"org": "E-A2", "role": Role.LIAISON})
    assert response.status_code == 302
    membership = Membership.objects.get(user=target, org=tree.ent_a2, role=Role.LIAISON)
    assert AuditEntry.objects.filter(event="orgs.membership.grant", object_id=str(membership.pk)).count() == 1
    url = f"/accounts/users/{target.pk}/memberships/{membership.pk}/revoke/"
    assert client.post(url).status_code == 302
    membership.refresh_from_db()
    assert not membership.is_active


@pytest.mark.parametrize("typed", ["曲靖供电局", "qjgdj"])
def test_a_role_is_granted_at_an_organisation_typed_by_name_or_initials(tree, typed):
    client = manager_client(tree)
    target = tree.user(Role.REPORTER)
    page = client.get(f"/accounts/users/{target.pk}/").content.decode()
    assert 'data-org-picker data-url="/orgs/pick.json?for=users"' in page
    response = client.post(f"/accounts/users/{target.pk}/grant/", {"org": typed, "role": Role.LIAISON})
    assert response.status_code == 302
    assert Membership.objects.filter(user=target, org=tree.ent_a2, role=Role.LIAISON).count() == 1


def test_a_membership_of_another_branch_cannot_be_revoked_by_url(tree):
    client = manager_client(tree)
    target = tree.user(Role.REPORTER)
    foreign = Membership.objects.create(user=target, org=tree.ent_b1, role=Role.REPORTER)
    assert client.post(f"/accounts/users/{target.pk}/memberships/{foreign.pk}/revoke/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.is_active
    page = client.get(f"/accounts/users/{target.pk}/").content.decode()
    assert "云南铜业股份" not in page and "管理范围之外还担任 1 个角色" in page


def test_the_audit_administrator_cannot_change_roles(tree):
    target = tree.user(Role.REPORTER)
    client = manager_client(tree, Role.AUDIT_ADMIN)
    response = client.post(f"/accounts/users/{target.pk}/grant/", {"org": "E-A1", "role": Role.LIAISON})
    assert response.status_code == 403
    membership = target.memberships.get()
    assert client.post(f"/accounts/users/{target.pk}/memberships/{membership.pk}/revoke/").status_code == 403
    assert list(target.memberships.filter(is_active=True).values_list("role", flat=True)) == ["reporter"]
    allowed = manager_client(tree, Role.SEC_ADMIN)
    assert allowed.post(f"/accounts/users/{target.pk}/grant/", {"org": "E-A1", "role": Role.LIAISON}).status_code == 302


def test_one_account_cannot_hold_two_of_the_three_administrator_roles(tree):
    audit_admin = tree.user(Role.AUDIT_ADMIN)
    client = manager_client(tree, Role.SEC_ADMIN)
    response = client.post(f"/accounts/users/{audit_admin.pk}/grant/", {"org": "530000", "role": Role.SEC_ADMIN})
    assert response.status_code == 200
    assert SEPARATION in field_errors(response)
    assert list(audit_admin.memberships.values_list("role", flat=True)) == ["audit_admin"]


def test_union_admin_cannot_grant_an_office_role(tree):
    client = manager_client(tree)
    target = tree.user(Role.REPORTER)
    response = client.post(f"/accounts/users/{target.pk}/grant/", {"org": "E-A1", "role": Role.OFFICE_ADMIN})
    assert response.status_code == 200 and "选择一个有效的选项。 office_admin 不在可用的选项中。" in field_errors(
        response
    )
    assert target.memberships.count() == 1


def test_deactivate_reactivate_and_reset_password_through_the_page(tree):
    client = manager_client(tree)
    target = tree.user(Role.REPORTER)
    assert client.post(f"/accounts/users/{target.pk}/active/", {"active": "0"}).status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    assert client.post(f"/accounts/users/{target.pk}/active/", {"active": "1"}).status_code == 302
    target.refresh_from_db()
    assert target.is_active
    response = client.post(f"/accounts/users/{target.pk}/password/")
    password = re.search(r'<code class="[^"]*issued-password">([^<]+)</code>', response.content.decode()).group(1)
    target.refresh_from_db()
    assert target.check_password(password) and target.must_change_password


def test_a_manager_cannot_deactivate_themselves_through_the_page(tree):
    client = manager_client(tree)
    me = tree.user(Role.UNION_ADMIN)
    response = client.post(f"/accounts/users/{me.pk}/active/", {"active": "0"}, follow=True)
    assert "不能停用或启用自己的账号。" in response.content.decode()
    me.refresh_from_db()
    assert me.is_active


def test_a_user_with_a_role_elsewhere_is_not_deactivated_by_the_union(tree):
    client = manager_client(tree)
    target = tree.user(Role.REPORTER)
    Membership.objects.create(user=target, org=tree.ent_b1, role=Role.REPORTER)
    response = client.post(f"/accounts/users/{target.pk}/active/", {"active": "0"}, follow=True)
    assert "在您的管理范围之外还担任其他角色，只能由上级管理员处理。" in response.content.decode()
    target.refresh_from_db()
    assert target.is_active


# ---------------------------------------------------------------- error pages


def test_not_found_and_forbidden_pages_are_in_chinese(tree):
    client = manager_client(tree, Role.REPORTER)
    forbidden = client.get("/accounts/users/")
    assert forbidden.status_code == 403
    assert "无权访问（403）" in forbidden.content.decode() and "您没有执行此操作的权限。" in forbidden.content.decode()
    colleague = client.get(f"/accounts/users/{tree.user(Role.LIAISON).pk}/")
    assert colleague.status_code == 403 and "您没有管理该用户的权限。" in colleague.content.decode()
    union = manager_client(tree)
    not_found = union.get("/accounts/users/123456/")
    assert not_found.status_code == 404 and "页面不存在（404）" in not_found.content.decode()


def test_a_user_who_set_up_a_second_factor_is_asked_for_it_at_every_sign_in(tree):
    user = tree.user(Role.REPORTER)
    device = totp_device(user)
    client = Client()
    assert post_login(client, user.username)["Location"] == "/accounts/otp/"
    assert client.get("/")["Location"] == "/accounts/otp/"
    assert client.post("/accounts/otp/", {"token": totp_code(device)})["Location"] == "/"
    assert client.get("/").status_code == 200
    # Without a device nothing changes for the same role.
    other = Client()
    assert post_login(other, tree.user(Role.LIAISON).username)["Location"] == "/"


def test_a_manager_cannot_revoke_their_own_role(tree):
    client = manager_client(tree)
    me = tree.user(Role.UNION_ADMIN)
    membership = me.memberships.get()
    assert f"/memberships/{membership.pk}/revoke/" not in client.get(f"/accounts/users/{me.pk}/").content.decode()
    response = client.post(f"/accounts/users/{me.pk}/memberships/{membership.pk}/revoke/", follow=True)
    assert "不能撤销自己的角色，请由上级管理员办理。" in response.content.decode()
    membership.refresh_from_db()
    assert membership.is_active


# ---------------------------------------------------------------- contact details


def test_a_person_keeps_their_own_telephone_encrypted_and_audited_masked(tree):
    from django.db import connection

    user = tree.user(Role.REPORTER)
    client = Client()
    client.force_login(user)
    assert 'id="contact-form"' in client.get("/accounts/me/").content.decode()

    response = client.post("/accounts/me/contact/", {"phone": "138 1234 5678", "email": "li@example.cn"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.phone, user.email) == ("13812345678", "li@example.cn")
    with connection.cursor() as cursor:  # stored encrypted: the number is not in the column
        cursor.execute("SELECT phone FROM accounts_user WHERE id = %s", [user.pk])
        (raw,) = cursor.fetchone()
    assert "13812345678" not in raw and raw
    (row,) = AuditEntry.objects.filter(event="accounts.contact.update", object_id=str(user.pk))
    assert row.after["phone"] == "138****5678" and row.before["phone"] == ""
    assert "13812345678" not in str(row.after)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"phone": "电话一二三", "email": ""}, "联系电话只能包含数字和“-”，如 13812345678 或 0871-63123456。"),
        ({"phone": "12345", "email": ""}, "联系电话位数不对（应为 7 到 15 位数字）。"),
        ({"phone": "", "email": "li@"}, "电子邮箱格式不对，如 name@example.com。"),
    ],
)
def test_bad_contact_details_are_explained_and_nothing_is_saved(tree, data, message):
    user = tree.user(Role.REPORTER)
    client = Client()
    client.force_login(user)

    response = client.post("/accounts/me/contact/", data)

    assert response.status_code == 400 and message in response.content.decode()
    user.refresh_from_db()
    assert user.phone == "" and not AuditEntry.objects.filter(event="accounts.contact.update").exists()


def test_a_new_account_may_carry_a_telephone(tree):
    client = manager_client(tree)
    data = {"username": "wang.wu", "full_name": "王五", "email": "", "phone": "0871-63123456", "org": "E-A2"}
    response = client.post("/accounts/users/new/", {**data, "role": Role.REPORTER})
    assert response.status_code == 200, field_errors(response)
    assert User.objects.get(username="wang.wu").phone == "0871-63123456"


# ---------------------------------------------------------------- notification e-mail (issue 13: the daily digest)


def test_my_account_offers_the_notification_mail_choices_with_mine_checked(tree):
    user = tree.user(Role.REPORTER)
    client = Client()
    client.force_login(user)

    html = client.get("/accounts/me/").content.decode()

    assert 'id="notice-delivery-form"' in html
    for label in ("每条通知都发邮件，另发每日汇总", "每条通知都发邮件", "每日汇总", "不发邮件"):
        assert f">{label}</label>" in html
    assert re.search(r'<input type="radio" name="notice_delivery" value="each_daily"[^>]*checked', html)
    assert 'id="notice-delivery-no-address"' in html  # no address yet: said so


@pytest.mark.parametrize(
    ("choice", "each", "daily"), [("daily", False, True), ("none", False, False), ("each", True, False)]
)
def test_a_person_chooses_how_notifications_reach_them_and_it_is_audited(tree, choice, each, daily):
    user = tree.user(Role.REPORTER)
    client = Client()
    client.force_login(user)

    response = client.post("/accounts/me/notice-mail/", {"notice_delivery": choice})

    assert response.status_code == 302 and response["Location"] == "/accounts/me/#notice-delivery"
    user.refresh_from_db()
    assert (user.notice_delivery, user.mails_each_notice, user.mails_daily_digest) == (choice, each, daily)
    (row,) = AuditEntry.objects.filter(event="accounts.notice_delivery.update", object_id=str(user.pk))
    assert row.before["notice_delivery"] == "each_daily" and row.after["notice_delivery"] == choice
    assert row.username == user.username
    page = client.get("/accounts/me/").content.decode()
    assert "通知邮件设置已保存。" in page
    assert re.search(rf'<input type="radio" name="notice_delivery" value="{choice}"[^>]*checked', page)

    again = client.post("/accounts/me/notice-mail/", {"notice_delivery": "each_daily"})  # and back on
    assert again.status_code == 302
    user.refresh_from_db()
    assert user.mails_daily_digest and user.mails_each_notice
    assert AuditEntry.objects.filter(event="accounts.notice_delivery.update").count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [({}, "请选择通知邮件的发送方式。"), ({"notice_delivery": "weekly"}, "请从列出的方式中选择一种。")],
)
def test_a_bad_notification_mail_choice_is_explained_and_nothing_is_saved(tree, data, message):
    user = tree.user(Role.REPORTER)
    client = Client()
    client.force_login(user)

    response = client.post("/accounts/me/notice-mail/", data)

    assert response.status_code == 400 and message in field_errors(response)
    user.refresh_from_db()
    assert user.notice_delivery == "each_daily"
    assert not AuditEntry.objects.filter(event="accounts.notice_delivery.update").exists()


def test_choosing_the_same_notification_mail_again_writes_nothing(tree):
    user = tree.user(Role.REPORTER)
    client = Client()
    client.force_login(user)

    assert client.post("/accounts/me/notice-mail/", {"notice_delivery": "each_daily"}).status_code == 302
    assert not AuditEntry.objects.filter(event="accounts.notice_delivery.update").exists()


def test_the_notification_mail_choice_is_only_ever_ones_own(tree):
    from django.core.exceptions import PermissionDenied

    from accounts import services
    from core.actor import Actor

    user, other = tree.user(Role.REPORTER), tree.user(Role.UNION_ADMIN)
    with pytest.raises(PermissionDenied):
        services.notice_delivery_update(by=Actor(user=other), user=user, notice_delivery="none")
    user.refresh_from_db()
    assert user.notice_delivery == "each_daily"


def test_the_notification_mail_choice_is_a_post(tree):
    client = Client()
    client.force_login(tree.user(Role.REPORTER))
    assert client.get("/accounts/me/notice-mail/").status_code == 405
