"""The pool's writes: validation of ID numbers and phones, the duplicate check (naming the person only to
whoever may see him), scope, optimistic locking, removal and honours; each audited without personal data."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from core.actor import Actor
from core.errors import ConflictError, UserError
from core.idnumber import fake_id_number
from core.models import AuditEntry
from orgs.choices import Role
from orgs.tests.factories import SYSTEM
from talent import services
from talent.choices import HonourKind, HonourLevel, SkillLevel
from talent.models import Person
from talent.tests.factories import id_number, make_honour, make_person

pytestmark = pytest.mark.django_db


def test_an_id_number_is_checked_by_gb_11643(tree):
    good = fake_id_number("530102", dt.date(1980, 1, 2), 7)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(UserError) as caught:
        make_person(tree.ent_a1, id_number=bad)
    assert caught.value.field == "id_number" and "校验码" in caught.value.message
    with pytest.raises(UserError) as caught:
        make_person(tree.ent_a1, id_number="530102800102123")
    assert "15 位" in caught.value.message
    person = make_person(tree.ent_a1, id_number=good.lower())
    assert Person.objects.get(pk=person.pk).id_number == good.upper()


def test_id_number_and_phone_are_optional_and_the_phone_is_checked(tree):
    person = make_person(tree.ent_a1)
    assert person.id_number == "" and person.phone == ""
    with pytest.raises(UserError) as caught:
        make_person(tree.ent_a1, name="王芳", phone="电话")
    assert caught.value.field == "phone"


def test_a_duplicate_id_number_names_the_person_only_to_who_may_see_him(tree):
    number = id_number()
    make_person(tree.ent_b1, name="赵铜", id_number=number)
    own = Actor(user=tree.user(Role.UNION_ADMIN, tree.union_a))
    with pytest.raises(UserError) as caught:
        services.person_create(by=own, org=tree.ent_a1, name="钱电", gender="male", occupation="电工", id_number=number)
    assert caught.value.message == "该身份证号已在人才库中（其他单位）。"
    office = Actor(user=tree.user(Role.OFFICE_ADMIN))
    with pytest.raises(UserError) as caught:
        services.person_create(
            by=office, org=tree.ent_a1, name="钱电", gender="male", occupation="电工", id_number=number
        )
    assert "赵铜" in caught.value.message and "云南铜业股份" in caught.value.message


def test_scope_a_union_edits_its_subtree_only(tree):
    admin = Actor(user=tree.user(Role.UNION_ADMIN, tree.union_a))
    person = services.person_create(by=admin, org=tree.unit_a1, name="孙工", gender="male", occupation="钳工")
    other = make_person(tree.ent_b1, "周铜")
    with pytest.raises(PermissionDenied):
        services.person_update(by=admin, person=other, version=other.version, name="改名")
    viewer = Actor(user=tree.user(Role.LEADER))
    with pytest.raises(PermissionDenied):
        services.person_update(by=viewer, person=person, version=person.version, name="改名")


def test_update_keeps_the_lock_and_the_index(tree):
    person = make_person(tree.ent_a1)
    number = id_number()
    services.person_update(by=SYSTEM, person=person, version=1, id_number=number, phone="13912345678")
    person.refresh_from_db()
    assert person.version == 2 and person.id_number == number
    with pytest.raises(UserError):
        make_person(tree.ent_a2, "另一个人", id_number=number)  # found through the index written by the update
    with pytest.raises(ConflictError):
        services.person_update(by=SYSTEM, person=person, version=1, name="旧版本")


def test_audit_rows_never_hold_the_full_numbers(tree):
    number = id_number()
    person = make_person(tree.ent_a1, id_number=number, phone="13812345678")
    services.person_update(by=SYSTEM, person=person, version=person.version, occupation="继电保护工")
    rows = AuditEntry.objects.filter(object_type="talent.person")
    text = " ".join(str([r.before, r.after, r.detail, r.object_repr]) for r in rows)
    assert rows.count() == 2 and number not in text and "13812345678" not in text


def test_removal_keeps_history_and_restore_brings_back(tree):
    person = make_person(tree.ent_a1)
    make_honour(person)
    with pytest.raises(UserError):
        services.person_remove(by=SYSTEM, person=person, version=person.version, reason="")
    services.person_remove(by=SYSTEM, person=person, version=person.version, reason="调离本省")
    person.refresh_from_db()
    assert person.removed_on is not None and person.honours.count() == 1
    assert not Person.objects.active().filter(pk=person.pk).exists()
    with pytest.raises(UserError):
        services.person_update(by=SYSTEM, person=person, version=person.version, name="x")
    services.person_restore(by=SYSTEM, person=person, version=person.version)
    person.refresh_from_db()
    assert person.removed_on is None and person.removed_reason == ""


def test_honours_added_once_and_removed(tree):
    person = make_person(tree.ent_a1)
    honour = make_honour(person)
    with pytest.raises(UserError, match="在这一天已有同类别、同级别的荣誉"):
        make_honour(person)
    with pytest.raises(UserError) as caught:
        services.honour_add(
            by=SYSTEM, person=person, kind=HonourKind.CRAFTSMAN, level=HonourLevel.PROVINCIAL, title="",
            awarded_on=dt.date(2024, 1, 1),
        )  # fmt: skip
    assert caught.value.field == "title"
    services.honour_remove(by=SYSTEM, honour=honour)
    assert person.honours.count() == 0
    assert AuditEntry.objects.filter(event="talent.honour.remove").count() == 1


def test_a_skill_level_is_only_ever_raised(tree):
    person = make_person(tree.ent_a1, skill_level=SkillLevel.TECHNICIAN)
    with pytest.raises(UserError, match="晋升后的等级应高于现有等级"):
        services.skill_level_raise(person=person, level=SkillLevel.SENIOR)
    previous = services.skill_level_raise(person=person, level=SkillLevel.SENIOR_TECHNICIAN)
    person.refresh_from_db()
    assert (previous, person.skill_level, person.version) == (SkillLevel.TECHNICIAN, SkillLevel.SENIOR_TECHNICIAN, 2)
