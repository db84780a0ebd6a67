"""The keyed audit chain and its anchors (issue 11): deleting the head, the tail or the middle, editing a
row and recomputing the chain, and reordering rows are each detected; a rotated key still verifies old rows."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core import audit
from core.models import AuditEntry
from core.tests.test_audit_commands import bypass_triggers, make_entries

pytestmark = pytest.mark.django_db


def verify_output() -> str:
    try:
        call_command("verify_audit", stdout=io.StringIO())
    except CommandError as error:
        return str(error)
    return "完整"


def test_new_rows_are_signed_with_the_current_key(settings):
    settings.AUDIT_KEYS = {"k1": "a" * 40}
    entry = make_entries(1)[0]
    assert entry.entry_hash.startswith("k1$") and len(entry.entry_hash) == 64
    assert audit.verify().intact


def test_an_intact_log_verifies_and_gets_an_anchor(settings):
    make_entries(5)
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "审计日志完整：已校验 5 条记录。" in out.getvalue()
    anchor = audit.latest_anchor()
    assert anchor["rows"] == 5 and anchor["last_id"] == AuditEntry.objects.order_by("-id").first().id
    files = list(settings.AUDIT_ANCHOR_DIR.glob("anchor-*.json"))
    assert len(files) == 1 and oct(files[0].stat().st_mode & 0o777) == "0o600"


def test_deleting_the_tail_after_an_anchor_is_detected():
    make_entries(30)
    audit.write_anchor()
    tail = list(AuditEntry.objects.order_by("-id").values_list("id", flat=True)[:20])
    bypass_triggers("DELETE FROM core_auditentry WHERE id >= %s", [min(tail)])
    assert "上次锚点记录的最后一条" in verify_output() and "已不存在" in verify_output()


def test_deleting_the_head_is_detected():
    entries = make_entries(60)
    bypass_triggers("DELETE FROM core_auditentry WHERE id <= %s", [entries[49].id])
    report = audit.verify(anchor=None)
    assert report.head_cut == entries[50].id
    assert "日志开头的记录被删除" in verify_output()


def test_deleting_rows_in_the_middle_is_detected():
    entries = make_entries(10)
    bypass_triggers("DELETE FROM core_auditentry WHERE id IN (%s, %s)", [entries[4].id, entries[5].id])
    report = audit.verify(anchor=None)
    assert report.broken_links == [entries[6].id]
    assert "链接断开" in verify_output()


def test_an_edit_with_the_plain_chain_recomputed_is_detected():
    # The attack of the finding: edit a row, then recompute SHA-256 for it and every row after it.
    entries = make_entries(5)
    target = entries[2]
    rows = list(AuditEntry.objects.filter(id__gte=target.id).order_by("id"))
    prev = rows[0].prev_hash
    for row in rows:
        if row.id == target.id:
            row.detail = {"n": 999}
        payload = audit.hash_payload(row)
        body = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
        forged = hashlib.sha256((prev + body).encode("utf-8")).hexdigest()
        bypass_triggers(
            "UPDATE core_auditentry SET detail = %s, prev_hash = %s, entry_hash = %s WHERE id = %s",
            [json.dumps(row.detail), prev, forged, row.id],
        )
        prev = forged
    report = audit.verify(anchor=None)
    assert set(report.edited) == {e.id for e in entries[2:]}
    assert "内容与其签名不符" in verify_output()


def test_reordering_rows_is_detected():
    entries = make_entries(4)
    a, b = entries[1], entries[2]
    # Swap the two rows' contents (with their hashes): each keeps a valid MAC but the links break.
    bypass_triggers("UPDATE core_auditentry SET id = -1 WHERE id = %s", [a.id])
    bypass_triggers("UPDATE core_auditentry SET id = %s WHERE id = %s", [a.id, b.id])
    bypass_triggers("UPDATE core_auditentry SET id = %s WHERE id = -1", [b.id])
    report = audit.verify(anchor=None)
    assert report.broken_links and not report.intact


def test_a_forged_anchor_file_is_ignored(settings):
    make_entries(3)
    anchor = audit.write_anchor()
    forged = {**anchor, "rows": 1}
    (settings.AUDIT_ANCHOR_DIR / "anchor-forged.json").write_text(json.dumps(forged))
    assert audit.latest_anchor() == anchor


def test_key_rotation_keeps_old_rows_verifiable(settings):
    settings.AUDIT_KEYS = {"k1": "a" * 40}
    old = make_entries(3)
    settings.AUDIT_KEYS = {"k2": "b" * 40, "k1": "a" * 40}  # the new key first, the old one kept
    new = make_entries(2)
    assert new[0].entry_hash.startswith("k2$") and old[0].entry_hash.startswith("k1$")
    assert audit.verify().intact
    # A server without the old key cannot vouch for the old rows, and says so.
    settings.AUDIT_KEYS = {"k2": "b" * 40}
    report = audit.verify()
    assert report.unknown_key == [e.id for e in old]
    assert "由本机没有的密钥签名" in verify_output()


def test_rows_from_before_keying_still_verify():
    entries = make_entries(2)
    legacy = AuditEntry.objects.get(id=entries[0].id)
    payload = audit.hash_payload(legacy)
    plain = audit._digest(legacy.prev_hash, payload, None)
    bypass_triggers("UPDATE core_auditentry SET entry_hash = %s WHERE id = %s", [plain, legacy.id])
    bypass_triggers("UPDATE core_auditentry SET prev_hash = %s WHERE id = %s", [plain, entries[1].id])
    # The second row's MAC covers its old prev_hash, so re-sign it as the writer would have.
    second = AuditEntry.objects.get(id=entries[1].id)
    resigned = audit._digest(second.prev_hash, audit.hash_payload(second), audit.chain_keys()[0])
    bypass_triggers("UPDATE core_auditentry SET entry_hash = %s WHERE id = %s", [resigned, second.id])
    assert audit.verify(anchor=None).intact


def test_the_audit_page_shows_the_last_anchor(client, tree):
    from accounts.tests.factories import login_verified
    from orgs.choices import Role

    login_verified(client, tree.user(Role.AUDIT_ADMIN))
    assert "尚无校验锚点" in client.get("/audit/").content.decode()
    make_entries(2)
    anchor = audit.write_anchor()
    page = client.get("/audit/").content.decode()
    assert f"至第 {anchor['last_id']} 条，共 {anchor['rows']} 条记录。" in page
