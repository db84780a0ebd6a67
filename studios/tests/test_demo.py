"""The demo loader: a dozen studios across the demo enterprises, led by people of the talent pool, results with
value created, one alliance across unions, 2021 reviews in every state; a second load changes nothing, and a
person the talent pool's demo already made is reused rather than duplicated."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from core.models import AuditEntry
from orgs.demo import load_demo
from orgs.models import Organisation
from studios.choices import Grade, ReviewStatus, StudioStatus
from studios.demo import ALLIANCE, load_demo_studios, summary_lines
from studios.models import Alliance, Studio, StudioResult, StudioReview
from studios.sources import studios_at
from talent.models import Person


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        pooled = Person.objects.create(
            org=Organisation.objects.get(name="昆明供电局"), name="人才库已有", gender="female",
            occupation="配电线路工", skill_level="technician",
        )  # fmt: skip
        office = get_user_model().objects.get(username="office_admin")
        first = load_demo_studios(office)
        counts = (Studio.objects.count(), StudioResult.objects.count(), Person.objects.count())
        audits = AuditEntry.objects.filter(event__startswith="studios.").count()
        second = load_demo_studios(office)
        yield first, second, counts, audits, pooled
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_a_dozen_studios_led_by_people_of_the_pool(demo):
    first, _second, counts, _audits, pooled = demo
    assert not first.warnings
    assert counts[0] == 12
    kunming = Studio.objects.get(org__name="昆明供电局")
    assert kunming.leader == pooled and kunming.name == "人才库已有劳模创新工作室"
    assert kunming.level == "provincial" and kunming.namings.count() == 2
    assert Studio.objects.filter(status=StudioStatus.REVOKED).count() == 1
    assert len({s.org_id for s in Studio.objects.all()}) == 12
    assert "创新工作室：12 个" in summary_lines(first)[0]


@pytest.mark.django_db
def test_results_alliance_and_reviews(demo):
    assert StudioResult.objects.filter(value__isnull=False).count() >= 8
    alliance = Alliance.objects.get(name=ALLIANCE)
    unions = {s.org.path[: Organisation.steplen * 3] for s in alliance.studios.select_related("org")}
    assert len(unions) == 2 and alliance.activities.count() == 1
    states = set(StudioReview.objects.values_list("status", flat=True))
    assert states == {ReviewStatus.RATED, ReviewStatus.SUBMITTED, ReviewStatus.RETURNED, ReviewStatus.DRAFT}
    assert StudioReview.objects.filter(grade=Grade.EXCELLENT).exists()
    provincial_up = list(studios_at(dt.date(2022, 12, 31), levels=("national", "provincial")))
    assert len(provincial_up) == 3


@pytest.mark.django_db
def test_a_second_load_changes_nothing(demo):
    _first, second, counts, audits, _pooled = demo
    assert second.existed
    assert (Studio.objects.count(), StudioResult.objects.count(), Person.objects.count()) == counts
    assert AuditEntry.objects.filter(event__startswith="studios.").count() == audits
