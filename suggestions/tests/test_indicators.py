"""The suggestions' figures: sources paired with the reported elements, the `_REC` indicators shipped by the
migration with codes unique in the project, computed by the analytics engine on a hand-counted fixture; the
facts for assessment and the timeline events."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from analytics import engine
from analytics import sources as registry
from analytics.engine import Query, Scope
from analytics.models import Indicator
from suggestions.choices import SuggestionKind, SuggestionStatus
from suggestions.migrations._indicators import INDICATORS
from suggestions.models import Suggestion
from suggestions.sources import SOURCES
from suggestions.tests.factories import make_suggestion

S = SuggestionStatus
pytestmark = pytest.mark.django_db
DAY = dt.date(2021, 6, 1)


def value(org, code, period="2021") -> Decimal | None:
    totals = engine.answer(Scope.province(), Query(f"indicator:{code}", org=org.pk, periods=(period,))).totals
    return totals[0].value if totals else None


@pytest.fixture
def world(tree):
    """2021 at 云南电网: 4 submitted (2 五小 by 张三 twice and 李四), 2 adopted (1 五小), 1 rejected, 3000.50 元."""
    rows = [
        (tree.ent_a1, SuggestionKind.DESIGN, S.ASSESSED, Decimal("1000.50"), "张三"),
        (tree.ent_a1, SuggestionKind.INVENTION, S.REJECTED, None, "张三"),
        (tree.ent_a2, SuggestionKind.RATIONAL, S.REWARDED, Decimal("2000"), "李四"),
        (tree.ent_a2, SuggestionKind.RATIONAL, S.SUBMITTED, None, "王五"),
    ]
    for org, kind, status, amount, name in rows:
        s = make_suggestion(org, kind=kind, status=status, submitted_on=DAY, value=amount, proposers=[{"name": name}])
        decided = DAY if status != S.SUBMITTED else None
        Suggestion.objects.filter(pk=s.pk).update(decided_on=decided, assessed_on=DAY if amount else None)
    make_suggestion(tree.unit_a1, kind=SuggestionKind.ADVICE, submitted_on=DAY, proposers=[{"name": "李四"}])
    return tree


def test_the_indicators_are_shipped_with_unique_codes_and_rec_suffixes(db):
    codes = [row[0] for row in INDICATORS]
    found = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    assert set(found) == set(codes) and {i.task for i in found.values()} == {"contribution"}
    assert all(code.endswith("_REC") for code in codes)
    reported = {"SUGGEST_SUBMITTED", "SUGGEST_ADOPTION_RATE", "SUGGEST_VALUE", "WUXIAO_RESULTS", "WUXIAO_PARTICIPANTS"}
    assert reported <= set(Indicator.objects.values_list("code", flat=True))
    # No other app declares the same indicator code or source key.
    root = Path(settings.BASE_DIR)
    for path in root.glob("*/migrations/_indicators.py"):
        if path.parts[-3] != "suggestions":
            assert not set(re.findall(r'\("([A-Z0-9_]+)"', path.read_text())) & set(codes), path
    keys = [s.key for s in SOURCES]
    for path in root.glob("*/sources.py"):
        if path.parts[-2] not in ("suggestions", "analytics"):
            assert not set(re.findall(r'key="([A-Z0-9_]+)"', path.read_text())) & set(keys), path


def test_sources_name_the_reported_elements():
    pairs = {s.key: s.reported for s in SOURCES}
    assert pairs["SUGGESTIONS_SUBMITTED"] == "WF_SUGGEST_SUBMITTED"
    assert pairs["SUGGESTIONS_ADOPTED"] == "WF_SUGGEST_ADOPTED"
    assert pairs["SUGGESTIONS_VALUE"] == "WF_SUGGEST_VALUE"
    assert pairs["WUXIAO_RESULTS"] == "WF_WUXIAO_RESULTS"
    assert pairs["WUXIAO_PARTICIPANTS"] == "WF_WUXIAO_PARTICIPANTS"
    assert all(registry.get(key) is not None for key in pairs)
    assert registry.get("SUGGESTIONS_VALUE").kind == registry.SUM


def test_indicators_hand_counted_and_rolled_up(world):
    tree = world
    assert value(tree.union_a, "SUGGEST_SUBMITTED_REC") == 5
    assert value(tree.ent_a1, "SUGGEST_SUBMITTED_REC") == 3  # its unit's included
    assert value(tree.union_a, "SUGGEST_ADOPTED_REC") == 2
    assert value(tree.union_a, "SUGGEST_ADOPTION_RATE_REC") == Decimal("66.67")
    assert value(tree.union_a, "SUGGEST_VALUE_REC") == Decimal("3000.50")
    assert value(tree.union_a, "WUXIAO_RESULTS_REC") == 1
    assert value(tree.union_a, "WUXIAO_PARTICIPANTS_REC") == 2  # 张三 once at 昆明供电局, 李四 at 修试所
    assert value(tree.province, "SUGGEST_SUBMITTED_REC") == 5
    assert value(tree.union_b, "SUGGEST_SUBMITTED_REC") is None  # no records: 无数据, not 0
    assert value(tree.union_a, "SUGGEST_SUBMITTED_REC", "2022") is None


def test_facts_for_assessment(world):
    from assessment.facts import FACTS

    tree = world
    orgs = [(tree.union_a.pk, tree.union_a.path), (tree.union_b.pk, tree.union_b.path)]
    submitted = FACTS["suggestions_submitted"].provider(2021, orgs)
    assert submitted[tree.union_a.pk].count == 5 and submitted[tree.union_a.pk].share == 1
    assert submitted[tree.union_b.pk].share == 0
    rate = FACTS["suggestions_adoption_rate"].provider(2021, orgs)
    assert rate[tree.union_a.pk].share == Decimal(2) / Decimal(3)
    assert "采纳率 66.67%" in rate[tree.union_a.pk].text
    assert rate[tree.union_b.pk].share is None
    value_fact = FACTS["suggestions_value"].provider(2021, orgs)
    assert value_fact[tree.union_a.pk].count == 3000 and "创效金额 3000.50元" in value_fact[tree.union_a.pk].text


def test_timeline_events(world):
    from suggestions.timeline import suggestion_events

    events = list(suggestion_events([world.ent_a1.pk], dt.date(2026, 1, 1)))
    titles = [e.title for e in events]
    assert "职工提出小设计：改进巡检路线" in titles
    assert "小设计被采纳：改进巡检路线" in titles and "小发明未被采纳：改进巡检路线" in titles
    assert all(e.kind == "suggestion" and e.org_id == world.ent_a1.pk for e in events)
