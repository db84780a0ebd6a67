"""Test data for capacity building: classes on the shared small province (orgs/tests/factories.py)."""

from __future__ import annotations

import datetime as dt

from core import deadlines
from orgs.choices import OrgKind
from orgs.tests.factories import SYSTEM
from training import services
from training.choices import ClassKind, ClassStatus
from training.models import TrainingClass


def make_class(organiser, *, status: str = ClassStatus.OPEN, days_ahead: int = 20, **fields) -> TrainingClass:
    """A class organised by `organiser`, starting `days_ahead` days from today (negative: in the past), moved
    to `status` directly (the services' steps are tested on their own)."""
    today = deadlines.today()
    starts = today + dt.timedelta(days=days_ahead)
    fields.setdefault("kind", ClassKind.BUSINESS)
    fields.setdefault("title", "产改业务培训班")
    fields.setdefault("starts_on", starts)
    fields.setdefault("ends_on", starts + dt.timedelta(days=2))
    fields.setdefault("enrol_deadline", min(starts, today + dt.timedelta(days=10)))
    fields.setdefault("place", "昆明市")
    fields.setdefault("audience_kinds", [OrgKind.UNION, OrgKind.ENTERPRISE, OrgKind.PREFECTURE])
    klass = services.class_create(by=SYSTEM, organiser=organiser, **fields)
    if status != ClassStatus.PLANNING:
        TrainingClass.objects.filter(pk=klass.pk).update(status=status)
        klass.refresh_from_db()
    return klass


def enrol(klass, org, name: str, **fields):
    """Enrol a person while enrolment is open (the class is reopened for it if need be, then put back)."""
    from training.models import Enrolment

    status, deadline = klass.status, klass.enrol_deadline
    TrainingClass.objects.filter(pk=klass.pk).update(
        status=ClassStatus.OPEN, enrol_deadline=max(deadline, deadlines.today())
    )
    enrolment = services.enrolment_add(by=SYSTEM, klass=klass, org=org, name=name, **fields)
    TrainingClass.objects.filter(pk=klass.pk).update(status=status, enrol_deadline=deadline)
    klass.refresh_from_db()
    return Enrolment.objects.get(pk=enrolment.pk)


def idor_objects(places: dict) -> dict[str, dict[str, int]]:
    """For the IDOR probes (core/tests/test_idor_pages.py, test_api_idor.py): per place ("own", "sibling",
    "other_branch" → an enterprise), a class it organises (made directly: enterprises do not organise classes
    through the services) and an enrolment of its own in a class of the office, with a phone."""
    from orgs.models import Organisation
    from training.models import ClassFile, Enrolment

    office = Organisation.objects.get(code="OFFICE")
    shared = make_class(office, title="越权探测培训班", capacity=None)
    today = deadlines.today()
    found: dict[str, dict[str, int]] = {"training_class": {}, "training_file": {}, "enrolment": {}}
    for where, org in places.items():
        own = TrainingClass.objects.create(
            kind=ClassKind.BUSINESS, title=f"{org.code} 内部培训", organiser=org, year=today.year,
            starts_on=today, ends_on=today, place="本单位", audience_kinds=[OrgKind.UNIT],
            enrol_deadline=today, status=ClassStatus.RUNNING,
        )  # fmt: skip
        found["training_class"][where] = own.pk
        found["training_file"][where] = ClassFile.objects.create(
            klass=own, file=f"training/{own.pk}/{where}.pdf", original_name=f"{where}.pdf", size=3,
            content_type="application/pdf", sha256="0" * 64,
        ).pk  # fmt: skip
        found["enrolment"][where] = Enrolment.objects.create(
            klass=shared, org=org, name=f"{org.code} 学员", phone="13812345678"
        ).pk
    return found
