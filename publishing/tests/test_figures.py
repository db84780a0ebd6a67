"""What the publishing app tells the rest of the platform: figures for analytics, facts for assessment, events
on the organisations' timelines, and records that make closing an organisation ask first."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from analytics import sources
from assessment import facts
from ledger import timeline
from orgs import services as org_services
from publishing.services import submissions
from publishing.tests.factories import make_issue, make_submission, office, officer
from reporting.periods import spec_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(tree, monkeypatch):
    """In 2021: two items of 昆明供电局 (one used), one of 云南铜业股份 (declined)."""
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2021, 5, 10, 9, tzinfo=dt.UTC))
    used = make_submission(tree, title="用上的")
    make_submission(tree, title="等待的")
    declined = make_submission(tree, org=tree.ent_b1, by=officer(tree, tree.ent_b1), title="铜业")
    by = office(tree)
    used = submissions.submission_step(by=by, submission=used, step="take", version=used.version)
    submissions.submission_step(by=by, submission=used, step="accept", version=used.version, issue=make_issue(tree))
    submissions.submission_step(by=by, submission=declined, step="decline", version=declined.version, reason="重复")
    return tree


def test_sources_count_submitted_and_used_items_in_the_period(items):
    year = spec_for("year", 2021)
    submitted = sources.values(sources.get("INFO_SUBMITTED"), year)
    used = sources.values(sources.get("INFO_USED"), year)
    assert submitted == {items.ent_a1.pk: Decimal(2), items.ent_b1.pk: Decimal(1)}
    assert used == {items.ent_a1.pk: Decimal(1)}
    assert sources.values(sources.get("INFO_SUBMITTED"), spec_for("year", 2022)) == {}


def test_facts_count_per_subtree(items):
    orgs = [
        (items.union_a.pk, items.union_a.path),
        (items.ent_b1.pk, items.ent_b1.path),
        (items.kunming.pk, items.kunming.path),
    ]
    found = facts.gather({"publishing_submitted", "publishing_used"}, 2021, orgs)
    assert found[items.union_a.pk]["publishing_submitted"].count == 2
    assert found[items.union_a.pk]["publishing_used"].count == 1
    assert found[items.union_a.pk]["publishing_used"].text == "2021年度本单位（含下属单位）信息被快报采用 1 条。"
    assert found[items.ent_b1.pk]["publishing_used"].count == 0
    assert found[items.kunming.pk]["publishing_submitted"].share == Decimal(0)
    assert facts.FACTS["publishing_used"].counted


def test_submitted_and_used_items_are_timeline_events_and_activity(items):
    events = timeline.events_of([items.ent_a1.pk])
    kinds = sorted(e.kind for e in events if e.kind.startswith("info_"))
    assert kinds == ["info_submitted", "info_submitted", "info_used"]
    assert timeline.last_activity([items.ent_a1.pk])[items.ent_a1.pk] >= dt.date(2021, 5, 10)
    assert org_services.records_after(items.ent_a1, dt.date(2021, 1, 1))[-1][0] == "2 条报送信息"
