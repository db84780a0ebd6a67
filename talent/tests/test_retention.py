"""The retention rule: ID numbers and phones of people removed more than TALENT_RETENTION_YEARS years ago
are erased by the periodic job and `manage.py purge_talent`; idempotent, audited, history kept."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from core import registry
from core.models import AuditEntry
from orgs.tests.factories import SYSTEM
from talent import services
from talent.models import Person
from talent.services.retention import cutoff, purge_expired
from talent.tests.factories import id_number, make_honour, make_person

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 7)


def _removed(org, name, on):
    person = make_person(org, name, id_number=id_number(), phone="13812345678")
    make_honour(person)
    services.person_remove(by=SYSTEM, person=person, version=person.version, on=on, reason="调离")
    return Person.objects.get(pk=person.pk)


def test_the_rule_erases_only_what_is_due_and_keeps_the_record(tree, settings):
    settings.TALENT_RETENTION_YEARS = 3
    assert cutoff(TODAY) == dt.date(2023, 12, 7)
    old = _removed(tree.ent_a1, "老张", dt.date(2023, 12, 7))
    recent = _removed(tree.ent_a1, "小李", dt.date(2023, 12, 8))
    kept = make_person(tree.ent_a1, "在库", id_number=id_number())
    assert purge_expired(today=TODAY) == {"erased": 1, "years": 3}
    old.refresh_from_db()
    recent.refresh_from_db()
    kept.refresh_from_db()
    assert old.id_number == "" and old.phone == "" and old.id_number_index == "" and old.erased_on == TODAY
    assert old.name == "老张" and old.honours.count() == 1 and old.removed_on == dt.date(2023, 12, 7)
    assert recent.id_number and recent.phone and kept.id_number
    assert purge_expired(today=TODAY)["erased"] == 0  # idempotent
    rows = AuditEntry.objects.filter(event="talent.person.purge").order_by("pk")
    assert [r.detail["erased"] for r in rows] == [1, 0]


def test_the_command_and_the_periodic_job(tree, settings):
    settings.TALENT_RETENTION_YEARS = 0
    person = _removed(tree.ent_a1, "老王", dt.date(2020, 1, 1))
    out = StringIO()
    call_command("purge_talent", stdout=out)
    assert "erased=1" in out.getvalue()
    person.refresh_from_db()
    assert person.id_number == ""
    job = next(p for p in registry.declared_periodic() if p.name == "talent.purge")
    assert job.fn()["erased"] == 0
    assert AuditEntry.objects.filter(event="talent.person.purge").count() == 2


def test_a_removed_person_erased_can_be_added_again(tree, settings):
    settings.TALENT_RETENTION_YEARS = 1
    person = _removed(tree.ent_a1, "老赵", dt.date(2020, 1, 1))
    number = Person.objects.get(pk=person.pk).id_number
    purge_expired(today=TODAY)
    again = make_person(tree.ent_a2, "老赵", id_number=number)
    assert again.id_number == number
