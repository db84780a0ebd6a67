"""The demo province's classes (training/demo/): the four 2021 classes of the speech and a union's own, played
through the services as the demo's people; one class open now; coverage with organisations never trained; and a
second load that creates nothing.

The demo tree and accounts are loaded once for the module (without the sample reports), the classes twice,
inside a transaction rolled back at the end.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from core import deadlines, registry
from core.audit import verify_chain
from core.models import AuditEntry
from orgs.demo import load_demo
from training.choices import ClassKind, ClassStatus
from training.demo import OPEN_TITLE, load_demo_training, summary_lines
from training.models import DayAttendance, Enrolment, TrainingClass
from training.queries.coverage import coverage


def _counts() -> dict[str, int]:
    return {
        "classes": TrainingClass.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "days": DayAttendance.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        office = get_user_model().objects.get(username="office_admin")
        first = load_demo_training(office)
        counts = _counts()
        second = load_demo_training(office)
        yield first, second, counts, office
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_2021_classes_of_the_speech_and_one_open_now(demo):
    first, _second, _counts_, _office = demo
    assert first.warnings == []
    kinds = set(TrainingClass.objects.filter(year=2021).values_list("kind", flat=True))
    assert kinds == {ClassKind.SEMINAR, ClassKind.BUSINESS, ClassKind.OFFICER, ClassKind.TRIP}
    assert set(TrainingClass.objects.filter(year=2021).values_list("status", flat=True)) == {ClassStatus.FINISHED}
    open_now = TrainingClass.objects.get(title=OPEN_TITLE)
    assert open_now.status == ClassStatus.OPEN and open_now.enrol_deadline > deadlines.today()
    seminar = TrainingClass.objects.get(kind=ClassKind.SEMINAR, year=2021)
    orgs = set(seminar.enrolments.values_list("org__kind", flat=True))
    assert orgs == {"department", "prefecture", "union"}
    assert seminar.enrolments.filter(completed=True).count() > 20
    assert seminar.enrolments.filter(attendance="absent").exists()  # a few did not come
    officers = TrainingClass.objects.get(kind=ClassKind.OFFICER, year=2021).enrolments
    assert set(officers.filter(user__isnull=False).values_list("user__username", flat=True)) >= {
        "info_officer", "info_officer_2",
    }  # fmt: skip
    business = TrainingClass.objects.get(title="2021年产改业务培训班")
    assert DayAttendance.objects.filter(enrolment__klass=business).count() == business.enrolments.count() * 3


@pytest.mark.django_db
def test_played_as_the_demo_people_on_the_story_clock(demo):
    union_class = TrainingClass.objects.get(organiser__code="U01")
    created = AuditEntry.objects.get(event="training.class.create", object_id=str(union_class.pk))
    assert created.username == "union_admin" and created.at.year == 2021
    enrolled = AuditEntry.objects.filter(event="training.enrolment.add", username="office_admin")
    assert enrolled.exists() and all(
        row.at.year == 2021 for row in enrolled.exclude(detail__class=TrainingClass.objects.get(title=OPEN_TITLE).pk)
    )
    assert verify_chain() == []


@pytest.mark.django_db
def test_coverage_names_organisations_never_trained(demo):
    office = demo[3]
    result = coverage(office, year=2021)
    assert result.total.expected == 16 + 35
    assert 0 < result.total.trained < result.total.expected
    assert len(result.never_trained) == result.total.expected - result.total.trained
    assert result.total.rate is not None


@pytest.mark.django_db
def test_the_union_admin_is_asked_to_enrol(demo):
    union_admin = get_user_model().objects.get(username="union_admin")
    texts = [todo.text for todo in registry.todos_for(union_admin)]
    assert any(OPEN_TITLE in text and "云南电网" in text for text in texts), texts


@pytest.mark.django_db
def test_a_second_load_creates_nothing(demo):
    _first, second, counts, _office = demo
    assert _counts() == counts
    assert second.created == {} and second.kept["classes"] == 6
    assert summary_lines(second)[0].startswith("  能力建设：新建培训班 0 期，已存在 6 期")
