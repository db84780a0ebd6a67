"""/api/v1/audit/: read by the audit administrator only; no method changes an entry."""

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import api_client
from core import audit
from core.actor import Actor
from core.models import AuditEntry
from orgs.choices import Role

SHANGHAI = ZoneInfo("Asia/Shanghai")


def api(user=None, ip="10.50.0.1") -> APIClient:
    return api_client(user, ip=ip)


@pytest.fixture
def auditor(tree):
    return tree.user(Role.AUDIT_ADMIN)


@pytest.mark.parametrize("role", [r for r in Role if r != Role.AUDIT_ADMIN])
def test_every_other_role_is_refused(tree, role):
    response = api(tree.user(role)).get("/api/v1/audit/")
    assert response.status_code == 403
    assert response.json() == {"detail": "只有审计管理员可以查阅审计日志。"}


def test_audit_admin_reads_newest_first(tree, auditor):
    response = api(auditor).get("/api/v1/audit/?limit=3")
    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == sorted(ids, reverse=True)
    assert response.json()["count"] == AuditEntry.objects.count()
    first = response.json()["results"][0]
    assert {
        "at",
        "username",
        "role",
        "org_code",
        "event",
        "event_label",
        "success",
        "ip",
        "before",
        "after",
        "entry_hash",
    } <= set(first)


def test_filters(tree, auditor):
    old = dt.datetime(2025, 3, 1, 23, 30, tzinfo=SHANGHAI)
    with mock.patch("core.audit.timezone.now", return_value=old):
        audit.record(Actor(user=auditor, ip="192.0.2.9"), "accounts.login", success=False, detail={"reason": "x"})
    client = api(auditor)

    def ids(query):
        response = client.get(f"/api/v1/audit/?{query}&limit=500")
        assert response.status_code == 200, response.content
        return {row["event"] for row in response.json()["results"]}

    assert ids("date_from=2025-03-01&date_to=2025-03-01") == {"accounts.login"}
    assert ids("date_to=2025-02-28") == set()
    assert ids("success=false") == {"accounts.login"}
    assert ids("ip=192.0.2.9") == {"accounts.login"}
    assert ids("user=AUDIT_admin") == {"accounts.login"}  # case-insensitive part of the username
    assert ids("event=orgs.assignment") == {"orgs.assignment.create"}
    ent = tree.ent_a1
    assert ids(f"object_type=orgs.organisation&object_id={ent.pk}") == {"orgs.organisation.create"}


def test_invalid_filter_is_a_400_not_everything(auditor):
    response = api(auditor).get("/api/v1/audit/?ip=not-an-address")
    assert response.status_code == 400
    assert response.json()["detail"] == "提交的数据有误，请检查后重试。"
    assert response.json()["errors"]["ip"] == ["输入一个有效的 IPv4 或 IPv6 地址。"]


def test_retrieve(auditor):
    entry = AuditEntry.objects.order_by("id").first()
    response = api(auditor).get(f"/api/v1/audit/{entry.pk}/")
    assert response.status_code == 200
    assert response.json()["entry_hash"] == entry.entry_hash


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_no_method_changes_an_entry(auditor, method):
    entry = AuditEntry.objects.order_by("id").first()
    snapshot = AuditEntry.objects.filter(pk=entry.pk).values().first()
    response = getattr(api(auditor), method)(f"/api/v1/audit/{entry.pk}/", {"event": "forged"}, format="json")
    assert response.status_code == 405
    assert response.json() == {"detail": f"不允许使用 {method.upper()} 请求方法。"}
    assert AuditEntry.objects.filter(pk=entry.pk).values().first() == snapshot


def test_no_entry_can_be_created_through_the_api(auditor):
    before = AuditEntry.objects.count()
    response = api(auditor).post("/api/v1/audit/", {"event": "forged"}, format="json")
    assert response.status_code == 405
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_writes_by_others_are_refused_before_the_method(tree, method):
    entry = AuditEntry.objects.order_by("id").first()
    response = getattr(api(tree.user(Role.SYS_ADMIN)), method)(f"/api/v1/audit/{entry.pk}/", {}, format="json")
    assert response.status_code == 403
