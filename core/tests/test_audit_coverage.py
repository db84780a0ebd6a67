"""Rows 15, 16, 18 and 20 of docs SECURITY for the API and the audit pages.

Each write through the API leaves exactly one audit row carrying who (user, role,
organisation), from where (the address a trusted proxy saw, never a client's header), when,
what (event, object) and the values before and after; if that row cannot be written, the
write itself does not happen; and no password or token ever reaches the log.
"""

import datetime as dt
import json
from unittest import mock

import pytest
from django.db import DatabaseError
from django.test import override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.tests.factories import api_client
from core import audit
from core.models import AuditEntry
from orgs import services
from orgs.choices import Role
from orgs.models import Assignment, Membership, Organisation
from orgs.tests.factories import SYSTEM, make_user


@pytest.fixture
def admin(tree):
    return tree.user(Role.OFFICE_ADMIN, tree.province)


def api(user, ip="10.70.0.5", **extra) -> APIClient:
    return api_client(user, ip=ip, **extra)


def _membership(tree):
    return Membership.objects.get(user=tree.user(Role.REPORTER, tree.ent_a2))


def _assignment(tree):
    return Assignment.objects.get(enterprise=tree.ent_a1)


# (event, method, url, body, object model label, object id getter, expects before)
WRITES = [
    (
        "orgs.organisation.create",
        "post",
        lambda t: "/api/v1/organisations/",
        lambda t: {"parent": "E-A1", "code": "UNIT-NEW", "name": "新单位", "kind": "unit"},
        "orgs.organisation",
        lambda t: Organisation.objects.filter(code="UNIT-NEW").values_list("pk", flat=True).first(),
        False,
    ),
    (
        "orgs.organisation.update",
        "patch",
        lambda t: "/api/v1/organisations/E-A1/",
        lambda t: {"name": "昆明供电局（更名）", "version": 1},
        "orgs.organisation",
        lambda t: t.ent_a1.pk,
        True,
    ),
    (
        "orgs.organisation.move",
        "post",
        lambda t: "/api/v1/organisations/E-A2/move/",
        lambda t: {"parent": "U-B", "on": "2025-01-01", "version": 1},
        "orgs.organisation",
        lambda t: t.ent_a2.pk,
        True,
    ),
    (
        "orgs.organisation.close",
        "post",
        lambda t: "/api/v1/organisations/UNIT-A1/close/",
        lambda t: {"on": "2025-01-01", "version": 1},
        "orgs.organisation",
        lambda t: t.unit_a1.pk,
        True,
    ),
    (
        "orgs.membership.grant",
        "post",
        lambda t: "/api/v1/memberships/",
        lambda t: {"user": make_user("grantee").pk, "org": "E-A1", "role": "liaison"},
        "orgs.membership",
        lambda t: Membership.objects.filter(user__username="grantee").values_list("pk", flat=True).first(),
        False,
    ),
    (
        "orgs.membership.revoke",
        "post",
        lambda t: f"/api/v1/memberships/{_membership(t).pk}/revoke/",
        lambda t: {},
        "orgs.membership",
        lambda t: _membership(t).pk,
        True,
    ),
    (
        "orgs.assignment.create",
        "post",
        lambda t: "/api/v1/assignments/",
        lambda t: {"department": "D-SASAC", "enterprise": "E-B1"},
        "orgs.assignment",
        lambda t: Assignment.objects.filter(enterprise=t.ent_b1).values_list("pk", flat=True).first(),
        False,
    ),
    (
        "orgs.assignment.end",
        "post",
        lambda t: f"/api/v1/assignments/{_assignment(t).pk}/end/",
        lambda t: {"on": "2025-01-01"},
        "orgs.assignment",
        lambda t: _assignment(t).pk,
        True,
    ),
]


@pytest.mark.parametrize(
    ("event", "method", "url", "body", "label", "object_id", "has_before"), WRITES, ids=[w[0] for w in WRITES]
)
def test_each_api_write_leaves_exactly_one_complete_audit_row(
    tree, admin, event, method, url, body, label, object_id, has_before
):
    tree.user(Role.REPORTER, tree.ent_a2)  # the membership the revoke case ends
    url, body = url(tree), body(tree)
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    started = timezone.now()
    response = getattr(api(admin, HTTP_X_REQUEST_ID="req-cov-0001"), method)(url, body, format="json")
    assert response.status_code in (200, 201), response.content

    rows = list(AuditEntry.objects.filter(id__gt=last))
    assert len(rows) == 1, [r.event for r in rows]
    row = rows[0]
    assert row.event == event and row.success is True
    assert (row.user_id, row.username) == (admin.pk, "office_admin_530000")
    assert row.role == "office_admin@530000"
    assert row.org_code == "530000"
    assert row.ip == "10.70.0.5"
    assert row.request_id == "req-cov-0001" == response["X-Request-ID"]
    assert (row.object_type, row.object_id) == (label, str(object_id(tree)))
    assert row.after  # the values after the change
    assert (row.before is not None) == has_before
    assert started - dt.timedelta(seconds=1) <= row.at <= timezone.now()
    assert row.at.utcoffset() == dt.timedelta(0)  # stored in UTC
    if has_before:
        assert audit.diff(row.before, row.after)  # a real change is visible field by field


def test_update_row_holds_the_old_and_new_values(tree, admin):
    api(admin).patch("/api/v1/organisations/E-A1/", {"name": "新名称", "version": 1}, format="json")
    row = AuditEntry.objects.get(event="orgs.organisation.update")
    changes = audit.diff(row.before, row.after)
    assert changes["name"] == ("昆明供电局", "新名称")
    assert changes["version"] == (1, 2)


def test_a_refused_write_leaves_one_failure_row_and_no_change(tree):
    reporter = tree.user(Role.REPORTER)
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    response = api(reporter).patch("/api/v1/organisations/E-A1/", {"name": "越权", "version": 1}, format="json")
    assert response.status_code == 403
    rows = list(AuditEntry.objects.filter(id__gt=last))
    assert [(r.event, r.success, r.username, r.role) for r in rows] == [
        ("access.denied", False, "reporter_e-a1", "reporter@E-A1")
    ]
    assert Organisation.objects.filter(code="E-A1").values_list("name", flat=True).first() == "昆明供电局"


# --- client address (row 16) -------------------------------------------------------------


def test_a_spoofed_forwarded_for_is_ignored_without_a_trusted_proxy(tree, admin):
    api(admin, ip="10.70.0.9", HTTP_X_FORWARDED_FOR="198.51.100.66").patch(
        "/api/v1/organisations/E-A1/", {"name": "甲", "version": 1}, format="json"
    )
    assert AuditEntry.objects.get(event="orgs.organisation.update").ip == "10.70.0.9"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_trusted_proxy_the_address_it_saw_is_recorded(tree, admin):
    # The client forged the first entry; the proxy appended the address it really saw.
    api(admin, ip="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.66, 203.0.113.7").patch(
        "/api/v1/organisations/E-A1/", {"name": "乙", "version": 1}, format="json"
    )
    assert AuditEntry.objects.get(event="orgs.organisation.update").ip == "203.0.113.7"


# --- the audit cannot be skipped (row 18) -------------------------------------------------


def test_audit_insert_failure_rolls_back_the_service_write(tree):
    org = Organisation.objects.filter(code="E-A1").first()
    with mock.patch.object(AuditEntry, "save", side_effect=DatabaseError("disk full")), pytest.raises(DatabaseError):
        services.org_update(by=SYSTEM, org=org, version=org.version, name="不应保存")
    org.refresh_from_db()
    assert (org.name, org.version) == ("昆明供电局", 1)


def test_audit_insert_failure_rolls_back_the_api_write(tree, admin):
    client = api(admin)
    client.raise_request_exception = False
    before = Organisation.objects.count()
    with mock.patch.object(AuditEntry, "save", side_effect=DatabaseError("disk full")):
        updated = client.patch("/api/v1/organisations/E-A1/", {"name": "不应保存", "version": 1}, format="json")
        created = client.post(
            "/api/v1/organisations/", {"parent": "E-A1", "code": "GHOST", "name": "幽灵", "kind": "unit"}, format="json"
        )
        granted = client.post(
            "/api/v1/memberships/", {"user": make_user("ghost").pk, "org": "E-A1", "role": "liaison"}, format="json"
        )
    assert (updated.status_code, created.status_code, granted.status_code) == (500, 500, 500)
    assert Organisation.objects.filter(code="E-A1").values_list("name", "version").first() == ("昆明供电局", 1)
    assert Organisation.objects.count() == before
    assert not Membership.objects.filter(user__username="ghost").exists()


# --- no secrets in the log (row 20) -------------------------------------------------------


def test_no_password_or_token_reaches_the_audit_log(tree, admin):
    token = Token.objects.get_or_create(user=admin)[0].key
    grantee = make_user("grantee2")
    client = api(admin)
    client.post("/api/v1/memberships/", {"user": grantee.pk, "org": "E-A1", "role": "liaison"}, format="json")
    bad = APIClient(REMOTE_ADDR="10.70.0.8")
    bad.credentials(HTTP_AUTHORIZATION="Token " + token[:-1] + ("0" if token[-1] != "0" else "1"))
    bad.get("/api/v1/users/me/")
    assert AuditEntry.objects.filter(event="api.auth_failed").count() == 1

    dump = json.dumps(list(AuditEntry.objects.values()), default=str, ensure_ascii=False)
    assert token not in dump and token[:-1] not in dump
    for user in (admin, grantee):
        assert user.password not in dump
    assert "argon2" not in dump and "md5$" not in dump
    assert '"password"' not in dump


def test_snapshots_leave_out_secret_fields(tree):
    user = make_user("snap")
    token = Token.objects.create(user=user)
    assert "password" not in audit.snapshot(user)
    assert "key" not in audit.snapshot(token)
