import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction, DatabaseError

from core import audit
from core.actor import Actor
from core.models import AuditEntry


@pytest.mark.django_db
def test_env():
    assert settings.HTTPS is False
    e = audit.record(Actor.system("t"), "x.y", detail={"a": 1})
    assert AuditEntry.objects.count() == 1
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as c:
            c.execute("UPDATE core_auditentry SET event='z'")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.all().delete()
    assert audit.verify_chain() == []
