"""Account services: each write checks permission itself, is audited, and keeps secrets out of the log."""

import json

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts import services
from accounts.models import PasswordHistory, User
from core.actor import Actor
from core.errors import UserError
from core.models import AuditEntry
from orgs.choices import Role
from orgs.models import Membership
from orgs.tests.factories import TEST_PASSWORD, make_user

SYSTEM = Actor.system("tests")


def audit_text() -> str:
    """Every stored audit value, as one string, to search for secrets."""
    rows = AuditEntry.objects.values("username", "object_id", "object_repr", "before", "after", "detail")
    return json.dumps(list(rows), ensure_ascii=False, default=str)


def as_actor(user) -> Actor:
    return Actor(user=user, ip="10.0.0.8")


# ---------------------------------------------------------------- user_create


def test_user_create_gives_a_random_initial_password_that_must_be_changed(tree):
    manager = as_actor(tree.user(Role.UNION_ADMIN))
    user, password = services.user_create(
        by=manager, username="Li.Si", full_name=" 李四 ", email="LiSi@Example.CN", org=tree.ent_a1, role=Role.REPORTER
    )
    user.refresh_from_db()
    assert user.username == "Li.Si" and user.full_name == "李四" and user.email == "LiSi@example.cn"
    assert user.must_change_password and user.password_changed_at is not None
    assert user.check_password(password)
    password_validation.validate_password(password)  # the generated password meets the rules
    assert list(Membership.objects.filter(user=user).values_list("org__code", "role")) == [("E-A1", "reporter")]
    events = list(AuditEntry.objects.filter(object_id=str(user.pk)).values_list("event", flat=True))
    assert "accounts.user.create" in events
    created = AuditEntry.objects.get(event="accounts.user.create")
    assert created.after["username"] == "Li.Si" and "password" not in created.after
    assert password not in audit_text() and user.password not in audit_text()


def test_user_create_refuses_a_username_that_exists_in_another_case(tree):
    manager = as_actor(tree.user(Role.UNION_ADMIN))
    make_user("admin")
    before = AuditEntry.objects.count()
    with pytest.raises(UserError) as error:
        services.user_create(by=manager, username="Admin", full_name="重名", org=tree.ent_a1, role=Role.REPORTER)
    assert error.value.message == "用户名已存在"
    assert error.value.field == "username"
    assert User.objects.filter(username__iexact="admin").count() == 1
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize(
    ("org_name", "role", "message"),
    [
        ("ent_b1", Role.REPORTER, "您没有对“云南铜业股份”执行此操作的权限。"),
        ("ent_a1", Role.SYS_ADMIN, "您不能授予“系统管理员”角色。"),
        ("ent_a1", Role.OFFICE_REVIEWER, "您不能授予“产改办审核员”角色。"),
    ],
)
def test_union_admin_creates_users_only_in_its_subtree_with_its_roles(tree, org_name, role, message):
    manager = as_actor(tree.user(Role.UNION_ADMIN))
    with pytest.raises(PermissionDenied) as error:
        services.user_create(by=manager, username="wang", full_name="王五", org=getattr(tree, org_name), role=role)
    assert str(error.value) == message
    assert not User.objects.filter(username="wang").exists()


def test_the_system_administrator_only_requests_the_role_of_an_account_he_creates(tree):
    # 三权分立 (issue 11): the role waits, inactive, for the security administrator.
    manager = as_actor(tree.user(Role.SYS_ADMIN))
    user, _password = services.user_create(
        by=manager, username="audit2", full_name="审计", org=tree.province, role=Role.AUDIT_ADMIN
    )
    assert list(user.memberships.values_list("role", "is_active", "pending")) == [("audit_admin", False, True)]


# ---------------------------------------------------------------- passwords


def test_password_change_keeps_the_last_five_and_refuses_their_reuse(tree):
    user = tree.user(Role.REPORTER)
    me = as_actor(user)
    passwords = [f"Dianchi-Lake-{n}x" for n in range(1, 7)]
    for password in passwords:
        services.password_change(by=me, user=user, new_password=password)
    user.refresh_from_db()
    assert user.password_history.count() == 5
    assert not user.must_change_password
    for reused in passwords[-5:]:
        with pytest.raises(services.PasswordRuleError) as error:
            services.password_change(by=me, user=user, new_password=reused)
        assert error.value.messages == ["不能使用最近5次用过的密码。"]
    # The sixth most recent (the first of the series) has left the history.
    services.password_change(by=me, user=user, new_password=passwords[0])
    assert user.check_password(passwords[0])


def test_password_change_is_audited_without_the_password(tree):
    user = tree.user(Role.REPORTER)
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    user.refresh_from_db()
    services.password_change(by=as_actor(user), user=user, new_password="Erhai-Lake-2026")
    row = AuditEntry.objects.get(event="accounts.password_change")
    assert row.before["must_change_password"] is True and row.after["must_change_password"] is False
    assert row.after["password_changed_at"] is not None
    assert "Erhai-Lake-2026" not in audit_text() and "argon2" not in audit_text()
    assert PasswordHistory.objects.filter(user=user).count() == 1
    assert check_password(TEST_PASSWORD, PasswordHistory.objects.get(user=user).password)


def test_a_64_character_passphrase_is_stored_whole(tree):
    user = tree.user(Role.REPORTER)
    passphrase = "Seven Colour Clouds over Kunming; the Stone Forest waits in 2026"
    assert len(passphrase) == 64
    services.password_change(by=as_actor(user), user=user, new_password=passphrase)
    user.refresh_from_db()
    assert user.check_password(passphrase)
    assert not user.check_password(passphrase[:-1])
    assert not user.check_password(passphrase[:32])


def test_password_change_refuses_another_users_password(tree):
    user = tree.user(Role.REPORTER)
    with pytest.raises(PermissionDenied):
        services.password_change(by=as_actor(tree.user(Role.UNION_ADMIN)), user=user, new_password="Erhai-Lake-2026")
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_password_expiry_follows_the_maximum_age(tree, settings):
    user = tree.user(Role.REPORTER)
    settings.PASSWORD_MAX_AGE_DAYS = 90
    user.password_changed_at = timezone.now() - timezone.timedelta(days=89)
    assert not services.password_expired(user)
    user.password_changed_at = timezone.now() - timezone.timedelta(days=91)
    assert services.password_expired(user)
    user.password_changed_at = None
    assert not services.password_expired(user)


# ---------------------------------------------------------------- deactivate and reset


def test_deactivation_revokes_the_token_and_is_audited_with_before_and_after(tree):
    manager = as_actor(tree.user(Role.UNION_ADMIN))
    target = tree.user(Role.REPORTER)
    Token.objects.create(user=target)
    services.user_set_active(by=manager, user=target, active=False)
    target.refresh_from_db()
    assert not target.is_active and not Token.objects.filter(user=target).exists()
    row = AuditEntry.objects.get(event="accounts.user.deactivate")
    assert (row.before["is_active"], row.after["is_active"]) == (True, False)
    assert row.detail == {"tokens_revoked": 1}
    services.user_set_active(by=manager, user=target, active=True)
    target.refresh_from_db()
    assert target.is_active
    assert AuditEntry.objects.filter(event="accounts.user.activate").count() == 1


def test_a_manager_cannot_deactivate_themselves(tree):
    manager = tree.user(Role.UNION_ADMIN)
    with pytest.raises(UserError) as error:
        services.user_set_active(by=as_actor(manager), user=manager, active=False)
    assert error.value.message == "不能停用或启用自己的账号。"
    manager.refresh_from_db()
    assert manager.is_active


def test_an_account_with_a_role_outside_the_scope_is_left_to_a_higher_manager(tree):
    manager = as_actor(tree.user(Role.UNION_ADMIN))
    target = tree.user(Role.REPORTER)
    Membership.objects.create(user=target, org=tree.ent_b1, role=Role.REPORTER)
    message = "用户“reporter_e-a1”在您的管理范围之外还担任其他角色，只能由上级管理员处理。"
    with pytest.raises(PermissionDenied) as error:
        services.user_set_active(by=manager, user=target, active=False)
    assert str(error.value) == message
    with pytest.raises(PermissionDenied):
        services.user_reset_password(by=manager, user=target)
    target.refresh_from_db()
    assert target.is_active and target.check_password(TEST_PASSWORD)
    # The office above both branches may.
    services.user_set_active(by=as_actor(tree.user(Role.SYS_ADMIN)), user=target, active=False)


def test_a_manager_cannot_take_over_an_account_holding_a_role_it_could_not_grant(tree):
    office_admin = as_actor(tree.user(Role.OFFICE_ADMIN))
    sysadmin_at_office = make_user("sys_office")
    Membership.objects.create(user=sysadmin_at_office, org=tree.office, role=Role.SYS_ADMIN)
    with pytest.raises(PermissionDenied):
        services.user_reset_password(by=office_admin, user=sysadmin_at_office)


def test_reset_password_returns_a_new_one_that_must_be_changed(tree):
    manager = as_actor(tree.user(Role.UNION_ADMIN))
    target = tree.user(Role.REPORTER)
    password = services.user_reset_password(by=manager, user=target)
    target.refresh_from_db()
    assert target.check_password(password) and target.must_change_password
    assert check_password(TEST_PASSWORD, target.password_history.get().password)
    row = AuditEntry.objects.get(event="accounts.user.reset_password")
    assert row.object_id == str(target.pk) and row.after["must_change_password"] is True
    assert password not in audit_text()


def test_reset_of_ones_own_password_goes_through_the_change_page(tree):
    manager = tree.user(Role.UNION_ADMIN)
    with pytest.raises(UserError) as error:
        services.user_reset_password(by=as_actor(manager), user=manager)
    assert error.value.message == "请在“我的账号”中修改自己的密码。"


# ---------------------------------------------------------------- tokens


def test_token_is_returned_once_and_never_audited(tree):
    user = tree.user(Role.REPORTER)
    first = services.token_create(by=as_actor(user), user=user)
    second = services.token_create(by=as_actor(user), user=user)
    assert first != second and Token.objects.get(user=user).key == second
    assert first not in audit_text() and second not in audit_text()
    rows = list(
        AuditEntry.objects.filter(event="accounts.token_create").order_by("id").values_list("detail", "object_id")
    )
    assert rows == [({"replaced": False}, str(user.pk)), ({"replaced": True}, str(user.pk))]
    services.token_revoke(by=as_actor(user), user=user)
    assert not Token.objects.filter(user=user).exists()
    with pytest.raises(UserError) as error:
        services.token_revoke(by=as_actor(user), user=user)
    assert error.value.message == "您当前没有 API 令牌。"


def test_administrators_who_need_two_factors_get_no_token(tree):
    admin = tree.user(Role.SYS_ADMIN)
    with pytest.raises(UserError) as error:
        services.token_create(by=as_actor(admin), user=admin)
    assert error.value.message == "管理员账号须使用双因素登录，不能创建 API 令牌。"
    with override_settings(DEMO_MODE=True):
        assert services.token_create(by=as_actor(admin), user=admin)


def test_nobody_creates_a_token_for_someone_else(tree):
    with pytest.raises(PermissionDenied):
        services.token_create(by=as_actor(tree.user(Role.UNION_ADMIN)), user=tree.user(Role.REPORTER))


# ---------------------------------------------------------------- lockouts


def _attempt(username="reporter_e-a1", ip="10.2.2.2", failures=5):
    return AccessAttempt.objects.create(
        username=username, ip_address=ip, user_agent="ua", failures_since_start=failures, get_data="", post_data=""
    )


def test_only_the_security_administrator_resets_a_lockout(tree):
    _attempt()
    with pytest.raises(PermissionDenied):
        services.lockout_reset(by=as_actor(tree.user(Role.SYS_ADMIN)), username="reporter_e-a1", ip="10.2.2.2")
    assert AccessAttempt.objects.count() == 1
    removed = services.lockout_reset(by=as_actor(tree.user(Role.SEC_ADMIN)), username="reporter_e-a1", ip="10.2.2.2")
    assert removed == 1 and not AccessAttempt.objects.exists()
    row = AuditEntry.objects.get(event="accounts.lockout_reset")
    assert row.detail == {"username": "reporter_e-a1", "ip": "10.2.2.2", "attempts_removed": 1}


def test_resetting_a_pair_that_is_not_locked_says_so(tree):
    _attempt(ip="10.2.2.3")
    with pytest.raises(UserError) as error:
        services.lockout_reset(by=as_actor(tree.user(Role.SEC_ADMIN)), username="reporter_e-a1", ip="10.2.2.2")
    assert error.value.message == "用户名“reporter_e-a1”在地址 10.2.2.2 没有被锁定。"
    assert AccessAttempt.objects.count() == 1


# ---------------------------------------------------------------- installation


def test_bootstrap_creates_three_separate_administrators_once(tree):
    first = services.admins_bootstrap(by=SYSTEM, root=tree.province)
    assert [(r.username, r.role) for r in first] == [
        ("sysadmin", Role.SYS_ADMIN),
        ("secadmin", Role.SEC_ADMIN),
        ("auditadmin", Role.AUDIT_ADMIN),
    ]
    for result in first:
        user = User.objects.get(username=result.username)
        assert user.check_password(result.password) and user.must_change_password and not user.is_superuser
        assert list(user.memberships.values_list("role", "org__code")) == [(result.role, "530000")]
    again = services.admins_bootstrap(by=SYSTEM, root=tree.province)
    assert [r.password for r in again] == [None, None, None]
    assert User.objects.filter(username__in=["sysadmin", "secadmin", "auditadmin"]).count() == 3
    assert all(r.password not in audit_text() for r in first)
