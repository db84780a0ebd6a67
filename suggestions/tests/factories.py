"""Test data for 五小 and suggestions on the shared small province (orgs/tests/factories.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core import deadlines
from orgs.tests.factories import SYSTEM
from suggestions import services
from suggestions.choices import SuggestionKind, SuggestionStatus
from suggestions.models import Campaign, Suggestion

S = SuggestionStatus


def make_campaign(organiser, **fields) -> Campaign:
    today = deadlines.today()
    fields.setdefault("name", "2026年五小活动")
    fields.setdefault("starts_on", dt.date(today.year, 1, 1))
    fields.setdefault("ends_on", dt.date(today.year, 12, 31))
    fields.setdefault("kinds", list(SuggestionKind.values))
    return services.campaign_create(by=SYSTEM, organiser=organiser, **fields)


def make_suggestion(
    org, *, status: str = S.SUBMITTED, proposers=None, value=Decimal("10000.00"), **fields
) -> Suggestion:
    """A suggestion at `org`, put in `status` directly with that state's fields (the steps are tested on their
    own)."""
    fields.setdefault("kind", SuggestionKind.RATIONAL)
    fields.setdefault("title", "改进巡检路线")
    fields.setdefault("content", "把两条巡检路线合并，节省人工。")
    suggestion = services.suggestion_submit(
        by=SYSTEM, org=org, proposers=proposers or [{"name": "张三", "occupation": "变电运维工"}], **fields
    )
    today = deadlines.today()
    extra: dict = {}
    if status in (S.ADOPTED, S.IMPLEMENTED, S.ASSESSED, S.REWARDED, S.REJECTED):
        extra["decided_on"] = today
    if status == S.REJECTED:
        extra["reject_reason"] = "不具备实施条件"
    if status in (S.IMPLEMENTED, S.ASSESSED, S.REWARDED):
        extra["implemented_on"] = today
    if status in (S.ASSESSED, S.REWARDED):
        extra.update(value=value, value_basis="测算", assessed_on=today)
    if status == S.REWARDED:
        extra.update(reward_amount=Decimal("500.00"), rewarded_on=today)
    if status != S.SUBMITTED:
        Suggestion.objects.filter(pk=suggestion.pk).update(status=status, **extra)
        suggestion.refresh_from_db()
    return suggestion


def fuzz_paths(tree) -> dict[str, dict[str, int]]:
    """A campaign of union A and a suggestion of enterprise A1, for the API fuzz run's paths."""
    campaign = make_campaign(tree.union_a, name="接口探测活动")
    suggestion = make_suggestion(tree.ent_a1, title="接口探测建议", campaign=campaign)
    return {
        "/api/v1/suggestions/suggestions/": {"id": suggestion.pk},
        "/api/v1/suggestions/campaigns/": {"id": campaign.pk},
    }


def idor_objects(places: dict) -> dict[str, dict[str, int]]:
    """For the IDOR probes: per place ("own", "sibling", "other_branch" → an enterprise), a suggestion entered
    there and a campaign it organises (made directly: enterprises seldom run campaigns)."""
    today = deadlines.today()
    found: dict[str, dict[str, int]] = {"suggestion": {}, "suggestion_campaign": {}}
    for where, org in places.items():
        found["suggestion"][where] = make_suggestion(org, title=f"{org.code} 越权探测建议").pk
        found["suggestion_campaign"][where] = Campaign.objects.create(
            name=f"{org.code} 越权探测活动", organiser=org, starts_on=dt.date(today.year, 1, 1),
            ends_on=dt.date(today.year, 12, 31), kinds=["rational"],
        ).pk  # fmt: skip
    return found
