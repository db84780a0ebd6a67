"""Separation of duties of the three administrators (三权分立, issue 11), cell by cell as in
docs/separation-of-duties.md: the system administrator manages accounts but grants no rights; the security
administrator grants rights but creates no account and sets no password; the audit administrator only reads
the audit log. No one of them alone can both make an account and give it rights, or become another."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from accounts import services
from accounts.models import User
from accounts.tests.factories import login_verified, totp_device
from core.actor import Actor
from core.models import AuditEntry
from orgs import services as org_services
from orgs.choices import Role
from orgs.models import Membership

SYS, SEC, AUDIT, OFFICE = Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN, Role.OFFICE_ADMIN
OK, NO = "allowed", "refused"


def actor(tree, role) -> Actor:
    return Actor(user=tree.user(role), ip="10.9.9.9")


def attempt(fn) -> str:
    try:
        fn()
    except PermissionDenied:
        return NO
    return OK


def _create(tree, role, new_role=Role.REPORTER):
    return lambda: services.user_create(
        by=actor(tree, role), username=f"new_{role}", full_name="新用户", org=tree.ent_a1, role=new_role
    )


def _reset(tree, role, target):
    return lambda: services.user_reset_password(by=actor(tree, role), user=target)


def _deactivate(tree, role, target):
    return lambda: services.user_set_active(by=actor(tree, role), user=target, active=False)


def _grant(tree, role, target, new_role, org):
    return lambda: org_services.membership_grant(by=actor(tree, role), user=target, org=org, role=new_role)


# action → {role: outcome}; one test per cell.
TABLE = {
    "create an account": {SYS: OK, SEC: NO, AUDIT: NO, OFFICE: OK},
    "reset a business user's password": {SYS: NO, SEC: NO, AUDIT: NO, OFFICE: OK},
    "reset the password of an account with no role yet": {SYS: OK, SEC: NO, AUDIT: NO, OFFICE: OK},
    "reset a separated administrator's password (second factor kept)": {SYS: OK, SEC: NO, AUDIT: NO, OFFICE: NO},
    "reset a separated administrator's password (no second factor)": {SYS: NO, SEC: NO, AUDIT: NO, OFFICE: NO},
    "deactivate a business user": {SYS: OK, SEC: NO, AUDIT: NO, OFFICE: OK},
    "grant a business role": {SYS: NO, SEC: OK, AUDIT: NO, OFFICE: OK},
    "grant the audit administrator role": {SYS: NO, SEC: OK, AUDIT: NO, OFFICE: NO},
}
CELLS = [(action, role, outcome) for action, row in TABLE.items() for role, outcome in row.items()]


@pytest.mark.parametrize(("action", "role", "outcome"), CELLS, ids=[f"{a}-{r}" for a, r, _o in CELLS])
def test_separation_table_in_the_services(tree, action, role, outcome):
    reporter = tree.user(Role.REPORTER)
    fresh = User.objects.create_user(username="fresh", password="x", must_change_password=True)
    Membership.objects.create(user=fresh, org=tree.ent_a1, role=Role.LIAISON, is_active=False, pending=True)
    other_admin = tree.user(Role.AUDIT_ADMIN if role != AUDIT else Role.SEC_ADMIN)
    tree.user(role)  # the actor exists before any target is chosen
    if action == "reset a separated administrator's password (second factor kept)":
        totp_device(other_admin)
    fn = {
        "create an account": lambda: _create(tree, role)(),
        "reset a business user's password": _reset(tree, role, reporter),
        "reset the password of an account with no role yet": _reset(tree, role, fresh),
        "reset a separated administrator's password (second factor kept)": _reset(tree, role, other_admin),
        "reset a separated administrator's password (no second factor)": _reset(tree, role, other_admin),
        "deactivate a business user": _deactivate(tree, role, reporter),
        "grant a business role": _grant(tree, role, reporter, Role.LIAISON, tree.ent_a1),
        "grant the audit administrator role": _grant(tree, role, fresh, Role.AUDIT_ADMIN, tree.province),
    }[action]
    rows_before = AuditEntry.objects.count()
    assert attempt(fn) == outcome
    if outcome == NO:
        assert AuditEntry.objects.count() == rows_before  # nothing written, not even half


# --- the same rules on the pages and the API --------------------------------------------------------------


def page_client(tree, role) -> Client:
    client = Client(REMOTE_ADDR="10.9.9.8")
    login_verified(client, tree.user(role))
    return client


@pytest.mark.parametrize(("role", "status"), [(SYS, 200), (SEC, 403), (AUDIT, 403), (OFFICE, 200)])
def test_the_new_account_page(tree, role, status):
    assert page_client(tree, role).get("/accounts/users/new/").status_code == status


@pytest.mark.parametrize(("role", "expected"), [(SYS, NO), (SEC, NO), (OFFICE, OK)])
def test_resetting_a_business_users_password_on_the_page(tree, role, expected):
    reporter = tree.user(Role.REPORTER)
    before = reporter.password
    page_client(tree, role).post(f"/accounts/users/{reporter.pk}/password/")
    reporter.refresh_from_db()
    assert (OK if reporter.password != before else NO) == expected


@pytest.mark.parametrize(("role", "expected"), [(SYS, NO), (SEC, OK), (OFFICE, OK)])
def test_granting_a_business_role_on_the_page_and_the_api(tree, role, expected):
    reporter = tree.user(Role.REPORTER)
    page_client(tree, role).post(f"/accounts/users/{reporter.pk}/grant/", {"org": "E-A1", "role": Role.LIAISON})
    held = Membership.objects.filter(user=reporter, role=Role.LIAISON, is_active=True).exists()
    assert (OK if held else NO) == expected

    api = page_client(tree, role)  # the administrators use the API through their verified session
    response = api.post(
        "/api/v1/memberships/",
        {"user": reporter.pk, "org": "E-A1", "role": Role.INFO_OFFICER},
        content_type="application/json",
    )
    assert (OK if response.status_code == 201 else NO) == expected, response.json()
    if expected == NO:
        assert response.status_code in (400, 403)


@pytest.mark.parametrize(("role", "status"), [(SYS, 403), (SEC, 403), (AUDIT, 200), (OFFICE, 403)])
def test_only_the_audit_administrator_reads_the_audit_log(tree, role, status):
    client = page_client(tree, role)
    assert client.get("/audit/").status_code == status
    assert client.get("/audit/export/csv/").status_code == status


@pytest.mark.parametrize("role", [SYS, SEC, AUDIT])
def test_no_separated_administrator_reads_business_data(tree, role):
    client = page_client(tree, role)
    for url in ("/analytics/", "/assessment/"):
        response = client.get(url)
        assert response.status_code in (403, 404), (url, response.status_code)
    assert page_client(tree, OFFICE).get("/analytics/").status_code == 200  # the same pages, for one who may


def test_the_audit_role_takes_two_administrators_and_the_issued_password_is_marked(tree):
    # The attack of the finding: the system administrator makes an account with the audit role and signs in.
    sys_admin = actor(tree, SYS)
    user, password = services.user_create(
        by=sys_admin, username="auditor2", full_name="审计二", org=tree.province, role=Role.AUDIT_ADMIN
    )
    client = Client(REMOTE_ADDR="10.66.6.6")
    assert client.post("/accounts/login/", {"username": "auditor2", "password": password}).status_code == 302
    assert client.get("/audit/").status_code in (302, 403)  # no right yet: the role is only requested
    login = AuditEntry.objects.filter(event="accounts.login", object_id=str(user.pk)).latest("id")
    assert (login.detail, login.ip) == ({"issued_password": True}, "10.66.6.6")

    # The security administrator grants the requested role: now, and only now, it is in force.
    pending = Membership.objects.get(user=user, pending=True)
    org_services.membership_grant(by=actor(tree, SEC), user=user, org=pending.org, role=pending.role)
    pending.refresh_from_db()
    assert (pending.is_active, pending.pending) == (True, False)
    assert AuditEntry.objects.filter(event="orgs.membership.request", object_id=str(pending.pk)).exists()
    assert AuditEntry.objects.filter(event="orgs.membership.grant", object_id=str(pending.pk)).exists()


def test_the_security_administrator_refuses_a_requested_role(tree):
    user, _password = services.user_create(
        by=actor(tree, SYS), username="liaison9", full_name="联络", org=tree.ent_a1, role=Role.LIAISON
    )
    pending = Membership.objects.get(user=user)
    client = page_client(tree, SEC)
    page = client.get(f"/accounts/users/{user.pk}/").content.decode()
    assert "待安全管理员批准" in page and "批准" in page
    client.post(f"/accounts/users/{user.pk}/memberships/{pending.pk}/refuse/")
    pending.refresh_from_db()
    assert (pending.is_active, pending.pending) == (False, False)
    assert AuditEntry.objects.filter(event="orgs.membership.refuse", object_id=str(pending.pk)).exists()


def test_the_security_administrators_home_page_lists_the_requests_waiting_for_him(tree):
    client = page_client(tree, SEC)
    assert "个角色申请" not in client.get("/").content.decode()
    services.user_create(by=actor(tree, SYS), username="liaison8", full_name="联络", org=tree.ent_a1, role=Role.LIAISON)
    page = client.get("/").content.decode()
    assert "1 个角色申请（系统管理员新建账号时提出）待您批准或驳回：请在“用户管理”中处理。" in page
