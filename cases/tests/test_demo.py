"""The demo case library (cases/demo/): twelve published cases, two waiting, one returned, one draft, adoptions,
played through the services at their days, and a second load that creates nothing.

The demo tree and its accounts are loaded once for the module without the sample reports; the enterprises whose
reporter accounts come with the reports are then written for by the office, which holds EDIT everywhere.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from cases import queries
from cases.choices import CaseStatus
from cases.demo import load_demo_cases, summary_lines
from cases.demo.stories import STORIES
from cases.models import Case, Replication
from core.audit import verify_chain
from core.models import AuditEntry
from orgs.demo import load_demo


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        office = get_user_model().objects.get(username="office_admin")
        first = load_demo_cases(office)
        counts = (Case.objects.count(), Replication.objects.count(), AuditEntry.objects.count())
        second = load_demo_cases(office)
        yield first, second, counts
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_library_is_built_in_every_state(demo):
    first, _second, _counts = demo
    assert first.warnings == []
    assert dict(first.created) == {"published": 12, "submitted": 2, "returned": 1, "draft": 1, "replications": 8}
    assert Case.objects.filter(status=CaseStatus.PUBLISHED).count() == 12
    returned = Case.objects.get(status=CaseStatus.RETURNED)
    assert returned.org.name == "大理供电局" and "实施前后的对比" in returned.reason
    lengths = [len(re.sub(r"<[^>]+>", "", s.body)) for s in STORIES if s.fate == "published"]
    assert all(300 <= n <= 800 for n in lengths), lengths
    assert "案例库：新建已发布 12 个" in summary_lines(first)[0]


@pytest.mark.django_db
def test_the_steps_were_played_by_the_demo_accounts_at_their_days(demo):
    grid = Case.objects.get(org__code="U01")
    assert grid.created_by.username == "union_admin"
    events = AuditEntry.objects.filter(object_type="cases.case", object_id=str(grid.pk)).order_by("id")
    assert [(e.event, e.username) for e in events] == [
        ("cases.case.create", "union_admin"), ("cases.case.submit", "union_admin"),
        ("cases.case.publish", "office_reviewer"),
    ]  # fmt: skip
    assert str(grid.published_on) == "2021-03-22"
    assert Case.objects.get(org__code="E001", status=CaseStatus.PUBLISHED).created_by.username == "reporter"
    assert grid.replications.count() == 3
    assert verify_chain() == []


@pytest.mark.django_db
def test_the_demo_is_searchable_in_chinese(demo):
    office = get_user_model().objects.get(username="office_reviewer")
    hits, _words = queries.library(office, queries.Filters(q="技能薪酬"))
    assert hits[0].case.org.code == "U01"
    hits, _words = queries.library(office, queries.Filters(q="产业工人之家 农民工"))
    assert {h.case.org.code for h in hits} >= {"E015"}


@pytest.mark.django_db
def test_a_second_load_creates_nothing(demo):
    _first, second, counts = demo
    assert sum(second.created.values()) == 0 and second.kept == len(STORIES)
    assert (Case.objects.count(), Replication.objects.count(), AuditEntry.objects.count()) == counts
