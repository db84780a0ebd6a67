"""The sites on an organisation's timeline (ledger.timeline) and in the tree's dated records."""

from __future__ import annotations

import datetime as dt

import pytest

from ledger import timeline
from orgs.choices import Role
from orgs.services import records_after
from sites.models import FollowUp
from sites.tests.factories import make_group, make_site, make_visit

pytestmark = pytest.mark.django_db


def test_selection_visit_and_acceptance_are_activity_on_the_timeline(tree):
    dept = tree.user(Role.DEPT_VIEWER)
    site = make_site(tree.ent_a1, group=make_group(dept))
    site.accepted_on = dt.date(2022, 5, 1)
    site.save()
    make_visit(site, dept, visited_on=dt.date(2021, 9, 1))
    events = [e for e in timeline.events_of([tree.ent_a1.pk]) if e.kind == "demo_site"]
    assert [(e.on, e.title) for e in events] == [
        (dt.date(2022, 5, 1), "示范点通过验收"),
        (dt.date(2021, 9, 1), "指导组走访示范点"),
        (dt.date(2021, 6, 18), f"入选示范点：{site.batch.name}"),
    ]
    assert timeline.last_activity([tree.ent_a1.pk])[tree.ent_a1.pk] >= dt.date(2022, 5, 1)
    assert ("demo_site", "示范点") in timeline.event_kinds()


def test_closing_an_organisation_names_its_later_visits_and_open_followups(tree):
    dept = tree.user(Role.DEPT_VIEWER)
    site = make_site(tree.ent_a1, group=make_group(dept))
    visit = make_visit(site, dept, visited_on=dt.date(2021, 9, 1))
    FollowUp.objects.create(site=site, visit=visit, title="a", owner=tree.ent_a1, deadline=dt.date(2021, 12, 1))
    found = dict(records_after(tree.ent_a1, dt.date(2021, 8, 1)))
    assert found["1 次示范点指导走访"] == dt.date(2021, 9, 1)
    assert found["1 项未完成的示范点跟进事项"] == dt.date(2021, 12, 1)
    assert records_after(tree.ent_a1, dt.date(2022, 1, 1)) == []
