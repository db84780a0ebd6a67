"""The demo library (policies/demo/): 20 published measures, one expired, one draft; a notice with some opened;
the 2021 uptake round whose analytics name the under-used measures; a second load that creates nothing.

The demo tree is loaded once for the module without the sample reports (they take minutes); instead each enterprise
but a few gets an accepted 2021 report written directly, and a demo reporter as the sample reports would make,
inside a transaction rolled back at the end.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from core.audit import verify_chain
from core.models import AuditEntry
from orgs.choices import OrgKind, Role
from orgs.demo import load_demo
from orgs.models import Membership, Organisation
from policies import queries
from policies.choices import MeasureStatus
from policies.demo import NOTICE_TITLE, load_demo_policies
from policies.demo.measures import UNDER_USED
from policies.models import Measure, Notice, NoticeRecipient, UptakeLine, UptakeReport, UptakeRound

pytestmark = pytest.mark.django_db


def _counts():
    return {model.__name__: model.objects.count() for model in (Measure, Notice, NoticeRecipient, UptakeRound,
                                                                UptakeReport, UptakeLine, AuditEntry)}  # fmt: skip


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        User = get_user_model()
        from analytics.tests.helpers import accepted_report
        from reporting.tests.factories import load_workforce

        yearly, _quarterly = load_workforce()
        for index, org in enumerate(Organisation.objects.filter(kind=OrgKind.ENTERPRISE, closed_on__isnull=True)):
            if index % 17 != 5:  # a few enterprises have no accepted 2021 report: their figures are 无数据
                size = 150 + (index * 97) % 2800
                accepted_report(None, yearly, "2021", org, nonmigrant=size * 2 // 3, migrant=size // 3,
                                certified=size // 5, edu_fund_spent=size * 150, training_person_times=size)  # fmt: skip
            if not Membership.objects.filter(org=org, role=Role.REPORTER, user__is_demo=True).exists():
                user = User.objects.create_user(
                    username=f"rep_{org.code.lower()}", password="x-Passw0rd-2026", is_demo=True
                )
                Membership.objects.create(user=user, org=org, role=Role.REPORTER)
        office = User.objects.get(username="office_admin")
        first = load_demo_policies(office)
        counts = _counts()
        second = load_demo_policies(office)
        yield first, second, counts
        transaction.set_rollback(True)


def test_library_has_twenty_published_one_expired_one_draft(demo):
    published = Measure.objects.filter(status=MeasureStatus.PUBLISHED)
    assert published.count() == 21
    expired = [m for m in published if m.valid_to and m.valid_to.year == 2020]
    assert [m.title for m in expired] == ["以工代训补贴"]
    assert Measure.objects.filter(status=MeasureStatus.DRAFT).count() == 1
    assert Measure.objects.filter(rules__isnull=False).distinct().count() >= 12
    assert all(m.doc_number for m in published)


def test_notice_sent_with_some_opened(demo):
    notice = Notice.objects.get(title=NOTICE_TITLE)
    recipients = notice.recipients.all()
    opened = recipients.filter(opened_at__isnull=False).count()
    assert recipients.count() > 5 and 0 < opened < recipients.count()


def test_uptake_analytics_name_the_under_used_measures(demo):
    round_ = UptakeRound.objects.get(year=2021)
    data = queries.analytics(round_)
    assert data.progress.submitted > data.progress.expected * 0.8
    assert data.progress.submitted < data.progress.expected  # a few never submit
    under = {m.measure.title for m in data.under_used}
    assert set(UNDER_USED) <= under
    for row in data.under_used:
        if row.measure.title in UNDER_USED:
            assert row.rate < 0.4
    assert 0 < len(data.none_used) < 20
    assert data.reasons and data.reasons[0][1] > 0


def test_a_second_load_creates_nothing(demo):
    first, second, counts = demo
    assert first.created["measures"] == 22 and first.created["notices"] == 1 and first.created["forms"] > 50
    assert not second.created and second.kept["measures"] == 22 and second.kept["rounds"] == 1
    assert _counts() == counts
    assert not first.warnings
    assert verify_chain() == []
