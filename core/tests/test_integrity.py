"""The kernel's integrity seals (core/integrity.py, docs/integrity.md): canonical form, keys and rotation, the
recorded outcome and the audit administrator's page. The apps' own tests tamper with their data by SQL."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import hmac
from unittest import mock

import pytest
from django.utils import timezone

from core import audit, integrity
from core.actor import Actor
from core.models import AuditEntry

pytestmark = pytest.mark.django_db

IDENTITY = {"report": 7, "org": 3, "period": "2021", "dataset": "WF_Y"}
VALUES = {"A[]": ["12", "12", ""], "B[X.Y]": ["是", "1", "备注"]}


def test_a_seal_depends_on_every_value_and_on_the_identity(settings):
    settings.AUDIT_KEYS = {"k1": "a" * 40}
    key_id, mac = integrity.seal("t.item", IDENTITY, VALUES)

    assert key_id == "k1" and len(mac) == 64
    assert integrity.outcome("t.item", IDENTITY, VALUES, mac, key_id) == integrity.OK
    changed = {**VALUES, "A[]": ["13", "13", ""]}
    fewer = {"A[]": VALUES["A[]"]}
    more = {**VALUES, "C[]": ["1", "1", ""]}
    for values in (changed, fewer, more):
        assert integrity.outcome("t.item", IDENTITY, values, mac, key_id) == integrity.MISMATCH
    moved = {**IDENTITY, "org": 4}
    assert integrity.outcome("t.item", moved, VALUES, mac, key_id) == integrity.MISMATCH
    assert integrity.outcome("t.other", IDENTITY, VALUES, mac, key_id) == integrity.MISMATCH
    assert integrity.outcome("t.item", IDENTITY, VALUES, "", "") == integrity.UNSEALED


def test_the_order_values_were_read_in_does_not_matter():
    key_id, mac = integrity.seal("t.item", IDENTITY, VALUES)
    reordered = dict(reversed(list(VALUES.items())))
    assert integrity.outcome("t.item", IDENTITY, reordered, mac, key_id) == integrity.OK


def test_numbers_are_compared_whatever_scale_the_database_returns():
    assert integrity.number_text(decimal.Decimal("12.5000")) == "12.5"
    assert integrity.number_text(decimal.Decimal("100.0000")) == "100"
    assert integrity.number_text(decimal.Decimal("0.0000")) == "0"
    assert integrity.number_text(decimal.Decimal("-0.0")) == "0"
    assert integrity.number_text(None) is None


def test_rotated_keys_still_verify_and_a_missing_key_is_told_apart(settings):
    settings.AUDIT_KEYS = {"k1": "a" * 40}
    old = integrity.seal("t.item", IDENTITY, VALUES)
    settings.AUDIT_KEYS = {"k2": "b" * 40, "k1": "a" * 40}
    new = integrity.seal("t.item", IDENTITY, VALUES)

    assert (old[0], new[0]) == ("k1", "k2")
    assert integrity.outcome("t.item", IDENTITY, VALUES, old[1], old[0]) == integrity.OK
    settings.AUDIT_KEYS = {"k2": "b" * 40}
    assert integrity.outcome("t.item", IDENTITY, VALUES, old[1], old[0]) == integrity.UNKNOWN_KEY


def test_the_seal_key_is_derived_for_this_purpose_from_the_audit_key(settings):
    settings.AUDIT_KEYS = {"k1": "a" * 40}
    _key_id, mac = integrity.seal("t.item", IDENTITY, VALUES)
    plain = hmac.new(b"a" * 40, integrity.canonical("t.item", IDENTITY, VALUES), hashlib.sha256).hexdigest()

    assert mac != plain  # a seal is never an audit-chain MAC of the same bytes, nor the other way round


def test_without_configured_keys_the_seal_uses_the_chain_key_derived_from_secret_key(settings):
    settings.AUDIT_KEYS = {}
    key_id, mac = integrity.seal("t.item", IDENTITY, VALUES)
    assert key_id == audit.chain_keys()[0] == "s0"
    assert integrity.outcome("t.item", IDENTITY, VALUES, mac, key_id) == integrity.OK


def failing_report() -> integrity.CheckReport:
    report = integrity.CheckReport(checked={"t.item": 5})
    report.problems = [
        integrity.Problem("t.item", "测试", 1, integrity.MISMATCH, "甲企业", "E-1", "2021年度", "年报"),
        integrity.Problem("t.item", "测试", 2, integrity.UNSEALED, "乙企业", "E-2", "2021年度", "年报"),
    ]
    return report


def test_the_recorded_outcome_is_an_audit_row_and_the_last_check_reads_it():
    assert integrity.last_check() is None
    entry = integrity.record_check(failing_report(), by=Actor.system("test"), source="command")

    assert (entry.event, entry.success) == ("core.integrity.check", False)
    assert entry.detail["failed"] == [
        {"kind": "t.item", "id": 1, "outcome": "mismatch", "org_code": "E-1", "period": "2021年度"}
    ]
    last = integrity.last_check()
    assert (last["id"], last["items"], last["mismatches"], last["unsealed"], last["intact"]) == (
        entry.id,
        5,
        1,
        1,
        False,
    )
    assert audit.verify(anchor=None).intact


def test_the_audit_page_shows_the_last_integrity_check(client, tree):
    from accounts.tests.factories import login_verified
    from orgs.choices import Role

    login_verified(client, tree.user(Role.AUDIT_ADMIN))
    page = client.get("/audit/").content.decode()
    assert "尚无数据完整性校验记录" in page

    entry = integrity.record_check(failing_report(), by=Actor.system("test"), source="periodic")
    page = client.get("/audit/").content.decode()

    at = timezone.localtime(entry.at)
    assert f"最近一次数据完整性校验：{at:%Y-%m-%d %H:%M}，校验已验收数据 5 项，与封印不符 1 项，尚无封印 1 项。" in page
    assert f'href="/audit/{entry.id}/"' in page
    assert "text-danger" in page.split('id="integrity-check"')[0].rsplit("<p", 1)[1]
    assert "已超过两天没有校验" not in page
    detail = client.get(f"/audit/{entry.id}/").content.decode()
    assert "数据完整性校验" in detail

    with mock.patch("core.audit.timezone.now", return_value=timezone.now() - dt.timedelta(days=3)):
        integrity.record_check(failing_report(), by=Actor.system("test"), source="periodic")  # the worker stopped
    assert "已超过两天没有校验，请检查后台任务是否运行。" in client.get("/audit/").content.decode()


def test_other_roles_do_not_see_the_check(client, tree):
    from accounts.tests.factories import login_verified
    from orgs.choices import Role

    integrity.record_check(failing_report(), by=Actor.system("test"), source="periodic")
    login_verified(client, tree.user(Role.SYS_ADMIN))
    response = client.get("/audit/")
    assert response.status_code == 403
    assert "数据完整性校验" not in response.content.decode()
    assert AuditEntry.objects.filter(event="access.denied").exists()
