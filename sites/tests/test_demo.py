"""The demo loader: the first batch of 8 provincial sites, a second being chosen, groups, visits, follow-ups and
ratings, played through the services as the demo accounts; a second load changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from core.models import AuditEntry
from orgs.choices import OrgKind, Role
from orgs.demo import load_demo
from orgs.models import Membership, Organisation
from orgs.tests.factories import make_user
from sites.choices import BatchStatus, FollowUpStatus, NominationStatus, SiteStatus
from sites.demo import FIRST, SECOND, load_demo_sites, summary_lines
from sites.models import Batch, FollowUp, GuidanceGroup, Nomination, Site, SiteRating, Visit, VisitFile


def _counts() -> dict:
    return {
        m.__name__: m.objects.count() for m in (Batch, Nomination, Site, GuidanceGroup, Visit, FollowUp, SiteRating)
    }


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        for union in Organisation.objects.filter(kind=OrgKind.UNION):  # the reporting demo's union administrators
            if not Membership.objects.filter(org=union, role=Role.UNION_ADMIN).exists():
                make_user(f"ua_{union.code.lower()}", role=Role.UNION_ADMIN, org=union)
        office = get_user_model().objects.get(username="office_admin")
        first = load_demo_sites(office)
        counts = _counts()
        audits = AuditEntry.objects.filter(event__startswith="sites.").count()
        second = load_demo_sites(office)
        yield first, second, counts, audits
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_first_batch_has_8_announced_provincial_sites_over_several_unions_and_prefectures(demo):
    first, _second, _counts_, _audits = demo
    assert not first.warnings
    batch = Batch.objects.get(name=FIRST)
    assert batch.status == BatchStatus.ANNOUNCED and batch.year == 2021 and batch.level == "provincial"
    sites = list(Site.objects.filter(batch=batch).select_related("org"))
    assert len(sites) == 8
    assert len({s.org.region_id for s in sites}) >= 5
    from sites.services import union_of

    assert len({union_of(s.org).pk for s in sites}) >= 6
    assert Nomination.objects.filter(batch=batch, status=NominationStatus.REJECTED).exclude(reason="").count() == 1
    assert all(s.status == SiteStatus.GUIDING for s in sites)


@pytest.mark.django_db
def test_second_batch_is_being_chosen_with_nominations_in_several_states(demo):
    batch = Batch.objects.get(name=SECOND)
    assert batch.is_open()
    states = set(batch.nominations.values_list("status", flat=True))
    assert {NominationStatus.SUBMITTED, NominationStatus.RETURNED, NominationStatus.DRAFT} <= states
    assert batch.nominations.get(status=NominationStatus.RETURNED).reason


@pytest.mark.django_db
def test_guidance_account_has_assigned_sites_not_his_own_with_visits_photos_followups_and_ratings(demo):
    guidance = get_user_model().objects.get(username="guidance")
    mine = Site.objects.filter(group__members=guidance)
    assert mine.exists() and not mine.filter(org__name="昆明供电局").exists()
    for name in ("office_reviewer", "dept_viewer"):
        assert GuidanceGroup.objects.filter(members__username=name).exists()
    assert 2 <= GuidanceGroup.objects.count() <= 3
    assert Visit.objects.filter(site__in=mine).exists()
    assert VisitFile.objects.filter(is_photo=True).count() == Visit.objects.count()
    assert FollowUp.objects.filter(status=FollowUpStatus.DONE).exists()
    overdue = [f for f in FollowUp.objects.all() if f.is_overdue()]
    assert overdue
    assert SiteRating.objects.filter(year=2021).count() == 8


@pytest.mark.django_db
def test_second_load_changes_nothing(demo):
    first, second, counts, audits = demo
    assert second.existed and _counts() == counts
    assert AuditEntry.objects.filter(event__startswith="sites.").count() == audits
    assert summary_lines(second) and "8" in summary_lines(first)[0]
