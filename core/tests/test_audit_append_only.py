"""Row 17 of docs SECURITY: the database itself refuses to change or delete audit rows."""

import pytest
from django.db import DatabaseError, connection, transaction

from core import audit
from core.actor import Actor
from core.models import AuditEntry


@pytest.fixture
def entry(db):
    audit.record(Actor.system("tests"), "test.first")
    return audit.record(Actor.system("tests"), "test.second", detail={"k": "v"})


def _refused(sql: str, params=()) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_raw_update_is_refused(entry):
    _refused("UPDATE core_auditentry SET event = 'forged' WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).event == "test.second"


def test_raw_delete_is_refused(entry):
    _refused("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])
    _refused("DELETE FROM core_auditentry")
    assert AuditEntry.objects.count() == 2


def test_orm_update_and_delete_are_refused(entry):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(success=False)
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.delete()
    entry.event = "forged"
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.save()
    assert AuditEntry.objects.filter(event="test.second", success=True).count() == 1


def test_wiping_the_table_is_refused(entry):
    # PostgreSQL's TRUNCATE skips row triggers (a statement trigger guards it); SQLite has no
    # TRUNCATE, and its unqualified DELETE (the "truncate optimisation") must still fire the trigger.
    statement = "TRUNCATE core_auditentry" if connection.vendor == "postgresql" else "DELETE FROM core_auditentry"
    _refused(statement)
    assert AuditEntry.objects.count() == 2


def test_delete_is_possible_only_inside_purge_permitted(entry):
    with transaction.atomic(), audit.purge_permitted():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert not AuditEntry.objects.filter(pk=entry.pk).exists()
    # …and the refusal is back once the block ends.
    _refused("DELETE FROM core_auditentry")


def test_no_setting_switches_the_audit_off(settings):
    names = [
        n for n in dir(settings) if "AUDIT" in n.upper() and any(w in n.upper() for w in ("ENABLE", "DISABLE", "OFF"))
    ]
    assert names == []
