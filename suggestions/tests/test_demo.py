"""The demo province's suggestions (suggestions/demo/): two campaigns and 40 suggestions in every state, played
through the services, with reasons for the rejected and value for the assessed; a second load creates nothing;
the figures reach the indicators.

The demo tree and accounts are loaded once for the module (without the sample reports), the suggestions twice,
inside a transaction rolled back at the end.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from core import registry
from core.audit import verify_chain
from core.models import AuditEntry
from orgs.demo import load_demo
from suggestions.choices import SuggestionStatus
from suggestions.demo import RATIONAL_CAMPAIGN, WUXIAO_CAMPAIGN, load_demo_suggestions, summary_lines
from suggestions.models import Campaign, Suggestion

S = SuggestionStatus


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        office = get_user_model().objects.get(username="office_admin")
        first = load_demo_suggestions(office)
        counts = (Suggestion.objects.count(), AuditEntry.objects.count())
        second = load_demo_suggestions(office)
        yield first, second, counts
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_two_campaigns_and_forty_suggestions_in_every_state(demo):
    first, _second, _counts = demo
    assert first.warnings == []
    assert set(Campaign.objects.values_list("name", flat=True)) == {RATIONAL_CAMPAIGN, WUXIAO_CAMPAIGN}
    assert Suggestion.objects.count() == 40
    assert set(Suggestion.objects.values_list("status", flat=True)) == set(S.values)
    assert not Suggestion.objects.filter(status=S.REJECTED, reject_reason="").exists()
    assert not Suggestion.objects.filter(status__in=[S.ASSESSED, S.REWARDED], value__isnull=True).exists()
    rewarded = Suggestion.objects.filter(status=S.REWARDED)
    assert all(s.reward_amount is not None or s.reward_form for s in rewarded)
    assert set(Suggestion.objects.values_list("submitted_on__year", flat=True)) == {2021}
    assert Suggestion.objects.filter(campaign__isnull=False).count() >= 20


@pytest.mark.django_db
def test_history_and_to_dos(demo):
    suggestion = Suggestion.objects.filter(status=S.REWARDED).first()
    events = list(
        AuditEntry.objects.filter(object_type="suggestions.suggestion", object_id=str(suggestion.pk))
        .order_by("at", "id")
        .values_list("event", flat=True)
    )
    assert events[0] == "suggestions.suggestion.submit" and events[-1] == "suggestions.suggestion.reward"
    assert verify_chain() == []
    admin = get_user_model().objects.get(username="union_admin")
    assert any("等待审查" in t.text for t in registry.todos_for(admin))


@pytest.mark.django_db
def test_a_second_load_creates_nothing(demo):
    _first, second, counts = demo
    assert second.created["suggestions"] == 0 and second.created["campaigns"] == 0
    assert (Suggestion.objects.count(), AuditEntry.objects.count()) == counts
    assert "新建建议 0 条" in summary_lines(second)[0]
