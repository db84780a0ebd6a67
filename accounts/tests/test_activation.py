"""One-time activation (issue 19, item 2): a link used once, before it expires, only while it is the latest;
no sign-in and no API before it; every issue, use, refusal, re-issue and expiry audited with who and where."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts import activation, importing
from accounts.models import Activation, User
from accounts.tests.factories import api_client, post_login
from accounts.tests.people import book
from core.actor import Actor
from core.models import AuditEntry
from orgs import services as org_services
from orgs.choices import Role

NEW_PASSWORD = "Qiyong-2026-Xin!"
IP = "10.7.7.7"


def imported(tree, role=Role.UNION_ADMIN, rows=None, **target):
    """Import one new reporter (or `rows`) as `role`; the tokens issued, by username."""
    rows = rows or [["zhangsan", "张三", target.get("org", "E-A1"), str(Role(target.get("as", Role.REPORTER)).label)]]
    applied = importing.apply(by=Actor(user=tree.user(role), ip="10.1.1.1"), book=book([r + ["", ""] for r in rows]))
    return {i.user.username: i for i in applied.issued}


def open_link(client: Client, token: str):
    return client.get(f"/accounts/activate/{token}/", REMOTE_ADDR=IP)


def set_password(client: Client, password: str = NEW_PASSWORD):
    return client.post("/accounts/activate/", {"new_password1": password, "new_password2": password}, REMOTE_ADDR=IP)


def activate(client: Client, token: str, password: str = NEW_PASSWORD):
    open_link(client, token)
    return set_password(client, password)


def test_the_link_opens_once_sets_the_password_and_signs_in(tree, client):
    issued = imported(tree)["zhangsan"]
    landing = open_link(client, issued.token)
    assert landing.status_code == 302 and landing["Location"] == "/accounts/activate/"
    page = client.get("/accounts/activate/", REMOTE_ADDR=IP)
    assert page.status_code == 200 and "zhangsan" in page.content.decode()
    assert issued.token not in page.content.decode()
    done = set_password(client)
    assert done.status_code == 302 and done["Location"] == "/"
    user = User.objects.get(username="zhangsan")
    assert user.check_password(NEW_PASSWORD) and not user.awaiting_activation and not user.must_change_password
    assert client.get("/").status_code == 200  # signed in
    used = AuditEntry.objects.get(event="accounts.activation.use")
    assert (used.username, used.ip, used.object_id) == ("zhangsan", IP, str(user.pk))
    assert used.detail["issued_by"] == tree.user(Role.UNION_ADMIN).username
    assert AuditEntry.objects.filter(event="accounts.login", username="zhangsan").exists()
    # A second time: refused, audited, and the password stays.
    other = Client()
    again = open_link(other, issued.token)
    assert again.status_code == 400 and "已经使用过" in again.content.decode()
    refused = AuditEntry.objects.get(event="accounts.activation.refused")
    assert (refused.success, refused.ip, refused.detail["reason"]) == (False, IP, "used")


def test_the_code_typed_by_hand_works_like_the_link(tree, client):
    issued = imported(tree)["zhangsan"]
    typed = client.post("/accounts/activate/", {"code": issued.code.lower()}, REMOTE_ADDR=IP)
    assert typed.status_code == 302
    assert set_password(client).status_code == 302
    assert User.objects.get(username="zhangsan").check_password(NEW_PASSWORD)


def test_a_password_that_breaks_the_rules_is_refused_and_the_link_still_works(tree, client):
    issued = imported(tree)["zhangsan"]
    open_link(client, issued.token)
    weak = set_password(client, "abc12345")
    assert weak.status_code == 400 and "密码须至少包含" in weak.content.decode()
    assert User.objects.get(username="zhangsan").awaiting_activation
    assert set_password(client).status_code == 302


def test_an_expired_link_is_refused_and_the_expiry_is_recorded_once(tree, client, monkeypatch, settings):
    issued = imported(tree)["zhangsan"]
    later = timezone.now() + dt.timedelta(days=settings.ACTIVATION_DAYS, minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    answer = open_link(client, issued.token)
    assert answer.status_code == 400 and "已过期" in answer.content.decode()
    assert AuditEntry.objects.get(event="accounts.activation.refused").detail["reason"] == "expired"
    assert activation.activations_expire() == {"expired": 1}
    assert activation.activations_expire() == {"expired": 0}
    expired = AuditEntry.objects.get(event="accounts.activation.expire")
    assert expired.username == "system:activation-expiry" and expired.object_id == str(issued.user.pk)


def test_a_link_just_inside_its_days_still_opens(tree, client, monkeypatch, settings):
    issued = imported(tree)["zhangsan"]
    later = timezone.now() + dt.timedelta(days=settings.ACTIVATION_DAYS, minutes=-1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert open_link(client, issued.token).status_code == 302


def test_reissue_revokes_the_earlier_link(tree, client):
    first = imported(tree)["zhangsan"]
    manager = Actor(user=tree.user(Role.UNION_ADMIN), ip="10.3.3.3")
    second = activation.activation_reissue(by=manager, user=first.user)
    assert second.token != first.token
    old = open_link(client, first.token)
    assert old.status_code == 400 and "已作废" in old.content.decode()
    assert activate(Client(), second.token).status_code == 302
    entry = AuditEntry.objects.get(event="accounts.activation.reissue")
    old_row = Activation.objects.get(token_hash=activation.token_hash(first.token))
    assert (entry.ip, entry.detail["replaced"]) == ("10.3.3.3", old_row.pk) and old_row.revoked_at is not None
    assert entry.ip == "10.3.3.3" and first.token not in str(entry.detail) and second.token not in str(entry.detail)


# Re-issuing hands over a credential: the password reset's rule (docs/separation-of-duties.md).
REISSUE = [
    ("requested only", Role.SYS_ADMIN, True),
    ("requested only", Role.SEC_ADMIN, False),
    ("requested only", Role.AUDIT_ADMIN, False),
    ("granted business role", Role.SYS_ADMIN, False),
    ("granted business role", Role.SEC_ADMIN, False),
    ("granted business role", Role.UNION_ADMIN, True),
    ("granted business role", Role.OFFICE_ADMIN, True),
]


@pytest.mark.parametrize(("account", "role", "allowed"), REISSUE, ids=[f"{a}-{r}" for a, r, _x in REISSUE])
def test_who_may_reissue(tree, account, role, allowed):
    from django.core.exceptions import PermissionDenied

    first = imported(tree, Role.SYS_ADMIN)["zhangsan"]
    if account == "granted business role":
        org_services.membership_grant(
            by=Actor(user=tree.user(Role.SEC_ADMIN)), user=first.user, org=tree.ent_a1, role=Role.REPORTER
        )
    try:
        activation.activation_reissue(by=Actor(user=tree.user(role)), user=first.user)
    except PermissionDenied:
        outcome = False
    else:
        outcome = True
    assert outcome is allowed
    assert Activation.objects.filter(user=first.user).count() == (2 if allowed else 1)


def test_an_account_awaiting_activation_cannot_sign_in_or_use_the_api(tree, client):
    user = imported(tree)["zhangsan"].user
    for password in ("anything", NEW_PASSWORD):
        answer = post_login(client, "zhangsan", password)
        assert answer.status_code == 200 and "用户名或密码错误" in answer.content.decode()
    assert AuditEntry.objects.filter(event="accounts.login_failed", detail__reason="not_activated").exists()
    Token.objects.create(user=user)  # however it came about, it opens nothing
    api = api_client()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user=user).key}")
    assert api.get("/api/v1/users/me/").status_code == 401
    # Even a session made without the password (as a test can) is not recognised: the backend refuses it.
    session = Client()
    session.force_login(user)
    assert session.get("/api/v1/users/me/").status_code == 401
    assert session.get("/")["Location"].startswith("/accounts/login/")


def test_a_password_reset_ends_the_pending_activation(tree, client):
    from accounts import services

    issued = imported(tree)["zhangsan"]
    services.user_reset_password(by=Actor(user=tree.user(Role.UNION_ADMIN)), user=issued.user)
    issued.user.refresh_from_db()
    assert not issued.user.awaiting_activation and issued.user.must_change_password
    assert open_link(client, issued.token).status_code == 400
    entry = AuditEntry.objects.get(event="accounts.user.reset_password")
    assert entry.detail["activations_revoked"] == 1


def test_an_administrators_account_enrols_its_second_factor_after_activating(tree, client):
    issued = imported(tree, Role.SYS_ADMIN, rows=[["audit2", "审计员", "530000", "审计管理员"]])["audit2"]
    org_services.membership_grant(
        by=Actor(user=tree.user(Role.SEC_ADMIN)), user=issued.user, org=tree.province, role=Role.AUDIT_ADMIN
    )
    done = activate(client, issued.token)
    assert done.status_code == 302 and done["Location"] == "/accounts/otp/"
    assert client.get("/audit/").status_code == 302  # not before the second factor


def test_guessing_codes_is_limited_per_address_like_the_login(tree, client, settings):
    settings.LOCKOUT_ADDRESS_FAILURES = 3
    issued = imported(tree)["zhangsan"]
    for guess in ("AAAA-AAAA-AAAA-AAAA-AAAA", "BBBB", "CCCC-CCCC-CCCC-CCCC-CCCC"):
        assert client.post("/accounts/activate/", {"code": guess}, REMOTE_ADDR=IP).status_code == 400
    blocked = open_link(client, issued.token)
    assert blocked.status_code == 429 and blocked["Retry-After"]
    other_address = Client().get(f"/accounts/activate/{issued.token}/", REMOTE_ADDR="10.8.8.8")
    assert other_address.status_code == 302
    assert AuditEntry.objects.filter(event="accounts.activation.refused", detail__reason="unknown").count() == 3


def test_the_token_is_stored_only_as_its_hash(tree):
    issued = imported(tree)["zhangsan"]
    row = Activation.objects.filter(user=issued.user).values().get()
    assert issued.token not in " ".join(str(v) for v in row.values())
    assert row["token_hash"] == activation.token_hash(issued.token) == activation.token_hash(issued.code.lower())
