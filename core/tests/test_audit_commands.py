"""verify_audit and purge_audit (rows 17 and 19 of docs SECURITY)."""

import datetime as dt
import gzip
import hashlib
import importlib
import io
import json
import stat
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from core import audit
from core.actor import Actor
from core.models import AuditEntry

APPEND_ONLY = importlib.import_module("core.migrations.0002_audit_append_only")
SYSTEM = Actor.system("tests")


def bypass_triggers(sql: str, params: list) -> None:
    """Run a change the way a database superuser could, around the append-only triggers."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER core_auditentry_no_update")
            cursor.execute("DROP TRIGGER core_auditentry_no_delete")
            cursor.execute(sql, params)
            for statement in APPEND_ONLY.SQLITE:
                cursor.execute(statement)
        else:
            cursor.execute("SET LOCAL session_replication_role = replica")  # superuser: triggers off
            cursor.execute(sql, params)
            cursor.execute("SET LOCAL session_replication_role = origin")


def make_entries(count: int, *, days_ago: int | None = None) -> list[AuditEntry]:
    at = timezone.now() - dt.timedelta(days=days_ago) if days_ago is not None else None
    entries = []
    for n in range(count):
        if at is None:
            entries.append(audit.record(SYSTEM, "test.event", detail={"n": n}))
        else:
            with mock.patch("core.audit.timezone.now", return_value=at + dt.timedelta(seconds=n)):
                entries.append(audit.record(SYSTEM, "test.event", detail={"n": n, "old": True}))
    return entries


# --- verify_audit -------------------------------------------------------------------------


def test_verify_passes_on_an_intact_log(db):
    make_entries(3)
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert out.getvalue().splitlines()[0] == "审计日志完整：已校验 3 条记录。"


def test_verify_detects_an_edit_made_around_the_triggers(db):
    entries = make_entries(4)
    target = entries[1]
    bypass_triggers("UPDATE core_auditentry SET username = %s WHERE id = %s", ["mallory", target.pk])
    assert AuditEntry.objects.get(pk=target.pk).username == "mallory"
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit")
    assert str(caught.value) == f"审计日志校验失败：1 条记录的内容与其签名不符，编号：{target.pk}。"
    assert caught.value.returncode == 1
    # The triggers are back: the application still cannot change a row.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET username = 'x' WHERE id = %s", [entries[0].pk])


def test_verify_detects_a_row_deleted_around_the_triggers(db):
    entries = make_entries(4)
    bypass_triggers("DELETE FROM core_auditentry WHERE id = %s", [entries[2].pk])
    with pytest.raises(CommandError, match=f"链接断开.*编号：{entries[3].pk}。$"):
        call_command("verify_audit")


# --- purge_audit --------------------------------------------------------------------------


@pytest.mark.parametrize("older_than", ["179", "179d", "30", "0"])
def test_purge_refuses_anything_younger_than_180_days(db, tmp_path, older_than):
    make_entries(2, days_ago=400)
    with pytest.raises(CommandError) as caught:
        call_command("purge_audit", "--older-than", older_than, "--archive-dir", str(tmp_path))
    assert str(caught.value) == (
        "拒绝清理：审计日志至少保留180天（网络安全法第二十一条要求留存不少于六个月），--older-than 不能小于180。"
    )
    assert AuditEntry.objects.count() == 2
    assert list(tmp_path.iterdir()) == []


def test_purge_archives_checks_and_deletes(db, tmp_path):
    old = make_entries(3, days_ago=200)
    recent = make_entries(2)
    out = io.StringIO()
    call_command("purge_audit", "--older-than", "180d", "--archive-dir", str(tmp_path), stdout=out)

    assert not AuditEntry.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert AuditEntry.objects.filter(pk__in=[e.pk for e in recent]).count() == 2
    archive = next(tmp_path.glob("audit-*.jsonl.gz"))
    sum_file = tmp_path / (archive.name + ".sha256")
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    assert sum_file.read_text() == f"{digest}  {archive.name}\n"
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with gzip.open(archive, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    assert [r["id"] for r in records] == [e.pk for e in old]
    assert all(audit.archive_record_intact(r) for r in records)
    assert records[0]["detail"] == {"n": 0, "old": True}

    purge = AuditEntry.objects.get(event="audit.purge")
    assert purge.username == "system:purge_audit"
    assert purge.detail["rows"] == 3 and purge.detail["sha256"] == digest and purge.detail["archive"] == archive.name
    assert audit.verify_chain() == []  # what remains still verifies
    assert f"已归档并删除 3 条记录：{archive}" in out.getvalue()


def test_purge_with_nothing_old_enough_does_nothing(db, tmp_path):
    make_entries(2, days_ago=10)
    out = io.StringIO()
    call_command("purge_audit", "--older-than", "180", "--archive-dir", str(tmp_path), stdout=out)
    assert "无需清理" in out.getvalue()
    assert AuditEntry.objects.count() == 2
    assert list(tmp_path.iterdir()) == []


def test_purge_dry_run_changes_nothing(db, tmp_path):
    make_entries(2, days_ago=365)
    out = io.StringIO()
    call_command("purge_audit", "--older-than", "180", "--archive-dir", str(tmp_path), "--dry-run", stdout=out)
    assert out.getvalue().strip() == "将归档并删除 2 条记录（试运行，未做改动）。"
    assert AuditEntry.objects.count() == 2


def test_purge_refuses_a_tampered_log(db, tmp_path):
    entries = make_entries(3, days_ago=365)
    bypass_triggers("UPDATE core_auditentry SET event = %s WHERE id = %s", ["forged", entries[0].pk])
    with pytest.raises(CommandError, match="^拒绝清理：审计日志哈希校验未通过（1 条记录异常"):
        call_command("purge_audit", "--older-than", "180", "--archive-dir", str(tmp_path))
    assert AuditEntry.objects.count() == 3
    assert list(tmp_path.iterdir()) == []


def test_purge_deletes_nothing_when_the_archive_does_not_read_back(db, tmp_path):
    make_entries(3, days_ago=365)
    original = audit.archive_record

    def corrupted(entry):
        record = original(entry)
        record["username"] = "altered-in-writing"
        return record

    with mock.patch("core.audit.archive_record", corrupted), pytest.raises(CommandError) as caught:
        call_command("purge_audit", "--older-than", "180", "--archive-dir", str(tmp_path))
    assert str(caught.value) == "归档文件第1行的记录与其哈希不符，未删除任何记录。"
    assert AuditEntry.objects.count() == 3
    assert not AuditEntry.objects.filter(event="audit.purge").exists()


def test_purge_only_removes_a_leading_run_of_the_chain(db, tmp_path):
    """An old-dated row after a recent one stays, so the kept chain verifies from its first row."""
    first = make_entries(2, days_ago=300)
    make_entries(1)
    late_but_old = make_entries(1, days_ago=300)
    call_command("purge_audit", "--older-than", "180", "--archive-dir", str(tmp_path), stdout=io.StringIO())
    assert not AuditEntry.objects.filter(pk__in=[e.pk for e in first]).exists()
    assert AuditEntry.objects.filter(pk=late_but_old[0].pk).exists()
    assert audit.verify_chain() == []


def test_bad_older_than_value(db, tmp_path):
    with pytest.raises(CommandError, match="^--older-than 应为天数，例如 365 或 365d。$"):
        call_command("purge_audit", "--older-than", "half a year", "--archive-dir", str(tmp_path))
